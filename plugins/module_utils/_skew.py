# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Clock skew: sign with the gateway's time when the local clock is off.

Private to this collection: this interface may change without notice.

The gateway rejects a signature whose ``X-Sdk-Date`` is more than 15 minutes from its clock. After
such a rejection, the offset is measured from the answer's ``Date`` header and used for every
later signature of the task, with one warning. An offset under a minute means the clocks agree
(the rejection has another cause); one over a day is not a clock that drifted but a broken or
hostile answer, and fails the task instead of being trusted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import threading

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ClockSkewError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean

MIN_SKEW = 60.0
MAX_SKEW = 24 * 3600.0


def parse_http_date(value):
    """An aware datetime from an HTTP ``Date`` header, or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


class SkewCorrector:
    """The offset to add to the local clock when signing; thread-safe."""

    def __init__(self, now):
        self._now = now
        self._lock = threading.Lock()
        self._offset = 0.0
        self.corrected = False
        self.warnings = []

    def snapshot(self):
        with self._lock:
            return dict(offset=self._offset, corrected=self.corrected, warnings=list(self.warnings))

    def restore(self, offset, corrected, warnings):
        """Go on with what an earlier slice of the same task learnt (see ``_slices``)."""
        with self._lock:
            self._offset, self.corrected, self.warnings = float(offset), bool(corrected), list(warnings)

    def signing_time(self):
        with self._lock:
            offset = self._offset
        return self._now() + datetime.timedelta(seconds=offset)

    @property
    def offset(self):
        with self._lock:
            return self._offset

    def learn(self, error):
        """After a 'signature expired' 401: True when the offset was learnt and another attempt makes sense.

        Raises ``ClockSkewError`` when the gateway's clock is more than a day away.
        """
        server = parse_http_date(error.date_header)
        if server is None:
            return False
        try:
            offset = (server - self._now()).total_seconds()
        except OverflowError:  # pragma: no cover - datetime arithmetic stays within years 1 to 9999
            offset = float("inf")
        if abs(offset) < MIN_SKEW:
            return False  # the clocks agree: the expiry has another cause, do not retry a 401
        if abs(offset) > MAX_SKEW:
            raise ClockSkewError(
                "The API gateway rejected the signature as expired, and its Date header (%s) is %.0f days away from "
                "this host's clock: beyond the 24-hour window that is corrected automatically. Check the local clock "
                "(NTP) and that the endpoint is the real API gateway." % (clean(error.date_header, 60), abs(offset) / 86400),
                status_code=error.status_code, error_code=error.error_code, error_msg=error.error_msg,
                request_id=error.request_id)
        with self._lock:
            first = not self.corrected
            self._offset = offset
            self.corrected = True
        if first:
            self.warnings.append(
                "The local clock is %.0f seconds %s the API gateway's clock; requests were signed with "
                "the gateway's time instead. Fix time synchronisation (NTP) on this host."
                % (abs(offset), "behind" if offset > 0 else "ahead of"))
        return True

    def still_expired(self, error):
        """The error for a signature still rejected as expired after the correction."""
        offset = self.offset
        return ClockSkewError(
            "The API gateway still rejects the signature as expired after correcting the local clock by %+.0f seconds: "
            "the local clock is off by about %.0f seconds. Fix time synchronisation (NTP) on the host that runs the "
            "module." % (offset, abs(offset)),
            status_code=error.status_code, error_code=error.error_code, error_msg=error.error_msg,
            request_id=error.request_id)
