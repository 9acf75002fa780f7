# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The scenarios of the progress suite and the comparison of two runs' results.

A scenario is a chain of runs against its own emulator (reset before each run), independent of the other
scenarios, so that ``conftest.py`` runs the scenarios in parallel. Most are pairs: the same play with
progress lines every ``INTERVAL`` seconds, then with ``0`` (the module in one piece), whose results
``differences()`` compares. The jobs last 8 to 15 s. Polls come ``WAIT_SLEEP`` (3) seconds apart; a resumed
slice may poll a little late, never early, so each job ends 0.5 s before a poll: a poll up to 2.5 s late
still sees the same statuses, and the number of polls stays that of the uninterrupted run.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import shutil
import sys
import tempfile

import progress_runner
from progress_runner import ACCESS_KEY, GROUP, INSTANCE, MASTER, PROJECT, REGION, SECRET_KEY, STANDBY

INTERVAL = 5
WAIT_SLEEP = 3
SWAP = "masterStandbySwapJob"
FAIL_REASON = "Replication lag of 42 s exceeds the switchover limit (progress suite)"
SEALED_VALUE = "Ex-sealed-value-3b7f"  # a parameter value only the secrets scenario's task sets
ELAPSED_TOLERANCE = 3.0
DURATION_TOLERANCE = 1.0
# Values that are times (compared as present, not equal), and values that name one run (async job IDs).
TIME_KEYS = frozenset(("seen_at", "begin_time", "end_time", "begin_time_iso", "end_time_iso", "created_at", "updated_at",
                       "config_time"))
RUN_KEYS = frozenset(("ansible_job_id", "results_file"))


def job(job_id, lifecycle, job_type=SWAP):
    return {job_id: {"project_id": PROJECT, "job_type": job_type, "lifecycle": lifecycle}}


def emulator_config(jobs=None, fail_reason=None, job_seconds=11.5):
    replicas = [{"node_id": MASTER, "role": "master", "ip": "192.168.0.11", "az_code": "cn-north-4a"},
                {"node_id": STANDBY, "role": "slave", "ip": "192.168.0.12", "az_code": "cn-north-4b"}]
    instance = {"project_id": PROJECT, "name": "redis-ha-progress", "cache_mode": "ha", "job_seconds": job_seconds,
                "groups": [{"group_id": GROUP, "group_name": "group-0", "replicas": replicas}]}
    if fail_reason:
        instance["fail_next_switchover"] = {"fail_reason": fail_reason, "count": 100}
    return {"credentials": [{"ak": ACCESS_KEY, "sk": SECRET_KEY, "security_token": None}],
            "projects": [{"id": PROJECT, "name": REGION}], "jobs": jobs or {}, "instances": {INSTANCE: instance}}


class Chain:
    """One scenario's emulator, work directory and runs."""

    def __init__(self, name, config):
        self.name = name
        self.workdir = tempfile.mkdtemp(prefix="hwc-dcs-progress-%s-" % name)
        self.emulator = progress_runner.Emulator(config, self.workdir)
        self.runs = {}
        self.extra = {}

    def variables(self, **extra):
        variables = {"p_endpoint": self.emulator.url, "p_region": REGION, "p_project": PROJECT, "p_wait_sleep": WAIT_SLEEP}
        variables.update(extra)
        return variables

    def play(self, label, playbook, variables, **kwargs):
        """Reset the emulator, run the play, keep the emulator's log of the run."""
        self.emulator.reset()
        run = progress_runner.play("%s-%s" % (self.name, label), self.workdir, playbook, variables, **kwargs)
        run.requests = self.emulator.requests()["requests"]
        run.operations = self.emulator.operations()
        self.runs[label] = run
        return run

    def close(self):
        self.emulator.stop()
        if not progress_runner.keep():
            shutil.rmtree(self.workdir, ignore_errors=True)


# --- the scenarios --------------------------------------------------------------------------------------------------

LIVE_JOB = "ff80808288d41e1b018a1c7e2c0d5101"
LIVE_LIFECYCLE = [[0, "INIT"], [1.5, "RUNNING"], [14.5, "SUCCESS"]]


def live(chain, terminal=False, env=None):
    """Test 1: one job, INIT then RUNNING for 12 s, read as ansible-playbook prints it."""
    chain.play("live", "jobs.yml", chain.variables(p_job_ids=[LIVE_JOB], hwc_dcs_progress_interval=INTERVAL), terminal=terminal,
               env=env)


def live_terminal(chain):
    """Output to a terminal, as an operator runs it (without PYTHONUNBUFFERED): Python flushes stdout at each line."""
    live(chain, terminal=True, env={"PYTHONUNBUFFERED": ""})


