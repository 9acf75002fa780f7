# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import threading

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings

AK = "AKTESTEXAMPLE0000001"
SK = "SKtestExampleSecretKey0000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"


class FakeTime:
    """A monotonic clock and a sleep that advances it, plus a wall clock, all thread-safe."""

    def __init__(self, start=1000.0, wall=None):
        self.t = start
        self.wall = wall or datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
        self.sleeps = []
        self.lock = threading.Lock()

    def clock(self):
        with self.lock:
            return self.t

    def sleep(self, seconds):
        assert seconds >= 0, "negative sleep %r" % seconds
        with self.lock:
            self.sleeps.append(seconds)
            self.t += seconds

    def now(self):
        with self.lock:
            return self.wall + datetime.timedelta(seconds=self.t - 1000.0)


@pytest.fixture
def fake_time():
    return FakeTime()


def make_settings(endpoint, **overrides):
    values = dict(region="cn-north-4", project_id=PROJECT, endpoint=endpoint, iam_endpoint=endpoint,
                  access_key=AK, secret_key=SK, security_token=None, credential_source="the test",
                  validate_certs=True, ca_path=None, api_timeout=5.0, api_retries=3)
    values.update(overrides)
    return ConnectionSettings(**values)
