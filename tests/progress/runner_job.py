# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One ``ansible_runner.run()`` of the progress suite, in a process of its own (ansible-runner is made for a
main thread; the suite runs its scenarios on threads).

Usage: ``python runner_job.py SPEC.json``; SPEC holds ``private_data_dir``, ``playbook``, ``extravars``,
``events`` (a JSON lines file: every event the ``event_handler`` gets, with ``_received``, the time it got
it) and ``answer`` (a JSON file: the run's ``status``, ``rc`` and the ansible-runner version).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys
import time
from importlib.metadata import version

import ansible_runner


def main(spec_file):
    with open(spec_file) as handle:
        spec = json.load(handle)
    events = open(spec["events"], "w")

    def handler(event):
        events.write(json.dumps(dict(event, _received=time.time()), default=str) + "\n")
        events.flush()
        return True  # keep the event: ansible-runner writes it to artifacts/<ident>/job_events as well

    try:
        result = ansible_runner.run(private_data_dir=spec["private_data_dir"], playbook=spec["playbook"],
                                    extravars=spec["extravars"], event_handler=handler, quiet=True)
    finally:
        events.close()
    with open(spec["answer"], "w") as handle:
        json.dump({"status": result.status, "rc": result.rc,
                   "runner_version": version("ansible-runner")}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
