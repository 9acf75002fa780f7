# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs one case of the hostile-server suite: a server, a real ``ansible-playbook`` run, a measured outcome.

``Launcher`` drives ``launcher.py`` (see there why the measured commands are not forked from pytest);
``run_case`` starts the case's ``HostileServer``, writes the play's variables and a home directory
(with a ``.netrc`` for the netrc case), runs ``playbook.yml`` and returns an ``Outcome``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

import hostile_server

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOK = os.path.join(HERE, "playbook.yml")
CALLBACKS = os.path.join(os.path.dirname(HERE), "support", "callback_plugins")

# Distinctive test values: the secret key and the netrc password must never appear in any output.
ACCESS_KEY = "HOSTILETESTAK0000001"
SECRET_KEY = "HostileSK-7f3a9c2e-never-print-this-0001"
NETRC_PASSWORD = "NetrcPassw0rd-hostile-never-sent-0001"
PROJECT = "0123456789abcdef0123456789abcdef"
JOB_ID = "ff80808288d41e1b018a1c7e2c0d1a2b"
REGION = "cn-north-4"


def collections_path():
    """ANSIBLE_COLLECTIONS_PATH, else the directory above ``ansible_collections`` that holds this tree."""
    if os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        return os.environ["ANSIBLE_COLLECTIONS_PATH"]
    root = os.path.dirname(os.path.dirname(HERE))
    parts = root.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"]:
        return os.sep.join(parts[:-3])
    raise RuntimeError("Set ANSIBLE_COLLECTIONS_PATH to the directory that holds ansible_collections/hwc/dcs")


def ansible_playbook():
    """The ``ansible-playbook`` first on PATH (the harness puts the release's virtualenv first)."""
    found = shutil.which("ansible-playbook")
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), "ansible-playbook")
    if os.path.exists(beside):
        return beside
    raise RuntimeError("ansible-playbook is not on PATH")


class Launcher:
    """One ``launcher.py`` process; ``measure()`` runs a command through it (one at a time)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._process = subprocess.Popen([sys.executable, os.path.join(HERE, "launcher.py")], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, universal_newlines=True)

    def measure(self, command, env, cwd, stdout, timeout, rss_cap_kb):
        request = {"command": command, "env": env, "cwd": cwd, "stdout": stdout, "timeout": timeout,
                   "rss_cap_kb": rss_cap_kb}
        with self._lock:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("launcher.py ended unexpectedly")
        return json.loads(line)

    def close(self):
        try:
            self._process.stdin.close()
        except OSError:
            pass
        self._process.wait(30)


class Outcome:
    """What one run gave: measurements, screen output, the module's result, the server's request log."""

    def __init__(self, case, measured, output, record, requests, server_errors):
        self.case = case
        self.wall = measured["wall"]
        self.rss_mb = measured["rss_kb"] / 1024.0
        self.status = measured["status"]
        self.killed = measured["killed"]
        self.output = output
        self.record = record
        self.requests = requests
        self.server_errors = server_errors
        self.problems = []
        self.bound = None
        self.rss_bound_mb = None

    @property
    def result(self):
        return (self.record or {}).get("result") or {}

    @property
    def msg(self):
        msg = self.result.get("msg")
        return msg if isinstance(msg, str) else ("" if msg is None else json.dumps(msg))

    def report(self):
        return {"case": self.case.name, "mode": self.case.mode, "wait": self.case.wait, "expect": self.case.expect,
                "wall_s": round(self.wall, 2), "bound_s": None if self.bound is None else round(self.bound, 2),
                "peak_rss_mb": round(self.rss_mb, 1),
                "rss_bound_mb": None if self.rss_bound_mb is None else round(self.rss_bound_mb, 1),
                "rc": self.status, "killed": self.killed, "requests": len(self.requests),
                "outcome": (self.record or {}).get("outcome"), "msg": self.msg[:400],
                "passed": not self.problems, "problems": self.problems}


def play_variables(case, server):
    variables = {"hostile_endpoint": server.url, "hostile_region": REGION, "hostile_job_id": JOB_ID,
                 "hostile_wait": case.wait, "hostile_wait_timeout": case.wait_timeout,
                 "hostile_wait_sleep": case.wait_sleep, "hostile_api_timeout": case.api_timeout,
                 "hostile_api_retries": case.api_retries, "hostile_skip": case.mode is None}
    if case.iam:
        variables["hostile_iam_endpoint"] = server.url
    else:
        variables["hostile_project_id"] = PROJECT
    return variables


def play_environment(workdir, home, result_file):
    """A clean environment: no proxies, no credentials file, no netrc but the case's, no colours."""
    return {
        "PATH": os.environ.get("PATH", os.defpath), "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "ANSIBLE_COLLECTIONS_PATH": collections_path(), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACKS, "ANSIBLE_CALLBACKS_ENABLED": "dcs_record",
        "ANSIBLE_CALLBACK_RESULT_FORMAT": "yaml", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-local"), "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_CONFIG": os.path.join(workdir, "ansible.cfg"),
        "DCS_RESULT_FILE": result_file,
        "HUAWEICLOUD_SDK_AK": ACCESS_KEY, "HUAWEICLOUD_SDK_SK": SECRET_KEY,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    }


def run_case(case, launcher, timeout, rss_cap_kb):
    """Run ``case`` (``case.mode`` None: the startup run, module skipped) and return its ``Outcome``."""
    workdir = tempfile.mkdtemp(prefix="hwc-dcs-hostile-%s-" % case.name)
    try:
        home = os.path.join(workdir, "home")
        os.mkdir(home, 0o700)
        if case.netrc:
            with open(os.path.join(home, ".netrc"), "w") as handle:
                handle.write("default login netrc-user password %s\n" % NETRC_PASSWORD)
            os.chmod(os.path.join(home, ".netrc"), 0o600)
        with open(os.path.join(workdir, "ansible.cfg"), "w") as handle:
            handle.write("[defaults]\n")
        result_file = os.path.join(workdir, "result.json")
        output_file = os.path.join(workdir, "output.txt")
        with hostile_server.HostileServer(case.mode or "normal", REGION) as server:
            with open(os.path.join(workdir, "vars.json"), "w") as handle:
                json.dump(play_variables(case, server), handle)
            command = [ansible_playbook(), "-v", "-i", "localhost,", PLAYBOOK, "-e", "@" + os.path.join(workdir, "vars.json")]
            measured = launcher.measure(command, play_environment(workdir, home, result_file), workdir, output_file,
                                        timeout, rss_cap_kb)
        with open(output_file, "rb") as handle:
            output = handle.read().decode("utf-8", "replace")
        record = None
        if os.path.exists(result_file):
            with open(result_file) as handle:  # one JSON line per hwc.dcs task: the play has one
                record = json.loads(handle.read().splitlines()[-1])
            for key in ("task", "action", "host", "time"):
                record.pop(key, None)
        return Outcome(case, measured, output, record, list(server.requests), list(server.errors))
    finally:
        if not os.environ.get("HOSTILE_KEEP"):  # HOSTILE_KEEP=1 keeps each run's directory (output.txt, result.json)
            shutil.rmtree(workdir, ignore_errors=True)
