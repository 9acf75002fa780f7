# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_instance_config's main(), called with arguments, answered by a scripted DCS on 127.0.0.1:
the plan, the checks of the values, check and diff mode, the job and the check of the values applied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.tests.support.http_server import Answer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.dcs_instance_config_fake import (
    INSTANCE,
    JOB,
    FakeDcs,
    make_run,
    puts,
    sent_parameters,
)


@pytest.fixture
def fake():
    return FakeDcs()


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    return make_run(server, monkeypatch, tmp_path, capsys)


def test_change_sends_only_the_differing_parameters_waits_and_verifies(run, server, fake):
    result = run(parameters={"timeout": 300, "maxmemory-policy": "volatile-lru", "notify-keyspace-events": "Ex"})
    assert result["_rc"] == 0, result["_raw"]
    assert result["changed"] is True
    assert sent_parameters(server) == [{"timeout": "300"}]
    assert puts(server)[0].json() == {"redis_config": [{"param_id": "1", "param_name": "timeout", "param_value": "300"}]}
    assert result["changed_parameters"] == {"timeout": {"before": "0", "after": "300"}}
    assert result["restart_required"] == []
    assert result["parameters"] == {"timeout": "300", "maxmemory-policy": "volatile-lru", "notify-keyspace-events": "Ex"}
    job = result["job"]
    assert job["job_id"] == JOB and job["status"] == "SUCCESS" and job["job_type"] == "modifyConfigJob"
    assert [h["status"] for h in job["status_history"]] == ["RUNNING", "SUCCESS"]
    assert set(job) >= {"finished", "begin_time_iso", "end_time_iso", "duration_seconds", "fail_reason"}
    assert fake.values["timeout"] == "300" and result["config_status"] == "SUCCESS"
    # read, list the tasks already there, change, two polls, read again to verify
    assert [r.method + " " + r.path.split("?")[0].rsplit("/", 1)[1] for r in server.requests] == [
        "GET configs", "GET tasks", "PUT async-configs", "GET " + JOB, "GET " + JOB, "GET configs"]
    assert result["change_requests"] == 1 and result["recovered"] is False


def test_unchanged_rerun_sends_only_reads(run, server):
    result = run(parameters={"timeout": "0", "maxmemory-policy": "volatile-lru", "appendonly": False})
    assert result["_rc"] == 0 and result["changed"] is False
    assert result["changed_parameters"] == {} and result["restart_required"] == [] and "job" not in result
    assert puts(server) == [] and all(r.method == "GET" for r in server.requests)
    assert len(server.requests) == 1


def test_second_run_after_a_change_reports_no_change(run, server):
    assert run(parameters={"timeout": 300})["changed"] is True
    count = len(server.requests)
    again = run(parameters={"timeout": 300})
    assert again["changed"] is False and len(puts(server)) == 1
    assert [r.method for r in server.requests[count:]] == ["GET"]


def test_integers_compare_as_numbers(run, server, fake):
    fake.values["timeout"] = "300"
    result = run(parameters={"timeout": "0300"})
    assert result["changed"] is False and puts(server) == []


def test_restart_required_names_the_changed_parameters_that_need_one(run, server):
    result = run(parameters={"appendonly": "yes", "timeout": 10})
    assert result["_rc"] == 0 and result["restart_required"] == ["appendonly"]
    assert sent_parameters(server) == [{"appendonly": "yes", "timeout": "10"}]


@pytest.mark.parametrize("value,sent", [(True, "yes"), (False, None)])
def test_booleans_map_to_yes_and_no_for_a_yes_no_enum(run, server, value, sent):
    result = run(parameters={"appendonly": value})
    assert result["_rc"] == 0
    assert sent_parameters(server) == ([{"appendonly": sent}] if sent else [])
    assert result["parameters"] == {"appendonly": "yes" if value else "no"}


@pytest.mark.parametrize("parameters,texts", [
    ({"timeout": True}, ["timeout: true is a boolean, but timeout takes an integer from 0 to 7200", "quote the value"]),
    ({"appendfsync": False}, ["appendfsync: false is a boolean", "one of no, always, everysec"]),
    ({"timeout": 99999}, ["timeout: 99999 is out of range; timeout takes an integer from 0 to 7200"]),
    ({"timeout": "-1"}, ["timeout: '-1' is out of range"]),
    ({"timeout": "ten"}, ["timeout: 'ten' is not an integer; timeout takes an integer from 0 to 7200"]),
    ({"timeout": 1.5}, ["timeout: 1.5 is a decimal number"]),
    ({"timeout": None}, ["timeout: the value is null"]),
    ({"timeout": [1]}, ["timeout: a list is not a parameter value"]),
    ({"maxmemory-policy": "allkeys-lfu"}, ["maxmemory-policy: 'allkeys-lfu' is not allowed; maxmemory-policy takes one of "
                                           "volatile-lru, allkeys-lru, noeviction"]),
    ({"maxmemory_policy": "noeviction"}, ["'maxmemory_policy' is not a parameter of this instance: did you mean 'maxmemory-policy'?"]),
    ({"no-such-thing-at-all": "1"}, ["'no-such-thing-at-all' is not a parameter of this instance: it has 5 parameters"]),
    ({"timeout": 99999, "tmeout": 1}, ["2 parameters of instance", "did you mean 'timeout'?", "99999 is out of range"]),
])
def test_invalid_parameters_are_rejected_before_sending(run, server, parameters, texts):
    result = run(parameters=parameters)
    assert result["failed"] is True
    assert "rejected, nothing was sent" in result["msg"]
    for text in texts:
        assert text in result["msg"], result["msg"]
    assert puts(server) == []


