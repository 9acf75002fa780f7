#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: dcs_job_info
short_description: Query Huawei Cloud DCS jobs and wait until they end
version_added: 0.1.0
description:
  - Query the status of one or more jobs of Huawei Cloud Distributed Cache Service (DCS), such as the
    job a master/standby switchover or a client IP pass-through change returns.
  - Optionally wait until every job reaches a terminal status (V(SUCCESS) or V(FAIL)), polling only the
    unfinished jobs, concurrently, and fail the task with each job's C(fail_reason) when a job failed.
  - Requests are signed with the access key and secret key (SDK-HMAC-SHA256), as the official SDKs do.
  - Transient API errors (throttling, HTTP 5xx, dropped connections) are retried within the deadline;
    a clock more than 15 minutes off is detected and corrected for, with a warning.
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
  job_id:
    description:
      - ID of the job to query, as returned by the DCS call that started it.
      - 1 to 128 characters of letters, digits, V(_) and V(-), starting with a letter or digit.
      - Exactly one of O(job_id) and O(job_ids) is required.
    type: str
  job_ids:
    description:
      - IDs of several jobs to query (and wait on) together. Repeated IDs are asked once; the results
        keep the given order.
      - Exactly one of O(job_id) and O(job_ids) is required.
    type: list
    elements: str
notes:
  - The module only reads; it never changes a DCS instance.
  - With O(wait=true) and several jobs, the module waits for all of them (until O(wait_timeout)) and then
    reports every failed job at once.
  - HTTP 401 answers are never retried, since the gateway locks an access key for 5 minutes after
    5 failed authentications in a row.
  - The module talks to the cloud API from the host it runs on, which reads the credentials, the environment
    variables and the credentials file. Run it on the controller (in a play for C(localhost), or with
    C(delegate_to) set to C(localhost)) unless that host is meant to reach the API itself.
seealso:
  - name: Querying the job execution result of a tenant (DCS API reference)
    description: The API this module calls, C(GET /v2/{project_id}/jobs/{job_id}).
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ShowJobInfo.html
  - name: DCS API error codes
    description: The C(error_code) values the module reports.
    link: https://support.huaweicloud.com/intl/en-us/api-dcs/ErrorCode.html
  - name: AK/SK signing (API Gateway)
    description: How requests are signed.
    link: https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-provide.html
  - name: Waiting for DCS jobs in change windows (hwc.dcs guide)
    description: Patterns for waiting after a job-producing call, on several jobs, with C(rescue), and in async tasks.
    link: https://github.com/hwc-ansible/hwc.dcs/blob/main/docs/docsite/rst/guide_change_windows.rst
  - name: Troubleshooting (hwc.dcs guide)
    description: Every error message of the collection, its causes, and what to do.
    link: https://github.com/hwc-ansible/hwc.dcs/blob/main/docs/docsite/rst/guide_troubleshooting.rst
"""

EXAMPLES = r"""
- name: Query one job
  hwc.dcs.dcs_job_info:
    region: cn-north-4
    job_id: ff80808288d41e1b018a1c7e2c0d1a2b
  register: result

- name: Show its status
  ansible.builtin.debug:
    msg: "{{ result.job.job_type }} is {{ result.job.status }}"

- name: Wait up to 10 minutes for a master/standby switchover to end
  hwc.dcs.dcs_job_info:
    region: cn-north-4
    # The job_id the switchover call answered, for example passed in with --extra-vars.
    job_id: "{{ switchover_job_id }}"
    wait: true
    wait_timeout: 600
    wait_sleep: 3

- name: Wait on several jobs at once, with defaults for every DCS module
  module_defaults:
    group/hwc.dcs.dcs:
      region: cn-north-4
      project_id: 0123456789abcdef0123456789abcdef
  block:
    - name: Wait for every job of the change window
      hwc.dcs.dcs_job_info:
        job_ids: "{{ change_jobs }}"
        wait: true
      register: jobs

    - name: Print how long each job took
      ansible.builtin.debug:
        msg: "{{ item.job_id }}: {{ item.status }} in {{ item.duration_seconds }} s"
      loop: "{{ jobs.jobs }}"

- name: Report a failed job without failing the play
  hwc.dcs.dcs_job_info:
    region: cn-north-4
    job_id: "{{ job_id }}"
    wait: true
    fail_on_job_failure: false
  register: outcome
  failed_when: outcome.job.status not in ['SUCCESS', 'FAIL']

- name: Stop the change window when the job failed, saying why
  ansible.builtin.fail:
    msg: "Switchover failed: {{ outcome.job.fail_reason }}"
  when: outcome.job.status == 'FAIL'
