# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A module given slice variables it cannot use fails with a clear message: no traceback, no secret, no request."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._seal import seal
from ansible_collections.hwc.dcs.plugins.module_utils._slices import PAUSED_KEY, SECONDS_VAR, STATE_VAR
from ansible_collections.hwc.dcs.plugins.modules import dcs_instance_config, dcs_job_info
from ansible_collections.hwc.dcs.tests.support.constants import SK, TMP_SK
from ansible_collections.hwc.dcs.tests.support.fake_jobs import JobPlans
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.dcs_instance_config_fake import INSTANCE, FakeDcs
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.slice_runner import Harness, Servers

NOT_SEALED = "it is not sealed state"
FOREIGN = "it was sealed with other credentials or changed since"
NO_STATE = "it does not hold a state"
SLOW = [("INIT", None), ("RUNNING", None), ("RUNNING", None), ("SUCCESS", None)]


@pytest.fixture
def harness(monkeypatch, tmp_path, capsys):
    with Servers() as servers:
        yield Harness(dcs_job_info.main, servers, monkeypatch, tmp_path, capsys)


def first_token(harness, scenario, **args):
    """The sealed state of the first slice of a wait on job ``slow``."""
    harness.monkeypatch.setenv(SECONDS_VAR, "0.3")
    try:
        paused = scenario.run(job_id="slow", wait=True, wait_sleep=0.5, **args)
    finally:
        harness.monkeypatch.delenv(SECONDS_VAR)
    assert paused["_rc"] == 0 and PAUSED_KEY in paused, paused["_raw"]
    return paused[PAUSED_KEY]


def flipped(token, index):
    raw = bytearray(base64.urlsafe_b64decode(token.encode("ascii")))
    raw[index] ^= 1
    return base64.urlsafe_b64encode(bytes(raw)).decode("ascii")


def assert_refused(result, scenario, why, requests_before=0):
    assert result["failed"] is True and result["_rc"] == 1
    assert why in result["msg"], result["msg"]
    assert "_HWC_DCS_SLICE_STATE" in result["msg"] and "unset" in result["msg"]
    assert "exception" not in result and "Traceback" not in result["_raw"] and "Internal error" not in result["msg"]
    assert SK not in result["_raw"] and TMP_SK not in result["_raw"]
    assert PAUSED_KEY not in result
    assert len(scenario.server.requests) == requests_before, "nothing is sent with a state that cannot be trusted"


# By name, so that the test IDs are the same in every pytest-xdist worker (a sealed state differs at each seal).
FORGED = {
    "garbage": (lambda: "garbage", NOT_SEALED),
    "not base64": (lambda: "!!not base64!!", NOT_SEALED),
    "not ascii": (lambda: "\u00e9t\u00e9", NOT_SEALED),
    "too short": (lambda: base64.urlsafe_b64encode(b"x" * 40).decode("ascii"), NOT_SEALED),
    "random bytes": (lambda: base64.urlsafe_b64encode(b"x" * 200).decode("ascii"), FOREIGN),
    "another secret key": (lambda: seal({"started_at": 0}, TMP_SK), FOREIGN),
    "a list": (lambda: seal([1, 2, 3], SK), NO_STATE),
    "a string": (lambda: seal("a string", SK), NO_STATE),
}


@pytest.mark.parametrize("name", sorted(FORGED))
def test_a_forged_or_garbled_state_is_refused(harness, monkeypatch, name):
    make, why = FORGED[name]
    scenario = harness.scenario(JobPlans(slow=SLOW))
    monkeypatch.setenv(SECONDS_VAR, "0.3")
    monkeypatch.setenv(STATE_VAR, make())
    assert_refused(scenario.run(job_id="slow", wait=True, wait_sleep=0.5), scenario, why)


@pytest.mark.parametrize("where", ["nonce", "cipher", "tag"])
def test_a_changed_state_is_refused(harness, monkeypatch, where):
    scenario = harness.scenario(JobPlans(slow=SLOW))
    token = first_token(harness, scenario)
    sent = len(scenario.server.requests)
    raw_length = len(base64.urlsafe_b64decode(token.encode("ascii")))
    index = dict(nonce=0, cipher=20, tag=raw_length - 1)[where]
    monkeypatch.setenv(SECONDS_VAR, "0.3")
    monkeypatch.setenv(STATE_VAR, flipped(token, index))
    assert_refused(scenario.run(job_id="slow", wait=True, wait_sleep=0.5), scenario, FOREIGN, sent)
    monkeypatch.setenv(STATE_VAR, token[:-8])
    assert FOREIGN in scenario.run(job_id="slow", wait=True, wait_sleep=0.5)["msg"]


def test_a_state_sealed_with_another_secret_key_is_refused(harness, monkeypatch):
    scenario = harness.scenario(JobPlans(slow=SLOW))
    token = first_token(harness, scenario)
    sent = len(scenario.server.requests)
    monkeypatch.setenv(SECONDS_VAR, "0.3")
    monkeypatch.setenv(STATE_VAR, token)
    result = scenario.run(job_id="slow", wait=True, wait_sleep=0.5, secret_key=TMP_SK)
    assert_refused(result, scenario, FOREIGN, sent)
    # With the task's own key, the same state resumes the wait.
    resumed = scenario.run(job_id="slow", wait=True, wait_sleep=0.5)
    assert resumed["_rc"] == 0 and "msg" not in resumed


def test_a_refused_state_of_a_mutating_module_sends_nothing(monkeypatch, tmp_path, capsys):
    with Servers() as servers:
        harness = Harness(dcs_instance_config.main, servers, monkeypatch, tmp_path, capsys, instance_id=INSTANCE, wait_sleep=0.5)
        scenario = harness.scenario(FakeDcs())
        monkeypatch.setenv(SECONDS_VAR, "0.3")
        monkeypatch.setenv(STATE_VAR, seal({"saved": {"change": {}}}, TMP_SK))
        result = scenario.run(parameters={"timeout": 300})
        assert_refused(result, scenario, FOREIGN)
        assert scenario.fake.values["timeout"] == "0"


@pytest.mark.parametrize("text", ["abc", "0", "-1", "nan", "inf", "1e999", "0x10", " "])
def test_a_slice_length_that_is_not_a_positive_number_is_refused(harness, monkeypatch, text):
    scenario = harness.scenario(JobPlans(slow=SLOW))
    monkeypatch.setenv(SECONDS_VAR, text)
    result = scenario.run(job_id="slow", wait=True, wait_sleep=0.5)
    assert result["failed"] is True and result["_rc"] == 1
    assert result["msg"] == ("_HWC_DCS_SLICE_SECONDS is %r, not a positive number of seconds. Only the hwc.dcs action "
                             "plugins set it: unset it." % text), result["msg"]
    assert "exception" not in result and "Traceback" not in result["_raw"] and SK not in result["_raw"]
    assert scenario.server.requests == []


def test_a_state_without_a_slice_length_is_ignored(harness, monkeypatch):
    scenario = harness.scenario(JobPlans(slow=SLOW))
    monkeypatch.setenv(STATE_VAR, "garbage")
    result = scenario.run(job_id="slow", wait=True, wait_sleep=0.5)
    assert result["_rc"] == 0 and PAUSED_KEY not in result and result["polls"] == 4
