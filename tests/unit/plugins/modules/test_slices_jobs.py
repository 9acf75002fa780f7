# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_job_info run in slices (as the action plugin runs it) returns exactly what one uninterrupted run returns.

Each test runs the same scenario twice against fresh fakes: once plainly, once in slices of 0.3 s, 0.1 s
apart (shorter than the 0.5 s between polls, so that the wait pauses between polls as well as at each
change). The fakes answer one plan step per poll, so both runs see the same statuses at the same polls;
the emulator's job, in the last test, changes status in real time between two polls.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._connection import INSECURE_TLS_WARNING
from ansible_collections.hwc.dcs.plugins.modules import dcs_job_info
from ansible_collections.hwc.dcs.tests.emulator.dcs_emulator import Emulator
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK
from ansible_collections.hwc.dcs.tests.support.fake_jobs import JobPlans
from ansible_collections.hwc.dcs.tests.support.http_server import Answer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.slice_runner import (
    GAP,
    PAUSED_KEY,
    PROGRESS_KEY,
    Harness,
    Scenario,
    Servers,
    comparable,
    opened_states,
    paused_keys,
    poll_gaps,
    poll_times,
    statuses_seen,
    token_texts,
)

REASON = "Switchover failed: standby node is not in sync."
SLEEP = 0.5


class FlakyJobs(JobPlans):
    """JobPlans whose job ``flaky`` gets an HTTP 503 (not a step of its plan) at the requests ``fails(n)`` picks (n from 1)."""

    def __init__(self, fails, **plans):
        super(FlakyJobs, self).__init__(**plans)
        self.fails = fails
        self.requests = 0

    def __call__(self, request):
        if request.path.endswith("/jobs/flaky"):
            self.requests += 1
            if self.fails(self.requests):
                return Answer(503, {"error_code": "APIGW.0503", "error_msg": "Service busy."})
        return super(FlakyJobs, self).__call__(request)


def lifecycles():
    """Three jobs: finished at once, finished after 1 s, and finished after 2.5 s with a 503 on its third request."""
    return FlakyJobs(lambda n: n == 3, done=[("SUCCESS", None)],
                     quick=[("INIT", None), ("RUNNING", None), ("SUCCESS", None)],
                     flaky=[("INIT", None), ("INIT", None), ("RUNNING", None), ("RUNNING", None), ("SUCCESS", None)])


def with_failure():
    return JobPlans(broken=[("RUNNING", None), ("RUNNING", None), ("FAIL", REASON)],
                    quick=[("INIT", None), ("RUNNING", None), ("SUCCESS", None)])


def with_stuck_job(failing_from=None):
    """Job ``flaky`` never ends (and from its ``failing_from``-th request on, every poll of it fails); ``quick`` ends."""
    def make():
        return FlakyJobs(lambda n: failing_from is not None and n >= failing_from, flaky=[("INIT", None), ("RUNNING", None)],
                         quick=[("INIT", None), ("RUNNING", None), ("SUCCESS", None)])
    return make


@pytest.fixture
def harness(monkeypatch, tmp_path, capsys):
    with Servers() as servers:
        yield Harness(dcs_job_info.main, servers, monkeypatch, tmp_path, capsys)


def histories(result):
    return dict((job["job_id"], [h["status"] for h in job["status_history"]]) for job in result["jobs"])


def assert_same(plain, sliced):
    """The sliced run's result is the plain one (measured times aside), and slicing really happened."""
    assert len(sliced.slices) > 2, "the wait never paused: the comparison proves nothing"
    assert all(set(paused_keys(paused)) == {PAUSED_KEY, PROGRESS_KEY} and paused["_rc"] == 0 for paused in sliced.paused)
    assert sorted(sliced.result) == sorted(plain), "the same keys"
    assert comparable(sliced.result) == comparable(plain)
    assert PROGRESS_KEY not in plain


def check_progress(sliced):
    """The paused results carry each job's status, and every status shows once as a change."""
    reports = [result[PROGRESS_KEY] for result in sliced.slices]
    assert all(report["kind"] == "job" and [item["id"] for item in report["items"]] == ["flaky", "done", "quick"]
               for report in reports)
    assert statuses_seen(sliced) == histories(sliced.result)
    for report in reports:
        for item in report["items"]:
            assert item["label"] == "masterStandbySwapJob" and item["status"] is not None
            assert item["changed"] is (item["status"] != item["was"])
            assert item["finished"] is (item["status"] == "SUCCESS")
            assert item["seconds"] >= 0
    # Every status shows once as a change, at the slice that first saw it (the final result included).
    changes = dict((job_id, [item["status"] for report in reports for item in report["items"] if item["id"] == job_id and item["changed"]])
                   for job_id in ("flaky", "done", "quick"))
    assert changes == histories(sliced.result)
    first = reports[0]["items"]
    assert [(item["status"], item["was"], item["changed"]) for item in first] == [
        ("INIT", None, True), ("SUCCESS", None, True), ("INIT", None, True)]
    assert any(not item["changed"] for report in reports[1:-1] for item in report["items"] if item["id"] == "flaky"), \
        "between changes, the slices end at their length and report no change"
    assert sliced.progress == reports[-1] and all(item["finished"] for item in sliced.progress["items"])


