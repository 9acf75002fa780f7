# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_instance_switchover's main(), answered by a fake DCS on 127.0.0.1 (answers shaped as the SDK's models)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.hwc.dcs.plugins.modules import dcs_instance_switchover
from ansible_collections.hwc.dcs.tests.support.constants import PROJECT
from ansible_collections.hwc.dcs.tests.support.fake_jobs import job_body
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, not_found
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller

HA, CLUSTER = "ha-0000-0001", "cl-0000-0001"
GROUP, M1, S1 = "group-a", "node-m1", "node-s1"
CGROUP, CM, CS = "shard-1", "node-cm", "node-cs"
BUSY = Answer(400, {"error_code": "DCS.4026", "error_msg": "The current state does not support the operation."})


def _node(node_id, role, group, status="Active"):
    # NodesInfoResp
    return {"logical_node_id": "l-" + node_id, "name": node_id, "status": status, "az_code": "cn-north-4a",
            "node_role": "redis-server", "node_type": role, "node_ip": "192.168.0.1", "node_port": "6379",
            "node_id": node_id, "priority_weight": 100, "is_access": True, "group_id": group,
            "group_name": group + "-name", "is_remove_ip": False, "replication_id": "r-" + node_id}


class FakeDcs:
    """GET instance / logical-nodes / tasks / jobs and the two switchovers, for one instance."""

    def __init__(self, instance_id=HA, cache_mode="ha", nodes=None):
        self.instance = {"instance_id": instance_id, "name": "redis-test", "status": "RUNNING", "cache_mode": cache_mode,
                         "engine": "Redis", "engine_version": "6.0", "capacity": 2, "port": 6379}
        self.nodes = nodes or [_node(M1, "master", GROUP), _node(S1, "slave", GROUP)]
        self.mutate = []  # per mutating request: None (accept), "busy", "drop" (accept, then reset), "lost" (reset only), "500"
        self.plan = [("RUNNING", None), ("SUCCESS", None)]
        self.apply = True
        self.jobs = {}
        self.tasks = []
        self.accepted = 0
        self.task_name = "MasterStandbySwap"

    def __call__(self, request):
        path = request.path.split("?")[0]
        parts = path.split("/")[3:]
        if request.method in ("PUT", "POST"):
            return self._mutate(parts)
        if parts == ["instances", self.instance["instance_id"]]:
            return Answer(200, self.instance)
        if parts == ["instances", self.instance["instance_id"], "logical-nodes"]:
            return Answer(200, {"instance_id": self.instance["instance_id"], "total": len(self.nodes), "nodes": self.nodes})
        if parts == ["instances", self.instance["instance_id"], "tasks"]:
            return Answer(200, {"task_count": str(len(self.tasks)), "tasks": self.tasks})
        if parts[0] == "jobs" and parts[1] in self.jobs:
            count = self.jobs[parts[1]]
            self.jobs[parts[1]] = count + 1
            status, reason = self.plan[min(count, len(self.plan) - 1)]
            return Answer(200, job_body(parts[1], status, reason))
        if parts[0] == "instances" and len(parts) == 2:
            return Answer(404, {"error_code": "DCS.4010", "error_msg": "The instance does not exist."})
        return not_found(request)

    def _mutate(self, parts):
        how = self.mutate.pop(0) if self.mutate else None
        if how == "busy":
            return BUSY
        if how == "lost":
            return Answer(reset=True)
        self.accepted += 1
        job_id = "job-%d" % self.accepted
        self.jobs[job_id] = 0
        created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        self.tasks.insert(0, {"id": "task-%d" % self.accepted, "name": self.task_name, "details": {}, "user_name": "u",
                              "user_id": "uid", "params": json.dumps({"job_id": job_id}), "status": "RUNNING",
                              "created_at": created, "updated_at": created, "enable_show": False})
        if self.apply and self.plan[-1][0] == "SUCCESS":
            target = parts[5] if parts[0] == "instance" else next(n["node_id"] for n in self.nodes if n["node_type"] == "slave")
            group = next(n["group_id"] for n in self.nodes if n["node_id"] == target)
            for node in self.nodes:
                if node["group_id"] == group:
                    node["node_type"] = "master" if node["node_id"] == target else "slave"
        if how == "drop":
            return Answer(reset=True)
        if how == "500":
            return Answer(500, {"error_code": "DCS.5000", "error_msg": "Internal error."})
        if how == "unreadable":
            return Answer(200, raw="<html>proxy page</html>")
        return Answer(200, {"job_id": job_id})


@pytest.fixture
def fake():
    return FakeDcs()


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    return module_caller(dcs_instance_switchover.main, server, monkeypatch, tmp_path, capsys,
                         api_timeout=5, wait_sleep=0.5, wait_timeout=30, instance_id=HA)


