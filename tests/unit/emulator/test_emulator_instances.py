# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's DCS instances: endpoints, jobs that change the instance, busy and failure rules, the
accept-then-drop fault and the admin endpoints. Requests are signed with the emulator's own verifier
functions (no SDK needed); test_emulator_instances_sdk.py uses the official SDK as the peer."""

from __future__ import annotations

import json
import socket
import time

import pytest

from ansible_collections.hwc.dcs.tests.emulator import dcs_emulator
from ansible_collections.hwc.dcs.tests.support.constants import (
    AK, CLUSTER_GROUP, CLUSTER_GROUP_MASTER, CLUSTER_GROUP_SLAVE, CLUSTER_GROUP_SLAVE2, CLUSTER_GROUPS, CLUSTER_INSTANCE,
    HA_GROUP, HA_INSTANCE, HA_MASTER_NODE, HA_SLAVE_NODE, OTHER_PROJECT, PROJECT, SINGLE_INSTANCE, SK)
from ansible_collections.hwc.dcs.tests.support.emulator import TEST_JOB_SECONDS, emulator_config
from ansible_collections.hwc.dcs.tests.support.http_server import raw_request

SWAP = "/v2/%s/instances/%s/async-swap"
SWITCHOVER = "/v2/%s/instance/%s/groups/%s/replications/%s/async-switchover"
CONFIGS = "/v2/%s/instances/%s/async-configs"


def call(emu, method, path, body=None, query="", project=PROJECT, timeout=10):
    """A request signed by the emulator's own verifier functions; ``body`` a JSON value or bytes."""
    data = body if isinstance(body, bytes) else (b"" if body is None else json.dumps(body).encode("utf-8"))
    headers = {"content-type": "application/json", "host": emu.url.partition("://")[2],
               "x-sdk-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "x-project-id": project}
    signed = sorted(headers)
    sts = dcs_emulator.string_to_sign(method, path, query, headers, signed, data)
    headers["authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        AK, ";".join(signed), dcs_emulator.compute_signature(SK, sts))
    target = path + ("?" + query if query else "")
    return raw_request(emu.url, method, target, headers, body=data or None, timeout=timeout)


def get(emu, suffix, instance_id=HA_INSTANCE, query="", project=PROJECT, singular=False):
    path = "/v2/%s/%s/%s%s" % (project, "instance" if singular else "instances", instance_id, suffix)
    return call(emu, "GET", path, query=query, project=project)


def swap(emu, instance_id=HA_INSTANCE):
    return call(emu, "PUT", SWAP % (PROJECT, instance_id))


def switchover(emu, node_id=CLUSTER_GROUP_SLAVE, group_id=CLUSTER_GROUP, instance_id=CLUSTER_INSTANCE):
    return call(emu, "POST", SWITCHOVER % (PROJECT, instance_id, group_id, node_id))


def set_config(emu, changes, instance_id=HA_INSTANCE):
    body = {"redis_config": [{"param_name": k, "param_value": v} for k, v in changes.items()]}
    return call(emu, "PUT", CONFIGS % (PROJECT, instance_id), body)


def job(emu, job_id):
    return call(emu, "GET", "/v2/%s/jobs/%s" % (PROJECT, job_id)).json()


def wait_job(emu, job_id, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = job(emu, job_id)
        if answer["status"] in ("SUCCESS", "FAIL"):
            return answer
        time.sleep(0.05)
    raise AssertionError("job %s did not end" % job_id)


def admin(emu, method, path, body=None):
    data = json.dumps(body).encode("utf-8") if body is not None else None
    return raw_request(emu.url, method, path, {"Content-Type": "application/json"}, body=data)


def error(answer):
    return answer.status, answer.json()["error_code"]


def roles(emu, instance_id=HA_INSTANCE):
    return {n["node_id"]: n["node_type"] for n in get(emu, "/logical-nodes", instance_id).json()["nodes"]}


def config_values(emu, instance_id=HA_INSTANCE):
    return {c["param_name"]: c["param_value"] for c in get(emu, "/configs", instance_id).json()["redis_config"]}


# ---- reads ---------------------------------------------------------------------------------------

def test_show_instance_has_the_facts_a_change_window_checks(emulator):
    answer = get(emulator, "")
    assert answer.status == 200
    body = answer.json()
    assert body["instance_id"] == HA_INSTANCE and body["name"] == "redis-ha-test"
    assert (body["status"], body["engine"], body["engine_version"], body["cache_mode"]) == ("RUNNING", "Redis", "6.0", "ha")
    assert (body["spec_code"], body["capacity"], body["ip"], body["port"]) == ("redis.ha.xu1.large.r2.2", 2, "192.168.0.10", 6379)
    assert body["az_codes"] == ["cn-north-4a", "cn-north-4b"]
    assert (body["replica_count"], body["sharding_count"]) == (2, 1)
    assert "task" not in body
    cluster = get(emulator, "", CLUSTER_INSTANCE).json()
    assert (cluster["cache_mode"], cluster["sharding_count"], cluster["replica_count"]) == ("cluster", 3, 3)


def test_unknown_instance_and_other_project_are_404(emulator):
    assert error(get(emulator, "", "no-such-instance")) == (404, "DCS.4010")
    assert get(emulator, "", "no-such-instance").json()["error_ext_msg"] is None
    assert error(get(emulator, "", project=OTHER_PROJECT)) == (404, "DCS.4010")
    for suffix in ("/logical-nodes", "/configs", "/tasks"):
        assert error(get(emulator, suffix, "nope")) == (404, "DCS.4010")
    assert error(get(emulator, "/groups", "nope", singular=True)) == (404, "DCS.4010")
    assert error(swap(emulator, "nope")) == (404, "DCS.4010")


def test_list_filters_and_paging(emulator):
    path = "/v2/%s/instances" % PROJECT
    every = call(emulator, "GET", path).json()
    assert every["instance_num"] == 3
    assert {i["instance_id"] for i in every["instances"]} == {HA_INSTANCE, CLUSTER_INSTANCE, SINGLE_INSTANCE}
    assert "task" not in every["instances"][0] and "cache_mode" not in every["instances"][0]  # InstanceListInfo fields
    assert [i["name"] for i in call(emulator, "GET", path, query="name=cluster").json()["instances"]] == ["redis-cluster-test"]
    assert call(emulator, "GET", path, query="name=redis").json()["instance_num"] == 3
    assert call(emulator, "GET", path, query="name_equal=redis").json()["instance_num"] == 0
    assert call(emulator, "GET", path, query="name_equal=redis-ha-test").json()["instances"][0]["instance_id"] == HA_INSTANCE
    assert call(emulator, "GET", path, query="status=RUNNING").json()["instance_num"] == 3
    assert call(emulator, "GET", path, query="status=FROZEN").json() == {"instance_num": 0, "instances": []}
    assert call(emulator, "GET", path, query="instance_id=" + SINGLE_INSTANCE).json()["instance_num"] == 1
    page = call(emulator, "GET", path, query="offset=1&limit=1").json()
    assert page["instance_num"] == 3 and len(page["instances"]) == 1
    assert page["instances"][0]["instance_id"] == every["instances"][1]["instance_id"]
    for bad in ("limit=0", "limit=1001", "offset=-1", "limit=x"):
        assert error(call(emulator, "GET", path, query=bad)) == (400, "DCS.4608")
    assert call(emulator, "GET", "/v2/%s/instances" % OTHER_PROJECT, project=OTHER_PROJECT).json()["instance_num"] == 0


def test_nodes_and_groups(emulator):
    nodes = get(emulator, "/logical-nodes").json()
    assert nodes["instance_id"] == HA_INSTANCE and nodes["total"] == 2
    assert roles(emulator) == {HA_MASTER_NODE: "master", HA_SLAVE_NODE: "slave"}
    node = nodes["nodes"][0]
    assert (node["node_role"], node["node_ip"], node["node_port"], node["group_id"], node["status"]) == (
        "redis-server", "192.168.0.11", "6379", HA_GROUP, "Active")
    assert node["replication_id"] != node["node_id"]
    groups = get(emulator, "/groups", CLUSTER_INSTANCE, singular=True).json()
    assert groups["group_count"] == 3 and [g["group_id"] for g in groups["group_list"]] == list(CLUSTER_GROUPS)
    first = groups["group_list"][0]["replication_list"]
    assert [(r["node_id"], r["replication_role"]) for r in first] == [
        (CLUSTER_GROUP_MASTER, "master"), (CLUSTER_GROUP_SLAVE, "slave"), (CLUSTER_GROUP_SLAVE2, "slave")]
    assert get(emulator, "/logical-nodes", CLUSTER_INSTANCE).json()["total"] == 7
    ha_groups = get(emulator, "/groups", singular=True).json()
    assert ha_groups["group_count"] == 1 and len(ha_groups["group_list"][0]["replication_list"]) == 2


def test_generated_layout_when_no_groups_are_given(make_emulator):
    emu = make_emulator(emulator_config(instances={"i-ha": {"cache_mode": "ha"}, "i-cl": {"cache_mode": "cluster"},
                                                   "i-one": {"cache_mode": "single"}}))
    assert sorted(roles(emu, "i-ha").values()) == ["master", "slave"]
    assert get(emu, "/groups", "i-cl", singular=True).json()["group_count"] == 3
    assert sorted(roles(emu, "i-cl").values()) == ["master"] * 3 + ["slave"] * 3
    assert list(roles(emu, "i-one").values()) == ["master"]
    assert len(get(emu, "/configs", "i-one").json()["redis_config"]) == 7


def test_default_configuration_set(emulator):
    body = get(emulator, "/configs").json()
    assert (body["instance_id"], body["config_status"], body["status"]) == (HA_INSTANCE, "SUCCESS", "RUNNING")
    by_name = {c["param_name"]: c for c in body["redis_config"]}
    assert set(by_name) == {"timeout", "maxmemory-policy", "notify-keyspace-events", "hash-max-ziplist-entries",
                            "latency-monitor-threshold", "appendfsync", "appendonly"}
    assert by_name["timeout"] == {"param_id": "1", "param_name": "timeout", "param_value": "0", "default_value": "0",
                                  "value_type": "Interger", "value_range": "0-7200", "description": by_name["timeout"]["description"],
                                  "need_restart": False}
    assert by_name["maxmemory-policy"]["value_type"] == "Enum" and "allkeys-lfu" in by_name["maxmemory-policy"]["value_range"]
    assert by_name["notify-keyspace-events"]["value_type"] == "String"
    assert by_name["appendonly"]["need_restart"] is True and by_name["appendfsync"]["need_restart"] is False
    assert all(isinstance(c["param_value"], str) for c in body["redis_config"])


# ---- switchover ----------------------------------------------------------------------------------

def test_master_standby_switchover_job_swaps_the_roles(emulator):
    answer = swap(emulator)
    assert answer.status == 200 and set(answer.json()) == {"job_id"}
    job_id = answer.json()["job_id"]
    first = job(emulator, job_id)
    assert first["status"] in ("INIT", "RUNNING") and first["job_type"] == "masterStandbySwapJob"
    busy = get(emulator, "").json()
    assert busy["status"] == "RUNNING"
    assert busy["task"] == {"id": busy["task"]["id"], "name": "MasterStandbySwap", "status": "RUNNING", "job_id": job_id}
    assert roles(emulator)[HA_MASTER_NODE] == "master"  # not yet
    done = wait_job(emulator, job_id)
    assert done["status"] == "SUCCESS" and done["fail_reason"] is None
    assert int(done["end_time"]) - int(done["begin_time"]) == int(TEST_JOB_SECONDS * 1000)
    assert roles(emulator) == {HA_MASTER_NODE: "slave", HA_SLAVE_NODE: "master"}
    assert "task" not in get(emulator, "").json()
    assert emulator.instance_state(HA_INSTANCE)["master"] == HA_SLAVE_NODE
    again = swap(emulator).json()["job_id"]
    wait_job(emulator, again)
    assert roles(emulator)[HA_MASTER_NODE] == "master"


def test_lifecycle_passes_init_running_success(make_emulator):
    emu = make_emulator(emulator_config(instance_job_seconds=1.0))
    job_id = swap(emu).json()["job_id"]
    seen = []
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and (not seen or seen[-1] != "SUCCESS"):
        status = job(emu, job_id)["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        time.sleep(0.03)
    assert seen == ["INIT", "RUNNING", "SUCCESS"]


def test_cluster_switchover_makes_the_replica_master(emulator):
    answer = switchover(emulator, CLUSTER_GROUP_SLAVE2)
    assert answer.status == 200
    done = wait_job(emulator, answer.json()["job_id"])
    assert (done["status"], done["job_type"]) == ("SUCCESS", "clusterSwitchoverJob")
    first = get(emulator, "/groups", CLUSTER_INSTANCE, singular=True).json()["group_list"][0]["replication_list"]
    assert {r["node_id"]: r["replication_role"] for r in first} == {
        CLUSTER_GROUP_MASTER: "slave", CLUSTER_GROUP_SLAVE: "slave", CLUSTER_GROUP_SLAVE2: "master"}
    state = emulator.instance_state(CLUSTER_INSTANCE)
    assert state["masters"][CLUSTER_GROUP] == CLUSTER_GROUP_SLAVE2
    assert state["masters"][CLUSTER_GROUPS[1]] == CLUSTER_GROUPS[1][:-1] + "1"  # other shards untouched


def test_switchover_errors(emulator):
    assert error(swap(emulator, CLUSTER_INSTANCE)) == (400, "DCS.4601")
    assert error(swap(emulator, SINGLE_INSTANCE)) == (400, "DCS.4601")
    assert error(switchover(emulator, HA_SLAVE_NODE, HA_GROUP, HA_INSTANCE)) == (400, "DCS.4601")
    assert error(switchover(emulator, group_id="nogroup")) == (404, "DCS.4602")
    assert error(switchover(emulator, node_id="nonode")) == (404, "DCS.4603")
    assert error(switchover(emulator, node_id=CLUSTER_GROUPS[1][:-1] + "2")) == (404, "DCS.4603")  # node of another group
    assert error(switchover(emulator, node_id=CLUSTER_GROUP_MASTER)) == (400, "DCS.4604")
    assert emulator.operations() == []
    assert [e["accepted"] for e in emulator.requests if e.get("operation")] == [False] * 7


def test_busy_while_a_switchover_runs(make_emulator):
    emu = make_emulator(emulator_config(instance_job_seconds=1.0))
    job_id = swap(emu).json()["job_id"]
    assert error(swap(emu)) == (400, "DCS.4026")
    assert error(set_config(emu, {"timeout": "10"})) == (400, "DCS.4026")
    cluster_job = switchover(emu).json()["job_id"]
    assert error(switchover(emu, CLUSTER_GROUP_SLAVE2)) == (400, "DCS.4026")
    wait_job(emu, job_id)
    wait_job(emu, cluster_job)
    assert swap(emu).status == 200
    assert len(emu.operations()) == 3


def test_not_running_instance_refuses_changes(emulator):
    emulator.update_instance(HA_INSTANCE, {"status": "RESTARTING"})
    assert get(emulator, "").json()["status"] == "RESTARTING"
    assert error(swap(emulator)) == (400, "DCS.4049")
    assert error(set_config(emulator, {"timeout": "5"})) == (400, "DCS.4049")


def test_failed_switchover_keeps_the_roles(emulator):
    reason = "The standby node is not in sync with the master; switchover aborted."
    admin(emulator, "POST", "/_emulator/instances/%s" % HA_INSTANCE, {"fail_next_switchover": reason})
    job_id = swap(emulator).json()["job_id"]
    done = wait_job(emulator, job_id)
    assert (done["status"], done["fail_reason"]) == ("FAIL", reason)
    assert roles(emulator) == {HA_MASTER_NODE: "master", HA_SLAVE_NODE: "slave"}
    task = get(emulator, "/tasks").json()["tasks"][0]
    assert (task["status"], task["job_id"]) == ("FAIL", job_id)
    second = wait_job(emulator, swap(emulator).json()["job_id"])  # the setting was for the next one only
    assert second["status"] == "SUCCESS" and roles(emulator)[HA_SLAVE_NODE] == "master"


def test_failures_from_the_config_with_a_count(make_emulator):
    instances = {"i-flaky": {"cache_mode": "cluster", "fail_next_switchover": {"fail_reason": "nope", "count": 2},
                             "fail_next_config": "bad config"}}
    emu = make_emulator(emulator_config(instances=instances))
    group = get(emu, "/groups", "i-flaky", singular=True).json()["group_list"][0]
    slave = [r["node_id"] for r in group["replication_list"] if r["replication_role"] == "slave"][0]
    for expected in ("FAIL", "FAIL", "SUCCESS"):
        answer = switchover(emu, slave, group["group_id"], "i-flaky")
        assert wait_job(emu, answer.json()["job_id"])["status"] == expected
    done = wait_job(emu, set_config(emu, {"timeout": "30"}, "i-flaky").json()["job_id"])
    assert (done["status"], done["fail_reason"], done["job_type"]) == ("FAIL", "bad config", "modifyConfigJob")
    configs = get(emu, "/configs", "i-flaky").json()
    assert configs["config_status"] == "FAILURE"
    assert config_values(emu, "i-flaky")["timeout"] == "0"


# ---- configuration -------------------------------------------------------------------------------

def test_config_change_applies_when_the_job_succeeds(make_emulator):
    emu = make_emulator(emulator_config(instance_job_seconds=0.6))
    answer = set_config(emu, {"timeout": "300", "maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "KEA"})
    assert answer.status == 200
    job_id = answer.json()["job_id"]
    running = get(emu, "/configs").json()
    assert running["config_status"] == "UPDATING" and config_values(emu)["timeout"] == "0"
    assert get(emu, "").json()["task"]["name"] == "ModifyConfig"
    assert error(set_config(emu, {"timeout": "1"})) == (400, "DCS.4114")
    assert error(swap(emu)) == (400, "DCS.4114")
    assert wait_job(emu, job_id)["job_type"] == "modifyConfigJob"
    after = get(emu, "/configs").json()
    assert after["config_status"] == "SUCCESS" and after["config_time"] != running["config_time"]
    assert {k: v for k, v in config_values(emu).items() if k in ("timeout", "maxmemory-policy", "notify-keyspace-events")} == {
        "timeout": "300", "maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "KEA"}
    assert emu.instance_state(HA_INSTANCE)["configs"]["timeout"] == "300"
    assert config_values(emu, CLUSTER_INSTANCE)["timeout"] == "0"  # other instances untouched


def test_config_body_accepts_param_id(emulator):
    body = {"redis_config": [{"param_id": "1", "param_name": "timeout", "param_value": "7200"}]}
    assert call(emulator, "PUT", CONFIGS % (PROJECT, HA_INSTANCE), body).status == 200


@pytest.mark.parametrize("body, code", [
    (b"not json", "DCS.4605"),
    ({}, "DCS.4605"),
    ({"redis_config": []}, "DCS.4605"),
    ({"redis_config": {"timeout": "1"}}, "DCS.4605"),
    ({"redis_config": [{"param_name": "timeout", "param_value": 300}]}, "DCS.4605"),
    ({"redis_config": [{"param_name": "timeout"}]}, "DCS.4605"),
    ({"redis_config": [{"param_id": "2", "param_name": "timeout", "param_value": "3"}]}, "DCS.4605"),
    ({"redis_config": [{"param_name": "timeout", "param_value": "3"}, {"param_name": "timeout", "param_value": "4"}]}, "DCS.4605"),
    ({"redis_config": [{"param_name": "no-such-param", "param_value": "1"}]}, "DCS.4606"),
    ({"redis_config": [{"param_name": "timeout", "param_value": "7201"}]}, "DCS.4607"),
    ({"redis_config": [{"param_name": "timeout", "param_value": "-1"}]}, "DCS.4607"),
    ({"redis_config": [{"param_name": "timeout", "param_value": "1.5"}]}, "DCS.4607"),
    ({"redis_config": [{"param_name": "hash-max-ziplist-entries", "param_value": "0"}]}, "DCS.4607"),
    ({"redis_config": [{"param_name": "maxmemory-policy", "param_value": "lru"}]}, "DCS.4607"),
    ({"redis_config": [{"param_name": "appendonly", "param_value": "YES"}]}, "DCS.4607"),
])
def test_config_body_is_validated(emulator, body, code):
    answer = call(emulator, "PUT", CONFIGS % (PROJECT, HA_INSTANCE), body)
    assert error(answer) == (400, code)
    assert emulator.operations() == [] and get(emulator, "/tasks").json()["task_count"] == "0"


# ---- tasks ---------------------------------------------------------------------------------------

def test_tasks_list_the_operations_newest_first(emulator):
    swap_job = wait_job(emulator, swap(emulator).json()["job_id"])["job_id"]
    config_job = set_config(emulator, {"appendonly": "no"}).json()["job_id"]
    body = get(emulator, "/tasks").json()
    assert body["task_count"] == "2"
    newest, oldest = body["tasks"]
    assert (newest["name"], newest["status"], newest["job_id"]) == ("ModifyConfig", "RUNNING", config_job)
    assert (oldest["name"], oldest["status"], oldest["job_id"]) == ("MasterStandbySwap", "SUCCESS", swap_job)
    assert json.loads(oldest["params"]) == {"job_id": swap_job, "old_master": HA_MASTER_NODE, "new_master": HA_SLAVE_NODE}
    assert json.loads(newest["params"])["redis_config"] == [{"param_name": "appendonly", "param_value": "no"}]
    assert newest["created_at"].endswith("Z") and oldest["updated_at"].endswith("Z") and newest["updated_at"] is None
    assert get(emulator, "/tasks", query="limit=1&offset=1").json()["tasks"][0]["job_id"] == swap_job
    assert get(emulator, "/tasks", CLUSTER_INSTANCE).json() == {"task_count": "0", "tasks": []}


def test_tasks_time_window(emulator):
    swap(emulator)
    now = time.gmtime(emulator.now())
    start = time.strftime("%Y%m%d%H%M%S", time.gmtime(emulator.now() - 60))
    later = time.strftime("%Y%m%d%H%M%S", time.gmtime(emulator.now() + 60))
    assert get(emulator, "/tasks", query="start_time=%s&end_time=%s" % (start, later)).json()["task_count"] == "1"
    assert get(emulator, "/tasks", query="start_time=" + later).json()["task_count"] == "0"
    assert get(emulator, "/tasks", query="end_time=" + start).json()["task_count"] == "0"
    assert now  # the emulator's clock drives created_at
    assert error(get(emulator, "/tasks", query="start_time=2024-01-01")) == (400, "DCS.4608")


def test_seeded_tasks_are_served(make_emulator):
    seeded = {"id": "t-1", "name": "ChangeInstanceSpec", "details": {}, "user_name": "u", "user_id": "i", "params": "{}",
              "status": "SUCCESS", "created_at": "2024-06-17T07:38:42.503Z", "updated_at": "2024-06-17T07:40:00.000Z",
              "enable_show": False}
    emu = make_emulator(emulator_config(instances={"i-1": {"cache_mode": "ha", "tasks": [seeded]}}))
    job_id = swap(emu, "i-1").json()["job_id"]
    tasks = get(emu, "/tasks", "i-1").json()["tasks"]
    assert [t["id"] for t in tasks][1:] == ["t-1"] and tasks[0]["job_id"] == job_id


# ---- the accept-then-drop fault ------------------------------------------------------------------

def test_accept_then_drop_performs_the_switchover_and_resets(emulator):
    emulator.set_faults({"/v2/*/instances/*/async-swap": [{"kind": "accept_then_drop"}]})
    with pytest.raises((ConnectionError, OSError, socket.error)):
        swap(emulator)
    entry = [e for e in emulator.requests if e.get("operation")][-1]
    assert (entry["status"], entry["fault"], entry["accepted"], entry["note"]) == (0, "accept_then_drop", True, "accept_then_drop")
    operations = emulator.operations()
    assert len(operations) == 1 and operations[0]["job_id"] == entry["job_id"]
    assert operations[0]["operation"] == "switchover" and operations[0]["instance_id"] == HA_INSTANCE
    task = get(emulator, "/tasks").json()["tasks"][0]
    assert task["job_id"] == entry["job_id"] and json.loads(task["params"])["job_id"] == entry["job_id"]
    assert wait_job(emulator, entry["job_id"])["status"] == "SUCCESS"
    assert roles(emulator)[HA_SLAVE_NODE] == "master"
    logged = admin(emulator, "GET", "/_emulator/requests").json()
    assert logged["accepted"] == {"switchover": 1, "config": 0}


def test_accept_then_drop_on_cluster_and_config_routes(emulator):
    emulator.set_faults({"/v2/*/instance/*/groups/*/replications/*/async-switchover": [{"kind": "accept_then_drop"}],
                         "/v2/*/instances/*/async-configs": [{"kind": "accept_then_drop"}]})
    for send in (lambda: switchover(emulator), lambda: set_config(emulator, {"timeout": "60"})):
        with pytest.raises((ConnectionError, OSError, socket.error)):
            send()
    assert emulator.store.operation_counts() == {"switchover": 1, "config": 1}
    assert [e["status"] for e in emulator.requests] == [0, 0]


def test_accept_then_drop_of_a_refused_request_performs_nothing(emulator):
    emulator.set_faults({"/v2/*/instances/*/async-swap": [{"kind": "accept_then_drop"}]})
    with pytest.raises((ConnectionError, OSError, socket.error)):
        swap(emulator, SINGLE_INSTANCE)
    assert emulator.requests[-1]["accepted"] is False and emulator.operations() == []


def test_accept_then_slow_answers_late(emulator):
    emulator.set_faults({"/v2/*/instances/*/async-swap": [{"kind": "accept_then_slow", "seconds": 0.5}]})
    started = time.monotonic()
    answer = swap(emulator)
    assert answer.status == 200 and time.monotonic() - started >= 0.5
    assert emulator.operations()[0]["job_id"] == answer.json()["job_id"]


# ---- admin ---------------------------------------------------------------------------------------

def test_admin_reads_patches_and_resets_instances(emulator):
    listing = admin(emulator, "GET", "/_emulator/instances").json()["instances"]
    assert set(listing) == {HA_INSTANCE, CLUSTER_INSTANCE, SINGLE_INSTANCE}
    state = admin(emulator, "GET", "/_emulator/instances/%s" % HA_INSTANCE).json()
    assert (state["master"], state["configs"]["timeout"], state["busy"], state["config_status"]) == (HA_MASTER_NODE, "0", None, "SUCCESS")
    assert admin(emulator, "GET", "/_emulator/instances/nope").status == 404
    patched = admin(emulator, "POST", "/_emulator/instances/%s" % HA_INSTANCE,
                    {"master": HA_SLAVE_NODE, "param_values": {"timeout": "9"}, "job_seconds": 0}).json()
    assert (patched["master"], patched["configs"]["timeout"], patched["job_seconds"]) == (HA_SLAVE_NODE, "9", 0)
    job_id = swap(emulator).json()["job_id"]
    assert job(emulator, job_id)["status"] == "SUCCESS"  # job_seconds 0: done at once
    assert emulator.instance_state(HA_INSTANCE)["master"] == HA_MASTER_NODE
    assert admin(emulator, "POST", "/_emulator/instances/reset", {"instance_id": HA_INSTANCE}).json() == {"ok": True}
    state = emulator.instance_state(HA_INSTANCE)
    assert (state["master"], state["configs"]["timeout"], state["tasks"], state["job_seconds"]) == (HA_MASTER_NODE, "0", [], None)
    assert error(call(emulator, "GET", "/v2/%s/jobs/%s" % (PROJECT, job_id))) == (404, "DCS.4404")  # its job is gone
    assert admin(emulator, "POST", "/_emulator/instances/reset", {"instance_id": "nope"}).status == 404


def test_admin_adds_instances_and_reset_restores_everything(emulator):
    assert admin(emulator, "POST", "/_emulator/instances", {"instances": {"i-new": {"cache_mode": "single", "name": "n"}}}).status == 200
    assert get(emulator, "", "i-new").json()["name"] == "n"
    wait_job(emulator, swap(emulator).json()["job_id"])
    assert admin(emulator, "GET", "/_emulator/operations").json()["counts"] == {"switchover": 1, "config": 0}
    admin(emulator, "POST", "/_emulator/reset")
    assert emulator.instance_state(HA_INSTANCE)["master"] == HA_MASTER_NODE
    assert admin(emulator, "GET", "/_emulator/operations").json() == {"operations": [], "counts": {"switchover": 0, "config": 0}}
    assert admin(emulator, "POST", "/_emulator/instances", {"instances": [1]}).status == 400
    admin(emulator, "POST", "/_emulator/instances", {"instances": {"i-only": {}}, "replace": True})
    assert set(admin(emulator, "GET", "/_emulator/instances").json()["instances"]) == {"i-only"}
    assert error(get(emulator, "")) == (404, "DCS.4010")


def test_instance_job_seconds_is_a_setting(emulator):
    assert admin(emulator, "POST", "/_emulator/settings", {"instance_job_seconds": 0}).json()["instance_job_seconds"] == 0
    assert job(emulator, swap(emulator).json()["job_id"])["status"] == "SUCCESS"


def test_extra_and_omit_break_the_show_answer(make_emulator):
    emu = make_emulator(emulator_config(instances={"i-1": {"cache_mode": "ha", "extra": {"capacity": "2"}, "omit": ["ip"]}}))
    body = get(emu, "", "i-1").json()
    assert body["capacity"] == "2" and "ip" not in body


def test_instance_of_every_project(make_emulator):
    emu = make_emulator(emulator_config(instances={"i-any": {"cache_mode": "ha"}}))
    assert get(emu, "", "i-any", project=OTHER_PROJECT).status == 200
