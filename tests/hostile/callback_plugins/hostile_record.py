# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only notification callback of the hostile-server suite: it writes the result of every
``hwc.dcs.dcs_job_info`` task, as JSON, to the file named by ``HOSTILE_RESULT_FILE``.

The suite reads the module's ``msg`` and fields from there exactly, instead of parsing the
screen output (which it checks separately). Enabled by the suite through
``ANSIBLE_CALLBACK_PLUGINS`` and ``ANSIBLE_CALLBACKS_ENABLED=hostile_record``; not shipped for users.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hostile_record
type: notification
short_description: Write dcs_job_info results to a JSON file (hwc.dcs hostile-server tests only)
description:
  - Writes the result of each C(hwc.dcs.dcs_job_info) task to the file named by E(HOSTILE_RESULT_FILE).
"""

import json
import os

from ansible.plugins.callback import CallbackBase

MODULE_NAMES = ("hwc.dcs.dcs_job_info", "dcs_job_info")


def _first(result, names):
    for name in names:
        value = getattr(result, name, None)
        if value is not None:
            return value
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "hostile_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, outcome):
        # ansible-core 2.19+ names them task and result; older releases _task and _result.
        task = _first(result, ("task", "_task"))
        data = _first(result, ("result", "_result"))
        if getattr(task, "action", None) not in MODULE_NAMES or not os.environ.get("HOSTILE_RESULT_FILE"):
            return
        record = {"outcome": outcome, "result": dict(data or {})}
        with open(os.environ["HOSTILE_RESULT_FILE"], "w") as handle:
            json.dump(record, handle, default=str)

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