def live_pipe(chain):
    """Output to a pipe, with PYTHONUNBUFFERED=1 (how CI systems are told to show Ansible's output as it comes)."""
    live(chain)


def live_buffered(chain):
    """Output to a pipe without PYTHONUNBUFFERED: Python buffers ansible-playbook's stdout."""
    live(chain, env={"PYTHONUNBUFFERED": ""})


def runner(chain):
    """Test 2: the same job through ansible-runner."""
    chain.emulator.reset()
    chain.extra["runner"] = progress_runner.runner("runner", chain.workdir, "jobs.yml",
                                                   chain.variables(p_job_ids=[LIVE_JOB], hwc_dcs_progress_interval=INTERVAL),
                                                   env={"PYTHONUNBUFFERED": ""})  # ansible-runner flushes by itself
    chain.extra["requests"] = chain.emulator.requests()["requests"]


def pair(chain, playbook, variables, env=None, args=(), **kwargs):
    """The play with progress every INTERVAL s ("progress"), then without ("plain"), the emulator reset between."""
    chain.play("progress", playbook, dict(variables, hwc_dcs_progress_interval=INTERVAL), env=env, args=args, **kwargs)
    chain.play("plain", playbook, dict(variables, hwc_dcs_progress_interval=0), env=env, args=args, **kwargs)


TWO_JOBS = ["ff80808288d41e1b018a1c7e2c0d5a01", "ff80808288d41e1b018a1c7e2c0d5a02"]


def two_jobs(chain):
    """3a: dcs_job_info waiting on two jobs that end at different times."""
    pair(chain, "jobs.yml", chain.variables(p_job_ids=TWO_JOBS))


NO_LOG_JOB = "ff80808288d41e1b018a1c7e2c0d5b01"
NO_LOG_TYPE = "progressHiddenJob"


def no_log(chain):
    """3b: a no_log task: counts only, nothing of the job on screen, the result censored alike."""
    for label, interval in (("progress", INTERVAL), ("plain", 0)):
        dump = os.path.join(chain.workdir, "registered-%s.json" % label)
        chain.play(label, "no_log.yml", chain.variables(p_job_ids=[NO_LOG_JOB], p_dump=dump, hwc_dcs_progress_interval=interval))
        with open(dump) as handle:
            chain.extra[label] = json.load(handle)  # the registered result (the work directory goes at the end)


CHECK_PARAMETERS = {"timeout": "300", "maxmemory-policy": "allkeys-lfu"}


def check_mode(chain):
    """3c: check mode on dcs_instance_switchover and dcs_instance_config: predicted, nothing sent, no progress."""
    pair(chain, "check_mode.yml", chain.variables(p_instance=INSTANCE, p_node=STANDBY, p_parameters=CHECK_PARAMETERS))


ASYNC_JOB = "ff80808288d41e1b018a1c7e2c0d5d01"


def async_poll(chain):
    """3d: async 60 with poll 5: Ansible's async wrapper, no progress lines, the same result."""
    pair(chain, "async.yml", chain.variables(p_job_ids=[ASYNC_JOB]))


DEFAULTS_JOB = "ff80808288d41e1b018a1c7e2c0d5e01"


def module_defaults(chain):
    """3e: credentials, endpoint and progress_interval from module_defaults of group/hwc.dcs.dcs (none in the environment)."""
    for label, interval in (("progress", INTERVAL), ("plain", 0)):
        chain.play(label, "module_defaults.yml", chain.variables(p_job_ids=[DEFAULTS_JOB], p_access_key=ACCESS_KEY,
                                                                 p_secret_key=SECRET_KEY, p_defaults_interval=interval),
                   credentials=False)


def failure(chain):
    """3f: a switchover whose job ends FAIL mid-wait."""
    pair(chain, "switchover.yml", chain.variables(p_instance=INSTANCE, p_node=STANDBY))


TIMEOUT_JOB = "ff80808288d41e1b018a1c7e2c0d5f01"
TIMEOUT = 10


def timeout(chain):
    """3g: wait_timeout passes while the job still runs."""
    pair(chain, "jobs.yml", chain.variables(p_job_ids=[TIMEOUT_JOB], p_wait_timeout=TIMEOUT))


DELEGATE_JOB = "ff80808288d41e1b018a1c7e2c0d5c01"