def test_several_jobs_with_different_lifecycles(harness):
    # validate_certs=false: a warning of the settings, which every slice makes again (and must not double).
    args = dict(job_ids=["flaky", "done", "quick"], wait=True, wait_sleep=SLEEP, wait_timeout=20, validate_certs=False)
    plain, plain_at, sliced, sliced_at = harness.both(lifecycles, **args)
    assert plain["_rc"] == 0, plain["_raw"]
    assert_same(plain, sliced)
    result = sliced.result
    # One history per job, over all slices, with every status once.
    assert histories(result) == {"flaky": ["INIT", "RUNNING", "SUCCESS"], "done": ["SUCCESS"], "quick": ["INIT", "RUNNING", "SUCCESS"]}
    assert [len(job["status_history"]) for job in result["jobs"]] == [3, 1, 3]
    # The whole task's counts: what the server saw, the same as without slices (the 503 poll counts, and retries).
    assert sliced_at.fake.polls == plain_at.fake.polls == {"flaky": 5, "done": 1, "quick": 3}
    assert result["polls"] == plain["polls"] == len(sliced_at.server.requests) == len(plain_at.server.requests) == 10
    assert result["retries"] == plain["retries"] == 1
    assert result["warnings"] == plain["warnings"] and len(result["warnings"]) == 2
    assert INSECURE_TLS_WARNING in result["warnings"] and "(1 x HTTP 503)" in result["warnings"][-1]
    # The polls kept their times across the pauses: the time between slices counts as part of the sleep.
    sliced_times = poll_times(sliced_at.server.requests, "/jobs/flaky")
    plain_times = poll_times(plain_at.server.requests, "/jobs/flaky")
    assert len(sliced_times) == 6 and min(poll_gaps(sliced_at.server.requests, "/jobs/flaky")) >= SLEEP - 0.05
    assert max(abs(a - b) for a, b in zip(sliced_times, plain_times)) < 0.15, (sliced_times, plain_times)
    # elapsed counts from the first slice: it covers every slice and the time between them.
    ran = sum(s["_seconds"] for s in sliced.slices) + GAP * len(sliced.paused)
    assert ran - 0.1 <= result["elapsed"] <= sliced.seconds, (result["elapsed"], ran, sliced.seconds)
    assert 2.0 <= result["elapsed"] and abs(result["elapsed"] - plain["elapsed"]) < 0.5
    check_progress(sliced)


@pytest.mark.parametrize("fail_on_job_failure", [True, False])
def test_a_failed_job_gives_the_same_result(harness, fail_on_job_failure):
    args = dict(job_ids=["broken", "quick"], wait=True, wait_sleep=SLEEP, wait_timeout=20, fail_on_job_failure=fail_on_job_failure)
    plain, plain_at, sliced, sliced_at = harness.both(with_failure, **args)
    assert_same(plain, sliced)
    result = sliced.result
    if fail_on_job_failure:
        assert result["failed"] is True and result["_rc"] == 1
        assert result["msg"] == plain["msg"] and "job broken (masterStandbySwapJob) ended FAIL: %s" % REASON in result["msg"]
    else:
        assert result["_rc"] == 0 and "failed" not in result and "msg" not in result
    assert [job["status"] for job in result["jobs"]] == ["FAIL", "SUCCESS"] and result["jobs"][0]["fail_reason"] == REASON
    assert histories(result) == {"broken": ["RUNNING", "FAIL"], "quick": ["INIT", "RUNNING", "SUCCESS"]}
    assert result["polls"] == plain["polls"] == len(sliced_at.server.requests) == 6
    assert sliced_at.fake.polls == plain_at.fake.polls
    # The sealed states open with the task's secret key, and hold neither it nor show it.
    states = opened_states(sliced, SK)
    assert states and all(state["wait"]["keys"] == ["broken", "quick"] for state in states)
    assert not any(SK in text for text in token_texts(sliced)) and not any(SK in repr(state) for state in states)


