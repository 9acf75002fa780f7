# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""dcs_instance_info's main(), called with arguments, answered by a real HTTP server on 127.0.0.1.

The scripted bodies are shaped like the official SDK's models (ShowInstanceResponse, ListInstancesResponse,
ShowNodesInformationResponse); test_scripted_bodies_match_the_sdk_models checks that against the SDK.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.hwc.dcs.plugins.modules import dcs_instance_info
from ansible_collections.hwc.dcs.tests.support.constants import PROJECT
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, not_found
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller

HA = "3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f"
CLUSTER = "9c8d7e6f-0000-4a4a-8b8b-000000000002"


def instance_body(instance_id, status="RUNNING", task=None, **more):
    """A ShowInstanceResponse (and InstanceListInfo) body; ``task`` is the provider-read extra key."""
    body = {"instance_id": instance_id, "name": "redis-" + instance_id[:4], "status": status, "sub_status": "normal",
            "engine": "Redis", "engine_version": "6.0", "cache_mode": "ha", "spec_code": "redis.ha.xu1.large.r2.2",
            "capacity": 2, "capacity_minor": "", "max_memory": 1536, "used_memory": 5, "ip": "192.168.0.10", "port": 6379,
            "domain_name": "redis.example", "readonly_domain_name": "redis-ro.example", "az_codes": ["cn-north-4a", "cn-north-4b"],
            "available_zones": ["ae04cf9d61544df3806a3feeb401b204"], "replica_count": 2, "sharding_count": 0,
            "maintain_begin": "18:00:00", "maintain_end": "19:00:00", "created_at": "2023-05-15T08:00:00.000Z",
            "enable_ssl": False, "description": "orders"}
    if task is not None:
        body["task"] = {"name": task, "status": "RUNNING"}
    body.update(more)
    return body


def node(node_id, group, role, ip):
    """A NodesInfoResp."""
    return {"logical_node_id": "l-" + node_id, "name": "node-" + node_id, "status": "Active", "az_code": "cn-north-4a",
            "node_role": "redis-server", "node_type": role, "node_ip": ip, "node_port": 6379, "node_id": node_id,
            "priority_weight": 100, "is_access": True, "group_id": group, "group_name": "group-" + group,
            "is_remove_ip": False, "replication_id": "r-" + node_id}


LIST_ONLY_MISSING = ("available_zones", "cache_mode", "replica_count", "sharding_count")


def listed_body(instance_id, **more):
    """An InstanceListInfo body: the model lacks some fields of ShowInstanceResponse."""
    body = instance_body(instance_id, **more)
    for key in LIST_ONLY_MISSING:
        body.pop(key)
    return body


LAYOUTS = {
    HA: [node("n1", "g0", "slave", "192.168.0.12"), node("n2", "g0", "master", "192.168.0.11")],
    CLUSTER: [node("a1", "g1", "master", "10.0.1.1"), node("a2", "g1", "slave", "10.0.1.2"),
              node("b1", "g2", "slave", "10.0.2.1"), node("b2", "g2", "master", "10.0.2.2"),
              dict(node("p1", "", "proxy", "10.0.9.9"), node_role="redis-proxy")],
}


class FakeInstances:
    """Answers instance reads: each instance steps through its plan of (status, task), one step per read."""

    def __init__(self):
        self.plans = {HA: [("RUNNING", None)], CLUSTER: [("RUNNING", None)]}
        self.listed = [listed_body(HA), listed_body(CLUSTER, name="redis-orders-cluster"),
                       listed_body("m1", name="memcached-orders", engine="Memcached")]
        self.reads = {}
        self.layout_answer = None

    def __call__(self, request):
        parts = urlsplit(request.path).path.split("/")
        if request.method != "GET" or parts[:4] != ["", "v2", PROJECT, "instances"]:
            return not_found(request)
        if len(parts) == 4:
            return Answer(200, {"instance_num": len(self.listed), "instances": self.listed})
        instance_id = parts[4]
        if instance_id not in self.plans:
            return Answer(404, {"error_code": "DCS.4010", "error_msg": "The instance does not exist.", "error_ext_msg": None})
        if parts[5:] == ["logical-nodes"]:
            nodes = LAYOUTS.get(instance_id, [])
            return self.layout_answer or Answer(200, {"instance_id": instance_id, "total": len(nodes), "nodes": nodes})
        count = self.reads.get(instance_id, 0)
        self.reads[instance_id] = count + 1
        plan = self.plans[instance_id]
        status, task = plan[min(count, len(plan) - 1)]
        cache_mode = "cluster" if instance_id == CLUSTER else "ha"
        return Answer(200, instance_body(instance_id, status, task, cache_mode=cache_mode))


