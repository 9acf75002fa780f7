# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The retry policy: which failures are worth another attempt, and how long to wait before it.

Private to this collection: this interface may change without notice.

One ``RetryPolicy`` object answers both questions for the API client and the waiter. A module
whose API has its own "try again" answers (for example an instance that is busy with another
job) adds them with ``with_error_codes()``, as ``AWSRetry``'s ``catch_extra_error_codes`` does.
``RetryLog`` counts requests and retries for the result; ``SharedBackoff`` makes a throttled
answer slow down every thread of the task.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import random
import re
import threading
import time
from collections import Counter

# Statuses worth another attempt, and why.
RETRYABLE_STATUS = {
    429: "throttled",  # APIGW.0308: the gateway's rate limit; it asks us to slow down, not to stop.
    500: "HTTP 500",  # DCS.5000 and gateway internal errors are transient far more often than not.
    502: "HTTP 502",  # a gateway or load balancer lost its upstream for a moment.
    503: "HTTP 503",  # service unavailable: maintenance window or overload, by definition temporary.
    504: "HTTP 504",  # the gateway timed out on the backend.
}
# Reasons that prove the request never reached the service, so that even a request that changes
# something may be sent again: the connection was never made, or the gateway refused it.
NOT_DELIVERED = frozenset(("connection refused", "connect timeout", "throttled"))

BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0
THROTTLE_FLOOR = 2.0  # vendor advice: wait 2 to 5 s after a 429 that names no Retry-After.
RETRY_AFTER_CAP = 60.0  # a Retry-After beyond this is a broken or hostile server, not advice.

_DELTA_SECONDS = re.compile(r"\A[0-9]+\Z")


def parse_retry_after(value, now):
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), at most
    ``RETRY_AFTER_CAP``; None if absent or unusable."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    if _DELTA_SECONDS.match(value):  # ASCII digits only: '²' and other Unicode digits are not delta-seconds
        return RETRY_AFTER_CAP if len(value) > 6 else min(RETRY_AFTER_CAP, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        seconds = (when - now).total_seconds()
    except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
        return None
    return min(RETRY_AFTER_CAP, max(0.0, seconds))


class RetryPolicy:
    """Which answers are transient, and the delay before the next attempt.

    ``statuses`` maps HTTP statuses to a reason; ``error_codes`` maps API error codes (for
    example ``DCS.4097``) to a reason, whatever the status.
    """

    def __init__(self, statuses=None, error_codes=None, base=BACKOFF_BASE, cap=BACKOFF_CAP,
                 throttle_floor=THROTTLE_FLOOR, rng=random.random):
        self.statuses = dict(RETRYABLE_STATUS if statuses is None else statuses)
        self.error_codes = dict(error_codes or {})
        self.base = base
        self.cap = cap
        self.throttle_floor = throttle_floor
        self.rng = rng

    def with_error_codes(self, error_codes):
        """A copy of this policy that also retries the given ``{error_code: reason}``."""
        merged = dict(self.error_codes)
        merged.update(error_codes)
        return RetryPolicy(self.statuses, merged, self.base, self.cap, self.throttle_floor, self.rng)

    def reason_for(self, status, error_code=None):
        """Why an error answer is worth another attempt, or None when it is not."""
        if error_code and error_code in self.error_codes:
            return self.error_codes[error_code]
        return self.statuses.get(status)

    def delay(self, attempt, reason, retry_after=None):
        """Seconds before attempt ``attempt + 1``: Retry-After wins, else exponential backoff with
        full jitter; at least ``throttle_floor`` after a 429 that named no Retry-After."""
        if retry_after is not None:
            return retry_after
        delay = self.rng() * min(self.cap, self.base * (2 ** min(attempt, 30)))
        if reason == "throttled":
            delay = max(self.throttle_floor, delay)
        return delay

    def worst_case_backoff(self, retries):
        """The longest total of the delays of ``retries`` retries (used to bound a task without a wait)."""
        return sum(max(self.throttle_floor, min(self.cap, self.base * (2 ** attempt))) for attempt in range(1, retries + 1))


class RetryLog:
    """Thread-safe count of requests and retries, for the result and the warning."""

    def __init__(self):
        self._lock = threading.Lock()
        self._requests = Counter()
        self._reasons = Counter()

    def restore(self, requests, reasons):
        """Add the counts of an earlier slice of the same task (see ``_slices``)."""
        with self._lock:
            self._requests.update(requests)
            self._reasons.update(reasons)

    def snapshot(self):
        with self._lock:
            return dict(requests=dict(self._requests), reasons=dict(self._reasons))

    def sent(self, label):
        with self._lock:
            self._requests[label] += 1

    def retried(self, reason):
        with self._lock:
            self._reasons[reason] += 1

    def requests(self, label):
        """How many requests with this label were sent (attempts included)."""
        with self._lock:
            return self._requests[label]

    def reasons(self):
        """{reason: count} of the retries so far."""
        with self._lock:
            return dict(self._reasons)

    @property
    def retries(self):
        with self._lock:
            return sum(self._reasons.values())

    def summary(self):
        """The warning that says how many requests had to be retried and why, or None."""
        with self._lock:
            reasons = sorted(self._reasons.items())
        if not reasons:
            return None
        total = sum(count for _reason, count in reasons)
        parts = ", ".join("%d x %s" % (count, reason) for reason, count in reasons)
        return "%d API request%s had to be retried (%s). The API was throttling or unstable during this task." % (
            total, "" if total == 1 else "s", parts)


class SharedBackoff:
    """A 'not before' time shared by every thread of one client: a 429 slows them all down."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def hold(self, seconds):
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def pending(self):
        with self._lock:
            return max(0.0, self._not_before - self._clock())