@pytest.mark.parametrize("failing_from", [None, 3])
def test_a_timeout_mid_wait_gives_the_same_failure(harness, failing_from):
    args = dict(job_ids=["flaky", "quick"], wait=True, wait_sleep=SLEEP, wait_timeout=2)
    plain, plain_at, sliced, sliced_at = harness.both(with_stuck_job(failing_from), **args)
    for result, scenario in ((plain, plain_at), (sliced.result, sliced_at)):
        result["msg"] = result["msg"].replace(scenario.server.url, "URL")  # each run has its own server
    assert_same(plain, sliced)
    result = sliced.result
    assert result["failed"] is True and result["msg"] == plain["msg"]
    expected = "Timed out after 2 seconds (wait_timeout=2) waiting for 1 of 2 jobs: flaky (masterStandbySwapJob) last status RUNNING"
    if failing_from:
        # The last poll's failure is named, and the retries of every slice are counted.
        assert result["msg"].startswith(expected + ", last poll failed: GET URL/v2/"), result["msg"]
        assert "HTTP 503, APIGW.0503: Service busy." in result["msg"]
    else:
        assert result["msg"] == expected + "."
    assert result["unfinished"] == plain["unfinished"] == ["flaky"]
    # Polls at 0, 0.5, 1, 1.5 and 2 s: the last sleep ends at the deadline, whose poll still starts.
    assert sliced_at.fake.requests == plain_at.fake.requests == 5 and sliced_at.fake.polls == plain_at.fake.polls
    assert result["polls"] == plain["polls"] == len(sliced_at.server.requests) == 8
    assert result["retries"] == plain["retries"] == (3 if failing_from else 0)  # the polls at 1, 1.5 and 2 s failed
    assert 2.0 <= result["elapsed"] < 2.5 and abs(result["elapsed"] - plain["elapsed"]) < 0.3
    assert result["elapsed"] >= sum(s["_seconds"] for s in sliced.slices) + GAP * len(sliced.paused) - 0.1


def test_without_wait_or_in_check_mode_nothing_pauses(harness):
    plain, _plain_at, sliced, _sliced_at = harness.both(with_stuck_job(), job_ids=["flaky", "quick"])
    assert len(sliced.slices) == 1 and PAUSED_KEY not in sliced.result
    assert comparable(sliced.result) == comparable(plain) and plain["_rc"] == 0
    scenario = harness.scenario(JobPlans(done=[("SUCCESS", None)]))
    checked = harness.sliced(scenario, job_id="done", wait=True, wait_sleep=SLEEP, _ansible_check_mode=True)
    assert len(checked.slices) == 1 and checked.result["_rc"] == 0 and checked.result["job"]["status"] == "SUCCESS"


def test_what_the_first_slice_learnt_is_not_learnt_again(harness):
    # The emulator's clock is 20 minutes ahead and project_id is discovered: the first slice learns both (one
    # 401 'request expired', one IAM request); the later slices sign with the corrected time and reuse the project.
    job = {"project_id": PROJECT, "lifecycle": [[0, "INIT"], [0.75, "RUNNING"], [1.75, "SUCCESS"]]}
    settings = {"credentials": [{"ak": AK, "sk": SK, "security_token": None}], "projects": [{"id": PROJECT, "name": "cn-north-4"}],
                "jobs": {"swap": job}, "clock_offset_seconds": 1200}
    args = dict(job_id="swap", wait=True, wait_sleep=SLEEP, wait_timeout=20, project_id=None, api_retries=3)
    results = []
    for sliced in (False, True):
        with Emulator(settings) as emulator:
            scenario = Scenario(None, emulator, module_caller(dcs_job_info.main, emulator, harness.monkeypatch, harness.tmp_path,
                                                              harness.capsys, iam_endpoint=emulator.url))
            outcome = harness.sliced(scenario, **args) if sliced else scenario.run(**args)
            results.append((outcome, [(entry["path"], entry["status"]) for entry in emulator.requests]))
    (plain, plain_log), (sliced, sliced_log) = results
    assert plain["_rc"] == 0, plain["_raw"]
    assert len(sliced.slices) > 2
    # The emulator's job times and its Date header (1 s resolution) differ from run to run.
    timeless = ("begin_time", "end_time", "begin_time_iso", "end_time_iso", "duration_seconds")
    for result in (plain, sliced.result):
        result["warnings"] = [re.sub(r"is \d+ seconds", "is N seconds", warning) for warning in result["warnings"]]
    assert comparable(dict(sliced.result, job=None, jobs=None)) == comparable(dict(plain, job=None, jobs=None))
    assert [dict((k, v) for k, v in comparable(job).items() if k not in timeless) for job in sliced.result["jobs"]] == [
        dict((k, v) for k, v in comparable(job).items() if k not in timeless) for job in plain["jobs"]]
    assert sliced_log == plain_log, "the same requests and answers: no 401 and no project discovery after the first slice"
    assert [status for _path, status in sliced_log] == [401] + [200] * (len(sliced_log) - 1)
    assert [path for path, _status in sliced_log].count("/v3/projects") == 2, "the rejected discovery and its corrected retry"
    assert sum(1 for w in sliced.result["warnings"] if "local clock" in w) == 1
    assert sliced.result["project_id"] == PROJECT and sliced.result["polls"] == plain["polls"] == 5
