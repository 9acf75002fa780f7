# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An instance's background tasks: how a module finds the job a lost answer started.

Private to this collection: this interface may change without notice.

A request that changes an instance and whose answer is lost (``is_ambiguous()``) is never sent
again. Instead, the module lists the instance's background tasks
(``GET /v2/{project_id}/instances/{instance_id}/tasks``, SDK ``ListBackgroundTaskResponse`` /
``SingleBackgroundTask``) before sending (``known_task_ids()``) and after the failure
(``look_for_new_tasks()``): a task that was not there before, of the right kind (its name holds
one of ``words``), created since just before the request (with room for clock skew), is the one
the request started, and ``task_job_id()`` gives the job to follow.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, DcsError, TransportError
from ansible_collections.hwc.dcs.plugins.module_utils._instances import instance_url
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean

SKEW_ALLOWANCE = datetime.timedelta(minutes=5)  # our clock against DCS's: look this far back before the request
TASK_LOOKS = 3  # a new task may take a moment to be listed
TASK_LOOK_INTERVAL = 2.0
TASK_PAGE = 50


def is_ambiguous(error):
    """Whether a failed mutating request may nevertheless have reached DCS and started a job."""
    if isinstance(error, TransportError):
        return error.maybe_sent
    if isinstance(error, ApiError):
        status = error.status_code or 0
        return status >= 500 or 200 <= status < 300  # a server error, or an accepted answer we could not read
    return False


def _created(item):
    text = item.get("created_at")
    if not isinstance(text, str):
        return None
    text = text.strip().replace("Z", "+00:00")
    for form in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.datetime.strptime(text, form)
        except ValueError:
            continue
    return None


def task_job_id(item):
    """The job ID a background task carries: in its ``params`` (a JSON string), else a top-level ``job_id``."""
    params = item.get("params")
    if isinstance(params, str):
        try:
            params = json.loads(params)
        except ValueError:
            params = None
    for source in (params, item):
        if isinstance(source, dict) and isinstance(source.get("job_id"), str) and source["job_id"].strip():
            return clean(source["job_id"].strip(), 128)
    return None


def _check_tasks(body):
    if not isinstance(body.get("tasks"), list):
        raise ValueError("no 'tasks' list")


def list_tasks(task, instance_id, since, deadline, words):
    """The instance's tasks whose name holds one of ``words``, created at or after ``since`` (aware UTC)."""
    project_id = task.project.get(deadline)
    query = "offset=0&limit=%d&start_time=%s" % (TASK_PAGE, since.strftime("%Y%m%d%H%M%S"))
    url = "%s?%s" % (instance_url(task, project_id, instance_id, "tasks"), query)
    body = task.client.request("GET", url, project_id=project_id, deadline=deadline, max_retries=task.settings.api_retries,
                               validate=_check_tasks, label="tasks")
    found = []
    for item in body["tasks"]:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not any(word in name.lower() for word in words):
            continue
        created = _created(item)
        if created is not None and created < since:
            continue
        found.append(dict(task_id=clean(item.get("id"), 128), name=clean(name, 64), status=clean(item.get("status"), 32),
                          created_at=clean(item.get("created_at"), 64), job_id=task_job_id(item)))
    return found


def known_task_ids(task, instance_id, sent_at, deadline, words):
    """Before sending: the IDs of the tasks of this kind already listed, so that a search after a lost answer
    ignores them (an earlier operation minutes ago is not this one, whatever the clocks say). Empty when unreadable."""
    try:
        return set(item["task_id"] for item in list_tasks(task, instance_id, sent_at - SKEW_ALLOWANCE, deadline, words))
    except DcsError:
        return set()


def look_for_new_tasks(task, instance_id, since, deadline, words, known):
    """The tasks of this kind since ``since`` that were not ``known``, looked for a few times (a task may be listed late)."""
    found = []
    for look in range(TASK_LOOKS):
        if look:
            left = deadline.remaining()
            if left is not None and left <= TASK_LOOK_INTERVAL:
                break
            task.sleep(TASK_LOOK_INTERVAL)
        found = [item for item in list_tasks(task, instance_id, since, deadline, words) if item["task_id"] not in known]
        if found:
            break
    return found


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
