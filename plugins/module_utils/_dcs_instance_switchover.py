# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of the hwc.dcs.dcs_instance_switchover module, kept out of the module file.

Private to this collection: this interface may change without notice.

Read first (instance, layout), plan (``_switchover_plan``), send at most once (busy answers are
retried, as the Terraform provider does; an ambiguous failure is never resent but recovered by
``_switchover_recovery``), then query or wait on the job with ``_job_query.query_jobs`` and, after
a successful wait, read the layout again to verify the master.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._instances import busy_policy, get_instance, get_layout, instance_url
from ansible_collections.hwc.dcs.plugins.module_utils._job_query import follow_job
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import check_job_started
from ansible_collections.hwc.dcs.plugins.module_utils._switchover_plan import SWAP, Plan, make_plan, masters
from ansible_collections.hwc.dcs.plugins.module_utils._switchover_recovery import is_ambiguous, known_tasks, recover
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import wait_argument_spec, wait_options

MODULE_OPTIONS = dict(supports_check_mode=True)
SWITCHOVER_LABEL = "switchover"
VERIFY_READS = 3  # the layout may lag behind the job's end for a moment


def argument_spec():
    spec = dict(
        instance_id=dict(type="str", required=True),
        node_id=dict(type="str"),
        group_id=dict(type="str"),
    )
    spec.update(wait_argument_spec(wait_default=True))
    return spec


def send(task, plan, instance_id, deadline):
    """The one switchover request; returns the job ID. Busy answers are retried within the deadline."""
    project_id = task.project.get(deadline)
    if plan.operation == SWAP:
        method, url = "PUT", instance_url(task, project_id, instance_id, "async-swap")
    else:
        method, url = "POST", task.dcs_url(project_id, "instance", instance_id, "groups", plan.group_id, "replications",
                                           plan.node_id, "async-switchover")
    body = task.client.request(method, url, project_id=project_id, deadline=deadline, max_retries=None,
                               validate=check_job_started, label=SWITCHOVER_LABEL, idempotent=False, policy=busy_policy(task))
    return body["job_id"]


def _base_result(task, plan, instance_id):
    return dict(changed=plan.changes, instance_id=instance_id, operation=plan.operation, group_id=plan.group_id,
                node_id=plan.node_id, master_before=plan.before, master_after=plan.after, master_verified=False,
                recovered=False, job=None, diff=dict(before=dict(master_node_id=plan.before),
                                                     after=dict(master_node_id=plan.after)))


def _follow(task, job_id, options, result):
    """The job's entry after one query or the wait; failures carry the result so far."""
    return follow_job(task, job_id, options, **_failure_extras(task, result))


def _failure_extras(task, result):
    keys = ("changed", "instance_id", "operation", "group_id", "node_id", "master_before", "recovered")
    extras = dict((key, result[key]) for key in keys)
    extras.update(switchover_requests=_sent(task))
    return extras


def _sent(task):
    return task.client.log.requests(SWITCHOVER_LABEL)


def _verify(task, plan, instance_id, options, result):
    """After a successful wait: read the layout again; the wanted node must be master."""
    deadline = task.deadline(options.timeout)
    now = None
    for attempt in range(VERIFY_READS):
        if attempt:
            if deadline.remaining() is not None and deadline.remaining() <= options.sleep:
                break
            task.sleep(options.sleep)
        now = masters(get_layout(task, instance_id, deadline))
        if plan.node_id is None or now.get(plan.group_id or "") == plan.node_id:
            break
    result.update(master_after=now, master_verified=True)
    result["diff"]["after"] = dict(master_node_id=now)
    if plan.node_id is not None and now.get(plan.group_id or "") != plan.node_id:
        raise DcsError("The switchover job of instance %s succeeded, but node %s is not the master of group %s afterwards: "
                       "the master is %s. Check the instance with hwc.dcs.dcs_instance_info before running the task again."
                       % (instance_id, plan.node_id, plan.group_id or "-", now.get(plan.group_id or "")),
                       job=result.get("job"), **_failure_extras(task, result))
    if plan.node_id is None and now == plan.before:
        task.warn("The switchover job of instance %s succeeded, but the layout still shows the same master (%s)."
                  % (instance_id, now))


def _start(task, plan, instance_id, deadline, result):
    """Send once; after an ambiguous failure, find the job instead. Returns the job ID or None."""
    sent_at = task.now()
    known = known_tasks(task, instance_id, sent_at, deadline)
    try:
        return send(task, plan, instance_id, deadline)
    except DcsError as error:
        if not is_ambiguous(error):
            raise error.derive(changed=False, switchover_requests=_sent(task), instance_id=instance_id,
                               master_before=plan.before) from error
        found = recover(task, plan, instance_id, sent_at, error, deadline, known)
    result["recovered"] = True
    if found.layout is not None:
        now = masters(found.layout)
        result.update(master_after=now, master_verified=True)
        result["diff"]["after"] = dict(master_node_id=now)
    task.warn("The %s request's answer was lost (%s); it was not sent again. %s" % (
        plan.operation, "timeout, dropped connection or server error",
        "Following job %s, found in the instance's background tasks." % found.job_id if found.job_id else
        "No job was found, but the layout shows the switchover took place."))
    return found.job_id


def run(task):
    params = task.params
    instance_id = validation.check_id(params["instance_id"], "instance_id")
    node_id = params.get("node_id")
    group_id = params.get("group_id")
    if node_id is not None:
        validation.check_id(node_id, "node_id")
    if group_id is not None:
        validation.check_id(group_id, "group_id")
    options = wait_options(params)
    # In a sliced wait (see _slices), a resumed run goes straight back to following the job it started.
    started = task.remember("switchover", {})
    if not started:
        deadline = task.wait_deadline(options)
        instance = get_instance(task, instance_id, deadline)
        layout = get_layout(task, instance_id, deadline)
        plan = make_plan(instance, layout, node_id, group_id)
        result = _base_result(task, plan, instance_id)
        result["project_id"] = task.project.known
        if not plan.changes or task.check_mode:
            result["switchover_requests"] = 0
            return result
        job_id = _start(task, plan, instance_id, deadline, result)
        started.update(plan=vars(plan), result=result, job_id=job_id)
    plan, result, job_id = Plan(**started["plan"]), started["result"], started["job_id"]
    if job_id is not None:
        result["job"] = _follow(task, job_id, options, result)
        if options.wait and result["job"]["status"] == "SUCCESS":
            _verify(task, plan, instance_id, options, result)
    result["switchover_requests"] = _sent(task)
    return result
