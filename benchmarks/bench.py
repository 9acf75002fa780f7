# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``make bench``: the hwc.dcs benchmark against the local DCS emulator (see docs/docsite/rst/guide_benchmarks.rst).

Run with any Python 3.8+: it creates (or reuses) the virtualenv ``.venv-bench`` from
``benchmarks/requirements.txt`` with Python 3.12 or 3.13 and re-runs itself there. Then it builds and
installs the collection tarball into ``.build/bench``, starts the emulator on 127.0.0.1 with the chosen
latency, measures, validates the results (``benchlib.validate``) and writes ``benchmarks/results/``:
``latest.json``, ``latest.md`` and ``latest.png``, and ``progress.json`` and ``progress.md`` for the progress
overhead (benchmark 8, ``benchlib.validate_progress``), which ``--only`` can run alone.
"""

import argparse
import ast
import glob
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOLS = os.path.join(ROOT, "tools")
VENV = os.path.join(ROOT, ".venv-bench")
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
BUILD = os.path.join(ROOT, ".build", "bench")
PYTHONS = ("3.12", "3.13")

sys.path.insert(0, HERE)
import benchlib  # noqa: E402  pylint: disable=wrong-import-position


def _test_constants():
    """tests/support/constants.py, loaded by path: bench.py runs from a checkout, where ansible_collections is not importable."""
    spec = importlib.util.spec_from_file_location("hwc_dcs_test_constants", os.path.join(ROOT, "tests", "support", "constants.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CONSTANTS = _test_constants()
AK, SK, PROJECT, REGION = _CONSTANTS.AK, _CONSTANTS.SK, _CONSTANTS.PROJECT, _CONSTANTS.REGION
DONE_JOB = "bench-done"


def devlib():
    """tools/devlib, the developer tools' library (interpreters, virtualenvs, build-and-install, log).

    Imported when the benchmark runs, not with this module: the installed tarball, where the unit tests import
    this module for its helpers, has no tools/.
    """
    if TOOLS not in sys.path:
        sys.path.insert(0, TOOLS)
    import devlib as library  # pylint: disable=import-outside-toplevel,import-error

    return library


def log(message):
    devlib().console.log(message)


def ensure_venv():
    """Return the bench virtualenv's python, creating or refreshing the virtualenv when needed."""
    library = devlib()
    try:
        return library.venvs.ensure_venv(VENV, REQUIREMENTS, PYTHONS, "make bench", root=ROOT).python
    except library.console.ToolError as error:
        sys.exit(str(error))


# --- processes -------------------------------------------------------------------------------------------------


