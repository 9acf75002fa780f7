#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dcs_instance_info
short_description: Read Huawei Cloud DCS instances and wait until one reaches a status
version_added: 0.2.0
description:
  - Read one instance of Huawei Cloud Distributed Cache Service (DCS) by ID, with the facts a change window
    checks (status, engine and version, spec, capacity, IP and port, availability zones, cache mode) and its
    node layout (nodes, shards, and which node is master in each).
  - Or list the instances of the project, filtered by name, status and engine.
  - Optionally wait until the instance reaches a status, for example V(RUNNING) before a change, failing at
    once when it has a status that can never get there.
  - Requests are signed with the access key and secret key (SDK-HMAC-SHA256), as the official SDKs do;
    transient API errors are retried within the deadline.
author:
  - hwc.dcs maintainers (@hwc-ansible)
requirements:
  - requests
extends_documentation_fragment:
  - hwc.dcs.connection
  - hwc.dcs.wait
  - hwc.dcs.attributes
  - hwc.dcs.attributes.INFO_MODULE
options:
  instance_id:
    description:
      - ID of the instance to read. The result has RV(instance).
      - Mutually exclusive with O(name), O(status) and O(engine). Without it, the module lists instances.
    type: str
  name:
    description:
      - List only the instances whose name contains this text (the API's own substring match).
      - With O(exact_name=true), only the instance with exactly this name.
    type: str
  exact_name:
    description:
      - Whether O(name) must match the whole name (compared by the module, case-sensitive) instead of
        being a substring match.
      - Needs O(name).
    type: bool
    default: false
  status:
    description:
      - List only the instances with this status, for example V(RUNNING), V(CREATING), V(RESTARTING),
        V(EXTENDING), V(FROZEN), V(ERROR) or V(CREATEFAILED). Case-insensitive.
      - Failed creations (V(CREATEFAILED)) appear only when the API lists them.
    type: str
  engine:
    description:
      - List only the instances of this cache engine, for example V(Redis). Case-insensitive.
      - The list API has no engine filter; the module filters the answer.
    type: str
  include_nodes:
    description:
      - Whether to read the node layout of the instance (one more request) into RV(instance.nodes) and
        RV(instance.groups).
      - Applies to O(instance_id) only; listed instances never carry their layout.
      - When the API has no layout for the instance (it answers HTTP 400 or 404 with a DCS error code),
        the module warns and returns V(null) for both.
    type: bool
    default: true
  wait_for_status:
    description:
      - Poll the instance (every O(wait_sleep) seconds, until O(wait_timeout)) until it has this status,
        for example V(RUNNING). Case-insensitive. Setting it means waiting, whatever O(wait) says.
      - For V(RUNNING) the instance must also have no operation in progress (no C(task) in its answer), as
        the Terraform provider's ready check requires.
      - V(CREATEFAILED), V(ERROR) and V(FROZEN) never change by themselves, so reaching one of them (unless
        it is the status waited for) fails the task at once, naming the status and the instance.
      - Needs O(instance_id).
    type: str
  wait:
    description:
      - Whether to wait until the instance is ready, that is O(wait_for_status=RUNNING) with no operation
        in progress.
      - Needs O(instance_id). Ignored when O(wait_for_status) is set, which waits anyway.
    type: bool
    default: false
  fail_on_job_failure:
    description:
      - Whether to fail the task when, while waiting, the instance reaches a status that can never become the
        status waited for (V(CREATEFAILED), V(ERROR) or V(FROZEN)).
      - With V(false) the task succeeds at once and returns the instance as it is, so that the playbook can
        decide from RV(instance.status). A timeout still fails.
      - The name is the one every waiting hwc.dcs module shares.
    type: bool
    default: true
notes:
  - The module only reads; it never changes a DCS instance.
  - Instance facts follow the official SDK's models (C(huaweicloudsdkdcs) v2 C(ShowInstanceResponse) for one
    instance, C(ListInstancesResponse) / C(InstanceListInfo) for the list, C(ShowNodesInformationResponse) /
    C(NodesInfoResp) for the node layout, where C(node_type) gives the master/slave role).
  - The ready check (status V(RUNNING) and no C(task)) and the statuses that fail a wait at once
    (V(CREATEFAILED), V(ERROR), V(FROZEN)) come from the Terraform provider, C(refreshDcsInstanceState) in
    C(huaweicloud/services/dcs/common.go) of terraform-provider-huaweicloud.
  - The module talks to the cloud API from the host it runs on. Run it on the controller (in a play for
    C(localhost), or with C(delegate_to) set to C(localhost)) unless that host is meant to reach the API itself.
