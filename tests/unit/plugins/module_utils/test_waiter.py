# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The generic waiter with an injected clock: no real sleeping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._deadline import Deadline
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import is_finished
from ansible_collections.hwc.dcs.plugins.module_utils._retry import RetryLog
from ansible_collections.hwc.dcs.plugins.module_utils._seal import unseal
from ansible_collections.hwc.dcs.plugins.module_utils._slices import Paused, Slicer
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Waiter
from ansible_collections.hwc.dcs.tests.support.constants import SK
from ansible_collections.hwc.dcs.tests.support.fake_clock import FakeTime


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


# --- a wait in slices ------------------------------------------------------------------------------------

class Sliced:
    """Runs a wait as the action plugin does: one "process" per slice, each with a new Waiter and Slicer fed
    the previous one's sealed state, until no Paused. The fake clocks and sleep are shared by the processes;
    ``gap`` seconds pass between two of them (the controller prints and starts the next run)."""

    def __init__(self, fake_time, jobs, slice_seconds, gap=0.25):
        self.time = fake_time
        self.jobs = jobs
        self.slice_seconds = slice_seconds
        self.gap = gap
        self.events = []  # per slice: [("poll", key) or ("sleep", seconds)]
        self.states = []

    def wall(self):
        return self.time.now().timestamp()

    def fetch(self, key, deadline):
        self.events[-1].append(("poll", key))
        return self.jobs.fetch(key, deadline)

    def sleep(self, seconds):
        self.events[-1].append(("sleep", seconds))
        self.time.sleep(seconds)

    def run(self, keys, timeout=60, interval=5):
        deadline = Deadline(timeout, self.time.clock)
        state = None
        for _slice in range(500):
            self.events.append([])
            slicer = Slicer(self.slice_seconds, SK, state, clock=self.time.clock, wall=self.wall, now=self.time.now)
            waiter = Waiter(self.fetch, is_finished, clock=self.time.clock, sleep=self.sleep, now=self.time.now)
            try:
                return waiter.run(keys, deadline, wait=True, interval=interval, slicer=slicer, kind="job")
            except Paused as pause:
                state = unseal(pause.token, SK)
                self.states.append(state)
                self.time.advance(self.gap)
        raise AssertionError("the sliced wait never ended")


def histories(outcome):
    return [(t.key, t.state, t.history) for t in outcome.tracked]


def polls(jobs):
    return sorted(jobs.calls)


PLANS = {"a": [(0, "INIT", None), (4, "RUNNING", None), (23, "SUCCESS", None)],
         "b": [(0, "RUNNING", None), (31, "FAIL", "no memory")],
         "c": [(0, "SUCCESS", None)]}


@pytest.mark.parametrize("slice_seconds", [2, 7, 12, 30, 100])
def test_a_wait_in_slices_ends_as_the_uninterrupted_wait(slice_seconds):
    whole_time = FakeTime()
    whole_jobs = FakeJobs(whole_time, PLANS)
    whole = run(whole_time, whole_jobs, ["b", "a", "c"], timeout=100)

    sliced_time = FakeTime()
    sliced_jobs = FakeJobs(sliced_time, PLANS)
    sliced = Sliced(sliced_time, sliced_jobs, slice_seconds)
    outcome = sliced.run(["b", "a", "c"], timeout=100)

    assert len(sliced.events) > 1, "the wait did pause"
    assert outcome.timed_out is whole.timed_out is False and outcome.pending == whole.pending == []
    assert histories(outcome) == histories(whole), "the same statuses, seen at the same moments"
    assert statuses(outcome.tracked[0]) == ["RUNNING", "FAIL"] and statuses(outcome.tracked[1]) == ["INIT", "RUNNING", "SUCCESS"]
    assert polls(sliced_jobs) == polls(whole_jobs), "the same polls at the same times: none sent twice, none missed"
    assert sliced_time.clock() == whole_time.clock()


def test_each_status_change_pauses_the_wait():
    fake_time = FakeTime()
    sliced = Sliced(fake_time, FakeJobs(fake_time, PLANS), 1000)
    sliced.run(["b", "a", "c"], timeout=100)
    reported = [state["reported"] for state in sliced.states]
    assert reported == [
        {"a": "INIT", "b": "RUNNING", "c": "SUCCESS"},
        {"a": "RUNNING", "b": "RUNNING", "c": "SUCCESS"},
        {"a": "SUCCESS", "b": "RUNNING", "c": "SUCCESS"},
    ], "one pause for each round that saw a change; the last change ends the wait"


