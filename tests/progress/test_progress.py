# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Live progress while a task waits (issue 13), through real ansible-playbook and ansible-runner runs
against the emulator (README.md).

1. the progress lines reach a pipe while the task runs, with elapsed times that match their arrival;
2. ansible-runner's event stream (what AWX shows) carries them as ``verbose`` events, created and
   delivered before the task's ``runner_on_ok``;
3. the result is the same with and without progress: two jobs, no_log, check mode, async,
   module_defaults, a failed job, a timeout, delegate_to (with and without pipelining), and the variable
   and environment settings (with clear errors for bad values);
4. at -vvvv the sealed state on the command lines shows neither the secret key nor the new values.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import json
import re
import sys
import zlib

import pytest

import progress_runner
import progress_scenarios as ps
from progress_runner import ACCESS_KEY, SECRET_KEY

TASK = "Wait for the jobs"
DELEGATED = "Wait for the jobs on the worker"
TIMING = 3.0  # seconds: how far an elapsed time printed in a line may be from when the line arrived
ELAPSED_SLACK = 3.0  # seconds a timed-out task may run past its wait_timeout


def chain_of(outcomes, name):
    chain = outcomes[name]
    assert not chain.extra.get("error"), "scenario %s broke down: %s" % (name, chain.extra["error"])
    return chain


def sound(run, status=0):
    """The run ended by itself with ``status``; no traceback, no secret key, Ansible's one PLAY RECAP."""
    assert not run.killed, "%s was killed after %d s:\n%s" % (run.name, progress_runner.RUN_TIMEOUT, run.tail())
    assert run.status == status, "%s exited %s, not %s:\n%s" % (run.name, run.status, status, run.tail())
    output = run.output
    for word in ("Traceback", "MODULE FAILURE", SECRET_KEY):
        assert word not in output, "%s printed %r:\n%s" % (run.name, word, run.tail())
    assert len([text for dummy, text in run.lines if text.startswith("PLAY RECAP")]) == 1, run.tail()
    for record in run.records:
        text = json.dumps(record["result"])
        assert SECRET_KEY not in text and "Traceback" not in text, record
        assert not [key for key in record["result"] if key.startswith("_hwc_dcs")], record  # the plugin's private keys


def task_start(run, task=TASK):
    started = run.arrival(r"^TASK \[%s\]" % re.escape(task))
    assert started is not None, run.tail()
    return started


def same(left, right, allowed=(), names=(None, None)):
    found = ps.differences(left, right, names[0], names[1], allowed=allowed)
    assert not found, "the results differ:\n- %s\nwith progress: %s\nwithout: %s" % (
        "\n- ".join(found), json.dumps(left, sort_keys=True)[:3000], json.dumps(right, sort_keys=True)[:3000])


def beats(lines):
    return [line for line in lines if line.kind == "for"]


def assert_interval(run, lines, interval=ps.INTERVAL):
    """Each heartbeat comes about ``interval`` seconds after the line before it (the next slice's start adds a moment)."""
    heartbeats = beats(lines)
    assert heartbeats, "%s: no heartbeat line:\n%s" % (run.name, run.tail())
    start = lines.index(heartbeats[0]) - 1
    assert start >= 0, lines
    for before, after in zip(lines[start:], lines[start + 1:]):
        if after.kind != "for":
            continue
        gap = after.arrived - before.arrived
        assert interval - 1.0 <= gap <= interval + 4.0, "%s: %.1f s between %r and %r (interval %s s)" % (
            run.name, gap, before.text, after.text, interval)


# --- 1. live output -------------------------------------------------------------------------------------------------