seealso:
  - module: hwc.dcs.dcs_job_info
  - module: hwc.dcs.dcs_instance_switchover
  - module: hwc.dcs.dcs_instance_config
  - name: Querying details of an instance (DCS API reference)
    description: The API this module calls for O(instance_id), C(GET /v2/{project_id}/instances/{instance_id}).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ShowInstance.html
  - name: Querying all instances (DCS API reference)
    description: The API this module calls for a list, C(GET /v2/{project_id}/instances).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ListInstances.html
  - name: Querying instance nodes (DCS API reference)
    description: The API of the node layout, C(GET /v2/{project_id}/instances/{instance_id}/logical-nodes).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ShowNodesInformation.html
  - name: DCS instance statuses (DCS API reference)
    description: What each instance status means.
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/dcs-api-0312047.html
"""

EXAMPLES = r"""
- name: Read one instance with its node layout
  hwc.dcs.dcs_instance_info:
    region: cn-north-4
    instance_id: 3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f
  register: dcs

- name: Stop unless the instance is ready for the change window
  ansible.builtin.assert:
    that:
      - dcs.instance.ready
    fail_msg: "{{ dcs.instance.name }} is {{ dcs.instance.status }} (task {{ dcs.instance.task }})"

- name: Show which node is master in each shard
  ansible.builtin.debug:
    msg: "{{ item.group_name }}: master {{ item.master_node_id }}"
  loop: "{{ dcs.instance.groups }}"

- name: Wait up to 10 minutes until the instance is running with no operation in progress
  hwc.dcs.dcs_instance_info:
    region: cn-north-4
    instance_id: 3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f
    wait_for_status: RUNNING
    wait_timeout: 600
    wait_sleep: 10

- name: List the running Redis instances whose name contains "orders"
  hwc.dcs.dcs_instance_info:
    region: cn-north-4
    name: orders
    status: RUNNING
    engine: Redis
  register: found

- name: Print them
  ansible.builtin.debug:
    msg: "{{ item.name }} ({{ item.instance_id }}): {{ item.engine }} {{ item.engine_version }} at {{ item.ip }}:{{ item.port }}"
  loop: "{{ found.instances }}"

- name: Find the one instance named exactly redis-orders
  hwc.dcs.dcs_instance_info:
    region: cn-north-4
    name: redis-orders
    exact_name: true
  register: exact
  failed_when: exact.instances | length != 1
