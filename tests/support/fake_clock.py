# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One fake time source for code that takes ``clock``, ``sleep`` and ``now`` callables."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import threading

START = 1000.0
WALL = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FakeTime:
    """A monotonic clock and a sleep that advances it, plus a wall clock, all thread-safe.

    ``clock()`` starts at ``start``; ``sleep(s)`` records ``s`` in ``sleeps`` and moves both clocks;
    ``now()`` is ``wall`` plus the time slept (an aware UTC datetime); ``advance(s)`` moves time
    without recording a sleep (time spent elsewhere, for example in a request).
    """

    def __init__(self, start=START, wall=None):
        self.start = start
        self.t = start
        self.wall = wall or WALL
        self.sleeps = []
        self.lock = threading.Lock()

    def clock(self):
        with self.lock:
            return self.t

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep %r" % seconds
        with self.lock:
            self.sleeps.append(seconds)
            self.t += seconds

    def advance(self, seconds):
        with self.lock:
            self.t += seconds

    def now(self):
        with self.lock:
            return self.wall + datetime.timedelta(seconds=self.t - self.start)