@pytest.fixture
def fake():
    return FakeInstances()


@pytest.fixture
def run(server, monkeypatch, tmp_path, capsys):
    return module_caller(dcs_instance_info.main, server, monkeypatch, tmp_path, capsys)


def paths(server):
    return [urlsplit(r.path).path for r in server.requests]


def test_read_one_instance_with_its_layout(run, server):
    result = run(instance_id=HA)
    assert result["_rc"] == 0 and result["changed"] is False, result
    instance = result["instance"]
    assert result["instances"] == [instance] and result["project_id"] == PROJECT
    assert instance["status"] == "RUNNING" and instance["ready"] is True and instance["task"] is None
    assert (instance["engine"], instance["engine_version"], instance["cache_mode"]) == ("Redis", "6.0", "ha")
    assert (instance["capacity"], instance["ip"], instance["port"]) == (2, "192.168.0.10", 6379)
    assert instance["az_codes"] == ["cn-north-4a", "cn-north-4b"] and instance["spec_code"] == "redis.ha.xu1.large.r2.2"
    assert [(n["node_id"], n["role"], n["ip"]) for n in instance["nodes"]] == [("n1", "slave", "192.168.0.12"), ("n2", "master", "192.168.0.11")]
    assert instance["groups"] == [dict(group_id="g0", group_name="group-g0", master_node_id="n2", node_ids=["n1", "n2"])]
    assert "status_history" not in instance
    assert paths(server) == ["/v2/%s/instances/%s" % (PROJECT, HA), "/v2/%s/instances/%s/logical-nodes" % (PROJECT, HA)]
    assert result["polls"] == 1 and result["retries"] == 0


def test_cluster_layout_names_the_master_of_each_shard(run):
    instance = run(instance_id=CLUSTER)["instance"]
    assert [(g["group_id"], g["master_node_id"], g["node_ids"]) for g in instance["groups"]] == [
        ("g1", "a1", ["a1", "a2"]), ("g2", "b2", ["b1", "b2"])]
    assert [n["role"] for n in instance["nodes"]].count("proxy") == 1


def test_include_nodes_false_reads_only_the_instance(run, server):
    result = run(instance_id=HA, include_nodes=False)
    assert result["_rc"] == 0 and "nodes" not in result["instance"] and "groups" not in result["instance"]
    assert paths(server) == ["/v2/%s/instances/%s" % (PROJECT, HA)]


def test_layout_the_api_does_not_have_is_a_warning_and_nulls(run, fake):
    fake.layout_answer = Answer(400, {"error_code": "DCS.4601", "error_msg": "Not supported for this instance type."})
    result = run(instance_id=HA)
    assert result["_rc"] == 0 and result["instance"]["nodes"] is None and result["instance"]["groups"] is None
    assert any("node layout of instance %s" % HA in w and "DCS.4601" in w for w in result["warnings"]), result["warnings"]


def test_layout_gateway_error_fails(run, fake):
    fake.layout_answer = Answer(404, {"error_code": "APIGW.0101", "error_msg": "The API does not exist."})
    result = run(instance_id=HA)
    assert result["failed"] is True and result["error_code"] == "APIGW.0101"


def test_list_filters_name_and_status_by_the_api_and_engine_here(run, server):
    result = run(name="orders", status="running", engine="redis")
    assert result["_rc"] == 0 and "instance" not in result
    assert [i["instance_id"] for i in result["instances"]] == [HA, CLUSTER], "the Memcached instance is filtered out"
    assert "nodes" not in result["instances"][0]
    assert result["instances"][0]["cache_mode"] is None and result["instances"][0]["available_zones"] == [], "not in InstanceListInfo"
    query = parse_qs(urlsplit(server.requests[0].path).query)
    assert query["name"] == ["orders"] and query["status"] == ["RUNNING"] and "engine" not in query


def test_list_with_exact_name(run, fake):
    result = run(name="redis-orders-cluster", exact_name=True)
    assert [i["instance_id"] for i in result["instances"]] == [CLUSTER]
    fake.listed = [listed_body(HA, name="redis-orders-cluster-2")]
    assert run(name="redis-orders-cluster", exact_name=True)["instances"] == []


