# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fault injection: dcs_job_info's main() against the signature-checking DCS emulator.

Every fault kind, against a single query and against a wait: the task survives within its
deadline, or fails with a precise message within deadline + api_timeout. Then a soak test.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import re
import time

import pytest

from ansible_collections.hwc.dcs.plugins.modules import dcs_job_info
from ansible_collections.hwc.dcs.tests.emulator.dcs_emulator import Emulator
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import isolate_environment, run_module

AK = "AKFAULTTEST000000001"
SK = "SKfaultTestSecretValue00000000000000001"
PROJECT = "0123456789abcdef0123456789abcdef"
JOB_PATTERN = "/v2/*/jobs/*"

# kind -> (fault entry, reason the client logs when it retries it)
FAULTS = {
    "429 with Retry-After": ({"kind": "429", "retry_after": 1}, "throttled"),
    "429 without Retry-After": ({"kind": "429"}, "throttled"),
    "500": ({"kind": "500"}, "HTTP 500"),
    "502": ({"kind": "502"}, "HTTP 502"),
    "503": ({"kind": "503"}, "HTTP 503"),
    "504": ({"kind": "504"}, "HTTP 504"),
    "connection reset": ({"kind": "reset"}, "connection error"),
    "slow answer": ({"kind": "slow", "seconds": 2.5}, "read timeout"),
    "HTML body": ({"kind": "html", "status": 200}, "unusable response body"),
    "HTML error page": ({"kind": "html", "status": 502}, "HTTP 502"),
    "truncated JSON": ({"kind": "truncated"}, "unusable response body"),
    "empty body": ({"kind": "empty"}, "unusable response body"),
}
API_TIMEOUT = 1.0


def config(**jobs):
    return {
        "credentials": [{"ak": AK, "sk": SK, "security_token": None}],
        "projects": [{"id": PROJECT, "name": "cn-north-4"}],
        "jobs": jobs or {
            "done": {"project_id": PROJECT, "job_type": "masterStandbySwapJob", "lifecycle": [[0, "SUCCESS"]]},
            "swap": {"project_id": PROJECT, "job_type": "masterStandbySwapJob",
                     "lifecycle": [[0, "RUNNING"], [0.6, "SUCCESS"]]},
        },
        "verify_with_sdk": True,
    }


@pytest.fixture
def emulator():
    with Emulator(config()) as emu:
        yield emu


@pytest.fixture
def run(monkeypatch, tmp_path, capsys):
    isolate_environment(monkeypatch, tmp_path)

    def _run(emu, **args):
        base = dict(endpoint=emu.url, region="cn-north-4", project_id=PROJECT, access_key=AK, secret_key=SK,
                    api_timeout=API_TIMEOUT, api_retries=3)
        base.update(args)
        result = run_module(dcs_job_info.main, base, capsys)
        # Every success and failure path of this suite: the secret never shows in the module's output.
        assert base["secret_key"] not in result["_raw"]
        return result
    return _run


def job_requests(emu, expected=None):
    """The emulator's log of job requests; a slow answer is logged when it ends, so wait for ``expected``."""
    deadline = time.monotonic() + 5
    while True:
        log = [r for r in emu.requests if "/jobs/" in r["path"]]
        if expected is None or len(log) >= expected or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_single_query_survives_one_fault(emulator, run, kind):
    fault, reason = FAULTS[kind]
    emulator.set_faults({JOB_PATTERN: [fault]})
    result = run(emulator, job_id="done")
    assert result["_rc"] == 0, result["msg"]
    assert result["job"]["status"] == "SUCCESS"
    assert result["retries"] == 1 and result["polls"] == 2
    assert any("(1 x %s)" % reason in warning for warning in result["warnings"])
    statuses = [r["status"] for r in job_requests(emulator, expected=2)]
    assert len(statuses) == 2 and 200 in statuses


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_wait_survives_repeated_faults(emulator, run, kind):
    fault, _reason = FAULTS[kind]
    emulator.set_faults({JOB_PATTERN: [fault, {"kind": "pass"}, fault]})
    result = run(emulator, job_id="swap", wait=True, wait_sleep=0.5, wait_timeout=30)
    assert result["_rc"] == 0, result["msg"]
    assert result["job"]["status"] == "SUCCESS" and result["retries"] == 2
    assert [h["status"] for h in result["job"]["status_history"]] == ["RUNNING", "SUCCESS"]


