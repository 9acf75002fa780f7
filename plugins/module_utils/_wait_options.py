# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The wait option group (doc fragment ``hwc.dcs.wait``): argument spec and checks.

Private to this collection: this interface may change without notice.

Every module that waits takes ``wait``, ``wait_timeout``, ``wait_sleep`` and
``fail_on_job_failure`` with the same meaning, defaults and checks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation

WAIT_DEFAULTS = {"wait_timeout": 1800, "wait_sleep": 5.0}
MIN_WAIT_SLEEP = 0.5  # a typo such as 0.0001 must not hammer the API


def wait_argument_spec(wait_default=False):
    """The argument spec of the wait options."""
    return dict(
        wait=dict(type="bool", default=wait_default),
        wait_timeout=dict(type="int", default=WAIT_DEFAULTS["wait_timeout"]),
        wait_sleep=dict(type="float", default=WAIT_DEFAULTS["wait_sleep"], aliases=["poll_interval"]),
        fail_on_job_failure=dict(type="bool", default=True),
        # Read by the action plugin (plugin_utils/_progress.py), which checks it; the module ignores it.
        progress_interval=dict(type="float"),
    )


class WaitOptions:
    """The checked wait options of a task."""

    def __init__(self, wait, timeout, sleep, fail_on_failure):
        self.wait = wait
        self.timeout = timeout
        self.sleep = sleep
        self.fail_on_failure = fail_on_failure


def wait_options(params):
    """Check the wait options in ``params``; raises ValidationError naming the option."""
    timeout = params.get("wait_timeout")
    validation.check_finite_positive(timeout, "wait_timeout")
    sleep = validation.check_finite_positive(params.get("wait_sleep"), "wait_sleep", minimum=MIN_WAIT_SLEEP)
    return WaitOptions(bool(params.get("wait")), timeout, sleep, bool(params.get("fail_on_job_failure", True)))