def mutations(server):
    return [(r.method, r.path) for r in server.requests if r.method in ("PUT", "POST")]


def test_declarative_no_op_sends_nothing(run, server):
    result = run(node_id=M1)
    assert result["_rc"] == 0 and result["changed"] is False and result["job"] is None
    assert mutations(server) == [] and result["switchover_requests"] == 0
    assert result["master_before"] == result["master_after"] == {GROUP: M1}


def test_switch_now_always_switches_and_waits(run, server, fake):
    result = run()
    assert result["_rc"] == 0 and result["changed"] is True
    assert mutations(server) == [("PUT", "/v2/%s/instances/%s/async-swap" % (PROJECT, HA))]
    assert result["job"]["job_id"] == "job-1" and result["job"]["status"] == "SUCCESS"
    assert [h["status"] for h in result["job"]["status_history"]] == ["RUNNING", "SUCCESS"]
    assert result["master_before"] == {GROUP: M1} and result["master_after"] == {GROUP: S1} and result["master_verified"]
    again = run()
    assert again["changed"] is True and len(mutations(server)) == 2 and again["master_after"] == {GROUP: M1}


def test_declarative_switch_then_rerun_is_a_no_op(run, server):
    result = run(node_id=S1)
    assert result["changed"] is True and result["operation"] == "async-swap" and result["master_after"] == {GROUP: S1}
    assert result["diff"] == {"before": {"master_node_id": {GROUP: M1}}, "after": {"master_node_id": {GROUP: S1}}}
    rerun = run(node_id=S1)
    assert rerun["changed"] is False and len(mutations(server)) == 1


def test_cluster_switchover_posts_to_the_group_and_node(server, run, fake):
    fake.instance.update(instance_id=CLUSTER, cache_mode="cluster")
    fake.nodes = [_node(CM, "master", CGROUP), _node(CS, "slave", CGROUP), _node("x-m", "master", "shard-2"),
                  _node("x-s", "slave", "shard-2")]
    result = run(instance_id=CLUSTER, group_id=CGROUP, node_id=CS)
    assert result["_rc"] == 0 and result["changed"] is True and result["operation"] == "async-switchover"
    assert mutations(server) == [("POST", "/v2/%s/instance/%s/groups/%s/replications/%s/async-switchover"
                                  % (PROJECT, CLUSTER, CGROUP, CS))]
    assert result["master_after"] == {CGROUP: CS, "shard-2": "x-m"}
    missing = run(instance_id=CLUSTER, node_id="x-s")
    assert missing["failed"] and "group_id and node_id" in missing["msg"] and len(mutations(server)) == 1


def test_check_mode_predicts_and_sends_nothing(run, server):
    result = run(node_id=S1, _ansible_check_mode=True)
    assert result["changed"] is True and result["job"] is None and mutations(server) == []
    assert result["master_after"] == {GROUP: S1} and result["master_verified"] is False
    assert result["diff"]["after"] == {"master_node_id": {GROUP: S1}}
    assert run(node_id=M1, _ansible_check_mode=True)["changed"] is False


def test_busy_answers_are_retried(run, server, fake):
    fake.mutate = ["busy", "busy"]
    result = run(node_id=S1)
    assert result["_rc"] == 0 and result["changed"] is True and len(mutations(server)) == 3
    assert result["retries"] == 2 and fake.accepted == 1 and result["switchover_requests"] == 3


@pytest.mark.parametrize("fault", ["drop", "500", "unreadable"])
def test_ambiguous_failure_is_not_resent_and_the_job_is_followed(run, server, fake, fault):
    fake.mutate = [fault]
    result = run(node_id=S1)
    assert result["_rc"] == 0, result["msg"]
    assert len(mutations(server)) == 1 and fake.accepted == 1 and result["switchover_requests"] == 1
    assert result["recovered"] is True and result["job"]["job_id"] == "job-1" and result["job"]["status"] == "SUCCESS"
    assert result["master_after"] == {GROUP: S1}
    assert any("not sent again" in w and "job-1" in w for w in result["warnings"])
    assert any("/tasks?" in r.path and "start_time=" in r.path for r in server.requests)


def test_ambiguous_failure_with_nothing_found_fails_and_is_not_resent(run, server, fake):
    fake.mutate = ["lost"]
    result = run(node_id=S1)
    assert result["failed"] is True and len(mutations(server)) == 1 and fake.accepted == 0
    assert "NOT sent again" in result["msg"] and "background tasks" in result["msg"] and "current master" in result["msg"]
    assert result["request_resent"] is False and result["ambiguous"] is True and result["master_now"] == {GROUP: M1}


