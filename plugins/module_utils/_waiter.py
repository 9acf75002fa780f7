# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The waiter: poll things until they are done, concurrently, within one deadline.

Private to this collection: this interface may change without notice.

Generic over what it polls: a job today, an instance's status tomorrow. ``fetch(key, deadline)``
returns the thing's current state (a dict with a ``status``) or raises a ``DcsError``; ``done(state)``
says whether it is final. The first round polls everything at once; later rounds poll only what
is not done, every ``interval`` seconds. A poll that failed transiently (the error has a
``retry_reason``) does not count while waiting: the next round polls that thing again. No sleep
passes the deadline and no poll starts after it, however many things there are.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwc.dcs.plugins.module_utils._deadline import utcnow
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clause

MAX_IN_FLIGHT = 50
# A paused wait resumes in a new module run, which takes a moment (seconds behind SSH): a sliced wait does not
# pause when its next poll is due within one slice (at most this long) of the deadline, so that no slice resumes
# past the deadline and the last polls are those of an uninterrupted run.
RESUME_MARGIN = 10.0
# The round after a sleep to the deadline polls at the deadline itself; the sleep returns a little late (and
# threads start later still), so its polls may start this long after the deadline. Any other poll may not.
AT_DEADLINE_LATENESS = 0.25


class Tracked:
    """What the waiter knows of one thing: its last state and the statuses it went through."""

    def __init__(self, key):
        self.key = key
        self.state = None
        self.last_error = None
        self.history = []

    @property
    def answered(self):
        return self.state is not None

    @property
    def failure_note(self):
        """``", last poll failed: <why>"`` for a timeout message, or "" when the last poll worked."""
        return ", last poll failed: %s" % clause(self.last_error) if self.last_error else ""

    def update(self, state, seen_at):
        self.state = state
        self.last_error = None
        status = state.get("status")
        if status not in [seen_status for seen_status, _seen in self.history]:
            self.history.append((status, seen_at))


class Outcome:
    """The end of a wait: every tracked thing in the asked order, and those not done."""

    def __init__(self, tracked, pending, timed_out):
        self.tracked = tracked
        self.pending = pending
        self.timed_out = timed_out


class _NotPolled(Exception):
    """Internal: the deadline passed before this poll could start."""


class Waiter:
    """Polls with at most ``max_in_flight`` requests at once. ``log`` (a RetryLog) counts missed polls."""

    def __init__(self, fetch, done, log=None, clock=time.monotonic, sleep=time.sleep, now=utcnow, max_in_flight=MAX_IN_FLIGHT):
        self.fetch = fetch
        self.done = done
        self.log = log
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.max_in_flight = max_in_flight

    def run(self, keys, deadline, wait=False, interval=5.0, slicer=None, kind="job"):
        """Poll once (``wait=False``) or until everything is done or the deadline passes. Returns an ``Outcome``.

        ``slicer`` (a ``_slices.Slicer``, when the task runs in slices) may end a wait early by raising
        ``Paused``, and resumes a wait that an earlier slice paused; ``kind`` names what is polled.
        """
        restored = slicer.restore(kind, keys, self.done) if slicer is not None and wait else None
        tracked, first_sleep = restored or ([Tracked(key) for key in keys], None)
        if slicer is not None and wait:
            slicer.watch(tracked)
        pending = [t for t in tracked if not (t.answered and self.done(t.state))]
        with ThreadPoolExecutor(max_workers=max(1, min(self.max_in_flight, len(tracked)))) as pool:
            late = self._pause(slicer, deadline, first_sleep) if first_sleep is not None else 0.0
            while True:
                self._round(pool, pending, deadline, wait, late)
                pending = [t for t in pending if not (t.answered and self.done(t.state))]
                if not pending:
                    return Outcome(tracked, [], False)
                if not wait or deadline.passed():
                    return Outcome(tracked, pending, deadline.passed())
                late = self._pause(slicer, deadline, interval)

    def _pause(self, slicer, deadline, seconds):
        """Sleep before the next round. Returns how late that round's polls may start: ``AT_DEADLINE_LATENESS``
        after a sleep that ended at the deadline (a sleep never ends exactly on time), else 0."""
        # Never sleep past the deadline: the last round polls at the deadline itself.
        left = deadline.remaining()
        margin = min(RESUME_MARGIN, slicer.seconds or 0.0) if slicer is not None else 0.0
        final = left is not None and seconds >= left - margin
        at_deadline = left is not None and seconds >= left
        seconds = deadline.clamp(seconds)
        if slicer is None:
            self.sleep(seconds)
        else:
            slicer.sleep(seconds, self.sleep, final=final)
        return AT_DEADLINE_LATENESS if at_deadline else 0.0

    def _poll(self, key, deadline, late):
        left = deadline.remaining()
        if left is not None and left < -late:  # a poll at the deadline itself still starts
            raise _NotPolled()
        return self.fetch(key, deadline)

    def _round(self, pool, pending, deadline, wait, late=0.0):
        futures = [(t, pool.submit(self._poll, t.key, deadline, late)) for t in pending]
        first_error = None
        for tracked, future in futures:
            try:
                state = future.result()
            except _NotPolled:
                continue
            except DcsError as error:
                if wait and error.retry_reason:
                    tracked.last_error = error.message
                    if self.log is not None:
                        self.log.retried(error.retry_reason)
                    continue
                # Let the other polls of the round finish, then report the first error.
                first_error = first_error or error
                continue
            tracked.update(state, self.now())
        if first_error is not None:
            raise first_error
