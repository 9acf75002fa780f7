# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The unit tests' IDs must not depend on the clock.

ansible-test runs the unit tests with pytest-xdist, whose workers each collect the tests and refuse to start
when their lists differ. A parameter made at collection time from the clock (gzip.compress() writes the time
into its header) changes its test ID when a second boundary falls between two workers' collections: CI failed
that way once, on one run in many. This collects the tests twice with clocks a day apart and compares."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT = os.path.dirname(HERE)

COLLECT = """
import sys, time
offset = float(sys.argv[1])
real_time = time.time
time.time = lambda: real_time() + offset
import pytest
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"] + sys.argv[2:]))
"""


def collected_ids(offset, directory):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    completed = subprocess.run([sys.executable, "-c", COLLECT, str(offset), directory], cwd=os.path.dirname(os.path.dirname(UNIT)),
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=300)
    assert completed.returncode == 0, completed.stdout.decode("utf-8", "replace")[-3000:]
    return [line for line in completed.stdout.decode("utf-8", "replace").splitlines() if "::" in line]


@pytest.mark.parametrize("directory", ["plugins/module_utils", "plugins/modules", "emulator"])
def test_test_ids_do_not_depend_on_the_clock(directory):
    path = os.path.join(UNIT, directory)
    now = collected_ids(0, path)
    tomorrow = collected_ids(86400 + 1.5, path)
    assert len(now) > 50
    changed = sorted(set(now) ^ set(tomorrow))
    assert not changed, "test IDs that change with the clock:\n" + "\n".join(line[:200] for line in changed)
