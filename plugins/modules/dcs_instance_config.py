#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dcs_instance_config
short_description: Set the parameters of a Huawei Cloud DCS instance, declaratively
version_added: 0.2.0
description:
  - Set configuration parameters (such as C(timeout) or C(maxmemory-policy)) of a Huawei Cloud Distributed
    Cache Service (DCS) instance to the given values.
  - Declarative and idempotent. The module first reads the instance's parameters and sends only the ones whose
    value differs. When every value is already in place, it sends nothing and reports RV(ignore:changed=false).
  - Every wanted value is checked against the type and range that the API gives for the parameter before anything
    is sent. An unknown parameter name (the error lists close matches) or a value out of range fails the task, and
    nothing is sent.
  - The change runs as a DCS job. With O(wait=true) (the default) the module waits for the job, fails with its
    C(fail_reason) when it fails, and then reads the parameters again to check that the new values are applied.
  - The result says which of the changed parameters take effect only after a restart of the instance (RV(restart_required)).
    The module never restarts an instance.
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
    details: The module reads and checks the parameters, predicts C(changed), RV(changed_parameters) and
      RV(restart_required), and sends no change.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(diff_mode)), when in diff mode.
    support: full
    details: The diff holds every parameter of O(parameters), before and after, so that the changed ones stand out.
