# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_runner: run_module() around a module's logic, against a real HTTP server on 127.0.0.1."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, JobsFailedError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._runner import Task, run_module
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import WaitOptions
from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, REGION, SK, TOKEN
from ansible_collections.hwc.dcs.tests.support.fake_clock import FakeTime
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, ScriptedServer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules import module_runner

JOB = {"job_id": "j1", "job_type": "masterStandbySwapJob", "status": "SUCCESS", "begin_time": "1684191545379",
       "end_time": "1684191548248", "fail_reason": None}


@pytest.fixture
def server():
    with ScriptedServer(default=lambda _request: Answer(200, JOB)) as srv:
        yield srv


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    """run(logic, environ=None, spec=None, **args) -> the module's result."""
    module_runner.isolate_environment(monkeypatch, tmp_path)

    def _run(logic, environ=None, spec=None, **args):
        base = dict(endpoint=server.url, region=REGION, project_id=PROJECT, api_retries=0, api_timeout=2)
        base.update(args)
        env = {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "none")}
        env.update(environ if environ is not None else {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK})

        def main():
            run_module(logic, spec or {}, environ=env, supports_check_mode=True)

        return module_runner.run_module(main, base, capsys)
    return _run


def poll_job(task):
    """A logic that makes one labelled request through the task's client."""
    url = task.dcs_url(task.project.get(task.deadline(10)), "jobs", "j1")
    return task.client.request("GET", url, project_id=PROJECT, label="poll")


def test_success_result_gets_counters(run, server):
    def logic(task):
        return dict(changed=False, job=poll_job(task))

    result = run(logic)
    assert result["_rc"] == 0 and "failed" not in result
    assert result["job"] == JOB
    assert result["polls"] == 1 and result["retries"] == 0
    assert isinstance(result["elapsed"], float) and 0 <= result["elapsed"] < 5
    assert len(server.requests) == 1


def test_changed_defaults_to_false(run):
    def logic(_task):
        return dict(answer=42)

    result = run(logic)
    assert result["_rc"] == 0 and result["changed"] is False


def test_logic_values_win_over_counters(run):
    def logic(_task):
        return dict(changed=True, elapsed=99, polls=7)

    result = run(logic)
    assert result["changed"] is True and result["elapsed"] == 99 and result["polls"] == 7 and result["retries"] == 0


def test_dcs_error_becomes_failed_with_msg_and_extras(run):
    def logic(task):
        poll_job(task)
        raise JobsFailedError("1 of 1 job failed: job j1 ended FAIL: disk full.", jobs=[{"job_id": "j1"}], unfinished=None)

    result = run(logic)
    assert result["_rc"] == 1 and result["failed"] is True
    assert result["msg"] == "1 of 1 job failed: job j1 ended FAIL: disk full."
    assert result["jobs"] == [{"job_id": "j1"}] and "unfinished" not in result
    assert result["polls"] == 1 and "elapsed" in result
    assert "exception" not in result


def test_api_error_keys_in_the_failed_result(run, server):
    server.queue(Answer(403, {"error_code": "DCS.4003", "error_msg": "no permission"}, headers={"X-Request-Id": "rq-7"}))

    result = run(poll_job)
    assert result["failed"] is True
    assert result["status_code"] == 403 and result["error_code"] == "DCS.4003" and result["request_id"] == "rq-7"
    assert "DCS.4003: no permission" in result["msg"]
    assert "date_header" not in result and "retry_after" not in result


def test_validation_error_in_settings_fails_before_any_request(run, server):
    def logic(_task):
        raise AssertionError("the logic must not run")

    result = run(logic, endpoint="http://127.0.0.1:1/a/../b")
    assert result["failed"] is True and "endpoint" in result["msg"]
    assert "elapsed" in result and server.requests == []


def test_validation_error_from_the_logic(run):
    def logic(_task):
        raise ValidationError("job_id 'x y' is not a valid ID")

    result = run(logic)
    assert result["failed"] is True and result["msg"] == "job_id 'x y' is not a valid ID"


def test_warnings_from_settings_and_task(run, server):
    def logic(task):
        task.warn("a warning of the module")
        return dict(changed=False)

    result = run(logic, validate_certs=False)
    warnings = result.get("warnings", [])
    assert "a warning of the module" in warnings
    # A warning found while resolving the connection, before the module's own.
    assert any(warning.startswith("validate_certs is false") for warning in warnings)
    assert warnings.index("a warning of the module") > 0


def test_warnings_are_emitted_on_failure_too(run):
    def logic(task):
        task.warn("said before failing")
        raise ValidationError("it failed")

    result = run(logic)
    assert result["failed"] is True and "said before failing" in result.get("warnings", [])


