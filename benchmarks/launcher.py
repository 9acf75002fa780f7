# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small, long-lived process that runs the benchmark's measured commands and reports their wait4() usage.

Why: Linux carries a process's peak RSS across fork and exec (``ru_maxrss`` of a child is at least the
resident size of the process that forked it). Forked from the benchmark driver, which has imported the
collection, ``requests`` and ansible-core, every child would report the driver's 40 MB or more. Forked
from this process, which imports only the standard library's basics, a child's ``ru_maxrss`` is its own
peak (this process's own size, about 10 MB, is the floor; ``bench.py`` records it).

Protocol: one JSON request per line on stdin, ``{"command", "env", "cwd", "stdout", "timeout"}``; one JSON
answer per line on stdout, ``{"wall", "cpu", "rss_kb", "started", "ended", "status"}``. EOF ends it.
"""

import json
import os
import resource
import subprocess
import sys
import threading
import time


def run(request):
    with open(request["stdout"], "wb") as out:
        started = time.time()
        begin = time.perf_counter()
        process = subprocess.Popen(request["command"], env=request["env"], cwd=request["cwd"], stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        timer = threading.Timer(request["timeout"], process.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - begin
        ended = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)
    return dict(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_kb=usage.ru_maxrss, started=started, ended=ended,
                status=process.returncode)


def own_peak_kb():
    """This process's own peak RSS (VmHWM of its address space; ru_maxrss would include its parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    for line in sys.stdin:
        if line.strip() == "self":
            answer = dict(rss_kb=own_peak_kb())
        else:
            answer = run(json.loads(line))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
