# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The machinery of the progress suite: an emulator process, a real ``ansible-playbook`` run read line by
line as it prints, a real ``ansible-runner`` run, and the interpreters of the delegated host.

``Emulator`` runs ``tests/emulator/dcs_emulator.py`` (which checks every request's signature) in its own
process and talks to its admin API. ``play()`` runs one playbook with a clean environment, stamps every
output line with the moment it arrived, and reads the results the ``dcs_record`` callback wrote.
``runner()`` runs a playbook through ``ansible_runner.run()`` (in ``runner_job.py``, a process of its own)
and returns its event stream. ``Line`` parses a progress line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PLAYBOOKS = os.path.join(HERE, "playbooks")
CALLBACKS = os.path.join(os.path.dirname(HERE), "support", "callback_plugins")
EMULATOR = os.path.join(os.path.dirname(HERE), "emulator", "dcs_emulator.py")
RUNNER_JOB = os.path.join(HERE, "runner_job.py")

# Distinctive test values: the secret key must never appear in any output.
ACCESS_KEY = "AKPROGRESS0000000001"
SECRET_KEY = "ProgressSK-5d1c7b9e-never-print-this-0001"
PROJECT = "0123456789abcdef0123456789abcdef"
REGION = "cn-north-4"
INSTANCE = "3d3c5e57-4a7b-4c5e-9b6e-0a1b2c3d4e91"
GROUP = "ff80808290a1b2c30190a1b2c3d49000"
MASTER = "ff80808290a1b2c30190a1b2c3d49001"
STANDBY = "ff80808290a1b2c30190a1b2c3d49002"

PROGRESS = re.compile(r"^hwc\.dcs \[(?P<host>[^\]]*)\]: (?P<body>.*?)\s*$")
DURATION = r"(?:\d+h\d\dm|\d+m\d\ds|\d+s)"
RUN_TIMEOUT = 120.0  # a run still going after this long is killed (and its test fails)


def seconds(text):
    """'45s', '3m10s', '1h02m' -> seconds."""
    match = re.match(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$", text)
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


class Line:
    """One progress line: ``kind`` is 'is', 'now' (a status change), 'for' (a heartbeat) or 'counts' (no_log)."""

    def __init__(self, arrived, text, match):
        self.arrived = arrived
        self.text = text
        self.host = match.group("host")
        body = match.group("body")
        elapsed = re.search(r"(%s) elapsed" % DURATION, body)
        self.elapsed = seconds(elapsed.group(1)) if elapsed else None
        self.status = self.was = self.since = None
        change = re.search(r" (?:is (?P<is>\S+)|now (?P<now>\S+) \(was (?P<was>\S+)\));", body)
        beat = re.search(r" (?P<status>\S+) for (?P<for>%s)[;( ]" % DURATION, body)
        if body.endswith("(details hidden by no_log)"):
            self.kind = "counts"
        elif change and change.group("is"):
            self.kind, self.status = "is", change.group("is")
        elif change:
            self.kind, self.status, self.was = "now", change.group("now"), change.group("was")
        elif beat:
            self.kind, self.status, self.since = "for", beat.group("status"), seconds(beat.group("for"))
        else:
            self.kind = "other"

    def __repr__(self):
        return "Line(%.2f, %r)" % (self.arrived, self.text)


def collections_path():
    """ANSIBLE_COLLECTIONS_PATH, else the directory above ``ansible_collections`` that holds this tree."""
    if os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        return os.environ["ANSIBLE_COLLECTIONS_PATH"]
    root = os.path.dirname(os.path.dirname(HERE))
    parts = root.split(os.sep)
    if parts[-3:-2] == ["ansible_collections"]:
        return os.sep.join(parts[:-3])
    raise RuntimeError("Set ANSIBLE_COLLECTIONS_PATH to the directory that holds ansible_collections/hwc/dcs")


def program(name):
    """``name`` first on PATH (the harness puts the release's virtualenv first), else beside this Python."""
    found = shutil.which(name)
    if found:
        return found
    beside = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(beside):
        return beside
    raise RuntimeError("%s is not on PATH" % name)


def keep():
    return bool(os.environ.get("PROGRESS_KEEP"))


# --- the emulator -------------------------------------------------------------------------------------------------


class Emulator:
    """``dcs_emulator.py`` in a process of its own, with ``config``; ``admin()`` calls its unsigned admin API."""

    def __init__(self, config, workdir):
        self.workdir = workdir
        path = os.path.join(workdir, "emulator.json")
        url_file = os.path.join(workdir, "emulator.url")
        with open(path, "w") as handle:
            json.dump(config, handle)
        self.log = open(os.path.join(workdir, "emulator.log"), "wb")
        self.process = subprocess.Popen([sys.executable, EMULATOR, "--host", "127.0.0.1", "--port", "0", "--config", path,
                                         "--url-file", url_file], stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        end = time.monotonic() + 30
        while not os.path.exists(url_file):
            if self.process.poll() is not None or time.monotonic() > end:
                self.stop()
                raise RuntimeError("the emulator did not start (see %s)" % os.path.join(workdir, "emulator.log"))
            time.sleep(0.05)
        with open(url_file) as handle:
            self.url = handle.read().strip()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url + "/_emulator/" + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with self._opener.open(request, timeout=10) as response:
            return json.loads(response.read().decode("utf-8"))

    def reset(self):
        """Job clocks, request log, instances and their operations back to the start."""
        return self.admin("POST", "reset", {})

    def requests(self):
        return self.admin("GET", "requests")

    def operations(self):
        return self.admin("GET", "operations")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- a run ----------------------------------------------------------------------------------------------------------


class Run:
    """One ``ansible-playbook`` run: ``lines`` as [(arrival, text)], arrival in seconds after the start."""

    def __init__(self, name, command):
        self.name = name
        self.command = command
        self.lines = []
        self.exited = None  # seconds after the start when the process had exited
        self.status = None
        self.killed = False
        self.records = []
        self.requests = []  # the emulator's request log of this run (it is reset before each run)
        self.operations = {}
        self.extra = {}

    @property
    def output(self):
        return "\n".join(text for dummy, text in self.lines)

    @property
    def progress(self):
        found = []
        for arrived, text in self.lines:
            match = PROGRESS.match(text)
            if match:
                found.append(Line(arrived, text, match))
        return found

    def arrival(self, pattern):
        """When the first line matching the regular expression ``pattern`` arrived, or None."""
        for arrived, text in self.lines:
            if re.search(pattern, text):
                return arrived
        return None

    def record(self, task):
        """The ``dcs_record`` record of the task named ``task`` (the last one when it ran more than once)."""
        found = [record for record in self.records if record["task"] == task]
        assert found, "%s: no result recorded for task %r (status %s):\n%s" % (self.name, task, self.status, self.tail())
        return found[-1]

    def result(self, task):
        return self.record(task)["result"]

    def tail(self, count=60):
        return "\n".join(text for dummy, text in self.lines[-count:])

    def summary(self):
        return {"name": self.name, "status": self.status, "killed": self.killed,
                "seconds": None if self.exited is None else round(self.exited, 2),
                "progress_lines": [[round(line.arrived, 2), line.text] for line in self.progress]}


def environment(workdir, extra=None, credentials=True):
    """A clean environment: an empty home, no proxies, credentials only from the suite's variables, no colours.

    PYTHONUNBUFFERED=1, so that the output reaches a pipe as Ansible prints it (``extra`` may set it to "").
    """
    home = os.path.join(workdir, "home")
    if not os.path.isdir(home):
        os.mkdir(home, 0o700)
    config = os.path.join(workdir, "ansible.cfg")
    if not os.path.exists(config):
        with open(config, "w") as handle:
            handle.write("[defaults]\n")
    env = {
        "PATH": os.environ.get("PATH", os.defpath), "HOME": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1",
        "ANSIBLE_COLLECTIONS_PATH": collections_path(), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false",
        "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-local"), "ANSIBLE_CONFIG": config,
        "ANSIBLE_ASYNC_DIR": os.path.join(workdir, "async"), "ANSIBLE_HOST_KEY_CHECKING": "false", "ANSIBLE_DEPRECATION_WARNINGS": "false",
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
    }
    if credentials:
        env.update(HUAWEICLOUD_SDK_AK=ACCESS_KEY, HUAWEICLOUD_SDK_SK=SECRET_KEY)
    env.update(extra or {})
    return dict((name, value) for name, value in env.items() if value != "")


def _kill(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass


def _read_lines(stream, begin, lines):
    """Append (arrival, text) for each line read from the file descriptor ``stream`` until its end."""
    pending = b""
    while True:
        try:
            chunk = os.read(stream, 65536)
        except OSError:  # EIO: the terminal's other side closed (Linux)
            chunk = b""
        arrived = time.monotonic() - begin
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            raw, pending = pending.split(b"\n", 1)
            lines.append((arrived, raw.decode("utf-8", "replace").rstrip("\r")))
    if pending:
        lines.append((time.monotonic() - begin, pending.decode("utf-8", "replace").rstrip("\r")))


def play(name, workdir, playbook, variables, env=None, args=(), inventory="localhost,", credentials=True, terminal=False):
    """Run ``playbooks/<playbook>`` with ``variables`` (extra variables); return its ``Run``.

    The output (stdout and stderr together) goes to a pipe, or with ``terminal`` to a pseudo-terminal (as in
    an operator's terminal); it is read as it comes, each line stamped with its arrival (seconds after the
    start); ``exited`` is when the process had ended.
    """
    rundir = tempfile.mkdtemp(prefix="%s-" % name, dir=workdir)
    variables_file = os.path.join(rundir, "vars.json")
    with open(variables_file, "w") as handle:
        json.dump(variables, handle)
    results = os.path.join(rundir, "results.jsonl")
    run_env = environment(rundir, dict(env or {}, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED="dcs_record",
                                       DCS_RESULT_FILE=results), credentials=credentials)
    command = [program("ansible-playbook"), "-i", inventory, os.path.join(PLAYBOOKS, playbook), "-e", "@" + variables_file] + list(args)
    run = Run(name, command)
    if terminal:
        reader, writer = pty.openpty()
    else:
        reader, writer = os.pipe()
    begin = time.monotonic()
    try:
        process = subprocess.Popen(command, env=run_env, cwd=rundir, stdout=writer, stderr=writer, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    finally:
        os.close(writer)
    timer = threading.Timer(RUN_TIMEOUT, lambda: (setattr(run, "killed", True), _kill(process)))
    timer.start()
    try:
        _read_lines(reader, begin, run.lines)
        run.status = process.wait()
        run.exited = time.monotonic() - begin
    finally:
        timer.cancel()
        os.close(reader)
        _kill(process)  # leftovers of its process group (none when all went well)
    with open(os.path.join(rundir, "output.txt"), "w") as handle:
        handle.write("".join("%7.2f %s\n" % line for line in run.lines))
    if os.path.exists(results):
        with open(results) as handle:
            run.records = [json.loads(line) for line in handle if line.strip()]
    return run


def runner(name, workdir, playbook, variables, env=None):
    """Run ``playbooks/<playbook>`` through ``ansible_runner.run()``; return (status, rc, events).

    Each event is the event dict as the ``event_handler`` got it, plus ``_received`` (time.time() when it
    arrived), in arrival order; ``artifacts`` lists the job_events files ansible-runner wrote.
    """
    rundir = tempfile.mkdtemp(prefix="%s-" % name, dir=workdir)
    private = os.path.join(rundir, "private")
    os.makedirs(os.path.join(private, "project"))
    os.makedirs(os.path.join(private, "inventory"))
    shutil.copy(os.path.join(PLAYBOOKS, playbook), os.path.join(private, "project", playbook))
    with open(os.path.join(private, "inventory", "hosts"), "w") as handle:
        handle.write("localhost ansible_connection=local\n")
    spec = {"private_data_dir": private, "playbook": playbook, "extravars": variables,
            "events": os.path.join(rundir, "events.jsonl"), "answer": os.path.join(rundir, "answer.json")}
    spec_file = os.path.join(rundir, "spec.json")
    with open(spec_file, "w") as handle:
        json.dump(spec, handle)
    process = subprocess.Popen([sys.executable, RUNNER_JOB, spec_file], env=environment(rundir, env), cwd=rundir,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        output = process.communicate(timeout=RUN_TIMEOUT)[0].decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        _kill(process)
        output = process.communicate()[0].decode("utf-8", "replace") + "\n(killed after %d s)" % RUN_TIMEOUT
    finally:
        _kill(process)
    answer = {}
    if os.path.exists(spec["answer"]):
        with open(spec["answer"]) as handle:
            answer = json.load(handle)
    events = []
    if os.path.exists(spec["events"]):
        with open(spec["events"]) as handle:
            events = [json.loads(line) for line in handle if line.strip()]
    artifacts = []
    for top, _dummy, files in os.walk(os.path.join(private, "artifacts")):
        if os.path.basename(top) == "job_events":
            for name in files:
                if name.endswith(".json"):
                    with open(os.path.join(top, name)) as handle:
                        artifacts.append(json.load(handle))
    artifacts.sort(key=lambda event: event.get("counter", 0))
    return {"status": answer.get("status"), "rc": answer.get("rc"), "events": events, "artifacts": artifacts,
            "output": output, "runner_version": answer.get("runner_version")}


# --- the delegated host's interpreter -------------------------------------------------------------------------------

PROBE = "import sys, requests; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"


def probe(python):
    """(version, real path) of ``python`` when it runs and imports requests, else None."""
    try:
        out = subprocess.check_output([python, "-c", PROBE], stderr=subprocess.DEVNULL, universal_newlines=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    return (lines[0].strip(), lines[1].strip()) if len(lines) >= 2 and lines[1].strip() else None


def candidates():
    """Pythons that might run the module: PROGRESS_OTHER_PYTHON, python3.X on PATH, pyenv's, /usr's."""
    found = []
    if os.environ.get("PROGRESS_OTHER_PYTHON"):
        found.append(os.environ["PROGRESS_OTHER_PYTHON"])
    roots = [os.environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    for minor in range(8, 15):
        name = "python3.%d" % minor
        found.append(shutil.which(name))
        for root in roots:
            if root and os.path.isdir(os.path.join(root, "versions")):
                for version in sorted(os.listdir(os.path.join(root, "versions"))):
                    found.append(os.path.join(root, "versions", version, "bin", name))
        found.extend(os.path.join(prefix, "bin", name) for prefix in ("/usr/local", "/usr"))
    return [path for index, path in enumerate(found) if path and os.path.exists(path) and path not in found[:index]]


def other_python(workdir):
    """An interpreter with requests other than the controller's: (path, version, how found).

    A Python of another version is preferred (PROGRESS_OTHER_PYTHON first); without one, a virtualenv made
    here from the controller's base interpreter that sees the controller's site-packages (so that it has
    requests): another interpreter and ``sys.prefix`` of the same version.
    """
    mine = os.path.realpath(sys.executable)
    version = "%d.%d" % sys.version_info[:2]
    for path in candidates():
        found = probe(path)
        if found and found[0] != version and os.path.realpath(found[1]) != mine:
            return found[1], found[0], "another Python version"  # the real interpreter, not a pyenv shim
    venv = os.path.join(workdir, "other-venv")
    subprocess.check_call([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", venv])
    site = [path for path in sys.path if path.endswith("site-packages") and os.path.isdir(path)]
    created = subprocess.check_output([os.path.join(venv, "bin", "python"), "-c", "import site; print(site.getsitepackages()[0])"],
                                      universal_newlines=True).strip()
    with open(os.path.join(created, "controller.pth"), "w") as handle:
        handle.write("\n".join(site) + "\n")
    path = os.path.join(venv, "bin", "python")
    found = probe(path)
    if not found:
        raise RuntimeError("no interpreter with requests found for the delegated host")
    return path, found[0], "a virtualenv of the controller's Python"


def logging_interpreter(path, python, log, delay=0):
    """Write a shell script at ``path`` that appends a line to ``log``, waits ``delay`` seconds (as a slow SSH hop
    would) and runs ``python``: an interpreter that counts its runs."""
    with open(path, "w") as handle:
        handle.write("#!/bin/sh\necho \"$$ $*\" >> '%s'\n%sexec '%s' \"$@\"\n" % (log, "sleep %g\n" % delay if delay else "", python))
    os.chmod(path, 0o755)
    return path
