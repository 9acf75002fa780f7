# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The generic waiter with an injected clock: no real sleeping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._deadline import Deadline
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import is_finished
from ansible_collections.hwc.dcs.plugins.module_utils._retry import RetryLog
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Waiter


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


def waiter_for(fake_time, fetch, log=None, max_in_flight=50):
    return Waiter(fetch, is_finished, log=log, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now,
                  max_in_flight=max_in_flight)


def run(fake_time, jobs, keys, timeout=60, wait=True, interval=5, **kwargs):
    deadline = Deadline(timeout, fake_time.clock)
    return waiter_for(fake_time, jobs.fetch, **kwargs).run(keys, deadline, wait=wait, interval=interval)


def statuses(tracked):
    return [seen for seen, _at in tracked.history]


def test_done_at_first_poll_returns_without_sleeping(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "SUCCESS", None)]})
    outcome = run(fake_time, jobs, ["a"])
    assert fake_time.sleeps == [] and outcome.pending == [] and outcome.timed_out is False
    (tracked,) = outcome.tracked
    assert tracked.state["status"] == "SUCCESS"
    assert tracked.history == [("SUCCESS", fake_time.now())]


def test_without_wait_polls_once_even_if_unfinished(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None)]})
    outcome = run(fake_time, jobs, ["a"], wait=False)
    assert len(jobs.calls) == 1 and [t.key for t in outcome.pending] == ["a"]
    assert outcome.timed_out is False, "no wait, no timeout: the caller decides what an unfinished job means"


def test_done_after_several_polls_records_history(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "INIT", None), (4, "RUNNING", None), (12, "SUCCESS", None)]})
    outcome = run(fake_time, jobs, ["a"])
    assert [at for _job, at in jobs.calls] == [0, 5, 10, 15]
    assert statuses(outcome.tracked[0]) == ["INIT", "RUNNING", "SUCCESS"]


def test_timeout_never_sleeps_past_the_deadline_and_polls_at_it(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None)], "b": [(0, "SUCCESS", None)]})
    outcome = run(fake_time, jobs, ["a", "b"], timeout=12)
    assert fake_time.sleeps == [5, 5, 2], "the last sleep is clamped to the deadline"
    assert [call for call in jobs.calls if call[0] == "a"][-1] == ("a", 12), "one last poll at the deadline"
    assert outcome.timed_out is True and [t.key for t in outcome.pending] == ["a"]
    assert [t.key for t in outcome.tracked] == ["a", "b"]


def test_several_things_only_unfinished_ones_are_polled_again(fake_time):
    plans = {"a": [(0, "RUNNING", None), (4, "SUCCESS", None)],
             "b": [(0, "RUNNING", None), (9, "FAIL", "no memory")],
             "c": [(0, "SUCCESS", None)]}
    jobs = FakeJobs(fake_time, plans)
    outcome = run(fake_time, jobs, ["b", "a", "c"], timeout=100)
    polled = {}
    for job_id, at in jobs.calls:
        polled.setdefault(job_id, []).append(at)
    assert polled == {"a": [0, 5], "b": [0, 5, 10], "c": [0]}
    assert [t.key for t in outcome.tracked] == ["b", "a", "c"], "results keep the asked order"


def test_an_unknown_status_is_not_done(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "PENDING_APPROVAL", None), (6, "SUCCESS", None)]})
    outcome = run(fake_time, jobs, ["a"])
    assert statuses(outcome.tracked[0]) == ["PENDING_APPROVAL", "SUCCESS"]


def test_the_waiter_is_generic_over_what_it_polls(fake_time):
    states = iter(["CREATING", "RESTARTING", "RUNNING"])

    def instance(key, deadline):
        return {"instance_id": key, "status": next(states)}

    waiter = Waiter(instance, lambda state: state["status"] == "RUNNING", clock=fake_time.clock, sleep=fake_time.sleep,
                    now=fake_time.now)
    outcome = waiter.run(["i-1"], Deadline(60, fake_time.clock), wait=True, interval=2)
    assert statuses(outcome.tracked[0]) == ["CREATING", "RESTARTING", "RUNNING"] and fake_time.sleeps == [2, 2]


def test_a_permanent_error_in_a_round_is_raised_after_the_round(fake_time):
    calls = []

    def fetch(job_id, deadline):
        calls.append(job_id)
        if job_id == "bad":
            raise ApiError("not found", status_code=404)
        return {"job_id": job_id, "status": "SUCCESS"}

    with pytest.raises(ApiError):
        waiter_for(fake_time, fetch).run(["bad", "good"], Deadline(60, fake_time.clock), wait=True)
    assert sorted(calls) == ["bad", "good"]


def test_a_transiently_failed_poll_does_not_count_and_the_wait_goes_on(fake_time):
    jobs = FakeJobs(fake_time, {"a": [(0, "RUNNING", None), (6, "SUCCESS", None)]})
    answers = iter(["miss", "ok", "miss", "ok"])
    log = RetryLog()

    def flaky(job_id, deadline):
        if next(answers) == "miss":
            raise ApiError("GET x failed with HTTP 503", status_code=503, retry_reason="HTTP 503")
        return jobs.fetch(job_id, deadline)

    outcome = waiter_for(fake_time, flaky, log=log).run(["a"], Deadline(60, fake_time.clock), wait=True, interval=5)
    assert outcome.tracked[0].state["status"] == "SUCCESS" and fake_time.clock() - 1000.0 == 15
    assert log.reasons() == {"HTTP 503": 2}, "missed polls count as retries"


def test_a_transient_failure_without_wait_is_an_error(fake_time):
    def failing(job_id, deadline):
        raise ApiError("GET x failed with HTTP 503", status_code=503, retry_reason="HTTP 503")

    with pytest.raises(ApiError):
        waiter_for(fake_time, failing).run(["a"], Deadline(60, fake_time.clock), wait=False)


def test_the_last_failed_poll_is_kept_for_the_timeout_message(fake_time):
    def always_missing(job_id, deadline):
        raise ApiError("GET x failed with HTTP 503", status_code=503, retry_reason="HTTP 503")

    outcome = waiter_for(fake_time, always_missing).run(["a"], Deadline(10, fake_time.clock), wait=True, interval=5)
    (tracked,) = outcome.pending
    assert outcome.timed_out and tracked.answered is False and tracked.last_error == "GET x failed with HTTP 503"


def test_no_poll_starts_after_the_deadline_however_many_things_there_are(fake_time):
    started = []

    def slow(key, deadline):
        started.append(fake_time.clock())
        fake_time.advance(1.0)  # every poll takes a second of the (fake) clock
        return {"status": "RUNNING"}

    outcome = waiter_for(fake_time, slow, max_in_flight=1).run(
        ["j%d" % n for n in range(60)], Deadline(5, fake_time.clock), wait=True, interval=5)
    assert outcome.timed_out is True
    assert max(started) - 1000.0 <= 5, "polls queued behind the concurrency cap must not start after the deadline"
    assert len(started) == 6, "polls at 0, 1, ... 5 s: the one at the deadline itself still starts"
