# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DCS emulator's parts: routing (the route table's types), api (the emulated endpoints), admin,
faults, signature (the gateway's SDK-HMAC-SHA256 judge) and server (HTTP plumbing).

Standard library only; imported by ``tests/emulator/dcs_emulator.py``, which is the entry point.
"""