def test_list_status_is_checked_even_when_the_api_ignores_it(run, fake):
    fake.listed = [listed_body(HA, status="FROZEN"), listed_body(CLUSTER)]
    assert [i["instance_id"] for i in run(status="RUNNING")["instances"]] == [CLUSTER]


def test_list_everything_and_nothing(run, fake):
    assert len(run()["instances"]) == 3
    fake.listed = []
    result = run(engine="Redis")
    assert result["_rc"] == 0 and result["instances"] == []


def test_wait_until_ready_waits_for_the_task_to_end(run, fake, server):
    fake.plans[HA] = [("RESTARTING", None), ("RUNNING", "MasterStandbySwap"), ("RUNNING", None)]
    result = run(instance_id=HA, wait_for_status="running", wait_sleep=0.5, wait_timeout=5)
    assert result["_rc"] == 0, result
    history = result["instance"]["status_history"]
    assert [(h["status"], h["task"]) for h in history] == [("RESTARTING", None), ("RUNNING", "MasterStandbySwap"), ("RUNNING", None)]
    assert all(h["seen_at"].endswith("Z") for h in history)
    assert result["polls"] == 3 == fake.reads[HA] and result["instance"]["ready"] is True
    assert paths(server).count("/v2/%s/instances/%s/logical-nodes" % (PROJECT, HA)) == 1, "the layout is read once, at the end"


def test_wait_true_alone_means_ready(run, fake):
    fake.plans[HA] = [("RUNNING", "ModifyConfig"), ("RUNNING", None)]
    result = run(instance_id=HA, wait=True, wait_sleep=0.5, wait_timeout=5)
    assert result["_rc"] == 0 and fake.reads[HA] == 2 and len(result["instance"]["status_history"]) == 2


def test_waiting_for_another_status_ignores_the_task(run, fake):
    fake.plans[HA] = [("RUNNING", None), ("EXTENDING", "Resize")]
    result = run(instance_id=HA, wait_for_status="EXTENDING", wait_sleep=0.5, wait_timeout=5, include_nodes=False)
    assert result["_rc"] == 0 and result["instance"]["status"] == "EXTENDING" and fake.reads[HA] == 2


@pytest.mark.parametrize("status", ["FROZEN", "ERROR", "CREATEFAILED"])
def test_a_status_that_never_gets_there_fails_at_once(run, fake, server, status):
    fake.plans[HA] = [("RESTARTING", None), (status, None), ("RUNNING", None)]
    result = run(instance_id=HA, wait_for_status="RUNNING", wait_sleep=0.5, wait_timeout=5)
    assert result["failed"] is True
    assert result["msg"].startswith("Instance %s (redis-3b2f) is %s, which never changes by itself: it cannot reach RUNNING" % (HA, status)), result["msg"]
    assert fake.reads[HA] == 2, "no poll after the hopeless status"
    assert result["instance"]["status"] == status and [h["status"] for h in result["instance"]["status_history"]] == ["RESTARTING", status]
    assert "logical-nodes" not in " ".join(paths(server))


def test_waiting_for_the_failed_status_itself_succeeds(run, fake):
    fake.plans[HA] = [("RUNNING", None), ("FROZEN", None)]
    result = run(instance_id=HA, wait_for_status="FROZEN", wait_sleep=0.5, wait_timeout=5)
    assert result["_rc"] == 0 and result["instance"]["status"] == "FROZEN"


def test_fail_on_job_failure_false_returns_the_hopeless_instance(run, fake):
    fake.plans[HA] = [("ERROR", None)]
    result = run(instance_id=HA, wait=True, fail_on_job_failure=False, wait_timeout=5)
    assert result["_rc"] == 0 and result["instance"]["status"] == "ERROR" and result["instance"]["ready"] is False


def test_timeout_names_the_instance_and_its_last_status(run, fake):
    fake.plans[HA] = [("RUNNING", "MasterStandbySwap")]
    result = run(instance_id=HA, wait_for_status="RUNNING", wait_timeout=1, wait_sleep=0.5)
    assert result["failed"] is True
    assert result["msg"] == ("Timed out after 1 seconds (wait_timeout=1) waiting for instance %s (redis-3b2f) to reach RUNNING "
                             "with no task in progress: status RUNNING with task 'MasterStandbySwap' in progress." % HA)
    assert result["instance"]["task"] == "MasterStandbySwap" and 1.0 <= result["elapsed"] < 2.0


