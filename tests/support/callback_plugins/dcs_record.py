# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only notification callback of the suites that run real ansible-playbook (tests/hostile,
tests/progress): it appends the result of every hwc.dcs task, as one JSON line, to the file named by
``DCS_RESULT_FILE``.

The suites read each module's ``msg`` and fields from there exactly as the callbacks receive them
(censored for ``no_log`` tasks), instead of parsing the screen output, which they check separately.
Enabled through ``ANSIBLE_CALLBACK_PLUGINS`` (this directory) and ``ANSIBLE_CALLBACKS_ENABLED=dcs_record``;
not shipped for users.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: dcs_record
type: notification
short_description: Write hwc.dcs task results to a JSON lines file (hwc.dcs tests only)
description:
  - Appends the result of each hwc.dcs task to the file named by E(DCS_RESULT_FILE).
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase


def _first(result, names):
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            return value
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "dcs_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, outcome):
        # ansible-core 2.19+ names them task, result and host; older releases _task, _result and _host.
        task = _first(result, ("task", "_task"))
        data = _first(result, ("result", "_result"))
        host = _first(result, ("host", "_host"))
        action = getattr(task, "action", None) or ""
        if not (action.startswith("hwc.dcs.") or action.startswith("dcs_")) or not os.environ.get("DCS_RESULT_FILE"):
            return
        record = {"task": task.get_name(), "action": action, "host": host.get_name() if host is not None else None,
                  "outcome": outcome, "time": time.time(), "result": dict(data or {})}
        with open(os.environ["DCS_RESULT_FILE"], "a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
