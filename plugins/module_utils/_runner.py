# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module runner: what every hwc.dcs module does around its own logic.

Private to this collection: this interface may change without notice.

A module file is documentation plus::

    def main():
        run_module(my_logic, my_argument_spec(), supports_check_mode=True)

``run_module()`` builds the ``AnsibleModule`` (the connection options are added to the module's
own spec), resolves the connection from the parameters and the environment, masks the secrets
wherever they came from, runs ``logic(task)``, and ends the task: ``DcsError`` becomes
``fail_json`` with its structured keys, warnings become ``module.warn``, and ``elapsed``,
``retries`` and ``polls`` are measured from one start for every result and message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
import traceback
from urllib.parse import quote

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.hwc.dcs.plugins.module_utils._client import ApiClient
from ansible_collections.hwc.dcs.plugins.module_utils._connection import connection_argument_spec, resolve_connection
from ansible_collections.hwc.dcs.plugins.module_utils._deadline import Deadline, utcnow
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._project import ProjectId
from ansible_collections.hwc.dcs.plugins.module_utils._slices import PAUSED_KEY, PROGRESS_KEY, Paused, Slicer
from ansible_collections.hwc.dcs.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR


class Task:
    """What a module's logic works with: its parameters, the connection, the client and the clock.

    ``start`` is the one moment ``elapsed`` and every deadline of the task count from.
    """

    def __init__(self, params, settings, check_mode=False, clock=time.monotonic, sleep=time.sleep, now=utcnow,
                 transport=None, start=None, slicer=None, wall=time.time):
        self.params = params
        self.settings = settings
        self.check_mode = check_mode
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.start = clock() if start is None else start
        self.slicer = slicer
        self.client = ApiClient(settings, transport=transport, clock=clock, sleep=sleep, now=now)
        state = slicer.state if slicer is not None else {}
        self.project = ProjectId(self.client, known=state.get("project_id"))
        self._warnings = list(settings.warnings)
        self._started_at = wall() - (clock() - self.start)
        if state:
            self._resume(state, wall)
        if slicer is not None:
            slicer.snapshot = self._snapshot

    def _resume(self, state, wall):
        """Go on from an earlier slice: the same start, counts, clock correction and warnings."""
        self._started_at = min(state["started_at"], wall())
        self.start = self.clock() - (wall() - self._started_at)
        self.client.log.restore(state["requests"], state["reasons"])
        self.client.skew.restore(**state["skew"])
        self._warnings.extend(state["warnings"])

    def _snapshot(self):
        """The task's state for the next slice (see ``_slices``)."""
        return dict(self.client.log.snapshot(), started_at=self._started_at, project_id=self.project.known,
                    skew=self.client.skew.snapshot(), warnings=self._warnings[len(self.settings.warnings):])

    def remember(self, name, default):
        """``default``, or what an earlier slice of this task kept under ``name``; kept for the next slice."""
        return default if self.slicer is None else self.slicer.remember(name, default)

    def elapsed(self):
        return round(self.clock() - self.start, 3)

    def deadline(self, seconds):
        """A deadline ``seconds`` after the task's start."""
        return Deadline(seconds, self.clock, start=self.start)

    def wait_deadline(self, options):
        """The deadline of a query or wait: ``wait_timeout`` when waiting; without a wait, also no later
        than every retry of one request could take, ``(api_retries + 1) * api_timeout`` plus backoff."""
        if options.wait:
            return self.deadline(options.timeout)
        retries = self.settings.api_retries
        bound = (retries + 1) * self.settings.api_timeout + self.client.policy.worst_case_backoff(retries)
        return self.deadline(min(options.timeout, bound))

    def dcs_url(self, project_id, *segments):
        """``dcs_url(p, 'jobs', j)`` -> ``{endpoint}/v2/{p}/jobs/{j}``, every segment percent-encoded."""
        path = "/".join(quote(str(segment), safe="") for segment in (project_id,) + segments)
        return "%s/v2/%s" % (self.settings.endpoint, path)

    def warn(self, text):
        self._warnings.append(text)

    def warnings(self):
        """The task's warnings: settings, the module's own, clock skew, and the retry summary last."""
        summary = self.client.log.summary()
        return self._warnings + self.client.warnings + ([summary] if summary else [])

    def counters(self):
        """``elapsed``, ``retries`` and ``polls`` of the whole task."""
        log = self.client.log
        return dict(elapsed=self.elapsed(), retries=log.retries, polls=log.requests("poll"))


def run_module(logic, argument_spec, environ=None, **module_kwargs):
    """Run ``logic(task)`` (which returns the result dict) as an Ansible module, and exit."""
    spec = connection_argument_spec()
    spec.update(argument_spec)
    module = AnsibleModule(argument_spec=spec, **module_kwargs)
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
    start = time.monotonic()
    environ = os.environ if environ is None else environ
    task = None
    try:
        settings = resolve_connection(module.params, environ)
        # Secrets may come from the environment or the credentials file: mask them in any output too.
        module.no_log_values.update(settings.secrets())
        slicer = Slicer.from_environ(environ, settings.secret_key)
        task = Task(module.params, settings, check_mode=module.check_mode, start=start, slicer=slicer)
        result = logic(task)
        if not isinstance(result, dict):
            raise TypeError("the module's logic returned %s, not a result dict" % type(result).__name__)
    except Paused as pause:
        module.exit_json(**{PAUSED_KEY: pause.token, PROGRESS_KEY: pause.progress})
    except DcsError as error:
        _end(module, task, start, error.to_result(), failed=True)
    except Exception as exc:  # pylint: disable=broad-except
        # A bug must still end in a clear message, never in a traceback on the user's screen.
        _end(module, task, start, dict(
            msg="Internal error in the hwc.dcs collection (%s). Please report it with the task and this message; "
                "run with -vvv for the details." % type(exc).__name__,
            exception=traceback.format_exc()), failed=True)
    _end(module, task, start, result, failed=False)


def _end(module, task, start, result, failed):
    counters = task.counters() if task is not None else dict(elapsed=round(time.monotonic() - start, 3))
    result.setdefault("changed", False)
    for key, value in counters.items():
        result.setdefault(key, value)
    for warning in task.warnings() if task is not None else ():
        module.warn(warning)
    if task is not None and task.slicer is not None:
        result[PROGRESS_KEY] = task.slicer.progress()
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)