"""

RETURN = r"""
jobs:
  description: One entry per asked job, in the order asked (repeats removed).
  returned: always
  type: list
  elements: dict
  sample: [{"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "masterStandbySwapJob", "status": "SUCCESS",
            "begin_time": "1684191545379", "end_time": "1684191548248", "fail_reason": null, "finished": true,
            "begin_time_iso": "2023-05-15T22:59:05.379Z", "end_time_iso": "2023-05-15T22:59:08.248Z",
            "duration_seconds": 2.869}]
  contains:
    job_id:
      description: ID of the job.
      type: str
      sample: ff80808288d41e1b018a1c7e2c0d1a2b
    job_type:
      description: Type of the job as the API names it; other values than the samples exist.
      type: str
      sample: masterStandbySwapJob
    status:
      description:
        - Status of the job. V(SUCCESS) and V(FAIL) are terminal.
        - Any other value the API may return is reported as is and treated as not terminal.
      type: str
      choices: [INIT, RUNNING, SUCCESS, FAIL]
      sample: SUCCESS
    begin_time:
      description: Start time in milliseconds since the epoch, as the API returns it.
      type: str
      sample: "1684191545379"
    end_time:
      description: End time in milliseconds since the epoch; V(null) until the job ends.
      type: str
      sample: "1684191548248"
    fail_reason:
      description: Why the job failed; V(null) unless it failed.
      type: str
      sample: "The instance is not in the running state."
    finished:
      description: Whether RV(jobs[].status) is terminal.
      type: bool
      sample: true
    begin_time_iso:
      description: RV(jobs[].begin_time) as UTC ISO 8601, or V(null).
      type: str
      sample: "2023-05-15T22:59:05.379Z"
    end_time_iso:
      description: RV(jobs[].end_time) as UTC ISO 8601, or V(null).
      type: str
      sample: "2023-05-15T22:59:08.248Z"
    duration_seconds:
      description: Seconds from begin to end, or V(null) while the job runs.
      type: float
      sample: 2.869
    status_history:
      description: Each status seen while waiting, with the UTC time it was first seen.
      type: list
      elements: dict
      returned: when O(wait=true)
      sample: [{"status": "RUNNING", "seen_at": "2023-05-15T22:59:05.501Z"}, {"status": "SUCCESS", "seen_at": "2023-05-15T22:59:08.514Z"}]
      contains:
        status:
          description: The status.
          type: str
          sample: RUNNING
        seen_at:
          description: When it was first seen (UTC ISO 8601).
          type: str
          sample: "2023-05-15T22:59:05.501Z"
job:
  description: The single entry of RV(jobs), with the same keys, when O(job_id) was used.
  returned: when O(job_id) is used
  type: dict
  sample: {"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "job_type": "masterStandbySwapJob", "status": "SUCCESS",
           "begin_time": "1684191545379", "end_time": "1684191548248", "fail_reason": null, "finished": true,
           "begin_time_iso": "2023-05-15T22:59:05.379Z", "end_time_iso": "2023-05-15T22:59:08.248Z",
           "duration_seconds": 2.869}
elapsed:
  description: Seconds the task spent querying and waiting.
  returned: always
  type: float
  sample: 12.503
polls:
  description: Number of job requests made, retries included.
  returned: always
  type: int
  sample: 4
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
unfinished:
  description: IDs of the jobs that had not reached a terminal status when O(wait_timeout) passed.
  returned: when the wait timed out
  type: list
  elements: str
  sample: ["ff80808288d41e1b018a1c7e2c0d1a2b"]
status_code:
  description: HTTP status of the failed API request.
  returned: when the API answered with an error
  type: int
  sample: 401
error_code:
  description: The API's error code.
  returned: when the API answered with an error that has one
  type: str
  sample: APIGW.0301
error_msg:
  description: The API's error message.
  returned: when the API answered with an error that has one
  type: str
  sample: "Incorrect IAM authentication information: verify aksk signature fail"
request_id:
  description: The request ID of the failed API request (C(X-Request-Id)); quote it in a support ticket.
  returned: when the API answered with an error
  type: str
  sample: 5b8bd6c4e1f7a0d2c3b4a5968778695a
"""

from ansible_collections.hwc.dcs.plugins.module_utils._dcs_job_info import MODULE_OPTIONS, argument_spec, run
from ansible_collections.hwc.dcs.plugins.module_utils._runner import run_module


def main():
    run_module(run, argument_spec(), **MODULE_OPTIONS)


if __name__ == "__main__":
    main()
