# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted DCS for dcs_instance_config's unit tests (ScriptedServer's ``default``), and helpers.

The fake serves ``GET .../configs`` (ListConfigurationsResponse + need_restart), ``PUT .../async-configs``
(UpdateInstanceConfigResponse), ``GET .../tasks`` (ListBackgroundTaskResponse) and the job of the change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.hwc.dcs.plugins.modules import dcs_instance_config
from ansible_collections.hwc.dcs.tests.support.constants import PROJECT
from ansible_collections.hwc.dcs.tests.support.fake_jobs import job_body
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, not_found
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller

INSTANCE = "3c49d4b6-5b1f-4d4c-9a6e-0c1d2e3f4a5b"
BASE = "/v2/%s/instances/%s" % (PROJECT, INSTANCE)
JOB = "ff80808288d41e1b018a1c7e2c0d1a2b"
BUSY = {"error_code": "DCS.4114", "error_msg": "The instance is being modified.", "error_ext_msg": None}
PARAMETERS = [
    ("1", "timeout", "0", "Interger", "0-7200", False),
    ("2", "maxmemory-policy", "volatile-lru", "Enum", "volatile-lru,allkeys-lru,noeviction", False),
    ("3", "notify-keyspace-events", "Ex", "String", "", False),
    ("4", "appendfsync", "everysec", "Enum", "no,always,everysec", False),
    ("5", "appendonly", "no", "Enum", "yes,no", True),
]


class FakeDcs:
    """Parameters, a change that starts a job (applied when it succeeds), background tasks, and the job."""

    def __init__(self):
        self.values = dict((name, value) for _i, name, value, _t, _r, _n in PARAMETERS)
        self.job_plan = [("RUNNING", None), ("SUCCESS", None)]
        self.job_polls = 0
        self.pending = None  # the body of the change in progress
        self.tasks = []
        self.apply = True

    def configs(self):
        status = "UPDATING" if self.pending is not None else "SUCCESS"
        return {"config_time": "1684191545379", "instance_id": INSTANCE, "config_status": status, "status": "RUNNING",
                "redis_config": [dict(param_id=i, param_name=n, param_value=self.values[n], default_value=v, value_type=t,
                                      value_range=r, description="", need_restart=restart)
                                 for i, n, v, t, r, restart in PARAMETERS]}

    def change(self, body):
        self.pending = body
        self.tasks.insert(0, {"id": "task-1", "name": "ModifyConfig", "details": {}, "user_name": "u", "user_id": "u",
                              "params": json.dumps({"job_id": JOB}), "status": "RUNNING",
                              "created_at": "2099-01-01T00:00:00.000Z", "updated_at": "2099-01-01T00:00:00.000Z",
                              "enable_show": False})
        return Answer(200, {"job_id": JOB})

    def job(self):
        status, reason = self.job_plan[min(self.job_polls, len(self.job_plan) - 1)]
        self.job_polls += 1
        if status in ("SUCCESS", "FAIL") and self.pending is not None:
            if status == "SUCCESS" and self.apply:
                self.values.update((p["param_name"], p["param_value"]) for p in self.pending["redis_config"])
            self.pending = None
        return Answer(200, job_body(JOB, status, reason, job_type="modifyConfigJob"))

    def __call__(self, request):
        path = request.path.split("?")[0]
        if request.method == "GET" and path == BASE + "/configs":
            return Answer(200, self.configs())
        if request.method == "PUT" and path == BASE + "/async-configs":
            return self.change(request.json())
        if request.method == "GET" and path == BASE + "/tasks":
            return Answer(200, {"task_count": str(len(self.tasks)), "tasks": self.tasks})
        if request.method == "GET" and path == "/v2/%s/jobs/%s" % (PROJECT, JOB):
            return self.job()
        return not_found(request)


def puts(server):
    return [r for r in server.requests if r.method != "GET"]


def sent_parameters(server):
    return [dict((p["param_name"], p["param_value"]) for p in r.json()["redis_config"]) for r in puts(server)]


def make_run(server, monkeypatch, tmp_path, capsys):
    """A function that runs dcs_instance_config's main() against ``server`` with the given arguments."""
    return module_caller(dcs_instance_config.main, server, monkeypatch, tmp_path, capsys, instance_id=INSTANCE, wait_sleep=0.5)
