# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared helpers of the DCS emulator's own tests: constants, configs, raw HTTP, SDK signing."""

from __future__ import annotations

import http.client
import json
import ssl
import sys
from pathlib import Path

try:
    from ansible_collections.hwc.dcs.tests.emulator import dcs_emulator  # noqa: F401 pylint: disable=unused-import
except ImportError:  # run directly from a checkout, not from an ansible_collections tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "emulator"))
    import dcs_emulator  # type: ignore[no-redef]  # noqa: F401 pylint: disable=unused-import

PROJECT = "0123456789abcdef0123456789abcdef"
OTHER_PROJECT = "fedcba9876543210fedcba9876543210"
AK = "AKEMULATORTEST000001"
SK = "SKemulatorTestSecretKey00000000000000001"
TMP_AK = "AKEMULATORTEMP000001"
TMP_SK = "SKemulatorTempSecretKey00000000000000001"
TOKEN = "gQpjbi1ub3J0aC00EMULATORTOKEN+/=="


def base_config(**overrides):
    config = {
        "credentials": [
            {"ak": AK, "sk": SK, "security_token": None},
            {"ak": TMP_AK, "sk": TMP_SK, "security_token": TOKEN},
        ],
        "projects": [
            {"id": PROJECT, "name": "cn-north-4"},
            {"id": OTHER_PROJECT, "name": "cn-south-1"},
        ],
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


class Raw:
    """A raw HTTP exchange with the emulator, through http.client (no client-side magic)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def raw_request(url, method, target, headers=None, body=None, timeout=10, ca_file=None):
    scheme, _sep, netloc = url.partition("://")
    if scheme == "https":
        ctx = ssl.create_default_context(cafile=ca_file)
        conn = http.client.HTTPSConnection(netloc, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection(netloc, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)  # str values go out as latin-1, as http.client does
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


def sdk_sign(url, path, ak=AK, sk=SK, project_id=PROJECT, token=None, query=None, method="GET",
             extra_headers=None, date=None):
    """Sign a request with the official SDK's Signer (the oracle); return (target, headers)."""
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    class _Cred:
        pass

    cred = _Cred()
    cred.ak, cred.sk = ak, sk
    headers = {"Content-Type": "application/json"}
    if project_id:
        headers["X-Project-Id"] = project_id
    if token:
        headers["X-Security-Token"] = token
    if date:
        headers["X-Sdk-Date"] = date
    headers.update(extra_headers or {})
    netloc = url.partition("://")[2]
    request = SdkRequest(method=method, schema=url.partition("://")[0], host=netloc, resource_path=path,
                         query_params=list((query or {}).items()), header_params=headers, body="")
    Signer(cred).sign(request)
    return request.uri, dict(request.header_params)