def assert_live(run):
    """Status changes and heartbeats arrive while the task waits, before its ok line and the exit, and the
    elapsed times they print match when they arrived."""
    sound(run)
    started = task_start(run)
    done = run.arrival(r"^ok: \[localhost\]")
    assert done is not None and done < run.exited, run.tail()
    lines = run.progress
    kinds = [(line.kind, line.status) for line in lines]
    assert kinds[0] == ("is", "INIT"), kinds
    assert kinds[1] == ("now", "RUNNING") and lines[1].was == "INIT", kinds
    assert beats(lines) and all(status == "RUNNING" for kind, status in kinds if kind == "for"), kinds
    assert kinds[-1] == ("now", "SUCCESS") and lines[-1].was == "RUNNING", kinds
    assert all(line.host == "localhost" and ps.LIVE_JOB in line.text and ps.SWAP in line.text for line in lines), lines
    assert all("0 of 1 job finished" in line.text for line in lines[:-1]) and "1 of 1 job finished" in lines[-1].text, lines
    # The wait lasts about 14 s: the status changes come seconds before the ok line, the first heartbeat too.
    assert all(line.arrived <= done < run.exited for line in lines), (lines, done, run.exited)
    assert done - lines[0].arrived >= 10 and done - lines[1].arrived >= 8, (done, lines)
    assert done - beats(lines)[0].arrived >= 3, (done, lines)
    # Elapsed as printed against the arrival (counted from the task's header line).
    for line in lines:
        assert abs(line.elapsed - (line.arrived - started)) <= TIMING, (line, started)
    assert [line.elapsed for line in lines] == sorted(line.elapsed for line in lines), lines
    assert lines[0].elapsed <= 8 and 1 <= lines[1].elapsed - lines[0].elapsed <= 6 and 12 <= lines[-1].elapsed <= 24, lines
    # "RUNNING for N": since the line that said RUNNING.
    for line in beats(lines):
        assert abs(line.since - (line.arrived - lines[1].arrived)) <= TIMING, (line, lines[1])
    assert_interval(run, lines)
    result = run.result(TASK)
    assert result["jobs"][0]["status"] == "SUCCESS" and [entry["status"] for entry in result["jobs"][0]["status_history"]] == [
        "INIT", "RUNNING", "SUCCESS"], result


@pytest.mark.parametrize("name", ["live_terminal", "live_pipe"])
@pytest.mark.scenarios("live_terminal", "live_pipe")
def test_lines_arrive_while_the_task_runs(progress_outcomes, name):
    """In a terminal, and in a pipe with PYTHONUNBUFFERED=1, each line arrives as the controller prints it."""
    assert_live(chain_of(progress_outcomes, name).runs["live"])


@pytest.mark.scenarios("live_buffered")
def test_a_plain_pipe_gets_every_line_in_order_by_the_task_end(progress_outcomes):
    """A pipe without PYTHONUNBUFFERED (the documented limitation: Python holds ansible-playbook's piped
    output back and Ansible never flushes it while one task runs, its own lines included): no line is lost,
    they come in order, before the task's ok line, with the elapsed times printed when they were made."""
    run = chain_of(progress_outcomes, "live_buffered").runs["live"]
    sound(run)
    texts = [text for dummy, text in run.lines]
    lines = run.progress
    kinds = [(line.kind, line.status) for line in lines]
    assert kinds[0] == ("is", "INIT") and kinds[1] == ("now", "RUNNING") and kinds[-1] == ("now", "SUCCESS"), kinds
    assert beats(lines), kinds
    done = [index for index, text in enumerate(texts) if text.startswith("ok: [localhost]")]
    assert done and all(texts.index(line.text) < done[0] for line in lines), run.tail()
    assert [line.elapsed for line in lines] == sorted(line.elapsed for line in lines) and lines[-1].elapsed >= 12, lines


# --- 2. ansible-runner ----------------------------------------------------------------------------------------------


def _created(event):
    return datetime.datetime.strptime(event["created"], "%Y-%m-%dT%H:%M:%S.%f+00:00").replace(tzinfo=datetime.timezone.utc).timestamp()


