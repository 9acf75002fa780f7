# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DCS emulator (tests/emulator/) for tests: a standard configuration, and requests the SDK signed for it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.tests.emulator.dcs_emulator import Emulator  # noqa: F401 pylint: disable=unused-import
from ansible_collections.hwc.dcs.tests.support import sdk_oracle
from ansible_collections.hwc.dcs.tests.support.constants import AK, OTHER_PROJECT, OTHER_REGION, PROJECT, REGION, SK, emulator_credentials
from ansible_collections.hwc.dcs.tests.support.constants import (
    CLUSTER_GROUP_MASTER, CLUSTER_GROUP_SLAVE, CLUSTER_GROUP_SLAVE2, CLUSTER_GROUPS, CLUSTER_INSTANCE, HA_GROUP, HA_INSTANCE,
    HA_MASTER_NODE, HA_SLAVE_NODE, SINGLE_INSTANCE)

# Lifecycle length of the jobs that instance operations start, in emulator_config() (the emulator's own default is 1.5 s).
TEST_JOB_SECONDS = 0.3


def instances_config():
    """Three instances of PROJECT: HA_INSTANCE (master/standby, master HA_MASTER_NODE, standby HA_SLAVE_NODE),
    CLUSTER_INSTANCE (three shards CLUSTER_GROUPS; the first has master CLUSTER_GROUP_MASTER and slaves
    CLUSTER_GROUP_SLAVE, CLUSTER_GROUP_SLAVE2; the others one master and one slave) and SINGLE_INSTANCE;
    all with the emulator's default parameter set."""
    def replica(node_id, role, ip, az):
        return {"node_id": node_id, "role": role, "ip": ip, "az_code": az}

    cluster_groups = [{"group_id": CLUSTER_GROUPS[0], "group_name": "group-0", "replicas": [
        replica(CLUSTER_GROUP_MASTER, "master", "192.168.1.11", "cn-north-4a"),
        replica(CLUSTER_GROUP_SLAVE, "slave", "192.168.1.12", "cn-north-4b"),
        replica(CLUSTER_GROUP_SLAVE2, "slave", "192.168.1.13", "cn-north-4a")]}]
    for number, group_id in enumerate(CLUSTER_GROUPS[1:], 1):
        cluster_groups.append({"group_id": group_id, "group_name": "group-%d" % number, "replicas": [
            replica(group_id[:-1] + "1", "master", "192.168.1.%d" % (20 + 10 * number), "cn-north-4a"),
            replica(group_id[:-1] + "2", "slave", "192.168.1.%d" % (21 + 10 * number), "cn-north-4b")]})
    return {
        HA_INSTANCE: {
            "project_id": PROJECT, "name": "redis-ha-test", "cache_mode": "ha", "engine_version": "6.0",
            "spec_code": "redis.ha.xu1.large.r2.2", "capacity": 2, "ip": "192.168.0.10", "port": 6379,
            "az_codes": ["cn-north-4a", "cn-north-4b"],
            "groups": [{"group_id": HA_GROUP, "group_name": "group-0", "replicas": [
                replica(HA_MASTER_NODE, "master", "192.168.0.11", "cn-north-4a"),
                replica(HA_SLAVE_NODE, "slave", "192.168.0.12", "cn-north-4b")]}],
        },
        CLUSTER_INSTANCE: {
            "project_id": PROJECT, "name": "redis-cluster-test", "cache_mode": "cluster", "engine_version": "6.0",
            "spec_code": "redis.cluster.xu1.large.r2.s1.12", "capacity": 12, "ip": "192.168.1.10", "port": 6379,
            "az_codes": ["cn-north-4a", "cn-north-4b"], "groups": cluster_groups,
        },
        SINGLE_INSTANCE: {
            "project_id": PROJECT, "name": "redis-single-test", "cache_mode": "single", "engine_version": "5.0",
            "spec_code": "redis.single.xu1.large.1", "capacity": 1, "ip": "192.168.2.10", "port": 6379,
            "az_codes": ["cn-north-4a"],
        },
    }


def emulator_config(**overrides):
    """Both test credentials, two projects and four jobs: job-success (INIT, RUNNING at 0.5 s, SUCCESS at 1 s),
    job-fail (FAIL at 0.2 s), job-done (SUCCESS), job-other (in OTHER_PROJECT); the instances of
    ``instances_config()`` whose operations' jobs last TEST_JOB_SECONDS; ``overrides`` replace keys."""
    config = {
        "credentials": emulator_credentials(),
        "projects": [{"id": PROJECT, "name": REGION}, {"id": OTHER_PROJECT, "name": OTHER_REGION}],
        "jobs": {
            "job-success": {"project_id": PROJECT, "job_type": "masterStandbySwapJob",
                            "lifecycle": [[0, "INIT"], [0.5, "RUNNING"], [1.0, "SUCCESS"]]},
            "job-fail": {"project_id": PROJECT, "job_type": "modifyClientIpTransJob",
                         "lifecycle": [[0, "RUNNING"], [0.2, "FAIL"]],
                         "fail_reason": "DCS.4999: switchover aborted by the test"},
            "job-done": {"project_id": PROJECT, "lifecycle": [[0, "SUCCESS"]]},
            "job-other": {"project_id": OTHER_PROJECT, "lifecycle": [[0, "SUCCESS"]]},
        },
        "instances": instances_config(),
        "instance_job_seconds": TEST_JOB_SECONDS,
    }
    config.update(overrides)
    return config


def sdk_sign(url, path, ak=AK, sk=SK, project_id=PROJECT, token=None, query=None, method="GET", extra_headers=None, date=None,
             body=""):
    """A request to ``url`` + ``path`` signed by the official SDK as a DCS call; returns (target, headers)."""
    headers = {"Content-Type": "application/json"}
    if project_id:
        headers["X-Project-Id"] = project_id
    if token:
        headers["X-Security-Token"] = token
    if date:
        headers["X-Sdk-Date"] = date
    headers.update(extra_headers or {})
    scheme, _sep, netloc = url.partition("://")
    signed = sdk_oracle.sign_parts(method, scheme, netloc, path, list((query or {}).items()), headers, body, ak, sk)
    return signed.uri, signed.headers
