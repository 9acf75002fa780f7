# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Progress lines: what the controller prints while a hwc.dcs task waits, and the settings for it.

Private to this collection: this interface may change without notice.

The module's slices (see ``module_utils/_slices``) report each polled thing's status; this turns
them into lines such as::

    hwc.dcs [localhost]: job ff80...1a2b (masterStandbySwapJob) is INIT; 0 of 1 job finished, 0s elapsed
    hwc.dcs [localhost]: job ff80...1a2b (masterStandbySwapJob) now RUNNING (was INIT); 0 of 1 job finished, 12s elapsed
    hwc.dcs [localhost]: job ff80...1a2b (masterStandbySwapJob) RUNNING for 3m10s; 0 of 1 job finished, 3m22s elapsed

A line for each status change, and a heartbeat at the end of each slice in which nothing changed.
With ``no_log`` only the counts and the elapsed time are shown. A task whose wait ended at its first
poll prints nothing: there was nothing to wait for.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.hwc.dcs.plugins.module_utils._text import clean

DEFAULT_INTERVAL = 30.0
MIN_INTERVAL = 5.0
MAX_INTERVAL = 3600.0
OPTION = "progress_interval"
VARIABLE = "hwc_dcs_progress_interval"
ENVIRONMENT = "HWC_DCS_PROGRESS_INTERVAL"
MAX_TEXT = 100


def progress_interval(args, task_vars, environ):
    """Seconds between heartbeats, or 0 for no progress lines (and no slices).

    The task's ``progress_interval`` option (``module_defaults`` included) wins over the
    ``hwc_dcs_progress_interval`` variable, which wins over the controller's ``HWC_DCS_PROGRESS_INTERVAL``.
    Raises ValueError with the message for the user when the value is not usable.
    """
    for source, value in ((OPTION, args.get(OPTION)), ("variable " + VARIABLE, task_vars.get(VARIABLE)),
                          ("environment variable " + ENVIRONMENT, environ.get(ENVIRONMENT))):
        if value is None or value == "":
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError, OverflowError):
            seconds = float("nan")
        if seconds == 0:
            return 0.0
        if not math.isfinite(seconds) or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
            raise ValueError("%s is %s: give 0 (no progress lines) or %g to %g seconds between progress lines."
                             % (source, _text(repr(value)), MIN_INTERVAL, MAX_INTERVAL))
        return seconds
    return DEFAULT_INTERVAL


def duration(seconds):
    """45s, 3m10s, 1h02m."""
    seconds = max(0, int(round(seconds or 0)))
    if seconds < 60:
        return "%ds" % seconds
    if seconds < 3600:
        return "%dm%02ds" % divmod(seconds, 60)
    return "%dh%02dm" % (seconds // 3600, seconds % 3600 // 60)


def _text(value):
    """One printable line: what a server said never moves the cursor or colours the terminal."""
    return clean(value, MAX_TEXT)


def _plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")


def _name(item, kind):
    label = " (%s)" % _text(item["label"]) if item.get("label") else ""
    return "%s %s%s" % (kind, _text(item["id"]), label)


def _counts(kind, items, elapsed):
    text = "%s elapsed" % duration(elapsed)
    if kind == "job":
        finished = sum(1 for item in items if item.get("finished"))
        text = "%d of %s finished, %s" % (finished, _plural(len(items), "job"), text)
    return text


def lines(progress, host, elapsed, no_log=False, heartbeat=False):
    """The lines for one slice's ``progress`` (see ``_slices.Slicer.progress``): changes, else a heartbeat."""
    if not isinstance(progress, dict) or progress.get("kind") not in ("job", "instance"):
        return []
    kind, items = progress["kind"], progress.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) and item.get("id") for item in items):
        return []
    prefix = "hwc.dcs [%s]: " % _text(host)
    changed = [item for item in items if item.get("changed")]
    counts = _counts(kind, items, elapsed)
    if no_log:
        return [prefix + "%s (details hidden by no_log)" % counts] if changed or heartbeat else []
    out = []
    for item in changed:
        change = "now %s (was %s)" % (_text(item.get("status")), _text(item["was"])) if item.get("was") else "is %s" % _text(item.get("status"))
        out.append(prefix + "%s %s; %s" % (_name(item, kind), change, counts))
    if out or not heartbeat:
        return out
    pending = [item for item in items if not item.get("finished")] or items
    first = pending[0]
    status = _text(first["status"]) if first.get("status") else "no answer yet"
    text = "%s %s" % (_name(first, kind), status)
    if first.get("seconds") is not None:
        text += " for %s" % duration(first["seconds"])
    if first.get("detail"):
        text += " (task %s)" % _text(first["detail"])
    if len(pending) > 1:
        text += "; %d more waiting" % (len(pending) - 1)
    return [prefix + "%s; %s" % (text, counts)]