@pytest.mark.scenarios("runner")
def test_ansible_runner_event_stream(progress_outcomes):
    """ansible-runner (AWX's runner) turns the progress lines into ``verbose`` events, created and handed to
    the event handler while the task waits, before the task's ``runner_on_ok``, and writes them to its
    job_events artifacts."""
    chain = chain_of(progress_outcomes, "runner")
    answer = chain.extra["runner"]
    assert answer["status"] == "successful" and answer["rc"] == 0, answer["output"][-3000:]
    events = answer["events"]
    carrying = [event for event in events if progress_runner.PROGRESS.match((event.get("stdout") or "").strip())]
    assert len(carrying) >= 4, [(event.get("event"), event.get("stdout")) for event in events]
    assert {event["event"] for event in carrying} == {"verbose"}, [(event["event"], event.get("stdout")) for event in carrying]
    texts = [event["stdout"].strip() for event in carrying]
    assert " is INIT;" in texts[0] and " now RUNNING (was INIT);" in texts[1] and " now SUCCESS (was RUNNING);" in texts[-1], texts
    assert any(" RUNNING for " in text for text in texts), texts
    oks = [event for event in events if event["event"] == "runner_on_ok" and event["event_data"].get("task") == TASK]
    starts = [event for event in events if event["event"] == "runner_on_start" and event["event_data"].get("task") == TASK]
    assert len(oks) == 1 and len(starts) == 1, [event["event"] for event in events]
    ok, start = oks[0], starts[0]
    assert ok["event_data"]["res"]["jobs"][0]["status"] == "SUCCESS", ok["event_data"]["res"]
    # Order of the stream, and the times the events were created (in ansible-playbook) and received.
    assert all(start["counter"] < event["counter"] < ok["counter"] for event in carrying), [event["counter"] for event in carrying]
    created = [_created(event) for event in carrying]
    assert created == sorted(created) and created[-1] <= _created(ok), (created, ok["created"])
    assert _created(ok) - created[0] >= 10, "the first progress event was created only %.1f s before runner_on_ok" % (
        _created(ok) - created[0])
    assert created[-2] - created[0] >= 7, "progress events bunched together: %r" % created
    gaps = [later - earlier for earlier, later in zip(created, created[1:])]
    assert max(gaps) <= ps.INTERVAL + 4.0, gaps
    for event, moment in zip(carrying, created):
        assert event["_received"] <= ok["_received"], "delivered after the task ended: %r" % event["stdout"]
        assert abs(event["_received"] - moment) <= TIMING, (event["stdout"], event["_received"], moment)
    assert ok["_received"] - carrying[1]["_received"] >= 8, "the status changes were not delivered while the task waited"
    # The artifacts (what a job's stdout and events are replayed from) hold the same events.
    stored = {event.get("uuid"): event for event in answer["artifacts"]}
    for event in carrying:
        assert event["uuid"] in stored and stored[event["uuid"]]["stdout"] == event["stdout"], event


# --- 3. the same result with and without progress -------------------------------------------------------------------


def pair_of(outcomes, name, status=0):
    chain = chain_of(outcomes, name)
    progress, plain = chain.runs["progress"], chain.runs["plain"]
    sound(progress, status)
    sound(plain, status)
    return chain, progress, plain


@pytest.mark.scenarios("two_jobs")
def test_two_jobs_same_result(progress_outcomes):
    dummy, progress, plain = pair_of(progress_outcomes, "two_jobs")
    lines = progress.progress
    assert len(lines) >= 4 and not plain.progress, (lines, plain.progress)
    for job_id in ps.TWO_JOBS:
        assert any(job_id in line.text for line in lines), (job_id, lines)
    assert any("1 of 2 jobs finished" in line.text for line in lines) and "2 of 2 jobs finished" in lines[-1].text, lines
    left, right = progress.result(TASK), plain.result(TASK)
    assert not left.get("failed") and [job["status"] for job in left["jobs"]] == ["SUCCESS", "SUCCESS"], left
    assert left["polls"] >= 8, left
    same(left, right)


@pytest.mark.scenarios("no_log")
def test_no_log_same_censored_result(progress_outcomes):
    chain, progress, plain = pair_of(progress_outcomes, "no_log")
    lines = progress.progress
    assert len(lines) >= 3 and all(line.kind == "counts" for line in lines) and not plain.progress, (lines, plain.progress)
    assert re.match(r"^hwc\.dcs \[localhost\]: 0 of 1 job finished, \d+s elapsed \(details hidden by no_log\)$", lines[0].text), lines[0]
    assert "1 of 1 job finished" in lines[-1].text, lines
    for run in (progress, plain):
        assert ps.NO_LOG_JOB not in run.output and ps.NO_LOG_TYPE not in run.output, run.tail()
    censored = progress.result("Wait for the hidden job")
    assert "censored" in censored and "jobs" not in censored, censored
    same(censored, plain.result("Wait for the hidden job"))
    registered = [chain.extra["progress"], chain.extra["plain"]]
    assert registered[0]["jobs"][0]["status"] == "SUCCESS" and registered[0]["jobs"][0]["job_type"] == ps.NO_LOG_TYPE, registered[0]
    same(registered[0], registered[1])


