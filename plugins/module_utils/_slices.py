# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Slices: how a long wait pauses so that the controller can show progress, and resumes where it stopped.

Private to this collection: this interface may change without notice.

Ansible modules cannot report anything before they end. So the collection's action plugins run a
waiting module in slices: they set ``_HWC_DCS_SLICE_SECONDS``, and the module's wait pauses when a
status changes or that many seconds passed, instead of sleeping until its next poll. The module then
ends with the sealed state of the task (``_hwc_dcs_paused``) and what changed (``_hwc_dcs_progress``);
the action plugin prints a line and runs the module again with that state in ``_HWC_DCS_SLICE_STATE``.

The resumed module restores everything an uninterrupted run would still know: when the task started
(so ``elapsed`` and ``wait_timeout`` count from the first slice), the project ID, the request and retry
counts, the warnings, what the module saved with ``Task.remember()`` (the result so far, the job to
follow) and each polled thing with its status history. It first sleeps what is left of the pause, so
the polls keep their interval and no request is sent twice. Without those variables nothing changes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math
import time

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._seal import SealError, refused, seal, unseal
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Tracked

SECONDS_VAR = "_HWC_DCS_SLICE_SECONDS"
STATE_VAR = "_HWC_DCS_SLICE_STATE"
PAUSED_KEY = "_hwc_dcs_paused"
PROGRESS_KEY = "_hwc_dcs_progress"
STATE_FORMAT = 1  # changes whenever the state's shape changes: a state of another shape is refused
MAX_STATE = 96 * 1024  # one environment variable may hold 128 KiB on Linux; larger states do not pause
LABEL_FIELDS = {"job": "job_type", "instance": "name"}
DETAIL_FIELDS = {"instance": "task"}


class Paused(Exception):
    """Raised by a wait that pauses: carries the sealed state and the progress to show. Not a ``DcsError``."""

    def __init__(self, token, progress):
        super(Paused, self).__init__("paused")
        self.token = token
        self.progress = progress


def _epoch(moment):
    return moment.timestamp()


def _moment(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def tracked_to_dict(tracked):
    return dict(key=tracked.key, state=tracked.state, last_error=tracked.last_error,
                history=[[status, _epoch(seen)] for status, seen in tracked.history])


def tracked_from_dict(data):
    tracked = Tracked(data["key"])
    tracked.state = data["state"]
    tracked.last_error = data["last_error"]
    tracked.history = [(status, _moment(seen)) for status, seen in data["history"]]
    return tracked


def slice_seconds(environ):
    """The slice length the action plugin asked for, or None (no slicing)."""
    text = environ.get(SECONDS_VAR)
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValidationError("%s is %.40r, not a positive number of seconds. Only the hwc.dcs action plugins set it: "
                              "unset it." % (SECONDS_VAR, text))
    return seconds


class Slicer:
    """The module's side of a sliced wait: ``state`` is what the previous slice sealed ({} in the first)."""

    def __init__(self, seconds, secret, state=None, clock=time.monotonic, wall=time.time, now=None):
        self.seconds = seconds
        self.secret = secret
        self.state = state or {}
        self.clock = clock
        self.wall = wall
        self.now = now or (lambda: _moment(wall()))
        self.slice_start = clock()
        self.saved = dict(self.state.get("saved") or {})
        self.reported = dict(self.state.get("reported") or {})
        self.snapshot = lambda: {}  # set by the runner: the task's own state
        self.kind = None
        self.tracked = []
        self.done = None

    @classmethod
    def from_environ(cls, environ, secret, clock=time.monotonic, wall=time.time, now=None):
        """The slicer the environment asks for, or None when the task is not sliced."""
        seconds = slice_seconds(environ)
        if seconds is None:
            return None
        token = environ.get(STATE_VAR)
        state = unseal(token, secret) if token else None
        if state is not None and state.get("format") != STATE_FORMAT:
            raise SealError(refused("it is not a state this version of the collection wrote"))
        return cls(seconds, secret, state, clock=clock, wall=wall, now=now)

    @property
    def resuming(self):
        return bool(self.state)

    def remember(self, name, default):
        """The object kept under ``name``: restored in a resumed slice, else ``default``, saved when pausing."""
        if name not in self.saved:
            self.saved[name] = default
        return self.saved[name]

    # --- the waiter's side ---------------------------------------------------------------------------------

    def restore(self, kind, keys, done):
        """Start watching a wait. Returns (tracked, seconds still to sleep) from the previous slice, or None."""
        self.kind, self.done = kind, done
        wait = self.state.get("wait")
        if not wait or wait.get("kind") != kind or wait.get("keys") != list(keys):
            return None
        self.tracked = [tracked_from_dict(item) for item in wait["tracked"]]
        left = wait["sleep_left"] - max(0.0, self.wall() - wait["paused_at"])
        return self.tracked, max(0.0, left)

    def watch(self, tracked):
        self.tracked = tracked

    def sleep(self, seconds, sleep, final=False):
        """Sleep ``seconds`` before the next round, or pause (raise ``Paused``) at a status change or the slice's end.

        ``final``: this sleep ends at the deadline; it is never cut, so that the last poll is on time.
        """
        if final or self.seconds is None:
            sleep(seconds)
            return
        if not self._changed():
            left = max(0.0, self.slice_start + self.seconds - self.clock())
            if seconds <= left:
                sleep(seconds)
                return
            sleep(left)
            seconds -= left
        self._pause(seconds)  # raises Paused, unless the state is too large to hand over
        sleep(seconds)

    def _changed(self):
        return any(t.answered and t.state.get("status") != self.reported.get(t.key) for t in self.tracked)

    def _pause(self, sleep_left):
        progress = self.progress()
        reported = dict(self.reported, **dict((t.key, t.state.get("status")) for t in self.tracked if t.answered))
        state = dict(self.snapshot(), format=STATE_FORMAT, saved=self.saved, reported=reported,
                     wait=dict(kind=self.kind, keys=[t.key for t in self.tracked], sleep_left=sleep_left,
                               paused_at=self.wall(), tracked=[tracked_to_dict(t) for t in self.tracked]))
        token = seal(state, self.secret)
        if len(token) > MAX_STATE:
            self.seconds = None  # too large to hand over: go on without pausing (and without progress)
            return
        raise Paused(token, progress)

    def progress(self):
        """What the action plugin shows: each watched thing's status, whether it changed, and for how long."""
        now = self.now()
        items = []
        for tracked in self.tracked:
            state = tracked.state or {}
            status = state.get("status")
            since = [seen for seen_status, seen in tracked.history if seen_status == status]
            items.append(dict(
                id=tracked.key, label=state.get(LABEL_FIELDS.get(self.kind, "")), detail=state.get(DETAIL_FIELDS.get(self.kind, "")),
                status=status, was=self.reported.get(tracked.key), finished=bool(tracked.answered and self.done(state)),
                changed=bool(status is not None and status != self.reported.get(tracked.key)),
                seconds=round((now - since[-1]).total_seconds(), 1) if since else None))
        return dict(kind=self.kind, items=items)