def test_the_resumed_wait_first_sleeps_the_rest_of_the_pause_then_polls():
    fake_time = FakeTime()
    sliced = Sliced(fake_time, FakeJobs(fake_time, {"a": [(0, "RUNNING", None), (20, "SUCCESS", None)]}), 7, gap=0.25)
    sliced.run(["a"], timeout=100)
    assert sliced.events[0] == [("poll", "a")], "the first status pauses at once"
    assert sliced.events[1][:2] == [("sleep", 4.75), ("poll", "a")], "the rest of the 5 s, less the gap, then a poll"
    for state, events in zip(sliced.states, sliced.events[1:]):
        kind, seconds = events[0]
        assert kind == "sleep", "a resumed wait never starts with a poll"
        assert seconds == pytest.approx(max(0.0, state["wait"]["sleep_left"] - 0.25))


def test_a_timeout_in_a_sliced_wait_times_out_with_the_same_pending_things():
    plans = {"a": [(0, "RUNNING", None)], "b": [(0, "SUCCESS", None)], "c": [(0, "INIT", None), (8, "RUNNING", None)]}
    whole_time = FakeTime()
    whole_jobs = FakeJobs(whole_time, plans)
    whole = run(whole_time, whole_jobs, ["a", "b", "c"], timeout=12)

    sliced_time = FakeTime()
    sliced_jobs = FakeJobs(sliced_time, plans)
    sliced = Sliced(sliced_time, sliced_jobs, 4)
    outcome = sliced.run(["a", "b", "c"], timeout=12)

    assert whole.timed_out is True and outcome.timed_out is True
    assert [t.key for t in outcome.pending] == [t.key for t in whole.pending] == ["a", "c"]
    assert histories(outcome) == histories(whole)
    assert polls(sliced_jobs) == polls(whole_jobs)
    assert [at for key, at in polls(sliced_jobs) if key == "a"][-1] == 12, "the last poll at the deadline"
    assert ("sleep", 2) in sliced.events[-1], "the final sleep to the deadline is not cut"


@pytest.mark.parametrize("gap", [0.25, 2, 4, 6])
def test_a_slow_next_slice_never_costs_the_last_poll(gap):
    # A slice pauses 5 s into the wait; when the next module run starts slowly (gap: a loaded controller, SSH),
    # it must not resume past the poll due at the deadline. Near the deadline the wait does not pause at all.
    plans = {"a": [(0, "RUNNING", None), (11, "SUCCESS", None)]}
    whole_time = FakeTime()
    whole_jobs = FakeJobs(whole_time, plans)
    whole = run(whole_time, whole_jobs, ["a"], timeout=13, interval=6)

    sliced_time = FakeTime()
    sliced_jobs = FakeJobs(sliced_time, plans)
    outcome = Sliced(sliced_time, sliced_jobs, 5, gap=gap).run(["a"], timeout=13, interval=6)

    assert whole.timed_out is False and [t.state["status"] for t in whole.tracked] == ["SUCCESS"]
    assert outcome.timed_out is False, "the sliced wait lost its last poll: %s" % polls(sliced_jobs)
    assert histories(outcome) == histories(whole)


def test_with_a_real_clock_the_last_round_still_polls_at_the_deadline():
    # A real sleep to the deadline returns a little after it: the poll due at the deadline must still start
    # (with the fake clock above the sleep lands exactly on it). Polls at 0, 0.3, 0.6, 0.9 and 1.0 s.
    started = []

    def fetch(key, deadline):
        started.append(time.monotonic())
        return {"job_id": key, "status": "RUNNING"}

    begin = time.monotonic()
    outcome = Waiter(fetch, is_finished).run(["a"], Deadline(1.0), wait=True, interval=0.3)
    assert outcome.timed_out is True
    assert len(started) == 5, [round(at - begin, 3) for at in started]
    assert 1.0 <= started[-1] - begin < 1.0 + 0.25
