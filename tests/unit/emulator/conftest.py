# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the DCS emulator's own tests (tests/emulator/)."""

from __future__ import annotations

import pytest

from ansible_collections.hwc.dcs.tests.support.emulator import Emulator, emulator_config


@pytest.fixture
def make_emulator():
    """Start emulators on 127.0.0.1 port 0; all are stopped after the test."""
    started = []

    def _make(config=None, **kwargs):
        emu = Emulator(emulator_config() if config is None else config, **kwargs)
        emu.start()
        started.append(emu)
        return emu

    yield _make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(make_emulator):
    return make_emulator()