class Launcher:
    """Runs measured commands from benchmarks/launcher.py, a small process, so that peak RSS is the command's own."""

    def __init__(self, python):
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [python, os.path.join(HERE, "launcher.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            universal_newlines=True, bufsize=1)
        self.lock = threading.Lock()

    def _ask(self, line):
        with self.lock:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        if not answer:
            raise benchlib.BenchmarkError("the launcher process died")
        return json.loads(answer)

    def own_rss_mb(self):
        """The launcher's own peak RSS: no child's peak RSS can be measured below it."""
        return self._ask("self")["rss_kb"] / 1024.0

    def run(self, command, env, cwd, stdout_path, timeout):
        """Run ``command``; wall and CPU seconds (its whole process tree) and peak RSS in MB, via wait4."""
        result = self._ask(json.dumps(dict(command=command, env=env, cwd=cwd, stdout=stdout_path, timeout=timeout)))
        with open(stdout_path, "rb") as handle:
            result["output"] = handle.read().decode("utf-8", "replace")
        if result["status"] != 0:
            raise benchlib.BenchmarkError("%s exited with %s after %.1f s; output:\n%s" % (
                " ".join(command[:3]), result["status"], result["wall"], result["output"][-3000:]))
        result["rss_mb"] = result.pop("rss_kb") / 1024.0
        return result

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


LAUNCHER = None


def run_measured(command, env, cwd, stdout_path, timeout):
    return LAUNCHER.run(command, env, cwd, stdout_path, timeout)


class Emulator:
    """The DCS emulator in its own process (so its CPU is never counted as the client's), with its admin API."""

    def __init__(self, python, workdir, config):
        self.workdir = workdir
        config_path = os.path.join(workdir, "emulator.json")
        with open(config_path, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        url_file = os.path.join(workdir, "emulator.url")
        if os.path.exists(url_file):
            os.unlink(url_file)
        self.log_file = open(os.path.join(workdir, "emulator.log"), "wb")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [python, os.path.join(ROOT, "tests", "emulator", "dcs_emulator.py"), "--host", "127.0.0.1", "--port", "0",
             "--config", config_path, "--url-file", url_file], stdout=self.log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while not os.path.exists(url_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise benchlib.BenchmarkError("the emulator did not start; see %s" % self.log_file.name)
            time.sleep(0.05)
        with open(url_file, encoding="utf-8") as handle:
            self.url = handle.read().strip()

    def admin(self, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method="GET" if data is None else "POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


# --- the benchmark ---------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.python = sys.executable
        self.bindir = os.path.dirname(self.python)
        self.work = os.path.join(HERE, "results", "work")
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.emulator = None
        self.payload_lines = None
        self.ping_lines = None
        self.env = None

    # -- setup ------------------------------------------------------------------------------------

    def build_collection(self):
        log("Building and installing the collection tarball into .build/bench")
        devlib().collection.build_and_install(self.bindir, ROOT, os.path.join(BUILD, "dist"), BUILD, self.env)
        sys.path.insert(0, BUILD)

    def make_env(self):
        home = os.path.join(self.work, "ansible-home")
        os.makedirs(home)
        config = os.path.join(self.work, "ansible.cfg")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write("[defaults]\n")
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PYTHON", "HUAWEICLOUD_", "HW_", "HWC_")))
        env.update(
            PATH=os.pathsep.join([self.bindir, env.get("PATH", os.defpath)]),
            ANSIBLE_CONFIG=config, ANSIBLE_HOME=home, ANSIBLE_COLLECTIONS_PATH=BUILD,
            ANSIBLE_LOCAL_TEMP=os.path.join(home, "tmp"), ANSIBLE_REMOTE_TMP=os.path.join(self.work, "remote-tmp"),
            ANSIBLE_PYTHON_INTERPRETER=self.python, ANSIBLE_LOCALHOST_WARNING="false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="false", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="false",
            HOME=home,
        )
        self.env = env

    def start_emulator(self):
        jobs = {DONE_JOB: {"project_id": PROJECT}}
        config = dict(credentials=[dict(ak=AK, sk=SK, security_token=None)], projects=[dict(id=PROJECT, name=REGION)],
                      jobs=jobs, latency_seconds=self.args.latency, check_signatures=True, verify_with_sdk=False)
        self.emulator = Emulator(self.python, self.work, config)
        log("Emulator at %s, latency %.3f s" % (self.emulator.url, self.args.latency))

    def connection(self):
        return dict(endpoint=self.emulator.url, region=REGION, project_id=PROJECT, access_key=AK, secret_key=SK)

    def write_json(self, name, data):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        return path

    def capture_payload(self):
        """Let ansible build the AnsiballZ payloads once (ANSIBLE_KEEP_REMOTE_FILES) and keep their text:
        hwc.dcs.dcs_job_info's, and ansible.builtin.ping's as the floor of any module Ansible runs."""
        log("Capturing the AnsiballZ payloads of hwc.dcs.dcs_job_info and ansible.builtin.ping")
        self.emulator.admin("settings", {"latency_seconds": 0})
        env = dict(self.env, ANSIBLE_KEEP_REMOTE_FILES="1")
        for module, args in (("hwc.dcs.dcs_job_info", dict(self.connection(), job_id=DONE_JOB)), ("ansible.builtin.ping", {})):
            kept = os.path.join(self.work, "remote-tmp")
            shutil.rmtree(kept, ignore_errors=True)
            subprocess.check_call([os.path.join(self.bindir, "ansible"), "localhost", "-i", "localhost,", "-c", "local",
                                   "-m", module] + (["-a", json.dumps(args)] if args else []), env=env, cwd=self.work,
                                  stdout=subprocess.DEVNULL)
            found = glob.glob(os.path.join(kept, "ansible-tmp-*", "AnsiballZ_%s.py" % module.rsplit(".", 1)[-1]))
            if len(found) != 1:
                raise benchlib.BenchmarkError("expected one kept AnsiballZ payload of %s, found %r" % (module, found))
            with open(found[0], encoding="utf-8") as handle:
                lines = handle.read().split("\n")
            if sum(1 for line in lines if line.startswith("params=")) != 1:
                raise benchlib.BenchmarkError("the AnsiballZ payload has no single params= line; its format changed")
            if module == "ansible.builtin.ping":
                self.ping_lines = lines
            else:
                self.payload_lines = lines
        self.emulator.admin("settings", {"latency_seconds": self.args.latency})

    def payload(self, name, module_args, template=None):
        """A copy of the captured payload whose ANSIBLE_MODULE_ARGS are ``module_args`` (internal _ansible_ keys kept)."""
        lines = []
        for line in template or self.payload_lines:
            if line.startswith("params="):
                params = json.loads(ast.literal_eval(line[len("params="):].rstrip(",")))
                internal = dict((k, v) for k, v in params["ANSIBLE_MODULE_ARGS"].items() if k.startswith("_ansible_"))
                params["ANSIBLE_MODULE_ARGS"] = dict(module_args, **internal)
                line = "params=%r," % json.dumps(params)
            lines.append(line)
        path = os.path.join(self.work, "AnsiballZ_%s.py" % name)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        return path

    def reset(self, check_signatures=True):
        self.emulator.admin("reset", {})
        self.emulator.admin("settings", {"check_signatures": check_signatures})

    def job_log(self, since=0.0):
        entries = [e for e in self.emulator.admin("requests")["requests"] if e["time"] >= since]
        bad = [e for e in entries if e.get("status") != 200]
        if bad:
            raise benchlib.BenchmarkError("%d requests failed at the emulator, first: %r" % (len(bad), bad[0]))
        return benchlib.job_polls(entries)

    # -- 1. per request ---------------------------------------------------------------------------

    def per_request(self):
        log("1. Per request: %d requests x %d repetitions per client" % (self.args.requests, self.args.reps))
        self.reset()
        clients = ["collection", "sdk"] + (["prototype_http_client"] if self.args.prototype else [])
        # One process per client, all at once: each uses a few per cent of a core (the rest is the emulator's
        # latency), so they do not compete, and drift on the machine hits them alike. Each process measures
        # its own CPU time.
        env = dict(self.env, PYTHONPATH=BUILD)
        processes = []
        for client in clients:
            args = self.write_json("per_request_%s.json" % client, dict(
                self.connection(), job_id=DONE_JOB, count=self.args.requests, repetitions=self.args.reps, clients=[client]))
            out = open(os.path.join(self.work, "per_request_%s.out" % client), "wb+")  # pylint: disable=consider-using-with
            processes.append((client, out, subprocess.Popen(  # pylint: disable=consider-using-with
                [self.python, os.path.join(HERE, "per_request.py"), args], env=env, cwd=self.work, stdout=out,
                stdin=subprocess.DEVNULL)))
        data = {}
        for client, out, process in processes:
            status = process.wait(timeout=60 + 0.5 * self.args.requests * self.args.reps)
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
            out.close()
            if status != 0:
                raise benchlib.BenchmarkError("per request %s failed (exit %s): %s" % (client, status, text[-2000:]))
            data.update(json.loads(text))
        served = sum(len(v) for v in self.job_log().values())
        expected = (self.args.requests * self.args.reps + 10) * len(clients)
        if served != expected:
            raise benchlib.BenchmarkError("per request: the emulator served %d job requests, expected %d" % (served, expected))
        section = {}
        for name, series in data.items():
            count = series["requests"]
            section[name] = dict(
                wall_ms=benchlib.summarize([w * 1000.0 / c for w, c in zip(series["wall"], count)], name + " wall"),
                cpu_ms=benchlib.summarize([u * 1000.0 / c for u, c in zip(series["cpu"], count)], name + " cpu"),
                requests=benchlib.summarize(count, name + " requests"))
        section["_ratios"] = dict(
            cpu_collection_over_sdk=benchlib.ratio(section["collection"]["cpu_ms"]["median"], section["sdk"]["cpu_ms"]["median"]),
            wall_collection_over_sdk=benchlib.ratio(section["collection"]["wall_ms"]["median"], section["sdk"]["wall_ms"]["median"]))
        if "prototype_http_client" in section:
            section["_ratios"]["cpu_prototype_over_sdk"] = benchlib.ratio(
                section["prototype_http_client"]["cpu_ms"]["median"], section["sdk"]["cpu_ms"]["median"])
        return section

    # -- 2. cold start ----------------------------------------------------------------------------

    def cold_start(self):
        reps = self.args.cold_reps
        log("2. Cold start: %d fresh processes per variant" % reps)
        self.reset()
        connection = self.connection()
        payload = self.payload("cold", dict(connection, job_id=DONE_JOB))
        module_args = self.write_json("cold_module_args.json", dict(ANSIBLE_MODULE_ARGS=dict(connection, job_id=DONE_JOB)))
        sdk_args = self.write_json("cold_sdk_args.json", dict(connection, job_id=DONE_JOB))
        env = dict(self.env)
        variants = (
            ("module_ansiballz", [self.python, payload], env),
            ("sdk_script", [self.python, os.path.join(HERE, "sdk_query.py"), sdk_args], env),
            ("module_python_m", [self.python, "-m", "ansible_collections.hwc.dcs.plugins.modules.dcs_job_info", module_args],
             dict(env, PYTHONPATH=BUILD)),
            ("ping_ansiballz", [self.python, self.payload("ping", {}, self.ping_lines)], env),
        )
        samples = dict((name, dict(wall=[], cpu=[], rss_mb=[], requests=[])) for name, _c, _e in variants)
        for rep in range(reps + 1):
            for name, command, variant_env in variants:
                before = sum(len(v) for v in self.job_log().values())
                result = run_measured(command, variant_env, self.work, os.path.join(self.work, "cold.out"), 60)
                if '"SUCCESS"' not in result["output"] and '"pong"' not in result["output"]:
                    raise benchlib.BenchmarkError("cold start %s did not report the job: %s" % (name, result["output"][-2000:]))
                if rep == 0:
                    continue  # warm-up: the page cache holds both libraries afterwards
                for key in ("wall", "cpu", "rss_mb"):
                    samples[name][key].append(result[key])
                served = sum(len(v) for v in self.job_log().values()) - before
                if served != (0 if name.startswith("ping") else 1):
                    raise benchlib.BenchmarkError("cold start %s made %d job requests" % (name, served))
                samples[name]["requests"].append(served)
        section = dict((name, dict((k, benchlib.summarize(v, "%s %s" % (name, k))) for k, v in series.items()))
                       for name, series in samples.items())
        section.update(self.import_times(reps))
        section["_ratios"] = dict(
            import_module_over_ping=benchlib.ratio(section["import_dcs_job_info"]["import_ms"]["median"],
                                                   section["import_ping"]["import_ms"]["median"]),
            wall_module_over_sdk=benchlib.ratio(section["module_ansiballz"]["wall"]["median"], section["sdk_script"]["wall"]["median"]),
            cpu_module_over_sdk=benchlib.ratio(section["module_ansiballz"]["cpu"]["median"], section["sdk_script"]["cpu"]["median"]),
            # Context, not targets: the module with cached bytecode, and the floor of any module Ansible runs.
            wall_python_m_over_sdk=benchlib.ratio(section["module_python_m"]["wall"]["median"], section["sdk_script"]["wall"]["median"]),
            wall_ping_over_sdk=benchlib.ratio(section["ping_ansiballz"]["wall"]["median"], section["sdk_script"]["wall"]["median"]))
        return section

    def import_times(self, reps):
        """Import time of dcs_job_info (module and module_utils) and of ansible.builtin.ping, each in a fresh interpreter.

        The interpreter's start-up is left out (benchmarks/import_time.py times the import alone), so the difference
        of the two is what the collection's imports cost; a new heavy import shows there first.
        """
        variants = (("import_dcs_job_info", "ansible_collections.hwc.dcs.plugins.modules.dcs_job_info"),
                    ("import_ping", "ansible.modules.ping"))
        env = dict(self.env, PYTHONPATH=BUILD)
        samples = dict((name, dict(import_ms=[], modules=[])) for name, _module in variants)
        for rep in range(reps + 1):
            for name, module in variants:
                result = run_measured([self.python, os.path.join(HERE, "import_time.py"), module], env, self.work,
                                      os.path.join(self.work, "import.out"), 60)
                answer = json.loads(result["output"].strip().splitlines()[-1])
                if rep:  # the first round warms the page cache and writes the bytecode
                    samples[name]["import_ms"].append(answer["seconds"] * 1000.0)
                    samples[name]["modules"].append(answer["modules"])
        return dict((name, dict((k, benchlib.summarize(v, "%s %s" % (name, k))) for k, v in series.items()))
                    for name, series in samples.items())

    # -- 3. whole playbook ------------------------------------------------------------------------

    def playbook(self, name, extra_vars, timeout=600):
        command = [os.path.join(self.bindir, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                   "-e", "@" + extra_vars, os.path.join(HERE, "playbooks", name)]
        return run_measured(command, self.env, self.work, os.path.join(self.work, name + ".out"), timeout)

    def playbooks(self):
        reps = self.args.reps
        log("3. Whole playbook: 10 tasks, %d repetitions" % reps)
        extra = self.write_json("playbook_vars.json", dict(self.connection(), job_id=DONE_JOB))
        variants = (("empty", "empty.yml", True), ("dcs_job_info", "query_dcs_job_info.yml", True), ("uri", "query_uri.yml", False))
        samples = dict((name, dict(wall=[], cpu=[], requests=[])) for name, _p, _s in variants)
        for _rep in range(reps):
            for name, book, signed in variants:
                self.reset(check_signatures=signed)
                result = self.playbook(book, extra)
                samples[name]["wall"].append(result["wall"])
                samples[name]["cpu"].append(result["cpu"])
                samples[name]["requests"].append(sum(len(v) for v in self.job_log().values()))
        self.reset()
        section = {}
        for name, series in samples.items():
            section[name] = dict((k, benchlib.summarize(v, "%s %s" % (name, k))) for k, v in series.items() if name != "empty" or k != "requests")
            if name != "empty":
                if any(r != 10 for r in series["requests"]):
                    raise benchlib.BenchmarkError("playbook %s made %r job requests, expected 10" % (name, series["requests"]))
                for key in ("wall", "cpu"):
                    per_task = [(v - e) / 10.0 for v, e in zip(series[key], samples["empty"][key])]
                    section[name]["per_task_" + key] = benchlib.summarize(per_task, "%s per task %s" % (name, key))
        section["_ratios"] = dict(
            per_task_wall_dcs_over_uri=benchlib.ratio(section["dcs_job_info"]["per_task_wall"]["median"], section["uri"]["per_task_wall"]["median"]),
            per_task_cpu_dcs_over_uri=benchlib.ratio(section["dcs_job_info"]["per_task_cpu"]["median"], section["uri"]["per_task_cpu"]["median"]),
            playbook_wall_dcs_over_uri=benchlib.ratio(section["dcs_job_info"]["wall"]["median"], section["uri"]["wall"]["median"]))
        return section

    # -- 4. fan-in --------------------------------------------------------------------------------

    def prime(self, job_ids):
        """Start the jobs' clocks now, as the DCS operations that created them would: one query of each."""
        from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings
        from ansible_collections.hwc.dcs.plugins.module_utils._job_query import query_jobs
        from ansible_collections.hwc.dcs.plugins.module_utils._runner import Task
        from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import WaitOptions

        connection = self.connection()
        settings = ConnectionSettings(region=REGION, project_id=PROJECT, endpoint=connection["endpoint"],
                                      iam_endpoint=connection["endpoint"], access_key=AK, secret_key=SK,
                                      credential_source="benchmark")
        options = WaitOptions(wait=False, timeout=300, sleep=5.0, fail_on_failure=False)
        entries = query_jobs(Task({}, settings), job_ids, options)
        return dict((e["job_id"], int(e["begin_time"]) / 1000.0) for e in entries)

    def fanin(self):
        reps, count, spread, sleep = self.args.fanin_reps, self.args.fanin_jobs, self.args.fanin_spread, self.args.wait_sleep
        log("4. Fan-in: %d jobs ending over %.0f s, %d repetitions of 3 variants" % (count, spread, reps))
        offsets = benchlib.spread_offsets(count, spread)
        job_ids = ["fanin-%03d" % (k + 1) for k in range(count)]
        self.emulator.admin("jobs", {"jobs": dict((j, dict(project_id=PROJECT, lifecycle=benchlib.lifecycle(o)))
                                                  for j, o in zip(job_ids, offsets))})
        extra = self.write_json("fanin_vars.json", dict(self.connection(), job_ids=job_ids, wait_sleep=sleep, wait_timeout=300,
                                                        uri_retries=int(300 / sleep)))
        variants = (("one_task", "fanin_one_task.yml", True), ("loop_tasks", "fanin_loop_tasks.yml", True),
                    ("uri_until", "fanin_uri_until.yml", False))
        samples = dict((name, dict(wall=[], floor=[], cpu=[], requests=[], repolls_total=[], playbook_wall=[]))
                       for name, _p, _s in variants)
        unseen = []
        for _rep in range(reps):
            for name, book, signed in variants:
                self.reset(check_signatures=signed)
                start = time.time()
                begins = self.prime(job_ids)
                launched = time.time()
                ends = dict((j, begins[j] + o) for j, o in zip(job_ids, offsets))
                result = self.playbook(book, extra)
                polls = self.job_log(since=launched)
                report = benchlib.repoll_report(polls, ends)
                unseen.extend(report["unseen"])
                samples[name]["wall"].append(result["ended"] - start)
                samples[name]["floor"].append(benchlib.floor_seconds([e - start for e in ends.values()], sleep))
                samples[name]["cpu"].append(result["cpu"])
                samples[name]["requests"].append(sum(len(v) for v in polls.values()))
                samples[name]["repolls_total"].append(report["repolls"])
                samples[name]["playbook_wall"].append(result["wall"])
        self.reset()
        if unseen:
            raise benchlib.BenchmarkError("fan-in: jobs never polled after their end: %s" % sorted(set(unseen)))
        section = dict((name, dict((k, benchlib.summarize(v, "%s %s" % (name, k))) for k, v in series.items()))
                       for name, series in samples.items())
        one, loop, uri = section["one_task"], section["loop_tasks"], section["uri_until"]
        section["_ratios"] = dict(
            wall_one_over_loop=benchlib.ratio(one["wall"]["median"], loop["wall"]["median"]),
            wall_one_over_uri=benchlib.ratio(one["wall"]["median"], uri["wall"]["median"]),
            cpu_one_over_loop=benchlib.ratio(one["cpu"]["median"], loop["cpu"]["median"]),
            cpu_one_over_uri=benchlib.ratio(one["cpu"]["median"], uri["cpu"]["median"]),
            # Negative when the task ended before the floor (a poll round happened to follow the last end closely).
            one_task_seconds_over_floor=sorted(w - f for w, f in zip(samples["one_task"]["wall"], samples["one_task"]["floor"]))[
                len(samples["one_task"]["wall"]) // 2])
        return section

    # -- 5./6./7. scaling, detection latency, memory ---------------------------------------------------

    def scaling(self):
        reps, sleep = self.args.reps, self.args.wait_sleep
        log("5.-7. Scaling: %s jobs in one task, %d repetitions" % (", ".join(map(str, benchlib.SCALING_SIZES)), reps))
        phases = benchlib.phase_offsets(reps, sleep)
        section = {}
        detections = []
        for size in benchlib.SCALING_SIZES:
            job_ids = ["scale-%d-%03d" % (size, k) for k in range(size)]
            samples = dict(wall=[], requests=[], requests_per_job=[], detection=[], cpu=[], rss_mb=[])
            for rep in range(reps):
                offsets = benchlib.spread_offsets(size, self.args.scaling_spread, base=self.args.scaling_base + phases[rep])
                self.reset()
                self.emulator.admin("jobs", {"jobs": dict((j, dict(project_id=PROJECT, lifecycle=benchlib.lifecycle(o)))
                                                          for j, o in zip(job_ids, offsets))})
                payload = self.payload("scaling", dict(self.connection(), job_ids=job_ids, wait=True, wait_sleep=sleep,
                                                       wait_timeout=300))
                result = run_measured([self.python, payload], self.env, self.work, os.path.join(self.work, "scaling.out"), 400)
                answer = json.loads(result["output"][result["output"].index("{"):])
                if answer.get("failed") or len(answer.get("jobs", [])) != size:
                    raise benchlib.BenchmarkError("scaling %d: the module failed: %s" % (size, answer.get("msg")))
                polls = self.job_log()
                requests = sum(len(v) for v in polls.values())
                if requests != answer["polls"]:
                    raise benchlib.BenchmarkError("scaling %d: the emulator served %d job requests, the module says %d"
                                                  % (size, requests, answer["polls"]))
                detection = benchlib.detection_latency(result["ended"], [j["end_time"] for j in answer["jobs"]])
                detections.append(detection)
                for key, value in (("wall", result["wall"]), ("requests", requests), ("requests_per_job", requests / float(size)),
                                   ("detection", detection), ("cpu", result["cpu"]), ("rss_mb", result["rss_mb"])):
                    samples[key].append(value)
            section[str(size)] = dict((k, benchlib.summarize(v, "scaling %d %s" % (size, k))) for k, v in samples.items())
        self.reset()
        return section, benchlib.summarize(detections, "detection latency")

    # -- 8. progress overhead ---------------------------------------------------------------------

    def progress(self):
        """One dcs_job_info task waiting on one job, with progress lines (default interval) and without (interval 0).

        The runs of one wait go side by side, each from its own launcher (wait4() counts each ansible-playbook
        tree apart), unless --progress-sequential; each waits on its own job, whose clock starts at its first query.
        """
        args = self.args
        waits = dict(long=args.progress_wait, short=args.progress_short_wait)
        variants = [v for v in benchlib.PROGRESS_VARIANTS if waits[v[2]] > 0]
        log("8. Progress overhead: waits of %s s, %d repetition(s), the runs of each wait %s" % (
            " and ".join("%g" % w for w in (waits["long"], waits["short"]) if w > 0), args.progress_reps, self.progress_mode()))
        samples = dict((name, dict(wall=[], cpu=[], elapsed=[], polls=[], retries=[], requests=[], other_requests=[], lines=[]))
                       for name, _i, _w, _b in variants)
        launchers = [LAUNCHER] + ([] if args.progress_sequential else [Launcher(sys.executable)])
        try:
            for _rep in range(args.progress_reps):
                for which in ("long", "short"):
                    group = [v for v in variants if v[2] == which]
                    if group:
                        self.progress_group(group, waits[which], launchers, samples)
        finally:
            for launcher in launchers[1:]:
                launcher.stop()
        self.reset()
        section = dict((name, dict((k, benchlib.summarize(v, "progress %s %s" % (name, k))) for k, v in series.items()))
                       for name, series in samples.items())
        section["_waits"] = dict((which, wait) for which, wait in waits.items() if wait > 0)
        section["_overhead"] = dict((name, benchlib.progress_overhead(section[name], section[baseline], waits[which]))
                                    for name, _i, which, baseline in variants if baseline is not None)
        return section

    def progress_mode(self):
        return "one after the other" if self.args.progress_sequential else "side by side"

    def progress_group(self, group, wait, launchers, samples):
        """Run the variants of one wait (side by side, or one after the other) and add their samples."""
        job_ids = dict((name, "bench-progress-%s" % name.replace("_", "-")) for name, _i, _w, _b in group)
        self.reset()
        self.emulator.admin("jobs", {"jobs": dict((job_id, dict(project_id=PROJECT, lifecycle=benchlib.lifecycle(wait)))
                                                  for job_id in job_ids.values())})
        commands = []
        for name, interval, _which, _baseline in group:
            result_file = os.path.join(self.work, "progress_%s.result.json" % name)
            if os.path.exists(result_file):
                os.unlink(result_file)
            extra = dict(self.connection(), job_id=job_ids[name], wait_timeout=int(2 * wait + 60), result_file=result_file)
            if interval is not None:
                extra["progress_interval"] = interval
            command = [os.path.join(self.bindir, "ansible-playbook"), "-i", "localhost,", "-c", "local",
                       "-e", "@" + self.write_json("progress_%s_vars.json" % name, extra),
                       os.path.join(HERE, "playbooks", "progress_wait.yml")]
            commands.append((name, command, result_file))
        measured, errors = {}, []

        def measure(launcher, name, command):
            try:
                measured[name] = launcher.run(command, self.env, self.work, os.path.join(self.work, "progress_%s.out" % name),
                                              2 * wait + 300)
            except Exception as error:  # pylint: disable=broad-except
                errors.append(error)

        launched = time.time()
        if self.args.progress_sequential:
            for name, command, _result_file in commands:
                measure(launchers[0], name, command)
        else:
            threads = [threading.Thread(target=measure, args=(launcher, name, command))
                       for launcher, (name, command, _result_file) in zip(launchers, commands)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]
        entries = [e for e in self.emulator.admin("requests")["requests"] if e["time"] >= launched]
        bad = [e for e in entries if e.get("status") != 200]
        if bad:
            raise benchlib.BenchmarkError("progress: %d requests failed at the emulator, first: %r" % (len(bad), bad[0]))
        polls = benchlib.job_polls(entries)
        other = len(entries) - sum(len(times) for times in polls.values())
        for name, _command, result_file in commands:
            result = measured[name]
            with open(result_file, encoding="utf-8") as handle:
                answer = benchlib.registered_result(handle.read(), "progress %s: the registered result" % name)
            for key, value in (("wall", result["wall"]), ("cpu", result["cpu"]), ("elapsed", answer["elapsed"]),
                               ("polls", answer["polls"]), ("retries", answer["retries"]),
                               ("requests", len(polls.get(job_ids[name], []))), ("other_requests", other),
                               ("lines", len(benchlib.progress_lines(result["output"])))):
                samples[name][key].append(value)
            log("   %s: wall %.2f s, CPU %.2f s, elapsed %.2f s, %d polls, %d job requests, %d progress lines" % (
                name, result["wall"], result["cpu"], answer["elapsed"], answer["polls"], len(polls.get(job_ids[name], [])),
                samples[name]["lines"][-1]))

    # -- the whole run ----------------------------------------------------------------------------

    def machine(self):
        model = "unknown CPU"
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("model name"):
                        model = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        from importlib.metadata import version
        return dict(cpu_model=model, cpus=os.cpu_count(), kernel=platform.release(), python=platform.python_version(),
                    ansible_core=version("ansible-core"), sdk=version("huaweicloudsdkdcs"), requests=version("requests"))

    def run(self):
        began = time.time()
        results = dict(schema=benchlib.SCHEMA, started_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
                       machine=self.machine(),
                       settings=dict(latency=self.args.latency, wait_sleep=self.args.wait_sleep, repetitions=self.args.reps,
                                     cold_start_repetitions=self.args.cold_reps, fanin_repetitions=self.args.fanin_reps,
                                     per_request_count=self.args.requests, fanin_jobs=self.args.fanin_jobs,
                                     fanin_spread=self.args.fanin_spread, scaling_base=self.args.scaling_base,
                                     scaling_spread=self.args.scaling_spread, progress_wait=self.args.progress_wait,
                                     progress_short_wait=self.args.progress_short_wait,
                                     progress_repetitions=self.args.progress_reps, progress_mode=self.progress_mode()))
        self.make_env()
        self.build_collection()
        self.start_emulator()
        timings = {}
        try:
            self.capture_payload()
            for name, step in (("per_request", self.per_request), ("cold_start", self.cold_start), ("playbook", self.playbooks),
                               ("fanin", self.fanin), ("scaling", self.scaling), ("progress", self.progress)):
                if name not in self.args.only:
                    continue
                begin = time.time()
                if name == "scaling":
                    results["scaling"], results["detection"] = step()
                else:
                    results[name] = step()
                timings[name] = round(time.time() - begin, 1)
                log("   %s took %.0f s" % (name, timings[name]))
        finally:
            self.emulator.stop()
        results["step_seconds"] = timings
        results["duration_seconds"] = round(time.time() - began, 1)
        return results


def derive_targets(results):
    values = dict(
        per_request_cpu=results["per_request"]["_ratios"]["cpu_collection_over_sdk"],
        cold_start_wall=results["cold_start"]["_ratios"]["wall_module_over_sdk"],
        playbook_per_task=results["playbook"]["_ratios"]["per_task_wall_dcs_over_uri"],
        fanin_floor_gap=max(0.0, results["fanin"]["_ratios"]["one_task_seconds_over_floor"]),
        fanin_cpu_vs_loop=results["fanin"]["_ratios"]["cpu_one_over_loop"],
        fanin_repolls=max(results["fanin"]["one_task"]["repolls_total"]["samples"]),
        detection_latency=results["detection"]["median"],
    )
    rows = benchlib.evaluate_targets(values, results["settings"]["wait_sleep"])
    if "progress" in results:
        rows.append(benchlib.progress_target(results))
    return rows


CORE_STEPS = ("per_request", "cold_start", "playbook", "fanin", "scaling")
STEPS = CORE_STEPS + ("progress",)


def progress_results(results):
    """The document of benchmarks/results/progress.json: the progress section of a run, with its target."""
    out = dict((key, results[key]) for key in ("schema", "started_at", "machine", "settings", "progress"))
    out["duration_seconds"] = (results.get("step_seconds") or {}).get("progress")
    out["targets"] = [benchlib.progress_target(results)]
    return benchlib.validate_progress(out)


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    sizes = list(benchlib.SCALING_SIZES)
    series = [results["scaling"][str(s)] for s in sizes]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    settings = results["settings"]

    def errorbars(ax, key, label, color):
        med = [s[key]["median"] for s in series]
        low = [m - s[key]["min"] for m, s in zip(med, series)]
        high = [s[key]["max"] - m for m, s in zip(med, series)]
        ax.errorbar(sizes, med, yerr=[low, high], marker="o", capsize=4, label=label, color=color)

    ax = axes[0]
    errorbars(ax, "wall", "module wall time (median, min-max)", "tab:blue")
    phases = benchlib.phase_offsets(settings["repetitions"], settings["wait_sleep"])
    floor = settings["scaling_base"] + settings["scaling_spread"] + benchlib.median(phases) + settings["wait_sleep"]
    ax.axhline(floor, color="grey", linestyle="--", label="floor at the median phase: last end + wait_sleep (%.1f s)" % floor)
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("jobs in one task")
    ax.set_ylabel("seconds")
    ax.set_title("Scaling: wall time of one waiting task")
    ax.legend(fontsize=8, loc="lower right")

    ax = axes[1]
    errorbars(ax, "requests", "job requests (median)", "tab:orange")
    ratio = series[-1]["requests"]["median"] / float(sizes[-1])
    ax.plot(sizes, [ratio * s for s in sizes], color="grey", linestyle=":", label="linear, %.1f per job" % ratio)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("jobs in one task")
    ax.set_ylabel("requests")
    ax.set_title("Scaling: job requests")
    ax.legend(fontsize=8)

    ax = axes[2]
    names = ["one_task", "loop_tasks", "uri_until"]
    labels = ["one dcs_job_info\ntask", "loop of waiting\ndcs_job_info tasks", "uri + until\nloop"]
    walls = [results["fanin"][n]["wall"]["median"] for n in names]
    cpus = [results["fanin"][n]["cpu"]["median"] for n in names]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], walls, width=0.4, label="wall s", color="tab:blue")
    ax.bar([x + 0.2 for x in xs], cpus, width=0.4, label="controller CPU s", color="tab:green")
    floor = results["fanin"]["one_task"]["floor"]["median"]
    ax.axhline(floor, color="grey", linestyle="--", label="floor %.1f s" % floor)
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, fontsize=8)
    ax.set_title("Fan-in: %d jobs ending over %.0f s" % (settings["fanin_jobs"], settings["fanin_spread"]))
    ax.set_ylim(0, max(walls + cpus + [floor]) * 1.3)
    ax.set_ylabel("seconds")
    ax.legend(fontsize=8, loc="upper center", ncol=3)
    fig.suptitle("hwc.dcs benchmark, emulator latency %.0f ms, wait_sleep %.1f s, %s" % (
        settings["latency"] * 1000, settings["wait_sleep"], results["started_at"]), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


DOCS_PAGE = os.path.join(ROOT, "docs", "docsite", "rst", "guide_benchmarks.rst")


def update_docs(results):
    """Rewrite the docs page's generated blocks from ``results``: the main one when it is a complete run (validated),
    the progress one when it has the progress section."""
    with open(DOCS_PAGE, encoding="utf-8") as handle:
        text = handle.read()
    updated = []
    if all(step in results for step in CORE_STEPS):
        text = benchlib.replace_block(text, benchlib.render_rst(benchlib.validate(results)))
        updated.append("results")
    if "progress" in results:
        text = benchlib.replace_block(text, benchlib.render_progress_rst(benchlib.validate_progress(results)),
                                      benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)
        updated.append("progress overhead")
    if not updated:
        raise benchlib.BenchmarkError("neither a complete run nor a progress overhead measurement: nothing to write")
    with open(DOCS_PAGE, "w", encoding="utf-8") as handle:
        handle.write(text)
    log("Updated the %s in %s" % (" and the ".join(updated), os.path.relpath(DOCS_PAGE, ROOT)))


def parse_args(argv):
    parser = argparse.ArgumentParser(description="The hwc.dcs benchmark (make bench).")
    parser.add_argument("--latency", type=float, default=float(os.environ.get("BENCH_LATENCY", "0.05")),
                        help="emulator latency per API request, seconds (default 0.05, or $BENCH_LATENCY)")
    parser.add_argument("--wait-sleep", type=float, default=2.0, help="wait_sleep of the waiting tasks (default 2)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions of benchmarks 1, 3 and 6 (default 5)")
    parser.add_argument("--cold-reps", type=int, default=11, help="repetitions of the cold start (default 11)")
    parser.add_argument("--fanin-reps", type=int, default=5, help="repetitions of the fan-in (default 5)")
    parser.add_argument("--requests", type=int, default=300, help="requests per repetition of benchmark 1 (default 300)")
    parser.add_argument("--fanin-jobs", type=int, default=50)
    parser.add_argument("--fanin-spread", type=float, default=20.0, help="the fan-in jobs end over this many seconds")
    parser.add_argument("--scaling-base", type=float, default=2.0, help="scaling jobs end after base + phase + spread k/N s")
    parser.add_argument("--scaling-spread", type=float, default=2.0)
    parser.add_argument("--no-prototype", dest="prototype", action="store_false",
                        help="skip the http.client prototype in benchmark 1")
    parser.add_argument("--progress-wait", type=float, default=300.0,
                        help="benchmark 8: seconds the job runs in the progress overhead runs (default 300)")
    parser.add_argument("--progress-short-wait", type=float, default=60.0,
                        help="benchmark 8: seconds of the extra pair at progress_interval 5 (default 60; 0 skips it)")
    parser.add_argument("--progress-reps", type=int, default=1, help="benchmark 8: repetitions (default 1)")
    parser.add_argument("--progress-sequential", action="store_true",
                        help="benchmark 8: run the variants of a wait one after the other instead of side by side")
    parser.add_argument("--only", default=",".join(STEPS),
                        help="comma-separated subset of the steps: %s (default all). Without all of the first five the "
                             "run is not validated nor written as latest; progress is written as progress.*" % ", ".join(STEPS))
    parser.add_argument("--output", default=os.path.join(HERE, "results"), help="directory for latest.json/.md/.png")
    parser.add_argument("--update-docs", action="store_true",
                        help="also rewrite the results block of docs/docsite/rst/guide_benchmarks.rst")
    parser.add_argument("--docs-from", metavar="JSON", help="only rewrite the docs page's results block from this result file")
    args = parser.parse_args(argv)
    args.only = set(args.only.split(","))
    unknown = args.only - set(STEPS)
    if unknown:
        parser.error("unknown step(s) in --only: %s" % ", ".join(sorted(unknown)))
    if args.progress_wait <= 0 or args.progress_short_wait < 0 or args.progress_reps < 1:
        parser.error("--progress-wait must be positive, --progress-short-wait at least 0 and --progress-reps at least 1")
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    if args.docs_from:
        with open(args.docs_from, encoding="utf-8") as handle:
            update_docs(json.load(handle))
        return 0
    python = ensure_venv()
    if os.path.realpath(sys.prefix) != os.path.realpath(VENV):
        os.execv(python, [python, os.path.abspath(__file__)] + list(argv))
    global LAUNCHER  # pylint: disable=global-statement
    LAUNCHER = Launcher(sys.executable)  # first, while this process is still small
    try:
        results = Bench(args).run()
        results["machine"]["launcher_rss_mb"] = round(LAUNCHER.own_rss_mb(), 1)
    finally:
        LAUNCHER.stop()
    os.makedirs(args.output, exist_ok=True)
    complete = args.only >= set(CORE_STEPS)
    name = "latest" if complete else "partial"
    if complete:
        results["targets"] = derive_targets(results)
        benchlib.validate(results, min_reps=benchlib.MIN_REPETITIONS)
    progress = progress_results(results) if "progress" in results else None
    with open(os.path.join(args.output, name + ".json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    if complete:
        with open(os.path.join(args.output, name + ".md"), "w", encoding="utf-8") as handle:
            handle.write(benchlib.render_markdown(results))
        plot(results, os.path.join(args.output, name + ".png"))
        print(benchlib.render_markdown(results))
    if progress:
        with open(os.path.join(args.output, "progress.json"), "w", encoding="utf-8") as handle:
            json.dump(progress, handle, indent=1, sort_keys=True)
        with open(os.path.join(args.output, "progress.md"), "w", encoding="utf-8") as handle:
            handle.write(benchlib.render_progress_markdown(progress))
        print(benchlib.render_progress_markdown(progress))
    if args.update_docs and (complete or progress):
        update_docs(results if complete else progress)
    log("Wrote %s/%s.*%s in %.0f s" % (os.path.relpath(args.output, ROOT), name, " and progress.*" if progress else "",
                                       results["duration_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
