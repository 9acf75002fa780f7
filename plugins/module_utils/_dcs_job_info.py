# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The logic of the hwc.dcs.dcs_job_info module, kept out of the module file.

Private to this collection: this interface may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.hwc.dcs.plugins.module_utils._client import ApiClient
from ansible_collections.hwc.dcs.plugins.module_utils._connection import connection_argument_spec, resolve_connection
from ansible_collections.hwc.dcs.plugins.module_utils._errors import DcsError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import query_jobs
from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        job_id=dict(type="str"),
        job_ids=dict(type="list", elements="str"),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=1800),
        wait_sleep=dict(type="float", default=5.0, aliases=["poll_interval"]),
        fail_on_job_failure=dict(type="bool", default=True),
    )
    return spec


def run(params, environ, add_secrets=None, client_factory=ApiClient, clock=time.monotonic, sleep=time.sleep):
    """Validate, query and wait. Returns (result dict, warnings); raises DcsError (with warnings attached)."""
    job_ids = validation.check_job_ids(params.get("job_id"), params.get("job_ids"))
    wait_timeout = validation.check_positive(params.get("wait_timeout"), "wait_timeout")
    wait_sleep = validation.check_positive(params.get("wait_sleep"), "wait_sleep")
    settings = resolve_connection(params, environ)
    if add_secrets is not None:
        # Secrets may come from the environment or the credentials file: mask them in any output too.
        add_secrets(settings.secrets())

    client = client_factory(settings, clock=clock, sleep=sleep)
    start = clock()
    try:
        entries, _wait_elapsed = query_jobs(
            client, job_ids, wait=params.get("wait"), wait_timeout=wait_timeout, wait_sleep=wait_sleep,
            fail_on_job_failure=params.get("fail_on_job_failure"), clock=clock, sleep=sleep)
    except DcsError as error:
        extras = error.extras
        extras.setdefault("elapsed", round(clock() - start, 3))
        extras["polls"] = client.log.requests["job"]
        extras["retries"] = client.log.retries
        if params.get("job_id") is not None and extras.get("jobs"):
            extras["job"] = extras["jobs"][0]
        error.warnings = _warnings(client)
        raise

    # elapsed covers the whole task, project discovery included.
    result = dict(jobs=entries, elapsed=round(clock() - start, 3), polls=client.log.requests["job"],
                  retries=client.log.retries, project_id=client.project_id)
    if params.get("job_id") is not None:
        result["job"] = entries[0]
    return result, _warnings(client)


def _warnings(client):
    warnings = list(client.warnings)
    summary = client.log.summary()
    if summary:
        warnings.append(summary)
    return warnings