def test_ambiguous_switch_now_without_a_task_succeeds_when_the_layout_changed(run, server, fake):
    fake.mutate = ["drop"]
    fake.task_name = "SomethingElse"
    result = run(node_id=S1)
    assert result["_rc"] == 0 and result["recovered"] is True and result["job"] is None
    assert result["master_after"] == {GROUP: S1} and len(mutations(server)) == 1


def _seed_task(fake, task_id, job_id):
    created = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    fake.tasks.insert(0, dict(id=task_id, name="MasterStandbySwap", params=json.dumps({"job_id": job_id}), status="SUCCESS",
                              created_at=created, updated_at=created, details={}, enable_show=False))


def test_a_switchover_listed_before_the_request_is_not_taken_for_ours(run, server, fake):
    _seed_task(fake, "earlier", "job-earlier")  # a switchover a minute ago, inside the clock-skew window
    fake.mutate = ["drop"]
    result = run()
    assert result["_rc"] == 0 and result["recovered"] is True and result["job"]["job_id"] == "job-1"
    assert len(mutations(server)) == 1


def test_two_new_candidate_tasks_are_not_guessed(run, server, fake):
    fake.mutate = ["drop"]
    accept = fake._mutate

    def accept_and_another(parts):
        _seed_task(fake, "someone-else", "job-other")
        return accept(parts)
    fake._mutate = accept_and_another
    result = run()
    assert result["failed"] is True and "cannot tell" in result["msg"] and "job-other" in result["msg"]
    assert len(mutations(server)) == 1 and result["request_resent"] is False


@pytest.mark.parametrize("mode", ["single", "proxy"])
def test_types_without_switchover_are_refused(run, server, fake, mode):
    fake.instance["cache_mode"] = mode
    result = run()
    assert result["failed"] is True and "cache_mode '%s'" % mode in result["msg"] and "Nothing was sent" in result["msg"]
    assert mutations(server) == []


@pytest.mark.parametrize("change", [dict(status="RESTARTING"), dict(task={"name": "MasterStandbySwap", "status": "RUNNING"})])
def test_instance_not_ready_is_refused(run, server, fake, change):
    fake.instance.update(change)
    result = run(node_id=S1)
    assert result["failed"] is True and "not ready" in result["msg"] and mutations(server) == []


def test_unknown_node_and_wrong_group_are_refused(run, server):
    result = run(node_id="nope")
    assert result["failed"] and "no node 'nope'" in result["msg"] and "node-s1 (slave, group group-a)" in result["msg"]
    wrong = run(node_id=S1, group_id="other")
    assert wrong["failed"] and "belongs to group" in wrong["msg"]
    assert mutations(server) == []


def test_inactive_replica_and_named_replica_among_several_are_refused(run, server, fake):
    fake.nodes[1]["status"] = "Inactive"
    assert "is 'Inactive'" in run(node_id=S1)["msg"]
    fake.nodes[1]["status"] = "Active"
    fake.nodes.append(_node("node-s2", "slave", GROUP))
    result = run(node_id=S1)
    assert result["failed"] and "does not let the caller choose" in result["msg"] and mutations(server) == []


def test_job_failure_reports_the_reason(run, server, fake):
    fake.plan = [("RUNNING", None), ("FAIL", "standby node is not in sync")]
    result = run(node_id=S1)
    assert result["failed"] is True and "ended FAIL: standby node is not in sync" in result["msg"]
    assert result["job"]["fail_reason"] == "standby node is not in sync" and result["changed"] is True
    assert len(mutations(server)) == 1


def test_success_without_the_wanted_master_fails_clearly(run, fake):
    fake.apply = False
    result = run(node_id=S1)
    assert result["failed"] is True and "is not the master of group" in result["msg"] and result["job"]["status"] == "SUCCESS"


def test_without_wait_the_job_is_queried_once(run, server, fake):
    result = run(node_id=S1, wait=False)
    assert result["_rc"] == 0 and result["job"]["status"] == "RUNNING" and "status_history" not in result["job"]
    assert result["master_verified"] is False and result["master_after"] == {GROUP: S1} and result["polls"] == 1


def test_a_definite_rejection_is_reported_and_not_recovered(run, server, fake):
    fake._mutate = lambda parts: Answer(400, {"error_code": "DCS.4601", "error_msg": "not supported"})
    result = run(node_id=S1)
    assert result["failed"] and result["error_code"] == "DCS.4601" and result["changed"] is False
    assert len(mutations(server)) == 1
    after = [r.path for r in server.requests][[r.method for r in server.requests].index("PUT"):]
    assert not any("/tasks" in path for path in after), "a definite rejection needs no search"


def test_unknown_instance(run, server, fake):
    result = run(instance_id="missing-1")
    assert result["failed"] and "was not found" in result["msg"] and mutations(server) == []
