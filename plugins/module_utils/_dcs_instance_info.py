# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of the hwc.dcs.dcs_instance_info module, kept out of the module file.

Private to this collection: this interface may change without notice.

One instance (``instance_id``, with its node layout unless ``include_nodes=false``) or a filtered
list. With ``wait_for_status`` (or ``wait=true``, which means ``wait_for_status=RUNNING``) the one
instance is polled with the generic waiter until it has that status; for ``RUNNING`` also no
``task`` in progress (the provider's ready check, ``refreshDcsInstanceState`` in
``huaweicloud/services/dcs/common.go``). ``CREATEFAILED``, ``ERROR`` and ``FROZEN`` never change by
themselves: reaching one (unless it is the wanted status) ends the wait at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.hwc.dcs.plugins.module_utils import _instances as instances
from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, DcsError, ValidationError, WaitTimeoutError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import iso
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean, show
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import wait_argument_spec, wait_options
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Waiter

MODULE_OPTIONS = dict(
    mutually_exclusive=[("instance_id", "name"), ("instance_id", "status"), ("instance_id", "engine")],
    supports_check_mode=True,
)

POLL_LABEL = "poll"  # instance reads count as the task's polls, as job reads do in dcs_job_info
FILTERS = ("name", "status", "engine")
_STATUS_RE = re.compile(r"\A[A-Za-z][A-Za-z_]{0,31}\Z")
MAX_FILTER = 128


class InstanceStatusError(DcsError):
    """The instance reached a status from which the wanted status can never be reached."""


def argument_spec():
    spec = dict(
        instance_id=dict(type="str"),
        name=dict(type="str"),
        exact_name=dict(type="bool", default=False),
        status=dict(type="str"),
        engine=dict(type="str"),
        include_nodes=dict(type="bool", default=True),
        wait_for_status=dict(type="str"),
    )
    spec.update(wait_argument_spec())
    return spec


def _check_status(value, option):
    if value is None:
        return None
    if not isinstance(value, str) or not _STATUS_RE.match(value):
        raise ValidationError("%s %s is not a valid instance status: use a status name such as RUNNING (letters and '_')."
                              % (option, show(value)))
    return value.upper()


def _check_text(value, option):
    if value is None:
        return None
    if not value.strip() or len(value) > MAX_FILTER or clean(value) != value:
        raise ValidationError("%s %s is not usable: give 1 to %d printable characters." % (option, show(value), MAX_FILTER))
    return value


def _wanted(params, options):
    """The status to wait for, or None. ``wait_for_status`` implies waiting; ``wait`` alone means RUNNING."""
    wanted = _check_status(params.get("wait_for_status"), "wait_for_status")
    if wanted is None and options.wait:
        wanted = instances.READY_STATUS
    if wanted is not None and params.get("instance_id") is None:
        option = "wait_for_status" if params.get("wait_for_status") is not None else "wait"
        raise ValidationError("%s needs instance_id: the module waits on one instance, not on a list." % option)
    return wanted


def check_params(params):
    """Validate the options; returns the wait options (waiting when there is a status to wait for) and that status."""
    options = wait_options(params)
    if params.get("instance_id") is not None:
        validation.check_id(params["instance_id"], "instance_id")
    for option in ("name", "engine"):
        _check_text(params.get(option), option)
    _check_status(params.get("status"), "status")
    if params.get("exact_name") and params.get("name") is None:
        raise ValidationError("exact_name needs name: it makes name an exact match instead of the API's substring match.")
    wanted = _wanted(params, options)
    options.wait = wanted is not None
    return options, wanted


def reached(instance, wanted):
    """Has ``instance`` the wanted status? For RUNNING, also no task in progress (the provider's ready check)."""
    if wanted == instances.READY_STATUS:
        return instances.is_ready(instance)
    return instance.get("status") == wanted


def hopeless(instance, wanted):
    """A status that never changes by itself, and is not the wanted one."""
    return instance.get("status") in instances.FAILED_STATUSES and instance.get("status") != wanted


