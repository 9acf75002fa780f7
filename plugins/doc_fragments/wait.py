# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The wait options of every hwc.dcs module that waits. Keep them in step with
    # plugins/module_utils/_wait_options.py:wait_argument_spec() (a unit test checks).
    DOCUMENTATION = r"""
options:
  wait:
    description:
      - Whether to poll until everything the task waits for has a terminal status (for a job,
        V(SUCCESS) or V(FAIL)).
      - The first poll is immediate; then only what has not ended is polled, every O(wait_sleep) seconds.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds the whole task may take, project discovery, waits and retries included. When it passes
        before everything ended, the task fails and lists each unfinished job with its last status.
      - Without O(wait), the task also ends within (O(api_retries) + 1) x O(api_timeout) plus the
        backoff between retries.
      - Must be greater than 0.
    type: int
    default: 1800
  wait_sleep:
    description:
      - Seconds between two polling rounds while O(wait=true).
      - At least V(0.5), so that a typo cannot hammer the API.
    type: float
    default: 5
    aliases: [poll_interval]
  fail_on_job_failure:
    description:
      - Whether to fail the task when a job ended in V(FAIL) or carries a C(fail_reason).
      - A C(fail_reason) counts only when it is a non-blank string.
      - With V(false) the task succeeds and reports the jobs, so that the playbook can decide.
    type: bool
    default: true
  progress_interval:
    description:
      - "Seconds between the progress lines the controller prints while the task waits. A line also
        appears whenever a job (or the instance) changes status, for example
        C(hwc.dcs [localhost]: job ff80...1a2b (masterStandbySwapJob) RUNNING for 3m10s; 0 of 1 job finished, 3m22s elapsed)."
      - V(0) prints no progress lines and runs the module in one piece.
      - Otherwise from V(5) to V(3600). When not set, the C(hwc_dcs_progress_interval) variable is used, then the
        E(HWC_DCS_PROGRESS_INTERVAL) environment variable of the controller, then V(30).
      - With C(no_log) the lines show only how many jobs finished and the elapsed time.
      - Progress needs the collection's action plugin, which runs the module in slices; C(async) tasks print no
        progress lines. The result is the same either way.
    type: float
    version_added: 0.3.0
"""
