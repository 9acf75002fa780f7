#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dcs_instance_switchover
short_description: Switch the master of a Huawei Cloud DCS instance or cluster shard, once, and wait for it
version_added: 0.2.0
description:
  - Switch a master/standby Distributed Cache Service (DCS) instance over to its standby
    (C(PUT /v2/{project_id}/instances/{instance_id}/async-swap)), or make a replica the master of its
    shard on a Redis Cluster instance
    (C(POST /v2/{project_id}/instance/{instance_id}/groups/{group_id}/replications/{node_id}/async-switchover)).
  - "Declarative form: O(node_id) names the node that should be master when the task ends. When it already is,
    nothing is sent and the task reports C(changed: false), so rerunning a playbook is a no-op."
  - "Switch-now form (master/standby instances only): without O(node_id) the instance is switched over every time
    and the task reports C(changed: true)."
  - Before anything is sent the module reads the instance and its nodes and checks that the instance exists,
    is ready (status V(RUNNING) with no operation in progress), is of a type that has this switchover, and that
    the named node exists, belongs to the named shard and is an active replica. Otherwise it fails and sends nothing.
  - A switchover is not idempotent (a second one switches back), so the request is sent at most once. It is sent
    again only when the answer proves it was not accepted (connection refused, throttled by the gateway, or one of
    the "instance busy" error codes, which are retried until the deadline as the Terraform provider does).
  - When the request may have reached DCS but no answer came back (a timeout or a dropped connection after sending,
    an HTTP 5xx, an unreadable answer), the request is B(not) sent again. The module looks for the job it may have
    started in the instance's background tasks created since just before the request, and follows it; in the
    declarative form it also accepts a layout that shows the wanted master. When neither can be found it fails,
    saying that the request was not resent and what to check.
  - With O(wait=true) (the default) the module waits for the job with the same waiter as M(hwc.dcs.dcs_job_info),
    fails with the job's C(fail_reason) when it fails, and then reads the nodes again to verify the new master.
author:
  - hwc.dcs maintainers (@hwc-ansible)
requirements:
  - requests
extends_documentation_fragment:
  - hwc.dcs.connection
  - hwc.dcs.wait
  - hwc.dcs.attributes
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
    support: full
    details: Every read and pre-check runs; no switchover is sent; RV(changed) and RV(master_after) are predicted.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(diff_mode)), when in diff mode.
    support: full
    details: The master node of each group (shard) before and after.
options:
  instance_id:
    description:
      - ID of the DCS instance.
    type: str
    required: true
  node_id:
    description:
      - ID of the node that should be master when the task ends (C(node_id) of the instance's logical nodes, as
        M(hwc.dcs.dcs_instance_info) returns them).
      - When it is already master, nothing is sent and the task reports C(changed) V(false).
      - Otherwise it must be an active replica (C(node_type) V(slave), status V(Active)).
      - On a master/standby instance with more than one replica the API picks the replica that becomes master, so
        the module refuses to promote a named one; use the switch-now form there.
      - Required on Redis Cluster instances. Without it, a master/standby instance is switched over now.
    type: str
  group_id:
    description:
      - ID of the group (shard) of O(node_id).
      - Required on Redis Cluster instances (C(cache_mode) V(cluster)).
      - On master/standby instances it is optional; when given it must be the group of O(node_id) (or a group of the
        instance), otherwise the task fails and sends nothing.
    type: str
  wait:
    description:
      - Whether to wait for the switchover job to end (V(SUCCESS) or V(FAIL)) and then verify the new master.
      - The default is V(true) for this module, since a change window goes on only once the switchover is done.
      - With V(false) the job is queried once and returned as it is.
    type: bool
    default: true
notes:
  - Request and answer shapes come from the official Python SDK (C(huaweicloudsdkdcs) v2 models
    C(ShowInstanceResponse), C(ShowNodesInformationResponse)/C(NodesInfoResp), C(ChangeMasterStandbyAsyncResponse),
    C(ExecuteClusterSwitchoverResponse), C(ListBackgroundTaskResponse)/C(SingleBackgroundTask), C(ShowJobInfoResponse)).
  - The rules come from the Terraform provider C(huaweicloud/services/dcs/) in terraform-provider-huaweicloud
    (C(common.go) for ready (V(RUNNING) and no C(task)) and the "instance busy" error codes,
    C(resource_huaweicloud_dcs_master_standby_switch.go) and C(resource_huaweicloud_dcs_cluster_replica_switch.go)
    for the two operations).
  - Types C(single) and C(proxy) have no switchover; the module fails on them and sends nothing.
  - The job is found again after a lost answer by the name of the background task (containing C(swap) or C(switch))
    and the C(job_id) in its C(params). The module lists the switchover tasks of the last 5 minutes just before it sends
    (room for clock skew), and after a lost answer only a task that was not listed then counts. When two or more new
    ones appear, the module does not guess and fails.
  - The module talks to the cloud API from the host it runs on. Run it on the controller (in a play for C(localhost),
    or with C(delegate_to) set to C(localhost)) unless that host is meant to reach the API itself.