@pytest.mark.parametrize("kind", ["503", "connection reset", "slow answer", "truncated JSON", "429 with Retry-After"])
def test_single_query_gives_up_after_api_retries_with_a_precise_message(emulator, run, kind):
    fault, _reason = FAULTS[kind]
    emulator.set_faults({JOB_PATTERN: [dict(fault, count=100)]})
    result = run(emulator, job_id="done", api_retries=2, wait_timeout=20)
    assert result["failed"] is True
    assert "gave up after 3 attempts" in result["msg"]
    assert len(job_requests(emulator, expected=3)) == 3
    expected = {"503": "HTTP 503, APIGW.0203", "connection reset": "Cannot reach 127.0.0.1",
                "slow answer": "got no answer within 1.0 s (api_timeout)", "truncated JSON": "unusable body",
                "429 with Retry-After": "HTTP 429, APIGW.0308"}[kind]
    assert expected in result["msg"]
    assert result["_seconds"] < 20 + API_TIMEOUT


@pytest.mark.parametrize("kind", ["503", "connection reset", "slow answer", "empty body"])
def test_wait_under_a_persistent_fault_fails_within_the_deadline(emulator, run, kind):
    fault, _reason = FAULTS[kind]
    emulator.set_faults({JOB_PATTERN: [dict(fault, count=1000)]})
    result = run(emulator, job_id="swap", wait=True, wait_sleep=0.5, wait_timeout=3)
    assert result["failed"] is True
    # The last poll starts at the deadline itself; a slow answer holds it up to GRACE (1 s) past it.
    seconds = 4 if kind == "slow answer" else 3
    assert result["msg"].startswith("Timed out after %d seconds (wait_timeout=3)" % seconds), result["msg"]
    assert "swap (no answer yet), last poll failed: " in result["msg"]
    assert ".." not in result["msg"], "the last poll's message keeps its own full stop out of the sentence"
    assert {"503": "HTTP 503, APIGW.0203", "connection reset": "Cannot reach 127.0.0.1",
            "slow answer": "got no answer within", "empty body": "unusable body"}[kind] in result["msg"]
    assert result["_seconds"] <= 3 + API_TIMEOUT + 0.5, "deadline + api_timeout (+ process slack)"
    assert result["retries"] >= 1


def test_retry_after_is_respected(emulator, run):
    emulator.set_faults({JOB_PATTERN: [{"kind": "429", "retry_after": 3}]})
    result = run(emulator, job_id="done")
    assert result["_rc"] == 0
    first, second = job_requests(emulator)
    assert second["time"] - first["time"] >= 3.0


def test_throttling_without_retry_after_waits_two_seconds_at_least(emulator, run):
    emulator.set_faults({JOB_PATTERN: [{"kind": "429"}]})
    run(emulator, job_id="done")
    first, second = job_requests(emulator)
    assert second["time"] - first["time"] >= 2.0


def test_a_401_is_sent_exactly_once(emulator, run):
    result = run(emulator, job_id="done", secret_key="SKwrongSecretValue000000000000000000001", api_retries=5)
    assert result["failed"] is True and result["error_code"] == "APIGW.0301" and result["status_code"] == 401
    assert "verify aksk signature fail" in result["msg"]
    assert len(emulator.requests) == 1


@pytest.mark.parametrize("offset", [1200, -1200])
@pytest.mark.parametrize("wait", [False, True])
def test_clock_ahead_or_behind_by_twenty_minutes(emulator, run, offset, wait):
    emulator.update_settings({"clock_offset_seconds": offset})
    result = run(emulator, job_id="swap", wait=wait, wait_sleep=0.5)
    assert result["_rc"] == 0, result["msg"]
    skew_warnings = [w for w in result["warnings"] if "local clock" in w]
    assert len(skew_warnings) == 1, result["warnings"]
    warning = skew_warnings[0]
    seconds, direction = re.search(r"(\d+) seconds (behind|ahead of)", warning).groups()
    assert abs(int(seconds) - abs(offset)) <= 2, "the Date header has a 1 s resolution"
    assert direction == ("behind" if offset > 0 else "ahead of")
    codes = [r["status"] for r in emulator.requests]
    assert codes[0] == 401 and all(code == 200 for code in codes[1:]), "one rejected request, then none"


def test_unknown_job_in_a_wait_fails_at_once_with_404(emulator, run):
    result = run(emulator, job_ids=["swap", "ghost"], wait=True, wait_sleep=0.5)
    assert result["failed"] is True and result["status_code"] == 404
    assert "Job ghost was not found in project %s" % PROJECT in result["msg"]


