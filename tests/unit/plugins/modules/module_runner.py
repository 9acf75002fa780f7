# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() with arguments and return its JSON result, as Ansible would see it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
import time

import pytest
from ansible.module_utils.common import warnings as ansible_warnings

from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args):
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode("utf-8")
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved

CREDENTIAL_ENVIRONMENT = (
    "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "CLOUD_SDK_AK", "CLOUD_SDK_SK",
    "HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN", "HW_REGION_NAME", "HUAWEICLOUD_SDK_PROJECT_ID",
    "HW_PROJECT_ID", "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HWC_DCS_API_RETRIES",
)


def isolate_environment(monkeypatch, tmp_path):
    """No credentials from the developer's environment or home directory."""
    for name in CREDENTIAL_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE", str(tmp_path / "no-such-file"))


def run_module(main, args, capsys):
    """Call ``main()`` with ``args``; the result dict gets ``_rc``, ``_raw`` (stdout) and ``_seconds``."""
    args = dict((key, value) for key, value in args.items() if value is not None)
    # AnsibleModule collects warnings in a process-wide list: start each run with none.
    ansible_warnings._global_warnings.clear()
    ansible_warnings._global_deprecations.clear()
    started = time.monotonic()
    with patch_module_args(args):
        with pytest.raises(SystemExit) as info:
            main()
    seconds = time.monotonic() - started
    out = capsys.readouterr().out
    result = json.loads(out)
    result.update(_rc=info.value.code, _raw=out, _seconds=seconds)
    if "warnings" in result:
        result["warnings"] = [_message(warning) for warning in result["warnings"]]
    return result


def _message(warning):
    """ansible-core 2.19+ returns warnings as structured summaries; older releases as strings."""
    if isinstance(warning, dict):
        event = warning.get("event", warning)
        return event.get("msg", str(warning))
    return warning


def module_caller(main, server, monkeypatch, tmp_path, capsys, **defaults):
    """A function that runs ``main()`` against ``server`` with the test credentials, ``defaults`` and its own
    arguments, in an environment without the developer's credentials; it returns ``run_module()``'s result."""
    isolate_environment(monkeypatch, tmp_path)

    def _run(**args):
        base = dict(endpoint=server.url, region="cn-north-4", project_id=PROJECT, access_key=AK, secret_key=SK, api_retries=1)
        base.update(defaults)
        base.update(args)
        return run_module(main, base, capsys)
    return _run