seealso:
  - module: hwc.dcs.dcs_instance_info
    description: Read the instance and its nodes, and wait until it is RUNNING.
  - module: hwc.dcs.dcs_job_info
    description: Query or wait on the job this module returns.
  - name: Master/standby switchover (DCS API reference)
    description: C(PUT /v2/{project_id}/instances/{instance_id}/async-swap).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ChangeMasterStandbyAsync.html
  - name: Cluster shard switchover (DCS API reference)
    description: C(POST /v2/{project_id}/instance/{instance_id}/groups/{group_id}/replications/{node_id}/async-switchover).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ExecuteClusterSwitchover.html
  - name: Querying background tasks (DCS API reference)
    description: C(GET /v2/{project_id}/instances/{instance_id}/tasks), read after a lost answer.
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ListBackgroundTask.html
"""

EXAMPLES = r"""
- name: Make sure node 3f1c... is the master of the master/standby instance (no-op when it already is)
  hwc.dcs.dcs_instance_switchover:
    region: cn-north-4
    instance_id: 2a8f5c1e-6f41-4f3c-9a57-1f0d5e3b7c21
    node_id: ff80808288d41e1b018a1c7e2c0d1a2b
  register: switchover

- name: Show the new master
  ansible.builtin.debug:
    msg: "master is {{ switchover.master_after }} (job {{ switchover.job.job_id | default('none') }})"

- name: Switch a master/standby instance over now, whichever node is master
  hwc.dcs.dcs_instance_switchover:
    region: cn-north-4
    instance_id: 2a8f5c1e-6f41-4f3c-9a57-1f0d5e3b7c21
    wait_timeout: 600

- name: Make a replica the master of its shard on a Redis Cluster instance
  hwc.dcs.dcs_instance_switchover:
    region: cn-north-4
    instance_id: 7c0e4a0e-2b6f-4c52-8f55-0d8f3a1b9e44
    group_id: 5b0c7a8e0a7d4a2f9e1f3c6d8b2a4e11
    node_id: 9d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6

- name: Switch over in a change window, and stop with the job's fail_reason if it fails
  block:
    - name: Switch over and wait
      hwc.dcs.dcs_instance_switchover:
        region: cn-north-4
        instance_id: 2a8f5c1e-6f41-4f3c-9a57-1f0d5e3b7c21
        node_id: ff80808288d41e1b018a1c7e2c0d1a2b
  rescue:
    - name: Say why
      ansible.builtin.fail:
        msg: "Switchover failed: {{ ansible_failed_result.msg }}"
"""

RETURN = r"""
changed:
  description: Whether a switchover was sent (or, in check mode, would be).
  returned: always
  type: bool
  sample: true
job:
  description:
    - The switchover's job, exactly as M(hwc.dcs.dcs_job_info) returns it in RV(hwc.dcs.dcs_job_info#module:job);
      V(null) when nothing was sent, in check mode, and when the job could not be found after a lost answer although
      the layout showed the switchover.
    - Also returned when the task fails after the job started.
  returned: always
  type: dict
  sample: {"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "masterStandbySwapJob", "status": "SUCCESS",
           "begin_time": "1684191545379", "end_time": "1684191548248", "fail_reason": null, "finished": true,
           "begin_time_iso": "2023-05-15T22:59:05.379Z", "end_time_iso": "2023-05-15T22:59:08.248Z",
           "duration_seconds": 2.869, "status_history": [{"status": "SUCCESS", "seen_at": "2023-05-15T22:59:08.514Z"}]}
instance_id:
  description: The instance.
  returned: always
  type: str
  sample: 2a8f5c1e-6f41-4f3c-9a57-1f0d5e3b7c21
operation:
  description: The switchover used (V(async-swap) or V(async-switchover)), or V(null) when nothing was needed.
  returned: success
  type: str
  sample: async-swap
