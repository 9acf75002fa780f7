# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""After a parameter change whose answer was lost: find what it did, never send it again blindly.

Private to this collection: this interface may change without notice.

A request that may have reached DCS (a timeout or a dropped connection after sending, an HTTP 5xx,
a 2xx answer that cannot be read) is not resent. ``recover()`` looks for the job it may have
started in the instance's background tasks (``GET /v2/{project_id}/instances/{instance_id}/tasks``,
SDK ``ListBackgroundTaskResponse`` / ``SingleBackgroundTask``; the job ID is in the task's ``params``
JSON string or a top-level ``job_id``), created since just before the request was sent; else it
re-reads the parameters: applied values mean the change went through. Otherwise it raises an error
saying that nothing was resent and what to check.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._instance_config import CHANGE_LABEL, describe_missing, not_applied, read_configs
from ansible_collections.hwc.dcs.plugins.module_utils._text import clause
from ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks import (
    SKEW_ALLOWANCE,
    is_ambiguous,
    iso,
    known_task_ids,
    look_for_new_tasks,
)

CONFIG_WORDS = ("config", "param")  # in the task name: ModifyConfig, ...
__all__ = ("is_ambiguous", "known_tasks", "recover", "Outcome")


def known_tasks(task, instance_id, sent_at, deadline):
    """Before sending: the IDs of the parameter-change tasks already listed (see ``_instance_tasks.known_task_ids``)."""
    return known_task_ids(task, instance_id, sent_at, deadline, CONFIG_WORDS)


class Outcome:
    """What the search found: the ``job_id`` to follow (or None) and a ``summary`` for the warning."""

    def __init__(self, job_id, summary):
        self.job_id = job_id
        self.summary = summary


def recover(task, instance_id, changes, sent_at, error, deadline, known=()):
    """The job (or the applied values) the ambiguous request led to; raises when it cannot be told.

    ``known`` are the IDs of the parameter-change tasks listed before the request was sent (``known_tasks()``)."""
    since = sent_at - SKEW_ALLOWANCE
    try:
        found = look_for_new_tasks(task, instance_id, since, deadline, CONFIG_WORDS, set(known))
    except DcsError as search_error:
        found = []
        task.warn("Could not list the background tasks of instance %s to find the parameter change's job: %s"
                  % (instance_id, search_error.message))
    with_job = [item for item in found if item["job_id"]]
    if len(with_job) == 1:
        return Outcome(with_job[0]["job_id"], "Its job %s was found in the instance's background tasks (task %s) and "
                       "followed." % (with_job[0]["job_id"], with_job[0]["task_id"]))
    try:
        configs = read_configs(task, instance_id, deadline)
    except DcsError as read_error:
        raise not_resent(task, error, instance_id, "the parameters could not be read again (%s)" % read_error.message) from read_error
    missing = not_applied(changes, configs)
    tasks_seen = "%d new parameter change tasks with a job since %s" % (len(with_job), iso(since))
    if not missing:
        return Outcome(None, "The instance shows every new value, so the change reached DCS (%s, so its job is not "
                       "known)." % tasks_seen)
    shown = describe_missing(missing, changes, configs)
    if configs["config_status"] == "UPDATING":
        finding = "a parameter change is in progress (config_status UPDATING) that may be this one (%s); %s" % (tasks_seen, shown)
    else:
        finding = "the instance does not show the new values (%s) and no change is in progress (config_status %s, %s)" % (
            shown, configs["config_status"], tasks_seen)
    raise not_resent(task, error, instance_id, finding, config_status=configs["config_status"])


def not_resent(task, error, instance_id, finding, **extras):
    """The failure after an ambiguous request: what happened, that it was NOT resent, and what to check."""
    message = (
        "The parameter change request for instance %s may or may not have reached DCS: %s. It was NOT sent again. "
        "The module checked: %s. Check the instance's background tasks (console: instance > Background Tasks, or "
        "GET .../instances/%s/tasks) and its parameters, then rerun the task: it sends only the parameters that still "
        "differ." % (instance_id, clause(error.message), finding, instance_id))
    return error.derive(message=message, request_resent=False, ambiguous=True, instance_id=instance_id,
                        change_requests=task.client.log.requests(CHANGE_LABEL), **extras)
