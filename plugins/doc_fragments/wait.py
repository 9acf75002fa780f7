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
"""
