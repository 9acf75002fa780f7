# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK
from ansible_collections.hwc.dcs.tests.support.fake_clock import FakeTime


@pytest.fixture
def fake_time():
    return FakeTime()


def make_settings(endpoint, **overrides):
    values = dict(region="cn-north-4", project_id=PROJECT, endpoint=endpoint, iam_endpoint=endpoint,
                  access_key=AK, secret_key=SK, security_token=None, credential_source="the test",
                  verify=True, api_timeout=5.0, api_retries=3)
    values.update(overrides)
    return ConnectionSettings(**values)