@pytest.mark.scenarios("check_mode")
def test_check_mode_same_prediction_nothing_sent(progress_outcomes):
    dummy, progress, plain = pair_of(progress_outcomes, "check_mode")
    for run in (progress, plain):
        assert not run.progress, run.progress
        sent = [entry for entry in run.requests if entry["method"] != "GET"]
        assert not sent and run.operations["counts"] == {"switchover": 0, "config": 0}, (sent, run.operations)
    switchover = progress.result("Predict the switchover")
    assert switchover["changed"] and switchover["job"] is None, switchover
    config = progress.result("Predict the parameter change")
    assert config["changed"] and config.get("change_requests") == 0 and "job" not in config, config
    same(switchover, plain.result("Predict the switchover"))
    same(config, plain.result("Predict the parameter change"))


@pytest.mark.scenarios("async_poll")
def test_async_same_result_no_progress(progress_outcomes):
    dummy, progress, plain = pair_of(progress_outcomes, "async_poll")
    for run in (progress, plain):
        assert not run.progress, run.progress
        assert run.arrival(r"^ASYNC OK on localhost|^ok: \[localhost\]") is not None, run.tail()
    left = progress.result("Wait for the job asynchronously")
    assert left.get("ansible_job_id") and left["jobs"][0]["status"] == "SUCCESS" and left["finished"] == 1, left
    same(left, plain.result("Wait for the job asynchronously"))


@pytest.mark.scenarios("module_defaults")
def test_module_defaults_of_the_action_group(progress_outcomes):
    """Credentials (none in the environment), endpoint and progress_interval from group/hwc.dcs.dcs: 5 gives
    lines 5 s apart, 0 none; the results differ only in the progress_interval argument itself."""
    dummy, progress, plain = pair_of(progress_outcomes, "module_defaults")
    lines = progress.progress
    assert len(lines) >= 3 and not plain.progress, (lines, plain.progress)
    assert_interval(progress, lines)
    for run in (progress, plain):
        assert run.requests and all(entry["status"] == 200 for entry in run.requests), run.requests
    left, right = progress.result(TASK), plain.result(TASK)
    assert left["jobs"][0]["status"] == "SUCCESS", left
    for run in (progress, plain):  # signed with the access key from module_defaults (the environment has none)
        assert all("Access=%s," % ACCESS_KEY in entry["headers"].get("authorization", "") for entry in run.requests), run.requests
    if "invocation" in left:  # ansible-core 2.16 returns the module's arguments, with module_defaults applied
        intervals = left["invocation"]["module_args"]["progress_interval"], right["invocation"]["module_args"]["progress_interval"]
        assert intervals == (ps.INTERVAL, 0), intervals
    same(left, right, allowed=("invocation.module_args.progress_interval",))


@pytest.mark.scenarios("failure")
def test_failed_switchover_same_failure_sent_once(progress_outcomes):
    dummy, progress, plain = pair_of(progress_outcomes, "failure")
    lines = progress.progress
    assert lines and lines[-1].kind == "now" and lines[-1].status == "FAIL", lines
    assert not plain.progress, plain.progress
    names = []
    for run in (progress, plain):
        result = run.result("Make the standby master")
        assert run.record("Make the standby master")["outcome"] == "failed", result
        assert result["job"]["status"] == "FAIL" and result["job"]["fail_reason"] == ps.FAIL_REASON, result
        assert ps.FAIL_REASON in result["msg"], result["msg"]
        swaps = [entry for entry in run.requests if entry["method"] == "PUT" and entry["path"].endswith("/async-swap")]
        assert len(swaps) == 1 and run.operations["counts"]["switchover"] == 1, (swaps, run.operations)
        names.append({result["job"]["job_id"]: "<job>"})
    same(progress.result("Make the standby master"), plain.result("Make the standby master"), names=names)


