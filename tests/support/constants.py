# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Values shared by every test: credentials, project IDs, region, the signer's reference date.

AK/SK are the credentials of the signing reference vectors (docs signing.md), so a test that
checks a vector and a test that talks to a server use the same pair.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

AK = "AKTESTEXAMPLE0000001"
SK = "SKtestExampleSecretKey0000000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
OTHER_PROJECT = "fedcba9876543210fedcba9876543210"
REGION = "cn-north-4"
OTHER_REGION = "cn-south-1"

# Temporary credentials: an AK/SK pair that is only valid with its security token.
TMP_AK = "AKTESTTEMPORARY00001"
TMP_SK = "SKtestTemporarySecretKey00000000000000001"
TOKEN = "gQpjbi1ub3J0aC00TESTTOKEN+/=="

# The signer's reference vectors: a job ID, the public DCS host and the fixed X-Sdk-Date.
JOB_ID = "ff80808288d41e1b018a1c7e2c0d1a2b"
HOST = "dcs.cn-north-4.myhuaweicloud.com"
SDK_DATE = "20250101T120000Z"

# The gateway's answer to an unknown path, as the real API gateway words it.
NOT_FOUND = {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published in the environment."}


def emulator_credentials():
    """The credentials list of an emulator configuration: the permanent pair and the temporary one."""
    return [{"ak": AK, "sk": SK, "security_token": None}, {"ak": TMP_AK, "sk": TMP_SK, "security_token": TOKEN}]


# DCS instances of the emulator's standard configuration (tests/support/emulator.py instances_config()).
HA_INSTANCE = "3d3c5e57-4a7b-4c5e-9b6e-0a1b2c3d4e01"
CLUSTER_INSTANCE = "3d3c5e57-4a7b-4c5e-9b6e-0a1b2c3d4e02"
SINGLE_INSTANCE = "3d3c5e57-4a7b-4c5e-9b6e-0a1b2c3d4e03"
HA_GROUP = "ff80808290a1b2c30190a1b2c3d41000"
HA_MASTER_NODE = "ff80808290a1b2c30190a1b2c3d41001"
HA_SLAVE_NODE = "ff80808290a1b2c30190a1b2c3d41002"
CLUSTER_GROUPS = ("ff80808290a1b2c30190a1b2c3d42000", "ff80808290a1b2c30190a1b2c3d43000", "ff80808290a1b2c30190a1b2c3d44000")
CLUSTER_GROUP = CLUSTER_GROUPS[0]
CLUSTER_GROUP_MASTER = "ff80808290a1b2c30190a1b2c3d42001"
CLUSTER_GROUP_SLAVE = "ff80808290a1b2c30190a1b2c3d42002"
CLUSTER_GROUP_SLAVE2 = "ff80808290a1b2c30190a1b2c3d42003"
