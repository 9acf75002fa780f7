# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_runner: run_module() around a module's logic, against a real HTTP server on 127.0.0.1."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, JobsFailedError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._runner import Task, run_module
from ansible_collections.hwc.dcs.plugins.module_utils._signer import format_date
from ansible_collections.hwc.dcs.plugins.module_utils._slices import SECONDS_VAR, STATE_VAR, Paused, Slicer
from ansible_collections.hwc.dcs.plugins.module_utils._transport import Response
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


# --- Task in slices ----------------------------------------------------------------------------------------

IAM = "https://iam.example.com"
EXPIRED = {"error_code": "APIGW.0303", "error_msg": "Incorrect IAM authentication information: the request has expired"}
GATEWAY_AHEAD = 7200.0


class FakeTransport:
    """Answers in order (then 200 with JOB); records what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def send(self, method, url, headers, body, budget, fresh=False):
        self.sent.append((method, url, dict(headers)))
        status, payload, extra = self.answers.pop(0) if self.answers else (200, JOB, {})
        return Response(status, dict(extra, **{"X-Request-Id": "rq-%d" % len(self.sent)}), json.dumps(payload).encode("utf-8"))

    def urls(self):
        return [url for _method, url, _headers in self.sent]


class Process:
    """One module run of a sliced task: its own monotonic clock (another origin), the shared wall clock."""

    def __init__(self, fake, origin, token=None, transport=None, startup=0.0):
        self.fake = fake
        self.origin = origin
        self.transport = transport or FakeTransport()
        environ = {SECONDS_VAR: "30"}
        if token:
            environ[STATE_VAR] = token
        start = self.clock() - startup  # run_module takes its start before resolving the connection
        self.slicer = Slicer.from_environ(environ, SK, clock=self.clock, wall=self.wall, now=fake.now)
        self.task = Task({}, settings(project_id=None, iam_endpoint=IAM), clock=self.clock, sleep=fake.sleep,
                         now=fake.now, transport=self.transport, start=start, slicer=self.slicer, wall=self.wall)

    def clock(self):
        return self.fake.clock() + self.origin

    def wall(self):
        return (self.fake.now() - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()

    def poll(self):
        task = self.task
        url = task.dcs_url(task.project.get(task.deadline(60)), "jobs", "j1")
        return task.client.request("GET", url, project_id=PROJECT, deadline=task.deadline(60), label="poll")

    def pause(self):
        """End this run as a wait that reaches the end of its slice does; returns the sealed state."""
        with pytest.raises(Paused) as caught:
            self.slicer.sleep(1000, self.fake.sleep)
        return caught.value.token


def http_date(moment):
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def first_slice(fake):
    """A first slice that discovers the project, learns a clock skew, retries a poll and warns; then pauses."""
    ahead = http_date(fake.now() + datetime.timedelta(seconds=GATEWAY_AHEAD))
    transport = FakeTransport(
        (200, {"projects": [{"name": REGION, "id": PROJECT}]}, {}),
        (401, EXPIRED, {"Date": ahead}),
        (200, JOB, {}),
        (503, {"error_code": "DCS.5000", "error_msg": "busy"}, {}),
        (200, JOB, {}),
    )
    process = Process(fake, origin=0.0, transport=transport, startup=1.5)
    assert process.poll() == JOB and process.poll() == JOB
    assert [url.startswith(IAM) for url in transport.urls()] == [True, False, False, False, False]
    process.task.warn("a warning of the module")
    process.task.remember("change", {})["job_id"] = "j1"
    return process


def test_a_resumed_task_counts_elapsed_from_the_first_start():
    fake = FakeTime()
    first_start = fake.clock() - 1.5
    first = first_slice(fake)
    token = first.pause()
    fake.advance(2.25)  # the controller's turn
    resumed = Process(fake, origin=-7777.0, token=token, startup=0.5)  # another process: another monotonic origin
    elapsed = fake.clock() - first_start
    assert elapsed > 30
    assert resumed.task.elapsed() == round(elapsed, 3) and resumed.task.counters()["elapsed"] == round(elapsed, 3)
    assert resumed.task.deadline(60).remaining() == pytest.approx(60 - elapsed)
    fake.advance(10)
    assert resumed.task.elapsed() == round(elapsed + 10, 3)


def test_a_resumed_task_never_counts_a_negative_elapsed_when_the_wall_clock_goes_back():
    fake = FakeTime()
    token = first_slice(fake).pause()
    earlier = FakeTime(wall=fake.now() - datetime.timedelta(hours=1))
    resumed = Process(earlier, origin=0.0, token=token)
    assert resumed.task.elapsed() == 0.0


def test_a_resumed_task_keeps_the_discovered_project_id_without_an_iam_request():
    fake = FakeTime()
    token = first_slice(fake).pause()
    resumed = Process(fake, origin=500.0, token=token)
    assert resumed.task.project.known == PROJECT
    assert resumed.poll() == JOB
    assert list(resumed.transport.urls()) == ["https://dcs.example.com/v2/%s/jobs/j1" % PROJECT]


def test_a_resumed_task_keeps_its_request_and_retry_counts():
    fake = FakeTime()
    first = first_slice(fake)
    before = (first.task.counters(), first.task.client.log.reasons(), first.task.client.log.requests("iam"))
    assert before[0]["polls"] == 4 and before[0]["retries"] == 1 and before[1] == {"HTTP 503": 1} and before[2] == 1
    resumed = Process(fake, origin=500.0, token=first.pause())
    log = resumed.task.client.log
    assert (log.retries, log.reasons(), log.requests("poll"), log.requests("iam")) == (1, {"HTTP 503": 1}, 4, 1)
    resumed.poll()
    assert resumed.task.counters()["polls"] == 5 and resumed.task.counters()["retries"] == 1


def test_a_resumed_task_keeps_the_clock_skew_and_warns_once():
    fake = FakeTime()
    first = first_slice(fake)
    skew_warnings = first.task.client.warnings
    assert len(skew_warnings) == 1 and "behind the API gateway's clock" in skew_warnings[0]
    resumed = Process(fake, origin=500.0, token=first.pause())
    skew = resumed.task.client.skew
    assert skew.corrected is True and skew.offset == pytest.approx(GATEWAY_AHEAD, abs=1)
    resumed.poll()  # signed with the gateway's time at once: no new 401, no new warning
    (_method, _url, headers), = resumed.transport.sent
    assert headers["X-Sdk-Date"] == format_date(fake.now() + datetime.timedelta(seconds=skew.offset))
    assert resumed.task.client.warnings == skew_warnings


def test_a_resumed_task_keeps_the_modules_warnings_once():
    fake = FakeTime()
    first = first_slice(fake)
    expected = first.task.warnings()
    assert expected[:2] == ["from settings", "a warning of the module"] and len(expected) == 4
    resumed = Process(fake, origin=500.0, token=first.pause())
    assert resumed.task.warnings() == expected, "settings warnings not doubled, each warning once"
    resumed.task.warn("a warning of the second slice")
    third = Process(fake, origin=900.0, token=resumed.pause())
    warnings = third.task.warnings()
    assert warnings == expected[:2] + ["a warning of the second slice"] + expected[2:]
    assert len(set(warnings)) == len(warnings)


def test_a_resumed_task_remembers_what_the_module_kept():
    fake = FakeTime()
    resumed = Process(fake, origin=500.0, token=first_slice(fake).pause())
    assert resumed.task.remember("change", {}) == {"job_id": "j1"}
    assert resumed.task.remember("other", ["default"]) == ["default"]


def test_task_remember_without_a_slicer_returns_the_default():
    task = Task({}, settings(), clock=FakeTime().clock)
    default = {"job_id": None}
    assert task.remember("change", default) is default
    assert task.remember("change", {"another": 1}) == {"another": 1}, "nothing is kept without slices"
