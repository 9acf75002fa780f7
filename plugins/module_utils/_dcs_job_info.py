# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of the hwc.dcs.dcs_job_info module, kept out of the module file.

Private to this collection: this interface may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._job_query import query_jobs
from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import wait_argument_spec, wait_options

MODULE_OPTIONS = dict(
    mutually_exclusive=[("job_id", "job_ids")],
    required_one_of=[("job_id", "job_ids")],
    supports_check_mode=True,
)


def argument_spec():
    spec = dict(
        job_id=dict(type="str"),
        job_ids=dict(type="list", elements="str"),
    )
    spec.update(wait_argument_spec())
    return spec


def run(task):
    """Query and optionally wait. Returns the result; raises DcsError (with ``jobs``/``job`` when known)."""
    params = task.params
    job_ids = validation.check_job_ids(params.get("job_id"), params.get("job_ids"))
    options = wait_options(params)
    single = params.get("job_id") is not None
    try:
        entries = query_jobs(task, job_ids, options)
    except DcsError as error:
        jobs = error.extras.get("jobs")
        if single and jobs:
            raise error.derive(job=jobs[0]) from error
        raise
    result = dict(changed=False, jobs=entries, project_id=task.project.known)
    if single:
        result["job"] = entries[0]
    return result
