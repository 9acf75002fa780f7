# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the scenarios the selected tests need once per session, in parallel, and writes the report.

Each test names its scenarios with ``@pytest.mark.scenarios(...)``; the union of the selected tests'
scenarios runs on PROGRESS_WORKERS threads (default 7), in the order of ``progress_scenarios.SCENARIOS``.
The scenarios are independent (each has its own emulator), and their runs mostly wait, so more threads
than cores is right. The report (JSON, PROGRESS_REPORT, default tests/output/progress-report.json) lists
each run with its exit status, duration and progress lines as they arrived.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import json
import os
import subprocess
import sys
import time

import pytest

import progress_runner
import progress_scenarios

DEFAULT_REPORT = os.path.join("tests", "output", "progress-report.json")


def pytest_configure(config):
    config.addinivalue_line("markers", "scenarios(*names): the progress scenarios a test reads")


def _selected(session):
    names = set()
    for item in session.items:
        for marker in item.iter_markers("scenarios"):
            names.update(marker.args)
    unknown = names - set(progress_scenarios.SCENARIOS)
    if unknown:
        raise RuntimeError("unknown progress scenario(s): %s" % ", ".join(sorted(unknown)))
    return [name for name in progress_scenarios.SCENARIOS if name in names]


def _ansible_version():
    try:
        out = subprocess.check_output([progress_runner.program("ansible-playbook"), "--version"], universal_newlines=True)
    except (OSError, subprocess.CalledProcessError, RuntimeError):
        return None
    return out.splitlines()[0].strip() if out else None


def _write_report(report):
    path = os.environ.get("PROGRESS_REPORT") or DEFAULT_REPORT
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")


def _scenario_report(chain):
    report = {"error": chain.extra.get("error"), "runs": [run.summary() for run in chain.runs.values()]}
    if "python" in chain.extra:
        report["delegated_python"] = {key: chain.extra[key] for key in ("python", "version", "how")}
    answer = chain.extra.get("runner")
    if answer:
        report["ansible_runner"] = {"status": answer["status"], "rc": answer["rc"], "version": answer["runner_version"],
                                    "events": [[event.get("event"), event.get("created"), (event.get("stdout") or "").strip()[:160]]
                                               for event in answer["events"]]}
    return report


@pytest.fixture(scope="session")
def progress_outcomes(request):
    """{scenario name: progress_scenarios.Chain} for every scenario the selected tests need."""
    began = time.monotonic()
    names = _selected(request.session)
    workers = max(1, int(os.environ.get("PROGRESS_WORKERS", "7")))
    outcomes = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for chain in pool.map(progress_scenarios.run_scenario, names):
            outcomes[chain.name] = chain
    _write_report({
        "ansible": _ansible_version(), "python": sys.version.split()[0], "workers": workers,
        "total_s": round(time.monotonic() - began, 1),
        "scenarios": {name: _scenario_report(chain) for name, chain in outcomes.items()},
    })
    return outcomes
