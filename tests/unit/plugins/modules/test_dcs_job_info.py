# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_job_info's main(), called with arguments, answered by a real HTTP server on 127.0.0.1."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils import _runner
from ansible_collections.hwc.dcs.plugins.modules import dcs_job_info
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK, TOKEN
from ansible_collections.hwc.dcs.tests.support.fake_jobs import JobPlans
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, ScriptedServer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller


@pytest.fixture
def jobs():
    return JobPlans(done=[("SUCCESS", None)], slow=[("INIT", None), ("RUNNING", None), ("SUCCESS", None)],
                    broken=[("RUNNING", None), ("FAIL", "Switchover failed: standby node is not in sync.")],
                    stuck=[("RUNNING", None)])


@pytest.fixture
def server(jobs):
    with ScriptedServer(default=jobs) as srv:
        yield srv


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    return module_caller(dcs_job_info.main, server, monkeypatch, tmp_path, capsys)


def test_query_one_job(run, server):
    result = run(job_id="done")
    assert result["_rc"] == 0 and result["changed"] is False
    job = result["job"]
    assert result["jobs"] == [job]
    assert job["status"] == "SUCCESS" and job["finished"] is True and job["duration_seconds"] == 2.869
    assert job["begin_time_iso"] == "2023-05-15T22:59:05.379Z"
    assert result["polls"] == 1 and result["retries"] == 0 and result["project_id"] == PROJECT
    assert "status_history" not in job


def test_query_unfinished_job_without_wait_succeeds(run):
    result = run(job_id="slow")
    assert result["_rc"] == 0 and result["job"]["status"] == "INIT" and result["job"]["finished"] is False


def test_wait_to_success(run, jobs):
    result = run(job_id="slow", wait=True, wait_sleep=0.5)
    assert result["_rc"] == 0
    assert [h["status"] for h in result["job"]["status_history"]] == ["INIT", "RUNNING", "SUCCESS"]
    assert result["polls"] == 3 == jobs.polls["slow"]


def test_wait_to_failure_reports_the_reason(run):
    result = run(job_id="broken", wait=True, wait_sleep=0.5)
    assert result["failed"] is True
    assert "job broken (masterStandbySwapJob) ended FAIL: Switchover failed: standby node is not in sync." in result["msg"]
    assert ".." not in result["msg"]
    assert result["job"]["fail_reason"] == "Switchover failed: standby node is not in sync."
    assert result["jobs"][0]["status"] == "FAIL"


def test_report_only_mode_succeeds_with_the_failure_in_the_result(run):
    result = run(job_id="broken", wait=True, wait_sleep=0.5, fail_on_job_failure=False)
    assert result["_rc"] == 0 and "failed" not in result
    assert result["job"]["status"] == "FAIL"


def test_several_jobs_wait_for_all_and_report_every_failure(run, jobs):
    jobs.plans["broken2"] = [("FAIL", "disk full")]
    result = run(job_ids=["slow", "broken", "done", "broken2", "slow"], wait=True, wait_sleep=0.5)
    assert result["failed"] is True
    assert "2 of 4 jobs failed" in result["msg"]
    assert "broken (masterStandbySwapJob) ended FAIL: Switchover failed" in result["msg"]
    assert "broken2 (masterStandbySwapJob) ended FAIL: disk full" in result["msg"]
    assert [j["job_id"] for j in result["jobs"]] == ["slow", "broken", "done", "broken2"]
    assert "job" not in result
    assert jobs.polls == {"slow": 3, "broken": 2, "done": 1, "broken2": 1}


def test_timeout_lists_unfinished_jobs(run):
    result = run(job_ids=["stuck", "done"], wait=True, wait_timeout=1, wait_sleep=0.5)
    assert result["failed"] is True
    assert result["msg"].startswith("Timed out after 1 seconds")
    assert "stuck (masterStandbySwapJob) last status RUNNING" in result["msg"]
    assert [j["status"] for j in result["jobs"]] == ["RUNNING", "SUCCESS"]
    assert 1.0 <= result["elapsed"] < 2.0


def test_elapsed_and_the_timeout_count_from_the_start_of_the_task(run, server, jobs):
    # Project discovery that takes 1.5 s is part of the task: a timeout at wait_timeout=3 says 3 seconds,
    # elapsed is 3 seconds, and the wait got only what discovery left of the deadline.
    def iam_then_jobs(request):
        if request.path.startswith("/v3/projects"):
            return Answer(200, {"projects": [{"id": PROJECT, "name": "cn-north-4"}]}, delay=1.5)
        return jobs(request)

    server.default = iam_then_jobs
    result = run(job_id="stuck", project_id=None, iam_endpoint=server.url, wait=True, wait_timeout=3, wait_sleep=0.5)
    assert result["failed"] is True
    assert result["msg"].startswith("Timed out after 3 seconds (wait_timeout=3)"), result["msg"]
    assert 3.0 <= result["elapsed"] < 4.0
    assert result["_seconds"] < 4.5
    assert 2 <= result["polls"] <= 5, "the wait got what discovery left of the 3 s, polling every 0.5 s"


def test_unknown_job_is_a_clear_404(run):
    result = run(job_id="nosuchjob")
    assert result["failed"] is True
    assert result["status_code"] == 404 and result["error_code"] == "DCS.4404"
    assert result["msg"].startswith("Job nosuchjob was not found in project %s (region cn-north-4" % PROJECT)
    assert result["request_id"] == "req-1"