"""

RETURN = r"""
instance:
  description: The instance, when O(instance_id) is used.
  returned: when O(instance_id) is used
  type: dict
  sample: {"instance_id": "3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f", "name": "redis-orders", "status": "RUNNING", "sub_status": "normal",
           "engine": "Redis", "engine_version": "6.0", "cache_mode": "ha", "spec_code": "redis.ha.xu1.large.r2.2", "capacity": 2,
           "capacity_minor": null, "max_memory": 1536, "used_memory": 5, "ip": "192.168.0.10", "port": 6379,
           "domain_name": "redis-3b2f6a4e.dcs.huaweicloud.com", "readonly_domain_name": null, "az_codes": ["cn-north-4a", "cn-north-4b"],
           "available_zones": ["ae04cf9d61544df3806a3feeb401b204"], "replica_count": 2, "sharding_count": null,
           "maintain_begin": "18:00:00", "maintain_end": "19:00:00", "created_at": "2023-05-15T08:00:00.000Z", "description": null,
           "task": null, "ready": true,
           "nodes": [{"node_id": "n-1", "name": "node-1", "group_id": "g-1", "group_name": "group-0", "role": "master",
                      "ip": "192.168.0.11", "port": 6379, "az_code": "cn-north-4a", "status": "Active"}],
           "groups": [{"group_id": "g-1", "group_name": "group-0", "master_node_id": "n-1", "node_ids": ["n-1", "n-2"]}]}
  contains:
    instance_id:
      description: ID of the instance.
      type: str
      sample: 3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f
    name:
      description: Name of the instance.
      type: str
      sample: redis-orders
    status:
      description: Status of the instance as the API gives it, for example V(RUNNING), V(RESTARTING) or V(FROZEN).
      type: str
      sample: RUNNING
    sub_status:
      description: Sub-status of the instance, or V(null).
      type: str
      sample: normal
    engine:
      description: Cache engine.
      type: str
      sample: Redis
    engine_version:
      description: Version of the cache engine.
      type: str
      sample: "6.0"
    cache_mode:
      description: >-
        Instance type: V(single), V(ha) (master/standby), V(ha_rw_split), V(proxy) or V(cluster) (Redis Cluster).
      type: str
      sample: ha
    spec_code:
      description: Product specification code.
      type: str
      sample: redis.ha.xu1.large.r2.2
    capacity:
      description: Cache capacity in GB.
      type: int
      sample: 2
    capacity_minor:
      description: Capacity of a small specification (below 1 GB), or V(null).
      type: str
      sample: "0.125"
    max_memory:
      description: Total memory in MB.
      type: int
      sample: 1536
    used_memory:
      description: Used memory in MB.
      type: int
      sample: 5
    ip:
      description: IP address to connect to (several, comma-separated, for a cluster instance).
      type: str
      sample: 192.168.0.10
    port:
      description: Port to connect to.
      type: int
      sample: 6379
    domain_name:
      description: Domain name of the instance.
      type: str
      sample: redis-3b2f6a4e.dcs.huaweicloud.com
    readonly_domain_name:
      description: Read-only domain name (master/standby instances), or V(null).
      type: str
      sample: redis-3b2f6a4e-readonly.dcs.huaweicloud.com
    az_codes:
      description: Codes of the availability zones with the instance's resources.
      type: list
      elements: str
      sample: ["cn-north-4a", "cn-north-4b"]
    available_zones:
      description: IDs of the availability zones, as the API gives them.
      type: list
      elements: str
      sample: ["ae04cf9d61544df3806a3feeb401b204"]
    replica_count:
      description: Number of replicas per shard, or V(null).
      type: int
      sample: 2
    sharding_count:
      description: Number of shards (cluster instances), or V(null).
      type: int
      sample: 3
    maintain_begin:
      description: Start of the maintenance window (UTC, HH:mm:ss).
      type: str
      sample: "18:00:00"
    maintain_end:
      description: End of the maintenance window (UTC, HH:mm:ss).
      type: str
      sample: "19:00:00"
    created_at:
      description: When the instance was created.
      type: str
      sample: "2023-05-15T08:00:00.000Z"
    description:
      description: Description of the instance, or V(null).
      type: str
      sample: Orders cache
    task:
      description: Name of the operation in progress (the C(task) of the API's answer), or V(null) when none.
      type: str
      sample: MasterStandbySwap
    ready:
      description: Whether the instance is V(RUNNING) with no operation in progress (the provider's ready check).
      type: bool
      sample: true
    nodes:
      description:
        - The nodes of the instance (C(logical-nodes)), proxies included; V(null) when the API has no layout for it.
      returned: when O(include_nodes=true)
      type: list
      elements: dict
      sample: [{"node_id": "n-1", "name": "node-1", "group_id": "g-1", "group_name": "group-0", "role": "master",
                "ip": "192.168.0.11", "port": 6379, "az_code": "cn-north-4a", "status": "Active"}]
      contains:
        node_id:
          description: ID of the node (the one a replica switchover names).
          type: str
          sample: n-1
        name:
          description: Name of the node.
          type: str
          sample: node-1
        group_id:
          description: ID of the node's group (shard).
          type: str
          sample: g-1
        group_name:
          description: Name of the node's group.
          type: str
          sample: group-0
        role:
          description: V(master), V(slave) or V(proxy) (the API's C(node_type)).
          type: str
          sample: master
        ip:
          description: IP address of the node.
          type: str
          sample: 192.168.0.11
        port:
          description: Port of the node.
          type: int
          sample: 6379
        az_code:
          description: Availability zone of the node.
          type: str
          sample: cn-north-4a
        status:
          description: Status of the node, for example V(Active).
          type: str
          sample: Active
    groups:
      description:
        - The groups (shards) of master and slave nodes, with the master of each where the API tells it;
          one group for a master/standby instance. V(null) when the API has no layout for the instance.
      returned: when O(include_nodes=true)
      type: list
      elements: dict
      sample: [{"group_id": "g-1", "group_name": "group-0", "master_node_id": "n-1", "node_ids": ["n-1", "n-2"]}]
      contains:
        group_id:
          description: ID of the group.
          type: str
          sample: g-1
        group_name:
          description: Name of the group.
          type: str
          sample: group-0
        master_node_id:
          description: ID of the group's master node, or V(null) when no node of the group is reported as master.
          type: str
          sample: n-1
        node_ids:
          description: IDs of the group's master and slave nodes.
          type: list
          elements: str
          sample: ["n-1", "n-2"]
    status_history:
      description:
        - Each change of status (or of the operation in progress) seen while waiting, with the UTC time it was seen.
      returned: when waiting (O(wait_for_status) set or O(wait=true))
      type: list
      elements: dict
      sample: [{"status": "RUNNING", "task": "MasterStandbySwap", "seen_at": "2023-05-15T22:59:05.501Z"},
               {"status": "RUNNING", "task": null, "seen_at": "2023-05-15T22:59:08.514Z"}]
      contains:
        status:
          description: The status.
          type: str
          sample: RUNNING
        task:
          description: The operation in progress, or V(null).
          type: str
          sample: MasterStandbySwap
        seen_at:
          description: When it was first seen (UTC ISO 8601).
          type: str
          sample: "2023-05-15T22:59:05.501Z"
instances:
  description:
    - The instances that match the filters, in the API's order (possibly none); with O(instance_id), the one instance.
    - Each has the keys of RV(instance) except RV(instance.nodes), RV(instance.groups) and RV(instance.status_history).
    - The list API's model (C(InstanceListInfo)) has no C(cache_mode), C(available_zones), C(replica_count) or
      C(sharding_count). Unless the API sends them anyway, they are V(null) (an empty list for C(available_zones))
      in a list; read the instance with O(instance_id) for them.
  returned: success
  type: list
  elements: dict
  sample: [{"instance_id": "3b2f6a4e-8c1d-4f5a-9e7b-1a2b3c4d5e6f", "name": "redis-orders", "status": "RUNNING", "engine": "Redis",
            "engine_version": "6.0", "cache_mode": null, "capacity": 2, "ip": "192.168.0.10", "port": 6379, "task": null, "ready": true}]
elapsed:
  description: Seconds the task spent reading and waiting.
  returned: always
  type: float
  sample: 0.412
polls:
  description: Number of requests for the instance (one without a wait), retries included. List and layout requests do not count.
  returned: always
  type: int
  sample: 1
retries:
  description: Number of requests that were retried after a transient error (throttling, HTTP 5xx, dropped connections).
  returned: always
  type: int
  sample: 0
project_id:
  description: The project ID used, given or discovered.
  returned: success
  type: str
  sample: 0123456789abcdef0123456789abcdef
status_code:
  description: HTTP status of the failed API request.
  returned: when the API answered with an error
  type: int
  sample: 404
error_code:
  description: The API's error code.
  returned: when the API answered with an error that has one
  type: str
  sample: DCS.4010
error_msg:
  description: The API's error message.
  returned: when the API answered with an error that has one
  type: str
  sample: The instance does not exist.
request_id:
  description: The request ID of the failed API request (C(X-Request-Id)); quote it in a support ticket.
  returned: when the API answered with an error
  type: str
  sample: 5b8bd6c4e1f7a0d2c3b4a5968778695a
"""

from ansible_collections.hwc.dcs.plugins.module_utils._dcs_instance_info import MODULE_OPTIONS, argument_spec, run
from ansible_collections.hwc.dcs.plugins.module_utils._runner import run_module


def main():
    run_module(run, argument_spec(), **MODULE_OPTIONS)


if __name__ == "__main__":
    main()
