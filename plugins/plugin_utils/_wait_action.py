# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin of every hwc.dcs module: runs the module where Ansible runs it, in slices while it waits.

Private to this collection: this interface may change without notice.

A module cannot report anything before it ends, so a 20-minute wait used to print nothing for 20
minutes. This plugin runs the module with ``_HWC_DCS_SLICE_SECONDS`` set: a waiting module pauses at
each status change and at the end of each slice (see ``module_utils/_slices``), the plugin prints the
progress lines on the controller and runs the module again with the sealed state it returned. The
last run's result is the task's result, the same as one uninterrupted run returns.

``async`` tasks and ``progress_interval: 0`` run the module once, unchanged, as ``ansible.builtin.normal``
does.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display
from ansible.utils.vars import merge_hash

from ansible_collections.hwc.dcs.plugins.module_utils._slices import PAUSED_KEY, PROGRESS_KEY, SECONDS_VAR, STATE_VAR
from ansible_collections.hwc.dcs.plugins.plugin_utils._progress import VARIABLE, lines, progress_interval

display = Display()


class WaitProgressAction(ActionBase):
    """Subclassed, unchanged, by ``plugins/action/<module>.py``."""

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = True
    _slice_environment = None

    def run(self, tmp=None, task_vars=None):
        result = super(WaitProgressAction, self).run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        task_vars = task_vars or {}
        wrap_async = bool(self._task.async_val) and not getattr(self._connection, "has_native_async", False)
        try:
            # Variables reach an action plugin untemplated: "{{ base + 5 }}" must count as its value.
            variables = {}
            if VARIABLE in task_vars:
                variables[VARIABLE] = self._templar.template(task_vars[VARIABLE])
            interval = progress_interval(self._task.args, variables, os.environ)
        except ValueError as error:
            return dict(result, failed=True, msg=str(error))
        if wrap_async or not interval:
            answer = self._execute_module(task_vars=task_vars, wrap_async=wrap_async)
        else:
            answer = self._run_in_slices(task_vars, interval)
        result = merge_hash(result, answer)
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result

    def _run_in_slices(self, task_vars, interval):
        host = task_vars.get("inventory_hostname", "localhost")
        no_log = bool(self._task.no_log or self._play_context.no_log)
        started = time.monotonic()
        self._slice_environment = {SECONDS_VAR: "%g" % interval}
        try:
            while True:
                answer = self._execute_module(task_vars=task_vars)
                token = answer.pop(PAUSED_KEY, None)
                progress = answer.pop(PROGRESS_KEY, None)
                paused = isinstance(token, str) and not answer.get("failed")
                if paused or STATE_VAR in self._slice_environment:  # a wait that ended at its first poll shows nothing
                    for line in lines(progress, host, time.monotonic() - started, no_log=no_log, heartbeat=paused):
                        display.display(line)
                if not paused:
                    return answer
                self._slice_environment[STATE_VAR] = token
        finally:
            self._slice_environment = None

    def _compute_environment_string(self, raw_environment_out=None):
        """The task's environment, plus the slice variables while the module runs in slices."""
        environment = {}
        prefix = super(WaitProgressAction, self)._compute_environment_string(environment)
        if raw_environment_out is not None:
            raw_environment_out.update(environment)
        if not self._slice_environment:
            return prefix
        environment.update(self._slice_environment)
        return self._connection._shell.env_prefix(**environment)