@pytest.mark.scenarios("timeout")
def test_timeout_mid_wait_same_failure(progress_outcomes):
    dummy, progress, plain = pair_of(progress_outcomes, "timeout")
    assert progress.progress and not plain.progress, (progress.progress, plain.progress)
    left, right = progress.result(TASK), plain.result(TASK)
    for run, result in ((progress, left), (plain, right)):
        assert run.record(TASK)["outcome"] == "failed", result
        assert result["msg"].startswith("Timed out after ") and "(wait_timeout=%d)" % ps.TIMEOUT in result["msg"], result
        assert ps.TIMEOUT - 1 <= result["elapsed"] <= ps.TIMEOUT + ELAPSED_SLACK, result
    same(left, right)


@pytest.mark.parametrize("name", ["delegate_pipelining", "delegate_no_pipelining"])
@pytest.mark.scenarios("delegate_pipelining", "delegate_no_pipelining")
def test_delegate_to_another_interpreter(progress_outcomes, name):
    """The module runs on the delegated host with its interpreter, in every slice; with and without pipelining."""
    chain, progress, plain = pair_of(progress_outcomes, name)
    assert chain.extra["python"] and chain.extra["version"], chain.extra
    lines = progress.progress
    assert len(lines) >= 3 and all(line.host == "ctl" for line in lines) and not plain.progress, (lines, plain.progress)
    for run in (progress, plain):
        assert run.arrival(r"^ok: \[ctl -> worker\]") is not None, run.tail()
    starts = chain.extra["progress"], chain.extra["plain"]
    assert not starts[0]["ctl"] and not starts[1]["ctl"], starts
    assert len(starts[1]["worker"]) == 1, starts[1]
    # One start per slice: a line per pause, and one more for the last slice (which ended the wait).
    assert len(starts[0]["worker"]) >= len([line for line in lines if line.kind != "now" or line.status == "RUNNING"]), (starts, lines)
    assert len(starts[0]["worker"]) >= 3, starts
    # Pipelining feeds the module on standard input; without it, each slice runs the AnsiballZ file it was sent.
    for line in starts[0]["worker"] + starts[1]["worker"]:
        arguments = line.split()[1:]
        if name == "delegate_pipelining":
            assert arguments == [], starts
        else:
            assert len(arguments) == 1 and arguments[0].endswith("/AnsiballZ_dcs_job_info.py"), starts
    same(progress.result(DELEGATED), plain.result(DELEGATED))


@pytest.mark.scenarios("slow_start")
def test_slow_module_start_keeps_the_last_poll(progress_outcomes):
    """A module host where each run starts 4 s late (a slow SSH hop) and a job that ends just before the last poll
    before the deadline: a paused wait that resumes late must still make that poll, as one uninterrupted run does."""
    dummy, progress, plain = pair_of(progress_outcomes, "slow_start")
    right = plain.result(DELEGATED)
    assert plain.record(DELEGATED)["outcome"] == "ok" and right["jobs"][0]["status"] == "SUCCESS", right
    left = progress.result(DELEGATED)
    assert progress.record(DELEGATED)["outcome"] == "ok", "with progress: %s" % left.get("msg")
    same(left, right)


@pytest.mark.scenarios("sources")
def test_environment_and_variable_settings(progress_outcomes):
    """HWC_DCS_PROGRESS_INTERVAL=5 alone gives lines 5 s apart; hwc_dcs_progress_interval=0 wins over it."""
    dummy, progress, plain = pair_of(progress_outcomes, "sources")
    lines = progress.progress
    assert len(lines) >= 3 and not plain.progress, (lines, plain.progress)
    assert_interval(progress, lines)
    same(progress.result(TASK), plain.result(TASK))


