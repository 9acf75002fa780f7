# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""After a switchover request whose outcome is unknown: find what it started, never send it again.

Private to this collection: this interface may change without notice.

A switchover is not idempotent (a second one flips the roles back), so a request that may have
reached DCS (a timeout or a dropped connection after sending, an HTTP 5xx, a 2xx answer that
cannot be read) is never resent. ``is_ambiguous()`` says which failures those are; ``recover()``
looks for the job the request may have started in the instance's background tasks
(``GET /v2/{project_id}/instances/{instance_id}/tasks``, SDK ``ListBackgroundTaskResponse`` /
``SingleBackgroundTask``), created since just before the request was sent (with room for clock
skew), and returns its job ID; or, failing that, re-reads the layout to see whether the wanted
master is in place. When neither answers, it raises an error that says the request was NOT
resent and exactly what to check.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clause
from ansible_collections.hwc.dcs.plugins.module_utils._instance_tasks import (
    SKEW_ALLOWANCE,
    is_ambiguous,
    iso,
    known_task_ids,
    look_for_new_tasks,
)
from ansible_collections.hwc.dcs.plugins.module_utils._instances import get_layout
from ansible_collections.hwc.dcs.plugins.module_utils._switchover_plan import masters

SWITCH_WORDS = ("swap", "switch")  # in the task name: MasterStandbySwap, ClusterSwitchover, ...
__all__ = ("is_ambiguous", "known_tasks", "recover", "Recovery")


class Recovery:
    """What the search found: ``job_id`` (or None), the ``tasks`` seen, and ``layout`` when re-read."""

    def __init__(self, job_id=None, tasks=None, layout=None):
        self.job_id = job_id
        self.tasks = tasks or []
        self.layout = layout


def known_tasks(task, instance_id, sent_at, deadline):
    """Before sending: the IDs of the switchover tasks already listed (see ``_instance_tasks.known_task_ids``)."""
    return known_task_ids(task, instance_id, sent_at, deadline, SWITCH_WORDS)


def recover(task, plan, instance_id, sent_at, error, deadline, known=None):
    """The job (or the layout) the ambiguous request led to; raises when it cannot be told.

    ``known`` are the keys of the switchover tasks listed before the request was sent (``known_tasks()``)."""
    since = sent_at - SKEW_ALLOWANCE
    try:
        found = look_for_new_tasks(task, instance_id, since, deadline, SWITCH_WORDS, known or set())
    except DcsError as search_error:
        found = None
        task.warn("Could not list the background tasks of instance %s to find the switchover's job: %s"
                  % (instance_id, search_error.message))
    with_job = [t for t in found or [] if t["job_id"]]
    if len(with_job) == 1:
        return Recovery(with_job[0]["job_id"], found)
    if len(with_job) > 1:
        raise not_resent(error, plan, instance_id, "%d switchover tasks started since %s (jobs %s), so the module cannot tell "
                         "which one is its own" % (len(with_job), iso(since), ", ".join(t["job_id"] for t in with_job)),
                         tasks=found)
    try:
        layout = get_layout(task, instance_id, deadline)
    except DcsError as read_error:
        raise not_resent(error, plan, instance_id, "no switchover task was found and the layout could not be read again (%s)"
                         % read_error.message, tasks=found) from read_error
    now = masters(layout)
    if plan.node_id is not None and now.get(plan.group_id or "") == plan.node_id:
        return Recovery(None, found, layout)
    if plan.node_id is None and any(plan.before.get(group) not in (None, node) for group, node in now.items()):
        return Recovery(None, found, layout)  # switch now: the master has changed
    raise not_resent(error, plan, instance_id, "no new switchover task was found (looked back to %s) and the master is still %s"
                     % (iso(since), _show_masters(now)), tasks=found, master_now=now)


def _show_masters(by_group):
    return ", ".join("%s in group %s" % (node, group or "-") for group, node in sorted(by_group.items())) or "unknown"


def not_resent(error, plan, instance_id, finding, **extras):
    """The failure after an ambiguous request: what happened, that it was NOT resent, and what to check."""
    message = (
        "The %s request for instance %s may or may not have reached DCS: %s. It was NOT sent again, because a second "
        "switchover would switch the roles back. The module looked for the job it may have started: %s. Check the "
        "instance's background tasks (console: instance > Background Tasks, or GET .../instances/%s/tasks), the recent "
        "jobs (hwc.dcs.dcs_job_info with the job ID from a task), and the current master (hwc.dcs.dcs_instance_info) "
        "before running the task again." % (plan.operation, instance_id, clause(error.message), finding, instance_id))
    return error.derive(message=message, request_resent=False, ambiguous=True, **extras)
