# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The official SDK client (huaweicloudsdkdcs DcsClient) as a peer of every instance endpoint: the SDK
signs the requests (checked by the emulator's verifier and the SDK's own Signer) and parses every
answer into its models; errors come back as ClientRequestException with the DCS error code."""

from __future__ import annotations

import json
import time

import pytest

from ansible_collections.hwc.dcs.tests.support.constants import (
    AK, CLUSTER_GROUP, CLUSTER_GROUP_MASTER, CLUSTER_GROUP_SLAVE, CLUSTER_INSTANCE, HA_INSTANCE, HA_MASTER_NODE,
    HA_SLAVE_NODE, PROJECT, SINGLE_INSTANCE, SK)
from ansible_collections.hwc.dcs.tests.support.emulator import emulator_config

pytest.importorskip("huaweicloudsdkcore")
pytest.importorskip("huaweicloudsdkdcs")

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException  # noqa: E402
from huaweicloudsdkcore.region.region import Region  # noqa: E402
from huaweicloudsdkdcs.v2 import (  # noqa: E402
    ChangeMasterStandbyAsyncRequest, DcsClient, ExecuteClusterSwitchoverRequest, ListBackgroundTaskRequest,
    ListConfigurationsRequest, ListGroupReplicationInfoRequest, ListInstancesRequest, ModifyRedisConfigBody, RedisConfig,
    ShowInstanceRequest, ShowJobInfoRequest, ShowNodesInformationRequest, UpdateInstanceConfigRequest)


@pytest.fixture
def sdk_emulator(make_emulator):
    return make_emulator(emulator_config(verify_with_sdk=True))


@pytest.fixture
def client(sdk_emulator):
    return DcsClient.new_builder().with_credentials(BasicCredentials(AK, SK, PROJECT)) \
        .with_region(Region("cn-north-4", sdk_emulator.url)).build()


def wait_job(client, job_id, timeout=5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.show_job_info(ShowJobInfoRequest(job_id=job_id))
        if job.status in ("SUCCESS", "FAIL"):
            return job
        time.sleep(0.05)
    raise AssertionError("job %s did not end" % job_id)


def sdk_error(call):
    with pytest.raises(ClientRequestException) as info:
        call()
    return info.value.status_code, info.value.error_code


def test_sdk_show_instance(client, sdk_emulator):
    instance = client.show_instance(ShowInstanceRequest(instance_id=HA_INSTANCE))
    assert (instance.instance_id, instance.status, instance.engine, instance.engine_version) == (HA_INSTANCE, "RUNNING", "Redis", "6.0")
    assert (instance.capacity, instance.port, instance.cache_mode, instance.az_codes) == (2, 6379, "ha", ["cn-north-4a", "cn-north-4b"])
    assert (instance.replica_count, instance.sharding_count, instance.enable_ssl) == (2, 1, False)
    assert instance.to_json_object()["spec_code"] == "redis.ha.xu1.large.r2.2"
    entry = sdk_emulator.requests[-1]
    assert entry["sdk_verified"] is True and entry["route"] == "instance"


def test_sdk_list_instances(client):
    answer = client.list_instances(ListInstancesRequest(name="redis", status="RUNNING", offset=0, limit=2))
    assert answer.instance_num == 3 and len(answer.instances) == 2
    assert answer.instances[0].instance_id == HA_INSTANCE and answer.instances[0].capacity == 2
    exact = client.list_instances(ListInstancesRequest(name_equal="redis-cluster-test"))
    assert [i.instance_id for i in exact.instances] == [CLUSTER_INSTANCE]


def test_sdk_nodes_and_groups(client):
    nodes = client.show_nodes_information(ShowNodesInformationRequest(instance_id=HA_INSTANCE))
    assert nodes.total == 2 and {n.node_id: n.node_type for n in nodes.nodes} == {HA_MASTER_NODE: "master", HA_SLAVE_NODE: "slave"}
    assert nodes.nodes[0].node_port == "6379" and nodes.nodes[0].is_access is True
    groups = client.list_group_replication_info(ListGroupReplicationInfoRequest(instance_id=CLUSTER_INSTANCE))
    assert groups.group_count == 3 and groups.group_list[0].group_id == CLUSTER_GROUP
    assert groups.group_list[0].replication_list[0].replication_role == "master"
    assert groups.group_list[0].replication_list[0].node_id == CLUSTER_GROUP_MASTER


def test_sdk_master_standby_switchover_and_its_job(client, sdk_emulator):
    job_id = client.change_master_standby_async(ChangeMasterStandbyAsyncRequest(instance_id=HA_INSTANCE)).job_id
    assert job_id
    busy = client.show_instance(ShowInstanceRequest(instance_id=HA_INSTANCE))
    assert busy.status == "RUNNING"  # the SDK model has no ``task``; the raw body does (see the behaviour tests)
    assert sdk_error(lambda: client.change_master_standby_async(ChangeMasterStandbyAsyncRequest(instance_id=HA_INSTANCE))) == (
        400, "DCS.4026")
    job = wait_job(client, job_id)
    assert (job.status, job.job_type, job.fail_reason) == ("SUCCESS", "masterStandbySwapJob", None)
    nodes = client.show_nodes_information(ShowNodesInformationRequest(instance_id=HA_INSTANCE))
    assert {n.node_id: n.node_type for n in nodes.nodes} == {HA_MASTER_NODE: "slave", HA_SLAVE_NODE: "master"}
    assert sdk_emulator.operations()[0]["job_id"] == job_id


def test_sdk_cluster_switchover(client):
    request = ExecuteClusterSwitchoverRequest(instance_id=CLUSTER_INSTANCE, group_id=CLUSTER_GROUP, node_id=CLUSTER_GROUP_SLAVE)
    job = wait_job(client, client.execute_cluster_switchover(request).job_id)
    assert (job.status, job.job_type) == ("SUCCESS", "clusterSwitchoverJob")
    groups = client.list_group_replication_info(ListGroupReplicationInfoRequest(instance_id=CLUSTER_INSTANCE))
    master = [r.node_id for r in groups.group_list[0].replication_list if r.replication_role == "master"]
    assert master == [CLUSTER_GROUP_SLAVE]


def test_sdk_configurations_and_change(client):
    configs = client.list_configurations(ListConfigurationsRequest(instance_id=HA_INSTANCE))
    assert (configs.instance_id, configs.config_status, configs.status) == (HA_INSTANCE, "SUCCESS", "RUNNING")
    by_name = {c.param_name: c for c in configs.redis_config}
    assert (by_name["timeout"].value_type, by_name["timeout"].value_range, by_name["timeout"].param_value) == ("Interger", "0-7200", "0")
    body = ModifyRedisConfigBody(redis_config=[RedisConfig(param_id=by_name["timeout"].param_id, param_name="timeout", param_value="120"),
                                               RedisConfig(param_name="maxmemory-policy", param_value="allkeys-lfu")])
    job_id = client.update_instance_config(UpdateInstanceConfigRequest(instance_id=HA_INSTANCE, body=body)).job_id
    assert client.list_configurations(ListConfigurationsRequest(instance_id=HA_INSTANCE)).config_status == "UPDATING"
    assert wait_job(client, job_id).job_type == "modifyConfigJob"
    after = {c.param_name: c.param_value for c in client.list_configurations(ListConfigurationsRequest(instance_id=HA_INSTANCE)).redis_config}
    assert (after["timeout"], after["maxmemory-policy"]) == ("120", "allkeys-lfu")


def test_sdk_background_tasks(client):
    job_id = client.change_master_standby_async(ChangeMasterStandbyAsyncRequest(instance_id=HA_INSTANCE)).job_id
    tasks = client.list_background_task(ListBackgroundTaskRequest(instance_id=HA_INSTANCE, offset=0, limit=10))
    assert tasks.task_count == "1"
    task = tasks.tasks[0]
    assert (task.name, task.status, task.enable_show) == ("MasterStandbySwap", "RUNNING", False)
    assert json.loads(task.params)["job_id"] == job_id and task.created_at.endswith("Z")
    assert task.details.old_capacity is None


def test_sdk_failed_job_reason(client, sdk_emulator):
    sdk_emulator.update_instance(HA_INSTANCE, {"fail_next_switchover": "replication lag too high"})
    job = wait_job(client, client.change_master_standby_async(ChangeMasterStandbyAsyncRequest(instance_id=HA_INSTANCE)).job_id)
    assert (job.status, job.fail_reason) == ("FAIL", "replication lag too high")
    assert client.list_background_task(ListBackgroundTaskRequest(instance_id=HA_INSTANCE)).tasks[0].status == "FAIL"


def test_sdk_errors_parse(client):
    assert sdk_error(lambda: client.show_instance(ShowInstanceRequest(instance_id="nope"))) == (404, "DCS.4010")
    assert sdk_error(lambda: client.change_master_standby_async(ChangeMasterStandbyAsyncRequest(instance_id=SINGLE_INSTANCE))) == (
        400, "DCS.4601")
    bad = ModifyRedisConfigBody(redis_config=[RedisConfig(param_name="timeout", param_value="99999")])
    assert sdk_error(lambda: client.update_instance_config(UpdateInstanceConfigRequest(instance_id=HA_INSTANCE, body=bad))) == (
        400, "DCS.4607")
    unknown = ModifyRedisConfigBody(redis_config=[RedisConfig(param_name="nope", param_value="1")])
    assert sdk_error(lambda: client.update_instance_config(UpdateInstanceConfigRequest(instance_id=HA_INSTANCE, body=unknown))) == (
        400, "DCS.4606")
    request = ExecuteClusterSwitchoverRequest(instance_id=CLUSTER_INSTANCE, group_id=CLUSTER_GROUP, node_id=CLUSTER_GROUP_MASTER)
    assert sdk_error(lambda: client.execute_cluster_switchover(request)) == (400, "DCS.4604")
