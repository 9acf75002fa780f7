# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_instance_config against a scripted DCS: busy answers retried, and a change whose answer was lost
is never sent again but recovered (its job found in the background tasks, or its values read again).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.tests.support.http_server import Answer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.dcs_instance_config_fake import (
    BUSY,
    JOB,
    FakeDcs,
    make_run,
    puts,
)


@pytest.fixture
def fake():
    return FakeDcs()


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    return make_run(server, monkeypatch, tmp_path, capsys)


def test_busy_answers_are_retried(run, server, fake):
    calls = []

    def busy_twice(request):
        if request.method == "PUT" and len(calls) < 2:
            calls.append(request)
            return Answer(400, BUSY)
        return fake(request)
    server.default = busy_twice
    result = run(parameters={"timeout": 300}, api_retries=0)
    assert result["_rc"] == 0, result["_raw"]
    assert len(puts(server)) == 3 and result["retries"] == 2 and fake.values["timeout"] == "300"
    assert any("instance busy" in w for w in result["warnings"])


def test_busy_until_the_deadline_fails_saying_nothing_changed(run, server):
    def busy(request):
        return Answer(400, BUSY) if request.method == "PUT" else FakeDcs()(request)
    server.default = busy
    result = run(parameters={"timeout": 300}, wait_timeout=2)
    assert result["failed"] is True and result["error_code"] == "DCS.4114"
    assert "Nothing was changed" in result["msg"] and result["request_resent"] is False
    assert result["_seconds"] < 4


def test_lost_answer_is_not_resent_and_the_job_is_followed(run, server, fake):
    def drop_after_accepting(request):
        if request.method == "PUT":
            fake.change(request.json())
            return Answer(reset=True)
        return fake(request)
    server.default = drop_after_accepting
    result = run(parameters={"timeout": 300}, api_retries=3, wait_timeout=10)
    assert result["_rc"] == 0, result["_raw"]
    assert len(puts(server)) == 1, "the change was sent exactly once"
    assert result["recovered"] is True and result["job"]["job_id"] == JOB and result["job"]["status"] == "SUCCESS"
    assert fake.values["timeout"] == "300"
    assert any("was not sent again" in w and "Its job %s was found" % JOB in w for w in result["warnings"])
    assert any("/tasks?" in r.path and "start_time=" in r.path for r in server.requests)


def test_lost_answer_with_nothing_applied_fails_without_resending(run, server, fake, monkeypatch):
    monkeypatch.setattr("ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks.TASK_LOOK_INTERVAL", 0.1)

    def drop(request):
        return Answer(reset=True) if request.method == "PUT" else fake(request)
    server.default = drop
    result = run(parameters={"timeout": 300}, api_retries=3, wait_timeout=10)
    assert result["failed"] is True and len(puts(server)) == 1
    assert result["request_resent"] is False and result["ambiguous"] is True
    assert "It was NOT sent again" in result["msg"]
    assert "timeout is '0', not '300'" in result["msg"] and "config_status SUCCESS" in result["msg"]
    assert sum(1 for r in server.requests if "/tasks" in r.path) == 1 + 3, "once before sending, three looks after"
    assert result["change_requests"] == 1


def test_lost_answer_with_values_applied_and_no_task_succeeds(run, server, fake, monkeypatch):
    monkeypatch.setattr("ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks.TASK_LOOK_INTERVAL", 0.1)

    def apply_then_fail(request):
        if request.method == "PUT":
            fake.values["timeout"] = "300"
            return Answer(504, {"error_code": "APIGW.0504", "error_msg": "Backend timeout"})
        return fake(request)
    server.default = apply_then_fail
    result = run(parameters={"timeout": 300})
    assert result["_rc"] == 0 and result["changed"] is True and result["recovered"] is True
    assert "job" not in result and len(puts(server)) == 1
    assert any("shows every new value" in w for w in result["warnings"])


def test_an_earlier_change_task_is_not_taken_for_this_one(run, server, fake, monkeypatch):
    monkeypatch.setattr("ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks.TASK_LOOK_INTERVAL", 0.1)
    fake.change({"redis_config": []})  # a change a moment ago, listed before this one is sent
    fake.pending = None

    def drop(request):
        return Answer(reset=True) if request.method == "PUT" else fake(request)
    server.default = drop
    result = run(parameters={"timeout": 300}, wait_timeout=10)
    assert result["failed"] is True and "NOT sent again" in result["msg"] and "job" not in result
    assert fake.job_polls == 0, "the earlier change's job was not followed"


def test_an_unreadable_accepted_answer_is_recovered_not_resent(run, server, fake):
    def unreadable(request):
        if request.method == "PUT":
            fake.change(request.json())
            return Answer(200, {"jobid": JOB})
        return fake(request)
    server.default = unreadable
    result = run(parameters={"timeout": 300}, wait_timeout=10)
    assert result["_rc"] == 0, result["_raw"]
    assert len(puts(server)) == 1 and result["recovered"] is True and result["job"]["job_id"] == JOB
    assert fake.values["timeout"] == "300"


def test_a_change_in_progress_after_a_lost_answer_fails_saying_so(run, server, fake, monkeypatch):
    monkeypatch.setattr("ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks.TASK_LOOK_INTERVAL", 0.1)

    def drop(request):
        if request.method == "PUT":
            fake.pending = {"redis_config": []}  # something is updating, but no task names a job
            return Answer(reset=True)
        return fake(request)
    server.default = drop
    result = run(parameters={"timeout": 300}, wait_timeout=10)
    assert result["failed"] is True and len(puts(server)) == 1
    assert "a parameter change is in progress (config_status UPDATING)" in result["msg"]
    assert result["config_status"] == "UPDATING" and result["request_resent"] is False
