# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the selected cases of the hostile-server suite once per session and writes the report.

First, serially: ``ansible-playbook``'s startup (the play with the module skipped, twice, the
slower counts) and the ``normal`` case (its peak RSS is the memory baseline). Then the other
selected cases, on HOSTILE_WORKERS threads (default 2), longest first, each thread with its own
launcher. Every outcome is checked at once; the tests only assert on those checks. The report
(JSON, HOSTILE_REPORT, default tests/output/hostile-report.json) lists each case with its time,
bound, peak RSS and problems.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import concurrent.futures
import json
import os
import queue
import subprocess
import sys
import time

import pytest

import hostile_cases
import hostile_runner

DEFAULT_REPORT = os.path.join("tests", "output", "hostile-report.json")


def _selected_names(session):
    names = []
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("name") in hostile_cases.BY_NAME:
            names.append(callspec.params["name"])
    return names


def _ansible_version():
    try:
        out = subprocess.check_output([hostile_runner.ansible_playbook(), "--version"], universal_newlines=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.splitlines()[0].strip() if out else None


def _write_report(report):
    path = os.environ.get("HOSTILE_REPORT") or DEFAULT_REPORT
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2, sort_keys=False)
        handle.write("\n")


class Session:
    def __init__(self, workers):
        self.workers = workers
        self.launchers = queue.Queue()
        for launcher in [hostile_runner.Launcher() for dummy in range(workers)]:
            self.launchers.put(launcher)
        self.startup = None
        self.rss_bound_mb = None

    def close(self):
        while not self.launchers.empty():
            self.launchers.get().close()

    def timeout(self, case):
        return case.budget() + (self.startup or 10.0) + hostile_cases.STARTUP_MARGIN + hostile_cases.KILL_AFTER

    def run(self, case):
        launcher = self.launchers.get()
        try:
            return hostile_runner.run_case(case, launcher, self.timeout(case), hostile_cases.RSS_CAP_MB * 1024)
        finally:
            self.launchers.put(launcher)

    def finish(self, outcome):
        outcome.bound = outcome.case.budget() + self.startup + hostile_cases.STARTUP_MARGIN
        outcome.rss_bound_mb = self.rss_bound_mb
        outcome.problems = hostile_cases.check(outcome)
        return outcome


@pytest.fixture(scope="session")
def hostile_outcomes(request):
    began = time.monotonic()
    names = _selected_names(request.session)
    session = Session(max(1, int(os.environ.get("HOSTILE_WORKERS", "2"))))
    try:
        startups = [session.run(hostile_cases.STARTUP) for dummy in range(2)]
        session.startup = max(outcome.wall for outcome in startups)
        normal = session.run(hostile_cases.BY_NAME["normal"])
        session.rss_bound_mb = normal.rss_mb + hostile_cases.MEMORY_MARGIN_MB
        outcomes = {"normal": session.finish(normal)}
        rest = sorted((hostile_cases.BY_NAME[name] for name in set(names) - {"normal"}), key=lambda case: -case.budget())
        with concurrent.futures.ThreadPoolExecutor(max_workers=session.workers) as pool:
            for outcome in pool.map(session.run, rest):
                outcomes[outcome.case.name] = session.finish(outcome)
    finally:
        session.close()
    _write_report({
        "ansible": _ansible_version(), "python": sys.version.split()[0], "workers": session.workers,
        "startup_s": [round(outcome.wall, 2) for outcome in startups],
        "startup_margin_s": hostile_cases.STARTUP_MARGIN,
        "normal_peak_rss_mb": round(normal.rss_mb, 1), "rss_bound_mb": round(session.rss_bound_mb, 1),
        "startup_peak_rss_mb": round(max(outcome.rss_mb for outcome in startups), 1),
        "total_s": round(time.monotonic() - began, 1),
        "cases": [outcomes[case.name].report() for case in hostile_cases.CASES if case.name in outcomes],
    })
    return outcomes