def _describe(instance):
    text = "status %s" % instance.get("status")
    if instance.get("task"):
        text += " with task %s in progress" % show(instance["task"])
    return text


def _target(instance_id, instance, word="instance"):
    name = (instance or {}).get("name")
    return "%s %s%s" % (word, instance_id, " (%s)" % name if name else "")


def wait_for(task, instance_id, wanted, options, deadline):
    """Poll until the instance reached ``wanted`` or a hopeless status. Returns its facts with ``status_history``."""
    history = task.remember("instance_history", [])

    def fetch(key, poll_deadline):
        facts = instances.get_instance(task, key, poll_deadline, label=POLL_LABEL)
        seen = (facts.get("status"), facts.get("task"))
        if not history or (history[-1]["status"], history[-1]["task"]) != seen:
            history.append(dict(status=seen[0], task=seen[1], seen_at=iso(task.now())))
        return facts

    def done(facts):
        return reached(facts, wanted) or hopeless(facts, wanted)

    waiter = Waiter(fetch, done, log=task.client.log, clock=task.clock, sleep=task.sleep, now=task.now)
    outcome = waiter.run([instance_id], deadline, wait=True, interval=options.sleep, slicer=task.slicer, kind="instance")
    tracked = outcome.tracked[0]
    facts = dict(tracked.state or {}, status_history=history) if tracked.answered else None
    if outcome.pending:
        last = (_describe(facts) if facts else "no answer yet") + tracked.failure_note
        raise WaitTimeoutError("Timed out after %d seconds (wait_timeout=%s) waiting for %s to reach %s: %s."
                               % (round(task.elapsed()), options.timeout, _target(instance_id, facts), _wanted_text(wanted), last),
                               instance=facts, project_id=task.project.known)
    if hopeless(facts, wanted) and options.fail_on_failure:
        raise InstanceStatusError("%s is %s, which never changes by itself: it cannot reach %s. Check the instance in "
                                  "the console or open a support ticket." % (_target(instance_id, facts, "Instance"),
                                                                             facts["status"], _wanted_text(wanted)),
                                  instance=facts, project_id=task.project.known)
    return facts


def _wanted_text(wanted):
    return "RUNNING with no task in progress" if wanted == instances.READY_STATUS else wanted


def add_layout(task, instance, deadline):
    """The node layout (nodes, groups with master_node_id), or None with a warning when the API has none for it."""
    try:
        layout = instances.get_layout(task, instance["instance_id"], deadline)
    except ApiError as error:
        if error.status_code not in (400, 404) or (error.error_code or "").startswith("APIGW"):
            raise
        task.warn("The node layout of %s is not available (%s); nodes and groups are null."
                  % (_target(instance["instance_id"], instance), error.message))
        layout = dict(nodes=None, groups=None)
    instance.update(layout)
    return instance


def _matches(instance, params, status):
    if params.get("exact_name") and instance.get("name") != params["name"]:
        return False
    if status and instance.get("status") != status:
        return False
    engine = params.get("engine")
    return not engine or (instance.get("engine") or "").lower() == engine.lower()


def run(task):
    """Read one instance (optionally waiting for a status) or a filtered list. Returns the result."""
    params = task.params
    options, wanted = check_params(params)
    deadline = task.wait_deadline(options)
    instance_id = params.get("instance_id")
    if instance_id is None:
        status = _check_status(params.get("status"), "status")
        found = instances.list_instances(task, deadline, name=params.get("name"), status=status)
        found = [item for item in found if _matches(item, params, status)]
        return dict(changed=False, instances=found, project_id=task.project.known)
    if wanted is not None:
        instance = wait_for(task, instance_id, wanted, options, deadline)
    else:
        instance = instances.get_instance(task, instance_id, deadline, label=POLL_LABEL)
    if params.get("include_nodes"):
        add_layout(task, instance, deadline)
    return dict(changed=False, instance=instance, instances=[instance], project_id=task.project.known)
