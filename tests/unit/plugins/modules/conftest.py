# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures shared by the module tests: each test module gives ``fake``, the DCS API it needs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.tests.support.http_server import ScriptedServer


@pytest.fixture
def server(fake):
    """A server on 127.0.0.1 answered by the test module's ``fake`` (a function of the recorded request)."""
    with ScriptedServer(default=fake) as srv:
        yield srv
