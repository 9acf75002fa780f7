# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Import time of one module in a fresh interpreter, run by bench.py: ``python import_time.py MODULE``.

Prints one JSON object: ``seconds`` (wall time of the import alone, the interpreter's start-up excluded) and
``modules`` (how many modules the import loaded). bench.py runs it for hwc.dcs.dcs_job_info (the module and
its module_utils) and for ansible.builtin.ping (ansible.module_utils.basic, the floor of every module), so
that a regression in what the collection imports shows as the difference of the two.
"""

import importlib
import json
import sys
import time


def measure(name):
    """dict(seconds=..., modules=...) of importing ``name`` (a dotted module path) in this process."""
    before = set(sys.modules)
    start = time.perf_counter()
    importlib.import_module(name)
    seconds = time.perf_counter() - start
    return dict(seconds=seconds, modules=len(set(sys.modules) - before))


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
