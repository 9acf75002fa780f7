# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time: the task's deadline and the time budget of one request.

Private to this collection: this interface may change without notice.

A task has one ``Deadline``. No sleep passes it, no request starts after it, and a request that
starts before it gets at most ``api_timeout`` and never more than ``GRACE`` seconds past it, so
that a task ends within its deadline plus one request, whatever the server does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time

# How far past the deadline a request that started before it may run: long enough for a last
# poll at the deadline itself to complete, short enough that the task still ends on time.
GRACE = 1.0


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class Deadline:
    """A point in monotonic time. ``seconds=None`` means no deadline."""

    def __init__(self, seconds, clock=time.monotonic, start=None):
        self._clock = clock
        begin = clock() if start is None else start
        self.at = None if seconds is None else begin + seconds

    def remaining(self):
        """Seconds left (negative once passed), or None without a deadline."""
        return None if self.at is None else self.at - self._clock()

    def passed(self):
        left = self.remaining()
        return left is not None and left <= 0

    def clamp(self, seconds):
        """``seconds`` limited to the time left (never negative)."""
        left = self.remaining()
        return seconds if left is None else max(0.0, min(seconds, left))

    def request_budget(self, api_timeout):
        """The time budget of a request starting now: ``api_timeout``, cut to the time left plus ``GRACE``."""
        left = self.remaining()
        return api_timeout if left is None else max(0.0, min(api_timeout, left + GRACE))