group_id:
  description: The group (shard) switched, or of O(node_id); V(null) when the API does not name it.
  returned: success
  type: str
  sample: 5b0c7a8e0a7d4a2f9e1f3c6d8b2a4e11
node_id:
  description: The node that should be master (O(node_id)); V(null) in the switch-now form.
  returned: success
  type: str
  sample: ff80808288d41e1b018a1c7e2c0d1a2b
master_before:
  description: The master node ID of each group (shard) before the task, by group ID (V("") when the API names no group).
  returned: success
  type: dict
  sample: {"5b0c7a8e0a7d4a2f9e1f3c6d8b2a4e11": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
master_after:
  description:
    - The master node ID of each group after the task, read again after a successful wait (see RV(master_verified)),
      otherwise predicted; V(null) for a group whose next master the API picks.
  returned: success
  type: dict
  sample: {"5b0c7a8e0a7d4a2f9e1f3c6d8b2a4e11": "ff80808288d41e1b018a1c7e2c0d1a2b"}
master_verified:
  description: Whether RV(master_after) was read from the API after the switchover rather than predicted.
  returned: success
  type: bool
  sample: true
recovered:
  description: Whether the switchover's answer was lost and the module found its job (or its effect) instead of resending it.
  returned: always
  type: bool
  sample: false
switchover_requests:
  description: How many switchover requests were sent, busy retries included (at most one was accepted).
  returned: always
  type: int
  sample: 1
project_id:
  description: The project ID used, given or discovered.
  returned: success
  type: str
  sample: 0123456789abcdef0123456789abcdef
diff:
  description: The master node of each group before and after, for diff mode.
  returned: success
  type: dict
  sample: {"before": {"master_node_id": {"g1": "n1"}}, "after": {"master_node_id": {"g1": "n2"}}}
request_resent:
  description: V(false) when the switchover request may have reached DCS but its outcome could not be established.
  returned: when the answer was lost and no job was found
  type: bool
  sample: false
ambiguous:
  description: V(true) when the task failed because the switchover request's outcome is unknown.
  returned: when the answer was lost and no job was found
  type: bool
  sample: true
master_now:
  description: The master node ID of each group as read after a lost answer, when the switchover could not be confirmed.
  returned: when the answer was lost and no job was found
  type: dict
  sample: {"5b0c7a8e0a7d4a2f9e1f3c6d8b2a4e11": "0a1b2c3d4e5f60718293a4b5c6d7e8f9"}
tasks:
  description: The new switchover background tasks found after a lost answer (none, or more than one to choose from).
  returned: when the answer was lost and no single job was found
  type: list
  elements: dict
  sample: [{"task_id": "3b50c6804482471493835c622dd55ae9", "name": "MasterStandbySwap", "status": "RUNNING",
            "created_at": "2026-11-28T02:22:08.462Z", "job_id": "ff8080d438b2a3d59445a89a7303b308"}]
jobs:
  description: The list form of RV(job) (one entry), as M(hwc.dcs.dcs_job_info) returns it with a failed or unfinished job.
  returned: when the job failed or the wait timed out
  type: list
  elements: dict
  sample: [{"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "masterStandbySwapJob", "status": "FAIL",
            "fail_reason": "Switchover failed: the standby node is not in sync with the master."}]
elapsed:
  description: Seconds the task spent.
  returned: always
  type: float
  sample: 12.503
polls:
  description: Number of job requests made, retries included.
  returned: always
  type: int
  sample: 4
retries:
  description: Number of requests retried after a transient error or an "instance busy" answer.
  returned: always
  type: int
  sample: 0
status_code:
  description: HTTP status of the failed API request.
  returned: when the API answered with an error
  type: int
  sample: 400
error_code:
  description: The API's error code.
  returned: when the API answered with an error that has one
  type: str
  sample: DCS.4026
error_msg:
  description: The API's error message.
  returned: when the API answered with an error that has one
  type: str
  sample: "The current instance state does not support this operation."
request_id:
  description: The request ID of the failed API request; quote it in a support ticket.
  returned: when the API answered with an error
  type: str
  sample: 5b8bd6c4e1f7a0d2c3b4a5968778695a
"""

from ansible_collections.hwc.dcs.plugins.module_utils._dcs_instance_switchover import MODULE_OPTIONS, argument_spec, run
from ansible_collections.hwc.dcs.plugins.module_utils._runner import run_module


def main():
    run_module(run, argument_spec(), **MODULE_OPTIONS)


if __name__ == "__main__":
    main()
