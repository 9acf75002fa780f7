# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_instance_switchover, dcs_instance_config and dcs_instance_info run in slices return exactly what one
uninterrupted run returns; the mutating request is sent once over all slices; no secret is sealed.

Each comparison runs the same scenario against two fresh fakes (the modules' own test fakes): once plainly
and once in slices of 0.3 s. The fakes step their jobs and instances one step per poll.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.hwc.dcs.plugins.modules import dcs_instance_config, dcs_instance_info, dcs_instance_switchover
from ansible_collections.hwc.dcs.tests.support.constants import SK
from ansible_collections.hwc.dcs.tests.unit.plugins.modules import dcs_instance_config_fake as config_fake
from ansible_collections.hwc.dcs.tests.unit.plugins.modules import test_dcs_instance_info as info_tests
from ansible_collections.hwc.dcs.tests.unit.plugins.modules import test_dcs_instance_switchover as switchover_tests
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.slice_runner import (
    PAUSED_KEY,
    PROGRESS_KEY,
    Harness,
    Servers,
    comparable,
    opened_states,
    paused_keys,
    poll_gaps,
    poll_times,
    statuses_seen,
    token_texts,
)

SLEEP = 0.5
REASON = "standby node is not in sync"
# Parameter values that must never show in a sealed state's text.
SECRET_VALUE = "KEA-value-never-in-clear"
TIMEOUT_VALUE = "4321"


@pytest.fixture
def servers():
    with Servers() as opened:
        yield opened


@pytest.fixture
def switchover(servers, monkeypatch, tmp_path, capsys):
    return Harness(dcs_instance_switchover.main, servers, monkeypatch, tmp_path, capsys,
                   api_timeout=5, wait_sleep=SLEEP, wait_timeout=30, instance_id=switchover_tests.HA)


@pytest.fixture
def config(servers, monkeypatch, tmp_path, capsys):
    return Harness(dcs_instance_config.main, servers, monkeypatch, tmp_path, capsys, instance_id=config_fake.INSTANCE,
                   wait_sleep=SLEEP, wait_timeout=30)


@pytest.fixture
def info(servers, monkeypatch, tmp_path, capsys):
    return Harness(dcs_instance_info.main, servers, monkeypatch, tmp_path, capsys)


def switchover_fake(plan, mutate=()):
    def make():
        fake = switchover_tests.FakeDcs()
        fake.plan = plan
        fake.mutate = list(mutate)
        return fake
    return make


def config_fake_with(plan):
    def make():
        fake = config_fake.FakeDcs()
        fake.job_plan = plan
        return fake
    return make


def assert_same(plain, sliced):
    assert len(sliced.slices) > 2, "the wait never paused: the comparison proves nothing"
    assert sorted(sliced.result) == sorted(plain), "the same keys"
    assert comparable(sliced.result) == comparable(plain)
    assert PROGRESS_KEY not in plain
    assert all(set(paused_keys(paused)) == {PAUSED_KEY, PROGRESS_KEY} and paused["_rc"] == 0 for paused in sliced.paused)


def assert_sealed(sliced, *clear):
    """No sealed state shows the secret key or any of ``clear`` (its text and its decoded bytes), and the secret
    key is not even inside the opened state."""
    texts = token_texts(sliced)
    for value in (SK,) + clear:
        assert not any(value in text for text in texts), value
    for state in opened_states(sliced, SK):
        assert SK not in json.dumps(state)
    return [json.dumps(state) for state in opened_states(sliced, SK)]


def job_progress(sliced, job_id):
    return [item for result in sliced.slices for item in result[PROGRESS_KEY]["items"] if item["id"] == job_id]


# --- dcs_instance_switchover ---------------------------------------------------------------------------------

def test_switchover_sent_once_over_all_slices(switchover):
    plan = [("RUNNING", None), ("RUNNING", None), ("RUNNING", None), ("SUCCESS", None)]
    plain, plain_at, sliced, sliced_at = switchover.both(switchover_fake(plan), node_id=switchover_tests.S1)
    assert plain["_rc"] == 0 and plain["changed"] is True, plain["_raw"]
    assert_same(plain, sliced)
    result = sliced.result
    assert switchover_tests.mutations(sliced_at.server) == switchover_tests.mutations(plain_at.server)
    assert len(switchover_tests.mutations(sliced_at.server)) == 1 and sliced_at.fake.accepted == 1
    assert result["switchover_requests"] == 1 and result["master_after"] == {switchover_tests.GROUP: switchover_tests.S1}
    assert [h["status"] for h in result["job"]["status_history"]] == ["RUNNING", "SUCCESS"]
    assert result["polls"] == plain["polls"] == sliced_at.fake.jobs["job-1"] == plain_at.fake.jobs["job-1"] == 4
    assert result["retries"] == 0 and result["master_verified"] is True
    sliced_times, plain_times = [poll_times(at.server.requests, "/jobs/job-1") for at in (sliced_at, plain_at)]
    assert min(poll_gaps(sliced_at.server.requests, "/jobs/job-1")) >= SLEEP - 0.05
    assert max(abs(a - b) for a, b in zip(sliced_times, plain_times)) < 0.15, (sliced_times, plain_times)
    # Progress: the job's RUNNING is a change in the first slice; the final result shows its SUCCESS.
    items = job_progress(sliced, "job-1")
    assert items[0]["changed"] is True and items[0]["status"] == "RUNNING" and items[0]["was"] is None
    assert [item["status"] for item in items if item["changed"]] == ["RUNNING", "SUCCESS"]
    assert statuses_seen(sliced) == {"job-1": ["RUNNING", "SUCCESS"]}
    assert assert_sealed(sliced)
    # A rerun has nothing to do, sliced or not.
    rerun = switchover.sliced(sliced_at, node_id=switchover_tests.S1)
    assert len(rerun.slices) == 1 and rerun.result["changed"] is False and rerun.result["switchover_requests"] == 0
    assert sliced_at.fake.accepted == 1 and len(switchover_tests.mutations(sliced_at.server)) == 1


def test_switchover_job_failure_mid_wait(switchover):
    plan = [("RUNNING", None), ("RUNNING", None), ("FAIL", REASON)]
    plain, _plain_at, sliced, sliced_at = switchover.both(switchover_fake(plan), node_id=switchover_tests.S1)
    assert_same(plain, sliced)
    result = sliced.result
    assert result["failed"] is True and "ended FAIL: %s" % REASON in result["msg"]
    assert (result["changed"], result["instance_id"], result["switchover_requests"]) == (True, switchover_tests.HA, 1)
    assert result["master_before"] == {switchover_tests.GROUP: switchover_tests.M1} and result["operation"] == "async-swap"
    assert result["job"]["fail_reason"] == REASON and [h["status"] for h in result["job"]["status_history"]] == ["RUNNING", "FAIL"]
    assert sliced_at.fake.accepted == 1 and result["polls"] == plain["polls"] == 3


def test_switchover_busy_answers_and_a_lost_answer_carry_over(switchover):
    # Busy (retried), then accepted with the answer lost: found in the tasks, never resent.
    plan = [("RUNNING", None), ("RUNNING", None), ("SUCCESS", None)]
    plain, plain_at, sliced, sliced_at = switchover.both(switchover_fake(plan, ["busy", "drop"]), node_id=switchover_tests.S1)
    assert plain["_rc"] == 0, plain["_raw"]
    assert_same(plain, sliced)
    result = sliced.result
    assert result["recovered"] is True and result["switchover_requests"] == 2 and result["retries"] == plain["retries"] == 1
    assert result["warnings"] == plain["warnings"]
    assert any("not sent again" in w for w in result["warnings"]) and any("had to be retried" in w for w in result["warnings"])
    assert len(switchover_tests.mutations(sliced_at.server)) == len(switchover_tests.mutations(plain_at.server)) == 2
    assert sliced_at.fake.accepted == 1


def test_switchover_check_mode_and_no_wait_never_pause(switchover):
    plain, plain_at, sliced, sliced_at = switchover.both(switchover_fake([("RUNNING", None), ("SUCCESS", None)]),
                                                         node_id=switchover_tests.S1, _ansible_check_mode=True)
    assert len(sliced.slices) == 1 and PAUSED_KEY not in sliced.result and sliced.result["changed"] is True
    assert comparable(sliced.result) == comparable(plain)
    assert switchover_tests.mutations(sliced_at.server) == [] == switchover_tests.mutations(plain_at.server)
    plain, _plain_at, sliced, sliced_at = switchover.both(switchover_fake([("RUNNING", None), ("SUCCESS", None)]),
                                                          node_id=switchover_tests.S1, wait=False)
    assert len(sliced.slices) == 1 and sliced.result["job"]["status"] == "RUNNING" and sliced.result["polls"] == 1
    assert comparable(sliced.result) == comparable(plain) and len(switchover_tests.mutations(sliced_at.server)) == 1


# --- dcs_instance_config ---------------------------------------------------------------------------------------

def config_args():
    return dict(parameters={"timeout": TIMEOUT_VALUE, "notify-keyspace-events": SECRET_VALUE})


def test_config_change_sent_once_over_all_slices(config):
    plan = [("RUNNING", None), ("RUNNING", None), ("RUNNING", None), ("SUCCESS", None)]
    plain, plain_at, sliced, sliced_at = config.both(config_fake_with(plan), **config_args())
    assert plain["_rc"] == 0 and plain["changed"] is True, plain["_raw"]
    assert_same(plain, sliced)
    result = sliced.result
    assert config_fake.sent_parameters(sliced_at.server) == config_fake.sent_parameters(plain_at.server) == [
        {"timeout": TIMEOUT_VALUE, "notify-keyspace-events": SECRET_VALUE}]
    assert result["change_requests"] == 1 and sliced_at.fake.values["notify-keyspace-events"] == SECRET_VALUE
    assert [h["status"] for h in result["job"]["status_history"]] == ["RUNNING", "SUCCESS"]
    assert result["polls"] == plain["polls"] == sliced_at.fake.job_polls == plain_at.fake.job_polls == 4
    assert [r.method for r in sliced_at.server.requests] == [r.method for r in plain_at.server.requests]
    assert [item["status"] for item in job_progress(sliced, config_fake.JOB) if item["changed"]] == ["RUNNING", "SUCCESS"]
    states = assert_sealed(sliced, SECRET_VALUE, TIMEOUT_VALUE)
    assert all(SECRET_VALUE in state for state in states), "the values are sealed, not left out: the check above can fail"
    rerun = config.sliced(sliced_at, **config_args())
    assert len(rerun.slices) == 1 and rerun.result["changed"] is False and "job" not in rerun.result
    assert len(config_fake.puts(sliced_at.server)) == 1


def test_config_job_failure_mid_wait(config):
    plan = [("RUNNING", None), ("RUNNING", None), ("FAIL", "Modify config failed.")]
    plain, _plain_at, sliced, sliced_at = config.both(config_fake_with(plan), **config_args())
    assert_same(plain, sliced)
    result = sliced.result
    assert result["failed"] is True and "ended FAIL: Modify config failed." in result["msg"]
    assert (result["changed"], result["instance_id"], result["change_requests"], result["recovered"]) == (
        True, config_fake.INSTANCE, 1, False)
    assert result["changed_parameters"]["notify-keyspace-events"] == {"before": "Ex", "after": SECRET_VALUE}
    assert result["job"]["status"] == "FAIL" and len(config_fake.puts(sliced_at.server)) == 1
    assert result["polls"] == plain["polls"] == 3
    assert_sealed(sliced, SECRET_VALUE, TIMEOUT_VALUE)


def test_config_check_mode_never_pauses(config):
    plain, _plain_at, sliced, sliced_at = config.both(config_fake_with([("RUNNING", None), ("SUCCESS", None)]),
                                                      _ansible_check_mode=True, **config_args())
    assert len(sliced.slices) == 1 and PAUSED_KEY not in sliced.result and sliced.result["changed"] is True
    assert comparable(sliced.result) == comparable(plain) and config_fake.puts(sliced_at.server) == []


# --- dcs_instance_info ---------------------------------------------------------------------------------------

def instances_with(plan):
    def make():
        fake = info_tests.FakeInstances()
        fake.plans[info_tests.HA] = plan
        return fake
    return make


def instance_history(result):
    return [(h["status"], h["task"]) for h in result["instance"]["status_history"]]


def test_instance_wait_for_status_has_the_same_history(info):
    swap = "MasterStandbySwap"
    plan = [("RESTARTING", None), ("RESTARTING", None), ("RUNNING", swap), ("RUNNING", swap), ("RUNNING", None)]
    plain, plain_at, sliced, sliced_at = info.both(instances_with(plan), instance_id=info_tests.HA, wait_for_status="running",
                                                   wait_sleep=SLEEP, wait_timeout=20)
    assert plain["_rc"] == 0, plain["_raw"]
    assert_same(plain, sliced)
    result = sliced.result
    assert instance_history(result) == instance_history(plain) == [("RESTARTING", None), ("RUNNING", swap), ("RUNNING", None)]
    assert result["polls"] == plain["polls"] == sliced_at.fake.reads[info_tests.HA] == plain_at.fake.reads[info_tests.HA] == 5
    assert [r.path for r in sliced_at.server.requests].count(
        "/v2/%s/instances/%s/logical-nodes" % (info_tests.PROJECT, info_tests.HA)) == 1, "the layout is read once, at the end"
    assert statuses_seen(sliced) == {info_tests.HA: ["RESTARTING", "RUNNING"]}
    items = [item for paused in sliced.paused for item in paused[PROGRESS_KEY]["items"]]
    assert all(paused[PROGRESS_KEY]["kind"] == "instance" for paused in sliced.paused)
    assert all(item["label"] == "redis-3b2f" for item in items)
    assert (swap in [item["detail"] for item in items]), "the task in progress is shown"
    assert_sealed(sliced)


def test_instance_hopeless_status_mid_wait(info):
    plan = [("RESTARTING", None), ("RESTARTING", None), ("ERROR", None)]
    plain, _plain_at, sliced, _sliced_at = info.both(instances_with(plan), instance_id=info_tests.HA, wait_for_status="RUNNING",
                                                     wait_sleep=SLEEP, wait_timeout=20)
    assert_same(plain, sliced)
    assert sliced.result["failed"] is True and "is ERROR, which never changes by itself" in sliced.result["msg"]
    assert instance_history(sliced.result) == [("RESTARTING", None), ("ERROR", None)] and sliced.result["polls"] == 3


def test_instance_timeout_mid_wait(info):
    plan = [("RUNNING", "MasterStandbySwap")]
    plain, plain_at, sliced, sliced_at = info.both(instances_with(plan), instance_id=info_tests.HA, wait_for_status="RUNNING",
                                                   wait_sleep=SLEEP, wait_timeout=1)
    assert_same(plain, sliced)
    result = sliced.result
    assert result["failed"] is True and result["msg"] == plain["msg"] == (
        "Timed out after 1 seconds (wait_timeout=1) waiting for instance %s (redis-3b2f) to reach RUNNING with no task in "
        "progress: status RUNNING with task 'MasterStandbySwap' in progress." % info_tests.HA)
    # Polls at 0 and 0.5 s and at the deadline itself.
    assert result["polls"] == plain["polls"] == sliced_at.fake.reads[info_tests.HA] == plain_at.fake.reads[info_tests.HA] == 3
    assert 1.0 <= result["elapsed"] < 1.5 and abs(result["elapsed"] - plain["elapsed"]) < 0.3