def test_one_bad_parameter_stops_the_good_ones_too(run, server):
    result = run(parameters={"timeout": 300, "appendfsync": "sometimes"})
    assert result["failed"] is True and "appendfsync: 'sometimes' is not allowed" in result["msg"]
    assert puts(server) == []


def test_empty_parameters_fail_before_any_request(run, server):
    result = run(parameters={})
    assert result["failed"] is True and "parameters is empty" in result["msg"]
    assert server.requests == []


def test_check_mode_predicts_and_sends_nothing(run, server, fake):
    result = run(parameters={"timeout": 300, "appendonly": "yes", "appendfsync": "everysec"}, _ansible_check_mode=True)
    assert result["_rc"] == 0 and result["changed"] is True
    assert result["changed_parameters"] == {"timeout": {"before": "0", "after": "300"}, "appendonly": {"before": "no", "after": "yes"}}
    assert result["restart_required"] == ["appendonly"] and "job" not in result
    assert puts(server) == [] and fake.values["timeout"] == "0"


def test_check_mode_still_rejects_bad_values(run, server):
    result = run(parameters={"timeout": 99999}, _ansible_check_mode=True)
    assert result["failed"] is True and "out of range" in result["msg"] and puts(server) == []


def test_diff_has_every_asked_parameter_before_and_after(run):
    result = run(parameters={"timeout": 300, "appendfsync": "everysec"}, _ansible_check_mode=True, _ansible_diff=True)
    assert result["diff"]["before"] == {"timeout": "0", "appendfsync": "everysec"}
    assert result["diff"]["after"] == {"timeout": "300", "appendfsync": "everysec"}
    assert INSTANCE in result["diff"]["before_header"]


def test_job_failure_fails_with_its_reason(run, fake):
    fake.job_plan = [("RUNNING", None), ("FAIL", "The parameter cannot be modified now.")]
    result = run(parameters={"timeout": 300})
    assert result["failed"] is True and result["changed"] is True
    assert "job %s (modifyConfigJob) ended FAIL: The parameter cannot be modified now" % JOB in result["msg"]
    assert result["job"]["fail_reason"] == "The parameter cannot be modified now."
    assert result["changed_parameters"] == {"timeout": {"before": "0", "after": "300"}}


def test_job_failure_reported_without_failing(run, fake):
    fake.job_plan = [("FAIL", "nope")]
    result = run(parameters={"timeout": 300}, fail_on_job_failure=False)
    assert result["_rc"] == 0 and result["job"]["status"] == "FAIL" and result["changed"] is True


def test_without_wait_the_job_is_polled_once(run, server, fake):
    result = run(parameters={"timeout": 300}, wait=False)
    assert result["_rc"] == 0 and result["job"]["status"] == "RUNNING" and "status_history" not in result["job"]
    assert fake.job_polls == 1 and server.requests[-1].path.endswith("/jobs/" + JOB)


def test_success_without_the_values_applied_fails(run, fake):
    fake.apply = False
    result = run(parameters={"timeout": 300})
    assert result["failed"] is True
    assert "ended SUCCESS, but instance %s does not show the new values: timeout is '0', not '300'" % INSTANCE in result["msg"]
    assert result["job"]["status"] == "SUCCESS"


def test_a_refused_change_is_not_retried_and_says_nothing_changed(run, server, fake):
    def refuse(request):
        return Answer(400, {"error_code": "DCS.4607", "error_msg": "bad value"}) if request.method == "PUT" else fake(request)
    server.default = refuse
    result = run(parameters={"timeout": 300}, api_retries=3, wait_timeout=10)
    assert result["failed"] is True and result["error_code"] == "DCS.4607" and len(puts(server)) == 1
    assert "Nothing was changed" in result["msg"] and result["changed"] is False and result["change_requests"] == 1


def test_frozen_instance_is_refused_before_sending(run, server, fake):
    frozen = fake.configs()
    frozen["status"] = "FROZEN"
    server.queue(Answer(200, frozen))
    result = run(parameters={"timeout": 300})
    assert result["failed"] is True and "status FROZEN" in result["msg"] and puts(server) == []


def test_unknown_instance_id_is_refused_before_any_request(run, server):
    result = run(instance_id="../x", parameters={"timeout": 1})
    assert result["failed"] is True and "is not a valid ID" in result["msg"] and server.requests == []


def test_the_change_body_is_the_sdk_model(run, server):
    model = pytest.importorskip("huaweicloudsdkdcs.v2.model")
    run(parameters={"timeout": 300, "appendonly": "yes"}, wait=False)
    sent = puts(server)[0].json()
    body = model.ModifyRedisConfigBody(redis_config=[model.RedisConfig(**item) for item in sent["redis_config"]])
    assert body.to_dict() == sent
    assert set(sent) == set(model.ModifyRedisConfigBody.attribute_map.values())
    assert all(set(item) == set(model.RedisConfig.attribute_map.values()) for item in sent["redis_config"])