def test_a_timeout_after_failed_polls_names_the_last_failure_in_one_sentence(run, server, fake):
    server.default = lambda request: Answer(503, {"error_code": "APIGW.0503", "error_msg": "busy"})
    result = run(instance_id=HA, wait_for_status="RUNNING", wait_timeout=1, wait_sleep=0.5, api_retries=0)
    assert result["failed"] is True
    assert ": no answer yet, last poll failed: GET " in result["msg"] and "APIGW.0503: busy" in result["msg"]
    assert ".." not in result["msg"], "the last poll's message keeps its own full stop out of the sentence"


def test_a_transient_error_while_waiting_is_retried(run, server, fake):
    fake.plans[HA] = [("RESTARTING", None), ("RUNNING", None)]
    server.queue(Answer(200, instance_body(HA, "RESTARTING")), Answer(503, {"error_code": "APIGW.0503", "error_msg": "busy"}))
    result = run(instance_id=HA, wait=True, wait_sleep=0.5, wait_timeout=5, include_nodes=False)
    assert result["_rc"] == 0 and result["retries"] == 1
    assert any("HTTP 503" in w for w in result["warnings"])


def test_unknown_instance_is_a_clear_404(run):
    result = run(instance_id="nosuchinstance")
    assert result["failed"] is True and result["status_code"] == 404 and result["error_code"] == "DCS.4010"
    assert result["msg"].startswith("Instance nosuchinstance was not found in project %s" % PROJECT)


@pytest.mark.parametrize("args,text", [
    (dict(wait_for_status="RUNNING"), "wait_for_status needs instance_id"),
    (dict(wait=True, name="x"), "wait needs instance_id"),
    (dict(exact_name=True), "exact_name needs name"),
    (dict(instance_id="../x"), "instance_id '../x' is not a valid ID"),
    (dict(instance_id=HA, wait_for_status="RUN NING"), "wait_for_status 'RUN NING' is not a valid instance status"),
    (dict(status="up;down"), "status 'up;down' is not a valid instance status"),
    (dict(name=" "), "name ' ' is not usable"),
    (dict(instance_id=HA, name="x"), "mutually exclusive"),
    (dict(instance_id=HA, engine="Redis"), "mutually exclusive"),
    (dict(instance_id=HA, wait=True, wait_sleep=0.1), "wait_sleep must be"),
])
def test_bad_options_fail_before_any_request(run, server, args, text):
    result = run(**args)
    assert result["failed"] is True and text in result["msg"], result["msg"]
    assert server.requests == []


def test_check_mode_behaves_the_same(run, fake, server):
    fake.plans[HA] = [("RESTARTING", None), ("RUNNING", None)]
    result = run(instance_id=HA, wait=True, wait_sleep=0.5, wait_timeout=5, _ansible_check_mode=True)
    assert result["_rc"] == 0 and result["changed"] is False and result["instance"]["groups"][0]["master_node_id"] == "n2"
    assert all(r.method == "GET" for r in server.requests) and fake.reads[HA] == 2
    assert run(name="orders", _ansible_check_mode=True)["instances"]


def test_scripted_bodies_match_the_sdk_models():
    """Every key the fake serves is a field of the SDK model (``task`` excepted: the provider reads it, the SDK lacks it)."""
    model = pytest.importorskip("huaweicloudsdkdcs.v2.model")
    checks = [(instance_body(HA, task="x"), model.ShowInstanceResponse), (listed_body(HA), model.InstanceListInfo),
              (LAYOUTS[CLUSTER][0], model.NodesInfoResp), ({"instance_id": HA, "total": 0, "nodes": []}, model.ShowNodesInformationResponse),
              ({"instance_num": 0, "instances": []}, model.ListInstancesResponse)]
    for body, cls in checks:
        unknown = set(body) - set(cls.openapi_types) - {"task"}
        assert not unknown, "%s has no %s" % (cls.__name__, sorted(unknown))
    built = model.ShowInstanceResponse(**dict((k, v) for k, v in instance_body(HA).items()))
    assert built.status == "RUNNING" and built.az_codes == ["cn-north-4a", "cn-north-4b"]