def delegate(chain, pipelining):
    """3h: delegate_to a second local host whose interpreter is another Python, which logs each of its starts."""
    python, version, how = progress_runner.other_python(chain.workdir)
    logs = {host: os.path.join(chain.workdir, "%s-starts.log" % host) for host in ("ctl", "worker")}
    ctl = progress_runner.logging_interpreter(os.path.join(chain.workdir, "ctl-python"), sys.executable, logs["ctl"])
    worker = progress_runner.logging_interpreter(os.path.join(chain.workdir, "worker-python"), python, logs["worker"])
    inventory = os.path.join(chain.workdir, "inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("ctl ansible_connection=local ansible_python_interpreter=%s\n" % ctl)
        handle.write("worker ansible_connection=local ansible_python_interpreter=%s\n" % worker)
    chain.extra.update(python=python, version=version, how=how)
    env = {"ANSIBLE_PIPELINING": "true" if pipelining else "false"}
    for label, interval in (("progress", INTERVAL), ("plain", 0)):
        for path in logs.values():
            open(path, "w").close()
        chain.play(label, "delegate.yml", chain.variables(p_job_ids=[DELEGATE_JOB], hwc_dcs_progress_interval=interval),
                   env=env, inventory=inventory)
        starts = {}
        for host, path in logs.items():
            with open(path) as handle:
                starts[host] = [line for line in handle.read().split("\n") if line]
        chain.extra[label] = starts


def delegate_pipelining(chain):
    delegate(chain, True)


def delegate_no_pipelining(chain):
    delegate(chain, False)


SLOW_JOB = "ff80808288d41e1b018a1c7e2c0d5c31"
SLOW_START = 4  # seconds each module run waits before Python starts, as behind a slow SSH hop
SLOW_SLEEP = 6
SLOW_TIMEOUT = 13


def slow_start(chain):
    """A module host where every module run starts 4 s late, and a job that ends just before the last poll before
    the deadline (polls at 0, 6 and 12 s, SUCCESS at 11 s, wait_timeout 13 s): the uninterrupted run sees it end."""
    log = os.path.join(chain.workdir, "worker-starts.log")
    worker = progress_runner.logging_interpreter(os.path.join(chain.workdir, "worker-python"), sys.executable, log, delay=SLOW_START)
    inventory = os.path.join(chain.workdir, "inventory.ini")
    with open(inventory, "w") as handle:
        handle.write("ctl ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
        handle.write("worker ansible_connection=local ansible_python_interpreter=%s\n" % worker)
    pair(chain, "delegate.yml", chain.variables(p_job_ids=[SLOW_JOB], p_wait_sleep=SLOW_SLEEP, p_wait_timeout=SLOW_TIMEOUT),
         inventory=inventory)


SOURCES_JOB = "ff80808288d41e1b018a1c7e2c0d5c11"


def sources(chain):
    """3i: HWC_DCS_PROGRESS_INTERVAL alone sets the interval; the variable hwc_dcs_progress_interval (0) wins over it."""
    variables = chain.variables(p_job_ids=[SOURCES_JOB])
    env = {"HWC_DCS_PROGRESS_INTERVAL": str(INTERVAL)}
    chain.play("progress", "jobs.yml", variables, env=env)
    chain.play("plain", "jobs.yml", dict(variables, hwc_dcs_progress_interval=0), env=env)


INVALID_JOB = "ff80808288d41e1b018a1c7e2c0d5c21"


def invalid(chain):
    """3i: bad values from each source fail the task with a clear message."""
    chain.play("invalid", "invalid.yml", chain.variables(p_job_ids=[INVALID_JOB]), env={"HWC_DCS_PROGRESS_INTERVAL": "fast"})


SECRET_PARAMETERS = {"notify-keyspace-events": SEALED_VALUE, "timeout": "120"}


def secrets(chain):
    """4: a sliced no_log parameter change at -vvvv, the secret key given as an option."""
    chain.play("secrets", "secrets.yml", chain.variables(p_instance=INSTANCE, p_parameters=SECRET_PARAMETERS, p_access_key=ACCESS_KEY,
                                                         p_secret_key=SECRET_KEY, hwc_dcs_progress_interval=INTERVAL),
               args=("-vvvv",), credentials=False)


ALL_JOBS = {}
for _id, _lifecycle in ((LIVE_JOB, LIVE_LIFECYCLE),
                        (TWO_JOBS[0], [[0, "INIT"], [1.5, "RUNNING"], [8.5, "SUCCESS"]]),
                        (TWO_JOBS[1], [[0, "RUNNING"], [11.5, "SUCCESS"]]),
                        (ASYNC_JOB, [[0, "RUNNING"], [8.5, "SUCCESS"]]),
                        (DEFAULTS_JOB, [[0, "INIT"], [1.5, "RUNNING"], [11.5, "SUCCESS"]]),
                        (TIMEOUT_JOB, [[0, "INIT"], [1.5, "RUNNING"]]),
                        (DELEGATE_JOB, [[0, "INIT"], [1.5, "RUNNING"], [8.5, "SUCCESS"]]),
                        (SOURCES_JOB, [[0, "INIT"], [1.5, "RUNNING"], [11.5, "SUCCESS"]]),
                        (INVALID_JOB, [[0, "SUCCESS"]]),
                        (SLOW_JOB, [[0, "RUNNING"], [11, "SUCCESS"]])):
    ALL_JOBS.update(job(_id, _lifecycle))
ALL_JOBS.update(job(NO_LOG_JOB, [[0, "INIT"], [1.5, "RUNNING"], [11.5, "SUCCESS"]], job_type=NO_LOG_TYPE))

# name -> (function, emulator configuration); longest first, the timing-sensitive ones at the front.
SCENARIOS = {
    "slow_start": (slow_start, emulator_config(ALL_JOBS)),
    "live_terminal": (live_terminal, emulator_config(ALL_JOBS)),
    "live_pipe": (live_pipe, emulator_config(ALL_JOBS)),
    "runner": (runner, emulator_config(ALL_JOBS)),
    "failure": (failure, emulator_config(ALL_JOBS, fail_reason=FAIL_REASON)),
    "two_jobs": (two_jobs, emulator_config(ALL_JOBS)),
    "no_log": (no_log, emulator_config(ALL_JOBS)),
    "module_defaults": (module_defaults, emulator_config(ALL_JOBS)),
    "sources": (sources, emulator_config(ALL_JOBS)),
    "timeout": (timeout, emulator_config(ALL_JOBS)),
    "async_poll": (async_poll, emulator_config(ALL_JOBS)),
    "delegate_pipelining": (delegate_pipelining, emulator_config(ALL_JOBS)),
    "delegate_no_pipelining": (delegate_no_pipelining, emulator_config(ALL_JOBS)),
    "secrets": (secrets, emulator_config(ALL_JOBS)),
    "check_mode": (check_mode, emulator_config(ALL_JOBS)),
    "invalid": (invalid, emulator_config(ALL_JOBS)),
    "live_buffered": (live_buffered, emulator_config(ALL_JOBS)),
}


def run_scenario(name):
    """Run one scenario; return its ``Chain`` (runs, extras), its emulator already stopped."""
    function, config = SCENARIOS[name]
    chain = Chain(name, config)
    try:
        function(chain)
    except Exception as error:  # noqa: BLE001  pylint: disable=broad-except
        chain.extra["error"] = "%s: %s" % (type(error).__name__, error)
    finally:
        chain.close()
    return chain


# --- comparing two results ------------------------------------------------------------------------------------------


def normalize_text(text, names):
    """``text`` with each run-specific ID in ``names`` replaced by its placeholder and timeout seconds blanked."""
    for value, placeholder in names.items():
        text = text.replace(value, placeholder)
    return re.sub(r"Timed out after \d+ seconds", "Timed out after N seconds", text)


def differences(left, right, left_names=None, right_names=None, allowed=(), path=""):
    """How the result ``right`` differs from ``left``: the same keys everywhere; the same values except times
    (``TIME_KEYS``: present in both, any value), ``elapsed`` and ``duration_seconds`` (within tolerances),
    run-specific keys (``RUN_KEYS``), the paths in ``allowed``, and IDs named in ``*_names`` (ID -> placeholder)."""
    left_names, right_names = left_names or {}, right_names or {}
    key = path.rsplit(".", 1)[-1]
    if path in allowed or key in TIME_KEYS or key in RUN_KEYS:
        return []
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        if set(left) != set(right):
            only_left, only_right = sorted(set(left) - set(right)), sorted(set(right) - set(left))
            found.append("%s: keys %s only on the left, %s only on the right" % (path or "result", only_left, only_right))
        for name in sorted(set(left) & set(right)):
            found.extend(differences(left[name], right[name], left_names, right_names, allowed, "%s.%s" % (path, name) if path else name))
        return found
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return ["%s: %d items on the left, %d on the right" % (path, len(left), len(right))]
        found = []
        for index, (one, other) in enumerate(zip(left, right)):
            found.extend(differences(one, other, left_names, right_names, allowed, "%s[%d]" % (path, index)))
        return found
    if key in ("elapsed", "duration_seconds") and isinstance(left, (int, float)) and isinstance(right, (int, float)):
        tolerance = ELAPSED_TOLERANCE if key == "elapsed" else DURATION_TOLERANCE
        return [] if abs(left - right) <= tolerance else ["%s: %r and %r differ by more than %g s" % (path, left, right, tolerance)]
    if isinstance(left, str) and isinstance(right, str):
        left, right = normalize_text(left, left_names), normalize_text(right, right_names)
    if left != right or type(left) is not type(right):
        return ["%s: %r != %r" % (path, left, right)]
    return []