def test_broken_answers_are_tolerated(run):
    jobs = {"odd": {"project_id": PROJECT, "lifecycle": [[0, "SUCCESS"]], "omit": ["job_type", "end_time"],
                    "extra": {"surprise": [1, 2], "begin_time": 1684191545379}}}
    with Emulator(config(**jobs)) as emu:
        result = run(emu, job_id="odd")
    assert result["_rc"] == 0, result["msg"]
    job = result["job"]
    assert job["job_type"] is None and job["begin_time"] == "1684191545379" and "surprise" not in job


def test_an_answer_without_status_is_retried_then_reported(emulator, run):
    emulator.set_faults({JOB_PATTERN: [{"kind": "status", "status": 200, "body": {"job_id": "done"}, "count": 10}]})
    result = run(emulator, job_id="done", api_retries=1)
    assert result["failed"] is True and "the answer has no status" in result["msg"]


def test_soak_a_hundred_jobs_through_twenty_percent_faults(run, tmp_path):
    """100 jobs, >= 1000 polls, ~20% of answers faulty: every status right, no false failure, deadline held."""
    rng = random.Random(20261127)
    jobs = {}
    for index in range(100):
        end = round(1.0 + 14.0 * index / 99, 2)  # long enough for about 1150 polls, not just over 1000
        failing = index % 10 == 3
        jobs["soak-%02d" % index] = {
            "project_id": PROJECT, "job_type": "masterStandbySwapJob",
            "lifecycle": [[0, "INIT"], [end / 2, "RUNNING"], [end, "FAIL" if failing else "SUCCESS"]],
            "fail_reason": "injected failure %d" % index if failing else None,
        }
    kinds = [{"kind": "500"}, {"kind": "502"}, {"kind": "503"}, {"kind": "504"}, {"kind": "reset"},
             {"kind": "html", "status": 200}, {"kind": "truncated"}, {"kind": "empty"},
             {"kind": "429", "retry_after": 0}, {"kind": "slow", "seconds": 0.3}]
    script = [rng.choice(kinds) if rng.random() < 0.2 else {"kind": "pass"} for _attempt in range(4000)]
    injected = sum(1 for entry in script if entry["kind"] != "pass")
    wait_timeout = 60
    with Emulator(config(**jobs)) as emu:
        emu.set_faults({JOB_PATTERN: script})
        result = run(emu, job_ids=sorted(jobs), wait=True, wait_sleep=0.5, wait_timeout=wait_timeout,
                     fail_on_job_failure=False)
        log = job_requests(emu)
    assert result["_rc"] == 0, result.get("msg")
    statuses = dict((job["job_id"], job["status"]) for job in result["jobs"])
    expected = dict((job_id, spec["lifecycle"][-1][1]) for job_id, spec in jobs.items())
    assert statuses == expected, "no false failure, no false success"
    for job in result["jobs"]:
        assert job["fail_reason"] == jobs[job["job_id"]]["fail_reason"]
    assert result["polls"] == len(log) >= 1000
    assert result["_seconds"] < wait_timeout
    figures = dict(jobs=100, polls=result["polls"], retries=result["retries"], seconds=round(result["_seconds"], 2), injected_in_script=injected,
                   fault_share=round(result["retries"] / float(result["polls"]), 3))
    assert 0.12 <= figures["fault_share"] <= 0.3, figures
    report = os.environ.get("HWC_DCS_SOAK_REPORT")
    if report:
        with open(report, "w") as handle:
            json.dump(figures, handle, indent=2)
    print("soak figures: %s" % json.dumps(figures, sort_keys=True))


def test_tls_emulator_with_a_ca_generated_by_the_test(run, tmp_path):
    from ansible_collections.hwc.dcs.tests.support.certs import make_certificates
    certificates = make_certificates(tmp_path)
    ca_file = certificates.ca_file
    with Emulator(config(), tls_cert=certificates.cert_file, tls_key=certificates.key_file) as emu:
        assert emu.url.startswith("https://")
        refused = run(emu, job_id="done")
        trusted = run(emu, job_id="done", ca_path=ca_file)
        insecure = run(emu, job_id="done", validate_certs=False)
    assert refused["failed"] is True
    assert "TLS certificate verification failed for 127.0.0.1" in refused["msg"] and "ca_path" in refused["msg"]
    assert trusted["_rc"] == 0 and trusted["job"]["status"] == "SUCCESS"
    assert insecure["_rc"] == 0 and any("validate_certs is false" in w for w in insecure["warnings"])