def test_wrong_secret_is_reported_with_the_gateway_code(run, server):
    server.queue(Answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail",
                              "request_id": "abc"}))
    result = run(job_id="done", api_retries=5)
    assert result["failed"] is True and result["error_code"] == "APIGW.0301" and result["status_code"] == 401
    assert len(server.requests) == 1, "a 401 is never retried"


@pytest.mark.parametrize("job_id", ["../../v3/projects", "a b", "x" * 129, "-a"])
def test_hostile_job_id_sends_nothing(run, server, job_id):
    result = run(job_id=job_id)
    assert result["failed"] is True and "is not a valid ID" in result["msg"]
    assert server.requests == []


@pytest.mark.parametrize("args,text", [
    (dict(wait_timeout=0), "wait_timeout must be greater than 0"),
    (dict(wait_sleep=-1), "wait_sleep must be greater than 0"),
    (dict(api_timeout=0), "api_timeout must be greater than 0"),
    (dict(api_retries=-1), "api_retries must be a whole number from 0 to 20"),
    (dict(endpoint="https://user:pw@x.example"), "must not contain a user name or password"),
    (dict(project_id="p/../x"), "project_id 'p/../x' is not a valid ID"),
])
def test_bad_options_fail_before_any_request(run, server, args, text):
    result = run(job_id="done", **args)
    assert result["failed"] is True and text in result["msg"]
    assert server.requests == []


def test_job_id_and_job_ids_are_mutually_exclusive(run):
    result = run(job_id="done", job_ids=["done"])
    assert result["failed"] is True and "mutually exclusive" in result["msg"]


def test_check_mode_behaves_the_same(run):
    result = run(job_id="done", _ansible_check_mode=True)
    assert result["_rc"] == 0 and result["job"]["status"] == "SUCCESS"


def test_credentials_from_environment_and_temporary_token(run, server, monkeypatch):
    monkeypatch.setenv("HW_ACCESS_KEY", AK)
    monkeypatch.setenv("HW_SECRET_KEY", SK)
    monkeypatch.setenv("HW_SECURITY_TOKEN", TOKEN)
    result = run(job_id="done", access_key=None, secret_key=None)
    assert result["_rc"] == 0
    assert server.requests[0].headers["X-Security-Token"] == TOKEN
    assert SK not in result["_raw"] and TOKEN not in result["_raw"]


def test_project_discovery_through_iam(run, server, jobs):
    def answer(request):
        if request.path.startswith("/v3/projects"):
            return Answer(200, {"projects": [{"id": PROJECT, "name": "cn-north-4"}]})
        return jobs(request)
    server.default = answer
    result = run(job_id="done", project_id=None, iam_endpoint=server.url)
    assert result["_rc"] == 0 and result["project_id"] == PROJECT
    assert [r.path.split("?")[0] for r in server.requests] == ["/v3/projects", "/v2/%s/jobs/done" % PROJECT]


def test_retries_are_reported_and_warned(run, server):
    server.queue(Answer(503, {"error_code": "APIGW.0503", "error_msg": "busy"}))
    result = run(job_id="done", api_retries=2)
    assert result["_rc"] == 0 and result["retries"] == 1 and result["polls"] == 2
    assert any("1 API request had to be retried (1 x HTTP 503)" in w for w in result["warnings"])


def test_secrets_never_in_any_output(run, server):
    server.queue(Answer(401, {"error_code": "APIGW.0301", "error_msg": "bad"}))
    failed = run(job_id="done", security_token=TOKEN)
    ok = run(job_id="done", security_token=TOKEN)
    for result in (failed, ok):
        assert SK not in result["_raw"] and TOKEN not in result["_raw"]


def test_missing_requests_library_is_reported(run, monkeypatch):
    monkeypatch.setattr(_runner, "HAS_REQUESTS", False)
    result = run(job_id="done")
    assert result["failed"] is True
    assert "Failed to import the required Python library (requests)" in result["msg"]


def test_warnings_of_a_failed_task_are_emitted_not_passed_to_fail_json(run, server):
    server.queue(Answer(503, {"error_code": "APIGW.0203", "error_msg": "busy"}),
                 Answer(401, {"error_code": "APIGW.0301", "error_msg": "bad"}))
    result = run(job_id="done", api_retries=2)
    assert result["failed"] is True and result["error_code"] == "APIGW.0301"
    assert any("1 API request had to be retried (1 x HTTP 503)" in w for w in result["warnings"])
    assert "deprecations" not in result, result.get("deprecations")


def test_environment_fallbacks_ignore_empty_variables(run, server, monkeypatch):
    monkeypatch.setenv("HW_REGION_NAME", "")
    monkeypatch.setenv("HWC_DCS_API_RETRIES", "")
    result = run(job_id="done", region=None, api_retries=None)
    assert result["_rc"] == 0, result["msg"]


def test_environment_fallbacks_are_used(run, server, monkeypatch):
    monkeypatch.setenv("HW_REGION_NAME", "cn-south-1")
    monkeypatch.setenv("HWC_DCS_API_RETRIES", "0")
    server.queue(Answer(503, {"error_code": "APIGW.0203", "error_msg": "busy"}))
    result = run(job_id="nosuchjob", region=None, api_retries=None)
    assert result["failed"] is True and result["status_code"] == 503, "HWC_DCS_API_RETRIES=0: no retry"
    assert len(server.requests) == 1
