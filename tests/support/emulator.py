# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DCS emulator (tests/emulator/) for tests: a standard configuration, and requests the SDK signed for it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.tests.emulator.dcs_emulator import Emulator  # noqa: F401 pylint: disable=unused-import
from ansible_collections.hwc.dcs.tests.support import sdk_oracle
from ansible_collections.hwc.dcs.tests.support.constants import AK, OTHER_PROJECT, OTHER_REGION, PROJECT, REGION, SK, emulator_credentials


def emulator_config(**overrides):
    """Both test credentials, two projects and four jobs: job-success (INIT, RUNNING at 0.5 s, SUCCESS at 1 s),
    job-fail (FAIL at 0.2 s), job-done (SUCCESS), job-other (in OTHER_PROJECT); ``overrides`` replace keys."""
    config = {
        "credentials": emulator_credentials(),
        "projects": [{"id": PROJECT, "name": REGION}, {"id": OTHER_PROJECT, "name": OTHER_REGION}],
        "jobs": {
            "job-success": {"project_id": PROJECT, "job_type": "masterStandbySwapJob",
                            "lifecycle": [[0, "INIT"], [0.5, "RUNNING"], [1.0, "SUCCESS"]]},
            "job-fail": {"project_id": PROJECT, "job_type": "modifyClientIpTransJob",
                         "lifecycle": [[0, "RUNNING"], [0.2, "FAIL"]],
                         "fail_reason": "DCS.4999: switchover aborted by the test"},
            "job-done": {"project_id": PROJECT, "lifecycle": [[0, "SUCCESS"]]},
            "job-other": {"project_id": OTHER_PROJECT, "lifecycle": [[0, "SUCCESS"]]},
        },
    }
    config.update(overrides)
    return config


def sdk_sign(url, path, ak=AK, sk=SK, project_id=PROJECT, token=None, query=None, method="GET", extra_headers=None, date=None,
             body=""):
    """A request to ``url`` + ``path`` signed by the official SDK as a DCS call; returns (target, headers)."""
    headers = {"Content-Type": "application/json"}
    if project_id:
        headers["X-Project-Id"] = project_id
    if token:
        headers["X-Security-Token"] = token
    if date:
        headers["X-Sdk-Date"] = date
    headers.update(extra_headers or {})
    scheme, _sep, netloc = url.partition("://")
    signed = sdk_oracle.sign_parts(method, scheme, netloc, path, list((query or {}).items()), headers, body, ak, sk)
    return signed.uri, signed.headers