@pytest.mark.scenarios("invalid")
def test_invalid_settings_fail_clearly(progress_outcomes):
    run = chain_of(progress_outcomes, "invalid").runs["invalid"]
    sound(run)
    wanted = {"Bad environment variable": "environment variable HWC_DCS_PROGRESS_INTERVAL is 'fast'",
              "Bad variable": "variable hwc_dcs_progress_interval is ",  # 2 (ansible-core 2.19+) or '2': templated
              "Bad option": "progress_interval is 4000"}
    for task, start in wanted.items():
        record = run.record(task)
        msg = record["result"].get("msg", "")
        assert record["outcome"] == "failed" and msg.startswith(start), record
        assert msg.endswith(": give 0 (no progress lines) or 5 to 3600 seconds between progress lines."), msg
        assert "{{" not in msg and re.search(r" is '?(fast|2|4000)'?:", msg), msg
    good = run.record("Good option over the bad environment")
    assert good["outcome"] == "ok" and good["result"]["jobs"][0]["status"] == "SUCCESS", good
    assert len(run.requests) == 1, run.requests  # the bad ones failed before the module ran


# --- 4. secrets -----------------------------------------------------------------------------------------------------


def _unseal(token):
    sys.path.insert(0, progress_runner.collections_path())
    try:
        from ansible_collections.hwc.dcs.plugins.module_utils._seal import unseal
    finally:
        sys.path.pop(0)
    return unseal(token, SECRET_KEY)


@pytest.mark.scenarios("secrets")
def test_sealed_state_shows_nothing_at_vvvv(progress_outcomes):
    """At -vvvv each slice's command line carries the sealed state, which holds the new parameter values:
    the whole output shows neither them nor the secret key, and no traceback."""
    run = chain_of(progress_outcomes, "secrets").runs["secrets"]
    sound(run)
    output = run.output
    tokens = []
    for token in re.findall(r"_HWC_DCS_SLICE_STATE=['\"]?([A-Za-z0-9_=-]+)", output):
        if token not in tokens:
            tokens.append(token)
    assert len(tokens) >= 2, "the sealed state is not on the -vvvv command lines:\n%s" % run.tail(200)
    assert len(run.progress) >= 2 and all(line.kind == "counts" for line in run.progress), run.progress
    for token in tokens:
        state = json.dumps(_unseal(token))
        assert ps.SEALED_VALUE in state, "the state does not hold the new value (the test would prove nothing)"
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        for offset in range(0, 20):
            try:
                plain = zlib.decompressobj().decompress(raw[offset:])
            except zlib.error:
                continue
            assert ps.SEALED_VALUE.encode("ascii") not in plain, "the state is only compressed"
    for secret in (SECRET_KEY, ps.SEALED_VALUE):
        assert secret not in output, "%r in the -vvvv output" % secret
    assert run.operations["counts"]["config"] == 1, run.operations


# --- the comparison itself ------------------------------------------------------------------------------------------


def test_comparison_sees_what_matters():
    """``differences()`` (used by every identity test above) ignores only times, elapsed within its tolerance and
    the placeholders it is given, and reports everything else."""
    base = {"changed": False, "elapsed": 12.0, "polls": 5, "retries": 0, "msg": "Timed out after 10 seconds (wait_timeout=10)",
            "jobs": [{"job_id": "J1", "status": "SUCCESS", "seen_at": "t1", "duration_seconds": 10.5,
                      "status_history": [{"status": "INIT", "seen_at": "t1"}]}]}

    def changed(**edits):
        other = json.loads(json.dumps(base))
        for path, value in edits.items():
            target = other
            keys = path.split("__")
            for key in keys[:-1]:
                target = target[int(key)] if isinstance(target, list) else target[key]
            target[keys[-1]] = value
        return other

    assert ps.differences(base, changed(elapsed=14.5, jobs__0__seen_at="t2", jobs__0__status_history__0__seen_at="t9",
                                        msg="Timed out after 11 seconds (wait_timeout=10)")) == []
    assert ps.differences(base, changed(jobs__0__job_id="J2"), {"J1": "<job>"}, {"J2": "<job>"}) == []
    for edits in ({"polls": 6}, {"retries": 1}, {"elapsed": 16.0}, {"changed": True}, {"jobs__0__status": "FAIL"},
                  {"msg": "Timed out after 10 seconds (wait_timeout=11)"}, {"jobs__0__duration_seconds": 12.0},
                  {"jobs__0__status_history": []}, {"extra": 1}, {"jobs__0__job_id": "J2"}):
        assert ps.differences(base, changed(**edits)), edits
    assert ps.differences(base, dict((key, value) for key, value in base.items() if key != "retries"))
