# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The job waiter with an injected clock: no real sleeping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, WaitTimeoutError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import JobWaiter, PollMissed, job_entry, normalize_job


class FakeJobs:
    """Jobs whose status depends on the fake clock: {job_id: [(seconds since start, status, fail_reason)]}."""

    def __init__(self, fake_time, plans):
        self.time = fake_time
        self.start = fake_time.clock()
        self.plans = plans
        self.calls = []

    def fetch(self, job_id, deadline):
        elapsed = self.time.clock() - self.start
        self.calls.append((job_id, elapsed))
        status, reason = None, None
        for at, plan_status, plan_reason in self.plans[job_id]:
            if elapsed >= at:
                status, reason = plan_status, plan_reason
        end = "1684191548248" if status in ("SUCCESS", "FAIL") else None
        return {"job_id": job_id, "job_type": "masterStandbySwapJob", "status": status,
                "begin_time": "1684191545379", "end_time": end, "fail_reason": reason}


def waiter_for(fake_time, jobs):
    return JobWaiter(jobs.fetch, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)


def test_terminal_at_first_poll_returns_without_sleeping(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "SUCCESS", None)]})
    entries, elapsed = waiter_for(fake_time, jobs).run(["a"], wait=True, wait_timeout=60, wait_sleep=5)
    assert fake_time.sleeps == [] and elapsed == 0
    assert entries[0]["status"] == "SUCCESS" and entries[0]["finished"] is True
    assert entries[0]["duration_seconds"] == 2.869
    assert entries[0]["status_history"] == [{"status": "SUCCESS", "seen_at": "2025-01-01T12:00:00.000Z"}]


def test_without_wait_polls_once_even_if_unfinished(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None)]})
    entries, _elapsed = waiter_for(fake_time, jobs).run(["a"], wait=False)
    assert len(jobs.calls) == 1 and entries[0]["finished"] is False
    assert "status_history" not in entries[0]


def test_success_after_several_polls_records_history(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "INIT", None), (4, "RUNNING", None), (12, "SUCCESS", None)]})
    entries, elapsed = waiter_for(fake_time, jobs).run(["a"], wait=True, wait_timeout=60, wait_sleep=5)
    assert [at for _job, at in jobs.calls] == [0, 5, 10, 15]
    assert elapsed == 15
    assert [h["status"] for h in entries[0]["status_history"]] == ["INIT", "RUNNING", "SUCCESS"]
    assert entries[0]["status_history"][1]["seen_at"] == "2025-01-01T12:00:05.000Z"


def test_failure_is_terminal_and_keeps_the_reason(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None), (3, "FAIL", "The instance is frozen.")]})
    entries, _elapsed = waiter_for(fake_time, jobs).run(["a"], wait=True, wait_timeout=60, wait_sleep=2)
    assert entries[0]["status"] == "FAIL" and entries[0]["fail_reason"] == "The instance is frozen."
    assert len(jobs.calls) == 3


def test_timeout_never_sleeps_past_the_deadline_and_polls_at_it(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None)], "b": [(0, "SUCCESS", None)]})
    with pytest.raises(WaitTimeoutError) as info:
        waiter_for(fake_time, jobs).run(["a", "b"], wait=True, wait_timeout=12, wait_sleep=5)
    assert fake_time.sleeps == [5, 5, 2], "the last sleep is clamped to the deadline"
    assert sum(fake_time.sleeps) == 12
    assert [call for call in jobs.calls if call[0] == "a"][-1] == ("a", 12), "one last poll at the deadline"
    error = info.value
    assert "Timed out after 12 seconds" in error.message
    assert "a (masterStandbySwapJob) last status RUNNING" in error.message
    assert "1 of 2 jobs" in error.message
    assert [j["job_id"] for j in error.extras["jobs"]] == ["a", "b"]
    assert error.extras["unfinished"] == ["a"]


