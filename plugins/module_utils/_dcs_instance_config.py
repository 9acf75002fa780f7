# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of the hwc.dcs.dcs_instance_config module, kept out of the module file.

Private to this collection: this interface may change without notice.

Read the instance's parameters, check every wanted value against the type and range the API gives,
send only the parameters that differ (``PUT .../async-configs``, never resent blindly), follow the
job with the shared job query, and check that the values were applied.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._instance_config import (
    CHANGE_LABEL,
    change_body,
    describe_missing,
    not_applied,
    plan_change,
    read_configs,
)
from ansible_collections.hwc.dcs.plugins.module_utils._instance_config_recovery import is_ambiguous, known_tasks, recover
from ansible_collections.hwc.dcs.plugins.module_utils._instances import FAILED_STATUSES, busy_policy, instance_url
from ansible_collections.hwc.dcs.plugins.module_utils._job_query import follow_job
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import check_job_started, is_failed
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean, plural, show
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import wait_argument_spec, wait_options

MODULE_OPTIONS = dict(supports_check_mode=True)
WAIT_DEFAULT = True  # a change window goes on only once the change is applied
UPDATING = "UPDATING"


class NotAppliedError(DcsError):
    """The job ended SUCCESS but the instance does not show the wanted values."""


def argument_spec():
    spec = dict(
        instance_id=dict(type="str", required=True),
        parameters=dict(type="dict", required=True),
    )
    spec.update(wait_argument_spec(wait_default=WAIT_DEFAULT))
    return spec


def _check_names(parameters):
    if not parameters:
        raise ValidationError("parameters is empty: give at least one parameter name and its value.")
    for name in parameters:
        if not name.strip() or len(name) > 128 or clean(name) != name:
            raise ValidationError("parameters has an invalid parameter name %s; nothing was sent." % show(name))
    return dict(parameters)


def _check_status(instance_id, configs):
    if configs["status"] in FAILED_STATUSES:
        raise ValidationError("Instance %s has status %s, from which it never becomes ready: its parameters cannot be "
                              "changed. Nothing was sent." % (instance_id, configs["status"]), instance_id=instance_id)


def run(task):
    """Plan, send (unless nothing differs or in check mode), wait and verify. Returns the result."""
    params = task.params
    instance_id = validation.check_id(params.get("instance_id"), "instance_id")
    wanted = _check_names(params.get("parameters"))
    options = wait_options(params)
    deadline = task.wait_deadline(options)
    # In a sliced wait (see _slices), a resumed run goes straight back to following the job it started.
    started = task.remember("change", {})
    if not started:
        configs = read_configs(task, instance_id, deadline)
        problems, changes, asked = plan_change(wanted, configs)
        if problems:
            raise ValidationError("%s of instance %s rejected, nothing was sent: %s." % (
                plural(len(problems), "parameter"), instance_id, "; ".join(problems)), instance_id=instance_id)
        result = _result(task, instance_id, changes, asked, configs)
        if not changes or task.check_mode:
            return result
        _check_status(instance_id, configs)
        job_id = _send(task, instance_id, changes, result, deadline)
        result["change_requests"] = _sent(task)
        started.update(changes=changes, result=result, job_id=job_id)
    changes, result, job_id = started["changes"], started["result"], started["job_id"]
    if job_id is not None:  # None: an ambiguous answer, and the values were found applied without a job to follow
        result["job"] = _follow(task, job_id, options, result)
        if options.wait and result["job"]["status"] == "SUCCESS":
            _verify(task, instance_id, changes, options, deadline, result)
    return result


def _sent(task):
    """How many change requests were sent (busy answers retried included)."""
    return task.client.log.requests(CHANGE_LABEL)


def _result(task, instance_id, changes, asked, configs):
    names = sorted(asked)
    return dict(
        changed=bool(changes),
        instance_id=instance_id,
        project_id=task.project.known,
        changed_parameters=dict((name, dict(before=clean(before), after=after)) for name, (_e, before, after) in changes.items()),
        restart_required=sorted(name for name, (entry, _b, _a) in changes.items() if entry["need_restart"]),
        parameters=dict((name, asked[name][1]) for name in names),
        config_status=configs["config_status"],
        recovered=False,
        change_requests=0,
        diff=dict(before=dict((name, clean(asked[name][0])) for name in names),
                  after=dict((name, asked[name][1]) for name in names),
                  before_header="instance %s parameters" % instance_id,
                  after_header="instance %s parameters" % instance_id),
    )


def _send(task, instance_id, changes, result, deadline):
    """PUT .../async-configs with the differing parameters; the job ID, or None when the outcome was recovered."""
    project_id = task.project.get(deadline)
    url = instance_url(task, project_id, instance_id, "async-configs")
    sent_at = task.now()
    known = known_tasks(task, instance_id, sent_at, deadline)
    try:
        body = task.client.request("PUT", url, body=change_body(changes), project_id=project_id, deadline=deadline,
                                   validate=check_job_started, label=CHANGE_LABEL, idempotent=False, policy=busy_policy(task))
        return body["job_id"]
    except DcsError as error:
        if not is_ambiguous(error):
            raise error.derive(message="%s Nothing was changed." % error.message.rstrip(), changed=False,
                               instance_id=instance_id, request_resent=False, change_requests=_sent(task)) from error
        lost = error
    outcome = recover(task, instance_id, changes, sent_at, lost, deadline, known)
    result["recovered"] = True
    task.warn("The answer to the parameter change of instance %s was lost (%s); the request was not sent again. %s"
              % (instance_id, lost.message, outcome.summary))
    return outcome.job_id


def _follow(task, job_id, options, result):
    """The job entry (``dcs_job_info``'s), after a wait when asked; failures carry what the task changed."""
    extras = dict(changed=True, instance_id=result["instance_id"], changed_parameters=result["changed_parameters"],
                  restart_required=result["restart_required"], project_id=task.project.known, recovered=result["recovered"],
                  change_requests=_sent(task))
    entry = follow_job(task, job_id, options, **extras)
    if is_failed(entry):  # fail_on_job_failure=false: the task succeeds and reports the failed job
        result["changed"] = True
    return entry


def _verify(task, instance_id, changes, options, deadline, result):
    """After the job's SUCCESS: the instance shows every wanted value (re-read while config_status is UPDATING)."""
    while True:
        configs = read_configs(task, instance_id, deadline)
        missing = not_applied(changes, configs)
        left = deadline.remaining()
        if not missing or configs["config_status"] != UPDATING or (left is not None and left <= options.sleep):
            break
        task.sleep(options.sleep)
    result["config_status"] = configs["config_status"]
    if missing:
        shown = describe_missing(missing, changes, configs)
        raise NotAppliedError("Job %s ended SUCCESS, but instance %s does not show the new values: %s (config_status %s). "
                              "Check the instance's parameters and rerun the task: it sends only what still differs."
                              % (result["job"]["job_id"], instance_id, shown, configs["config_status"]),
                              **dict(result, changed=True))