def test_retry_summary_is_the_last_warning(run, server):
    server.queue(Answer(503, {"error_code": "DCS.5000", "error_msg": "busy"}))

    def logic(task):
        task.warn("first")
        return dict(job=poll_job(task))

    result = run(logic, api_retries=2)
    assert result["retries"] == 1 and result["polls"] == 2
    assert result["warnings"][0] == "first" or "first" in result["warnings"]
    assert "1 API request had to be retried (1 x HTTP 503)" in result["warnings"][-1]


def test_unexpected_exception_is_an_internal_error_without_traceback_in_msg(run):
    def logic(_task):
        return {}["missing"]

    result = run(logic)
    assert result["_rc"] == 1 and result["failed"] is True
    assert result["msg"].startswith("Internal error in the hwc.dcs collection (KeyError)")
    assert "Traceback" not in result["msg"] and "-vvv" in result["msg"]
    assert "elapsed" in result


def test_logic_returning_none_is_an_internal_error(run):
    def logic(_task):
        return None

    result = run(logic)
    assert result["failed"] is True and "Internal error" in result["msg"]


def test_secrets_from_the_environment_are_masked(run):
    def logic(task):
        return dict(changed=False, leak="key %s token %s" % (task.settings.secret_key, task.settings.security_token))

    result = run(logic, environ={"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK,
                                 "HUAWEICLOUD_SDK_SECURITY_TOKEN": TOKEN})
    assert result["_rc"] == 0
    assert SK not in result["_raw"] and TOKEN not in result["_raw"]
    assert "********" in result["leak"]


def test_secrets_are_masked_in_failures(run):
    def logic(task):
        raise ApiError("failed for %s" % task.settings.secret_key, status_code=401, error_msg=task.settings.secret_key)

    result = run(logic)
    assert result["failed"] is True and SK not in result["_raw"]


def test_check_mode_reaches_the_task(run):
    def logic(task):
        return dict(changed=False, check_mode=task.check_mode)

    assert run(logic, _ansible_check_mode=True)["check_mode"] is True
    assert run(logic)["check_mode"] is False


def test_module_options_are_added_to_the_connection_options(run):
    def logic(task):
        return dict(changed=False, flavour=task.params["flavour"], region=task.settings.region)

    result = run(logic, spec=dict(flavour=dict(type="str", default="plain")))
    assert result["flavour"] == "plain" and result["region"] == REGION


# --- Task --------------------------------------------------------------------------------------

def settings(**overrides):
    values = dict(region=REGION, project_id=PROJECT, endpoint="https://dcs.example.com", iam_endpoint=None,
                  access_key=AK, secret_key=SK, api_timeout=10.0, api_retries=2, warnings=("from settings",))
    values.update(overrides)
    return ConnectionSettings(**values)


def test_task_elapsed_and_deadlines_count_from_one_start():
    fake = FakeTime()
    task = Task({}, settings(), clock=fake.clock, sleep=fake.sleep, now=fake.now, start=fake.clock() - 4.0)
    assert task.elapsed() == 4.0
    deadline = task.deadline(30)
    assert deadline.remaining() == 26.0
    fake.advance(6)
    assert task.elapsed() == 10.0 and deadline.remaining() == 20.0


def test_task_wait_deadline():
    fake = FakeTime()
    task = Task({}, settings(), clock=fake.clock, sleep=fake.sleep, now=fake.now)
    assert task.wait_deadline(WaitOptions(True, 30, 5.0, True)).remaining() == 30
    bound = 3 * 10.0 + task.client.policy.worst_case_backoff(2)
    assert task.wait_deadline(WaitOptions(False, 1800, 5.0, True)).remaining() == bound
    assert task.wait_deadline(WaitOptions(False, 5, 5.0, True)).remaining() == 5


def test_task_dcs_url_encodes_every_segment():
    task = Task({}, settings(), clock=FakeTime().clock)
    assert task.dcs_url(PROJECT, "jobs", "j1") == "https://dcs.example.com/v2/%s/jobs/j1" % PROJECT
    assert task.dcs_url("p", "jobs", "a/b?c#d e") == "https://dcs.example.com/v2/p/jobs/a%2Fb%3Fc%23d%20e"


def test_task_warnings_order():
    task = Task({}, settings(), clock=FakeTime().clock)
    task.warn("mine")
    task.client.log.retried("throttled")
    warnings = task.warnings()
    assert warnings[:2] == ["from settings", "mine"]
    assert warnings[-1].startswith("1 API request had to be retried")


def test_task_counters():
    fake = FakeTime()
    task = Task({}, settings(), clock=fake.clock)
    task.client.log.sent("poll")
    task.client.log.sent("iam")
    task.client.log.retried("HTTP 503")
    fake.advance(1.23456)
    assert task.counters() == dict(elapsed=1.235, retries=1, polls=1)