options:
  instance_id:
    description:
      - ID of the DCS instance.
    type: str
    required: true
  parameters:
    description:
      - The parameters to set, as a dict of parameter name (as the API names it, for example C(maxmemory-policy))
        to value. Parameters not named here are left as they are.
      - The API holds every value as a string, and values are compared and sent as strings.
        A string is used as written. An integer becomes its decimal text (V(300) is C("300")).
      - For a parameter of type C(Interger) (the API's spelling), the value must be a whole number in the API's
        C(value_range) (C(min-max)); it is compared as a number, so C("0300") equals C("300").
      - For a parameter of type C(Enum), the value must be one of the API's C(value_range) (a comma-separated list).
        A boolean is accepted only for an Enum whose values include C(yes) and C(no), and becomes C(yes) (V(true))
        or C(no) (V(false)). YAML reads unquoted C(yes), C(no), C(on), C(off) as booleans, so this keeps an
        unquoted C(yes) for C(appendonly) working. Any other boolean is refused with a message that says to quote the value.
      - Other types (such as C(String)) take any text.
      - Decimal numbers, null, lists and dicts are refused, and so are empty dicts.
    type: dict
    required: true
  wait:
    description:
      - Whether to wait until the job of the change ends, fail with its C(fail_reason) when it fails
        (see O(fail_on_job_failure)), and then check that the instance shows the new values.
      - The default is V(true), unlike M(hwc.dcs.dcs_job_info), because a change window goes on only once the
        change is applied.
      - With V(false), the job is polled once and returned as it is then.
      - Nothing is waited for when nothing is sent.
    type: bool
    default: true
notes:
  - Request and answer shapes come from the official Python SDK C(huaweicloudsdkdcs) v2
    (C(ListConfigurationsResponse) and C(QueryRedisConfig) for the parameters, C(UpdateInstanceConfigRequest),
    C(ModifyRedisConfigBody) and C(RedisConfig) for the change, C(UpdateInstanceConfigResponse) for its C(job_id),
    C(ListBackgroundTaskResponse) for the instance's tasks).
  - Whether a parameter needs a restart is the C(need_restart) field of each parameter in the C(configs) answer,
    which the Terraform provider reads (C(huaweicloud/services/dcs/resource_huaweicloud_dcs_instance.go),
    C(getParameters)). The SDK model C(QueryRedisConfig) lacks it. When the API leaves it out, the parameter counts
    as not needing a restart.
  - Answers that mean the instance is busy with another operation (the error codes of the Terraform provider's
    C(huaweicloud/services/dcs/common.go), such as C(DCS.4114) while another parameter change runs) are retried
    until O(wait_timeout) passes, as the provider does. O(wait_timeout) bounds the whole task.
  - The change request is never sent twice blindly. When its answer is lost (a timeout or a dropped connection
    after sending, an HTTP 5xx, an unreadable answer), the module looks for its job in the instance's recent
    background tasks and follows it, or reads the parameters again. If they show the new values, the task succeeds
    with RV(recovered=true) and a warning. Otherwise the task fails saying what to check, and that nothing was sent
    again. Rerunning the task is safe, because it sends only what still differs.
  - An instance with status C(ERROR), C(FROZEN) or C(CREATEFAILED) is refused before sending.
  - The module talks to the cloud API from the host it runs on. Run it on the controller (in a play for
    C(localhost), or with C(delegate_to) set to C(localhost)) unless that host is meant to reach the API itself.
seealso:
  - module: hwc.dcs.dcs_job_info
    description: Query or wait for the job of a change.
  - module: hwc.dcs.dcs_instance_info
    description: Check the instance before the change.
  - module: hwc.dcs.dcs_instance_switchover
    description: Switch the master of an instance.
  - name: Querying instance configuration parameters (DCS API reference)
    description: C(GET /v2/{project_id}/instances/{instance_id}/configs).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ListConfigurations.html
  - name: Modifying instance configuration parameters (DCS API reference)
    description: C(PUT /v2/{project_id}/instances/{instance_id}/async-configs).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/UpdateInstanceConfig.html
  - name: Querying background tasks (DCS API reference)
    description: C(GET /v2/{project_id}/instances/{instance_id}/tasks), read after a lost answer.
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ListBackgroundTask.html
  - name: Waiting for DCS jobs in change windows (hwc.dcs guide)
    description: The change-window runbook this module is part of.
    link: https://github.com/hwc-ansible/hwc.dcs/blob/main/docs/docsite/rst/guide_change_windows.rst
"""

EXAMPLES = r"""
- name: Set two parameters and wait until they are applied
  hwc.dcs.dcs_instance_config:
    region: cn-north-4
    instance_id: 3c49d4b6-5b1f-4d4c-9a6e-0c1d2e3f4a5b
    parameters:
      timeout: 300
      maxmemory-policy: allkeys-lru
  register: config

- name: Say which changed parameters need a restart
  ansible.builtin.debug:
    msg: "Restart needed for: {{ config.restart_required | join(', ') }}"
  when: config.restart_required | length > 0

- name: Predict the change without making it
  hwc.dcs.dcs_instance_config:
    region: cn-north-4
    instance_id: 3c49d4b6-5b1f-4d4c-9a6e-0c1d2e3f4a5b
    parameters:
      appendonly: true  # an Enum of yes/no: true is sent as "yes"
      notify-keyspace-events: Ex
  check_mode: true
  diff: true
  register: predicted

- name: Start the change, and wait for its job in a later task
  hwc.dcs.dcs_instance_config:
    region: cn-north-4
    instance_id: 3c49d4b6-5b1f-4d4c-9a6e-0c1d2e3f4a5b
    parameters:
      hash-max-ziplist-entries: "1024"
    wait: false
  register: started

- name: Wait for the job of the change
  hwc.dcs.dcs_job_info:
    region: cn-north-4
    job_id: "{{ started.job.job_id }}"
    wait: true
  when: started.job is defined
"""

RETURN = r"""
changed_parameters:
  description:
    - The parameters whose value differed and was changed (or, in check mode, would be), by name, with the value
      before and the value set. Empty when nothing differed.
  returned: success
  type: dict
  sample: {"timeout": {"before": "0", "after": "300"}, "appendonly": {"before": "no", "after": "yes"}}
restart_required:
  description:
    - The names of the changed parameters that take effect only after a restart of the instance (the C(need_restart)
      field of the API's answer), sorted. Empty when none does.
  returned: success
  type: list
  elements: str
  sample: ["appendonly"]
parameters:
  description:
    - Every parameter of O(parameters) with the value asked for, as the API's string. With O(wait=true) and a job
      that succeeded, the module has read it back from the instance.
  returned: success
  type: dict
  sample: {"timeout": "300", "appendonly": "yes", "maxmemory-policy": "allkeys-lru"}
config_status:
  description:
    - The C(config_status) of the instance's parameters (V(SUCCESS), V(UPDATING) or V(FAILURE)) when last read
      (after the check of the new values when the module waited).
  returned: success
  type: str
  sample: SUCCESS
job:
  description:
    - The job of the change, exactly as M(hwc.dcs.dcs_job_info) returns it in RV(hwc.dcs.dcs_job_info#module:job).
    - After one poll without O(wait); with O(wait=true), at its end, with C(status_history).
  returned: when a change was sent and its job is known
  type: dict
  sample: {"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "modifyConfigJob", "status": "SUCCESS",
           "begin_time": "1684191545379", "end_time": "1684191548248", "fail_reason": null, "finished": true,
           "begin_time_iso": "2023-05-15T22:59:05.379Z", "end_time_iso": "2023-05-15T22:59:08.248Z",
           "duration_seconds": 2.869, "status_history": [{"status": "SUCCESS", "seen_at": "2023-05-15T22:59:08.514Z"}]}
jobs:
  description: The job of the change as the single entry of a list, as M(hwc.dcs.dcs_job_info) returns it.
  returned: when the job failed or the wait timed out
  type: list
  elements: dict
  sample: [{"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "modifyConfigJob", "status": "FAIL",
            "fail_reason": "The parameter cannot be modified now."}]
recovered:
  description:
    - V(true) when the answer to the change request was lost (a timeout, a dropped connection, an HTTP 5xx or an
      unreadable answer) and its outcome was found by reading again; a warning says how.
  returned: success
  type: bool
  sample: false
change_requests:
  description:
    - Number of change requests (C(PUT .../async-configs)) sent, busy answers retried included; V(0) when nothing
      differed or in check mode. A request whose answer was lost is never sent again.
  returned: always
  type: int
  sample: 1
instance_id:
  description: The instance's ID.
  returned: always
  type: str
  sample: 3c49d4b6-5b1f-4d4c-9a6e-0c1d2e3f4a5b
project_id:
  description: The project ID used, given or discovered.
  returned: success
  type: str
  sample: 0123456789abcdef0123456789abcdef
diff:
  description: Before and after of every parameter of O(parameters); Ansible shows it with C(--diff).
  returned: success
  type: dict
  sample: {"before": {"timeout": "0"}, "after": {"timeout": "300"}}
request_resent:
  description: V(false) when the change request failed; it was not sent again.
  returned: when the change request failed
  type: bool
  sample: false
ambiguous:
  description: V(true) when the change request may have reached DCS although its answer was lost.
  returned: when the answer to the change was lost and its outcome could not be told
  type: bool
  sample: true
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 4.212
polls:
  description: Number of job requests made, retries included.
  returned: always
  type: int
  sample: 3
retries:
  description: Number of requests that were retried after a transient error or a busy instance.
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
  sample: DCS.4114
error_msg:
  description: The API's error message.
  returned: when the API answered with an error that has one
  type: str
  sample: "The instance is being modified."
request_id:
  description: The request ID of the failed API request; quote it in a support ticket.
  returned: when the API answered with an error
  type: str
  sample: 5b8bd6c4e1f7a0d2c3b4a5968778695a
"""

from ansible_collections.hwc.dcs.plugins.module_utils._dcs_instance_config import MODULE_OPTIONS, argument_spec, run
from ansible_collections.hwc.dcs.plugins.module_utils._runner import run_module


def main():
    run_module(run, argument_spec(), **MODULE_OPTIONS)


if __name__ == "__main__":
    main()