def test_several_jobs_only_unfinished_ones_are_polled_again(fake_time):
    plans = {"a": [(0, "RUNNING", None), (4, "SUCCESS", None)],
             "b": [(0, "RUNNING", None), (9, "FAIL", "no memory")],
             "c": [(0, "SUCCESS", None)]}
    jobs = FakeJobs(fake_time, plans)
    entries, elapsed = waiter_for(fake_time, jobs).run(["b", "a", "c"], wait=True, wait_timeout=100, wait_sleep=5)
    polled = {}
    for job_id, at in jobs.calls:
        polled.setdefault(job_id, []).append(at)
    assert polled == {"a": [0, 5], "b": [0, 5, 10], "c": [0]}
    assert [e["job_id"] for e in entries] == ["b", "a", "c"], "results keep the asked order"
    assert [e["status"] for e in entries] == ["FAIL", "SUCCESS", "SUCCESS"]
    assert elapsed == 10


def test_unknown_status_is_kept_and_not_terminal(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "PENDING_APPROVAL", None), (6, "SUCCESS", None)]})
    entries, _elapsed = waiter_for(fake_time, jobs).run(["a"], wait=True, wait_timeout=60, wait_sleep=5)
    assert [h["status"] for h in entries[0]["status_history"]] == ["PENDING_APPROVAL", "SUCCESS"]
    no_wait, _elapsed = waiter_for(fake_time, FakeJobs(fake_time, {"a": [(0, "PENDING_APPROVAL", None)]})).run(["a"])
    assert no_wait[0]["status"] == "PENDING_APPROVAL" and no_wait[0]["finished"] is False


def test_an_api_error_in_a_round_is_raised_after_the_round(fake_time):
    calls = []

    def fetch(job_id, deadline):
        calls.append(job_id)
        if job_id == "bad":
            raise ApiError("not found", status_code=404)
        return {"job_id": job_id, "status": "SUCCESS"}

    with pytest.raises(ApiError):
        JobWaiter(fetch, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now).run(["bad", "good"], wait=True)
    assert sorted(calls) == ["bad", "good"]


def test_normalize_job_accepts_numbers_nulls_and_drops_extras():
    raw = normalize_job({"job_id": "a", "status": "RUNNING", "begin_time": 1684191545379, "end_time": None,
                         "extra": {"x": 1}, "job_type": None})
    assert raw == {"job_id": "a", "job_type": None, "status": "RUNNING", "begin_time": "1684191545379",
                   "end_time": None, "fail_reason": None}
    entry = job_entry(raw)
    assert entry["begin_time_iso"] == "2023-05-15T22:59:05.379Z" and entry["end_time_iso"] is None
    assert entry["duration_seconds"] is None and entry["finished"] is False


def test_garbage_times_give_null_iso_not_an_error():
    entry = job_entry(normalize_job({"job_id": "a", "status": "SUCCESS", "begin_time": "soon", "end_time": "-"}))
    assert entry["begin_time_iso"] is None and entry["duration_seconds"] is None


def test_a_missed_poll_does_not_count_and_the_wait_goes_on(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None), (6, "SUCCESS", None)]})
    answers = iter(["miss", "ok", "miss", "ok"])

    def flaky(job_id, deadline):
        if next(answers) == "miss":
            raise PollMissed(ApiError("GET x failed with HTTP 503", status_code=503))
        return jobs.fetch(job_id, deadline)

    waiter = JobWaiter(flaky, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)
    entries, elapsed = waiter.run(["a"], wait=True, wait_timeout=60, wait_sleep=5)
    assert entries[0]["status"] == "SUCCESS" and elapsed == 15


def test_timeout_names_the_last_failed_poll(fake_time):
    def always_missing(job_id, deadline):
        raise PollMissed(ApiError("GET x failed with HTTP 503", status_code=503))

    waiter = JobWaiter(always_missing, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)
    with pytest.raises(WaitTimeoutError) as info:
        waiter.run(["a"], wait=True, wait_timeout=10, wait_sleep=5)
    assert "a (no answer yet), last poll failed: GET x failed with HTTP 503" in info.value.message
    assert info.value.extras["jobs"][0]["status"] is None
