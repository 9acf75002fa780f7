# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small process that runs the hostile-server suite's ``ansible-playbook`` commands and measures them.

Why a separate process: Linux carries a process's peak RSS across fork and exec, so a child forked
from pytest (which has imported a lot) would report pytest's size as its own. Forked from this
process, which imports only a few standard modules, a child's ``ru_maxrss`` (from ``wait4()``) is
the peak of the largest single process of its tree: ``ansible-playbook`` or the module it runs
(benchmarks/launcher.py uses the same pattern).

Every command runs in its own session (process group). A watchdog kills the command and all its
descendants when it outlives ``timeout`` or when one of them grows past ``rss_cap_kb`` (so that a
gzip bomb cannot exhaust the machine); the answer says which.

Protocol: one JSON request per line on stdin, ``{"command", "env", "cwd", "stdout", "timeout",
"rss_cap_kb"}``; one JSON answer per line on stdout, ``{"wall", "rss_kb", "status", "killed"}``
(``rss_kb``: ``ru_maxrss``, or the largest RSS the watchdog saw if that is larger).
EOF on stdin ends it. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import signal
import subprocess
import sys
import threading
import time

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def processes():
    """``{pid: (ppid, rss_kb)}`` of every process visible in /proc."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            # after the command name: state ppid pgrp ...; rss (pages) is the 22nd field from here.
            found[int(name)] = (int(fields[1]), int(fields[21]) * PAGE_KB)
        except (OSError, IndexError, ValueError):
            continue
    return found


def tree(root):
    """``{pid: rss_kb}`` of ``root`` and all its descendants (whatever session or group they moved to)."""
    table = processes()
    members = {root: table.get(root, (0, 0))[1]}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, rss) in table.items():
            if ppid in members and pid not in members:
                members[pid] = rss
                grew = True
    return members


def kill_tree(root):
    for pid in tree(root):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.killpg(root, signal.SIGKILL)
    except OSError:
        pass


def watch(process, timeout, rss_cap_kb, done, verdict, sampled):
    """Kill the run at ``timeout`` or past ``rss_cap_kb``; keep the largest RSS seen in ``sampled[0]``."""
    end = time.monotonic() + timeout
    while not done.wait(0.1):
        sampled[0] = max([sampled[0]] + list(tree(process.pid).values()))
        if time.monotonic() > end:
            verdict.append("timeout")
        elif rss_cap_kb and sampled[0] > rss_cap_kb:
            verdict.append("rss_cap")
        if verdict:
            kill_tree(process.pid)
            return


def exit_code(status):
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def run(request):
    with open(request["stdout"], "wb") as out:
        begin = time.monotonic()
        process = subprocess.Popen(request["command"], env=request["env"], cwd=request["cwd"], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        done = threading.Event()
        verdict, sampled = [], [0]
        watchdog = threading.Thread(target=watch, args=(process, request["timeout"], request.get("rss_cap_kb"), done, verdict,
                                                        sampled))
        watchdog.start()
        try:
            dummy, status, usage = os.wait4(process.pid, 0)
        finally:
            done.set()
            watchdog.join()
        wall = time.monotonic() - begin
    process.returncode = exit_code(status)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # leftovers of its process group (none when all went well)
    except OSError:
        pass
    # A process killed by the watchdog is reaped by init, not by its parent: its peak is missing from
    # ru_maxrss, hence the largest RSS the watchdog saw (sampled every 0.1 s) as a floor.
    return {"wall": wall, "rss_kb": max(usage.ru_maxrss, sampled[0]), "status": process.returncode,
            "killed": verdict[0] if verdict else None}


def main():
    for line in sys.stdin:
        sys.stdout.write(json.dumps(run(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
