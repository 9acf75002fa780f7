# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's API behaviour: lifecycles, error shapes, faults, admin endpoints, command line.

Requests are signed with the emulator's own verifier functions here (so these tests need no
SDK); the official SDK is the peer in test_emulator_sdk.py and test_emulator_signatures.py.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ansible_collections.hwc.dcs.tests.emulator import dcs_emulator
from ansible_collections.hwc.dcs.tests.support.constants import AK, OTHER_PROJECT, PROJECT, SK
from ansible_collections.hwc.dcs.tests.support.emulator import emulator_config
from ansible_collections.hwc.dcs.tests.support.http_server import raw_request

EMULATOR_FILE = Path(dcs_emulator.__file__).resolve()


def sign(url, path, query="", project=PROJECT, ak=AK, sk=SK, date=None):
    """Headers for a GET signed by the emulator's verifier functions (tested on the vectors)."""
    headers = {
        "content-type": "application/json",
        "host": url.partition("://")[2],
        "x-sdk-date": date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()),
    }
    if project:
        headers["x-project-id"] = project
    signed = sorted(headers)
    sts = dcs_emulator.string_to_sign("GET", path, query, headers, signed, b"")
    headers["authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        ak, ";".join(signed), dcs_emulator.compute_signature(sk, sts))
    return headers


def get_job(emu, job_id, project=PROJECT, header_project=PROJECT, timeout=10):
    path = "/v2/%s/jobs/%s" % (project, job_id)
    return raw_request(emu.url, "GET", path, sign(emu.url, path, project=header_project), timeout=timeout)


def admin(emu, method, path, body=None):
    data = json.dumps(body).encode("utf-8") if body is not None else None
    return raw_request(emu.url, method, path, {"Content-Type": "application/json"}, body=data).json()


# ---- jobs --------------------------------------------------------------------------------

def test_lifecycle_timing_and_times(emulator):
    first = get_job(emulator, "job-success").json()
    assert first["status"] == "INIT" and first["end_time"] is None and first["fail_reason"] is None
    begin = int(first["begin_time"])
    assert abs(begin / 1000.0 - time.time()) < 2
    time.sleep(0.75)
    second = get_job(emulator, "job-success").json()
    assert second["status"] == "RUNNING" and second["end_time"] is None
    assert second["begin_time"] == first["begin_time"]
    time.sleep(0.5)
    third = get_job(emulator, "job-success").json()
    assert third["status"] == "SUCCESS"
    assert int(third["end_time"]) == begin + 1000
    assert set(third) == {"job_id", "job_type", "status", "begin_time", "end_time", "fail_reason"}
    assert all(isinstance(third[k], str) for k in ("job_id", "job_type", "status", "begin_time", "end_time"))


def test_failed_job_reason_only_once_failed(emulator):
    running = get_job(emulator, "job-fail").json()
    assert running["status"] == "RUNNING" and running["fail_reason"] is None
    time.sleep(0.25)
    failed = get_job(emulator, "job-fail").json()
    assert failed["status"] == "FAIL"
    assert failed["fail_reason"] == "DCS.4999: switchover aborted by the test"
    assert int(failed["end_time"]) == int(failed["begin_time"]) + 200


def test_unknown_status_extra_and_omitted_fields(make_emulator):
    emu = make_emulator(emulator_config(jobs={
        "odd": {"lifecycle": [[0, "PENDING"]], "extra": {"progress": 42, "status_detail": None},
                "omit": ["job_type"]},
        "plain": {},
    }))
    odd = get_job(emu, "odd").json()
    assert odd["status"] == "PENDING" and odd["end_time"] is None
    assert odd["progress"] == 42 and odd["status_detail"] is None and "job_type" not in odd
    plain = get_job(emu, "plain").json()
    assert plain["status"] == "SUCCESS" and plain["end_time"] == plain["begin_time"]
    assert plain["job_type"] == "masterStandbySwapJob"


def test_job_without_project_is_visible_in_every_project(make_emulator):
    emu = make_emulator(emulator_config(jobs={"anywhere": {"lifecycle": [[0, "SUCCESS"]]}}))
    assert get_job(emu, "anywhere").status == 200
    assert get_job(emu, "anywhere", OTHER_PROJECT, OTHER_PROJECT).status == 200


def test_reset_forgets_first_query_times(emulator):
    get_job(emulator, "job-success")
    time.sleep(1.05)
    assert get_job(emulator, "job-success").json()["status"] == "SUCCESS"
    assert admin(emulator, "POST", "/_emulator/reset") == {"ok": True}
    assert emulator.requests == []
    assert get_job(emulator, "job-success").json()["status"] == "INIT"


def test_add_jobs_at_run_time(emulator):
    late = {"project_id": PROJECT, "lifecycle": [[0, "RUNNING"]]}
    admin(emulator, "POST", "/_emulator/jobs", {"jobs": {"late": late}})
    assert get_job(emulator, "late").json()["status"] == "RUNNING"


# ---- error shapes ------------------------------------------------------------------------

def _request_id_matches(resp):
    assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["x-request-id"])
    return resp.json().get("request_id", resp.headers["x-request-id"]) == resp.headers["x-request-id"]


def test_unknown_job_is_a_dcs_404(emulator):
    resp = get_job(emulator, "ff80808288d41e1b0000000000000000")
    assert resp.status == 404
    assert resp.json() == {"error_code": "DCS.4404", "error_msg": "The job does not exist.",
                           "error_ext_msg": None}
    assert _request_id_matches(resp)


def test_unknown_job_answer_is_configurable(make_emulator):
    unknown = {"status": 400, "error_code": "DCS.4070", "error_msg": "Invalid task ID."}
    emu = make_emulator(emulator_config(unknown_job=unknown))
    resp = get_job(emu, "nope")
    assert resp.status == 400 and resp.json()["error_code"] == "DCS.4070"


def test_job_of_another_project_is_not_found(emulator):
    assert get_job(emulator, "job-other").status == 404
    assert get_job(emulator, "job-other", OTHER_PROJECT, OTHER_PROJECT).json()["status"] == "SUCCESS"


def test_invalid_job_id_format(emulator):
    resp = get_job(emulator, "bad.id")
    assert resp.status == 400
    assert resp.json() == {"error_code": "DCS.4070", "error_msg": "Invalid task ID format.", "error_ext_msg": None}


@pytest.mark.parametrize("path_project, header_project", [
    (PROJECT, OTHER_PROJECT),     # X-Project-Id differs from the path
    (OTHER_PROJECT, PROJECT),
    (PROJECT, None),              # X-Project-Id missing
    ("a" * 32, "a" * 32),         # a project the account does not have
])
def test_project_mismatch_is_a_gateway_403(emulator, path_project, header_project):
    resp = get_job(emulator, "job-done", path_project, header_project)
    assert resp.status == 403
    body = resp.json()
    assert body["error_code"] == "APIGW.0302"
    assert body["error_msg"] == "The IAM user is not authorized to access the API."
    assert body["request_id"] == resp.headers["x-request-id"]


def test_unknown_path_and_method_are_apigw_0101(emulator):
    for method, path in (("GET", "/v2/%s/jobz/x" % PROJECT), ("GET", "/"), ("POST", "/v2/%s/jobs/x" % PROJECT),
                         ("DELETE", "/v3/projects")):
        resp = raw_request(emulator.url, method, path, {"Host": "h"})
        assert resp.status == 404
        body = resp.json()
        assert body["error_code"] == "APIGW.0101"
        assert body["request_id"] == resp.headers["x-request-id"]


def test_every_response_has_request_id_date_and_json_type(make_emulator):
    emu = make_emulator(emulator_config(clock_offset_seconds=3600))
    for resp in (get_job(emu, "job-done"), get_job(emu, "nope"),
                 raw_request(emu.url, "GET", "/nope", {"Host": "h"})):
        assert re.fullmatch(r"[0-9a-f]{32}", resp.headers["x-request-id"])
        assert resp.headers["content-type"] == "application/json"
        served = email.utils.parsedate_to_datetime(resp.headers["date"]).timestamp()
        assert abs(served - (time.time() + 3600)) < 5   # the emulator's (skewed) clock


def test_projects_listing_shape(make_emulator):
    projects = [{"id": PROJECT, "name": "r1"}, {"id": "b" * 32, "name": "r1"}, {"id": OTHER_PROJECT, "name": "r2"}]
    emu = make_emulator(emulator_config(projects=projects))
    path = "/v3/projects"
    resp = raw_request(emu.url, "GET", path + "?name=r1", sign(emu.url, path, "name=r1", project=None))
    body = resp.json()
    assert resp.status == 200
    assert [p["id"] for p in body["projects"]] == [PROJECT, "b" * 32]
    assert set(body["links"]) == {"self", "previous", "next"}
    assert {"id", "name", "domain_id", "enabled", "links"} <= set(body["projects"][0])
    resp = raw_request(emu.url, "GET", path + "?name=zz", sign(emu.url, path, "name=zz", project=None))
    assert resp.json()["projects"] == []
    resp = raw_request(emu.url, "GET", path, sign(emu.url, path, project=None))
    assert len(resp.json()["projects"]) == 3


# ---- faults ------------------------------------------------------------------------------

JOB_PATH = "/v2/%s/jobs/job-done" % PROJECT


def with_faults(make_emulator, *faults, key=JOB_PATH, **config):
    return make_emulator(emulator_config(faults={key: list(faults)}, **config))


def test_429_with_and_without_retry_after(make_emulator):
    emu = with_faults(make_emulator, {"kind": "429", "retry_after": 3}, {"kind": "429"})
    first = get_job(emu, "job-done")
    assert first.status == 429 and first.headers["retry-after"] == "3"
    assert first.json()["error_code"] == "APIGW.0308"
    assert first.json()["request_id"] == first.headers["x-request-id"]
    second = get_job(emu, "job-done")
    assert second.status == 429 and "retry-after" not in second.headers
    assert get_job(emu, "job-done").status == 200   # consumed, each once


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_are_gateway_shaped(make_emulator, status):
    emu = with_faults(make_emulator, {"kind": str(status)})
    resp = get_job(emu, "job-done")
    assert resp.status == status
    body = resp.json()
    assert set(body) == {"error_code", "error_msg", "request_id"}
    assert body["error_code"].startswith("APIGW.")
    assert get_job(emu, "job-done").status == 200


def test_reset_closes_the_connection_without_an_answer(make_emulator):
    emu = with_faults(make_emulator, {"kind": "reset"})
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected, http.client.BadStatusLine)):
        get_job(emu, "job-done")
    assert get_job(emu, "job-done").status == 200
    assert [e["status"] for e in emu.requests] == [0, 200]
    assert emu.requests[0]["fault"] == "reset"


def test_slow_answers_late_and_times_clients_out(make_emulator):
    emu = with_faults(make_emulator, {"kind": "slow", "seconds": 0.6}, {"kind": "slow", "seconds": 2})
    started = time.monotonic()
    assert get_job(emu, "job-done").status == 200
    assert time.monotonic() - started >= 0.6
    with pytest.raises(socket.timeout):
        get_job(emu, "job-done", timeout=0.3)


def test_html_body(make_emulator):
    emu = with_faults(make_emulator, {"kind": "html"}, {"kind": "html", "status": 200})
    resp = get_job(emu, "job-done")
    assert resp.status == 502 and resp.headers["content-type"] == "text/html"
    assert resp.body.startswith(b"<html>")
    resp = get_job(emu, "job-done")
    assert resp.status == 200 and b"<html>" in resp.body


def test_truncated_json(make_emulator):
    emu = with_faults(make_emulator, {"kind": "truncated"})
    resp = get_job(emu, "job-done")
    assert resp.status == 200
    assert int(resp.headers["content-length"]) == len(resp.body) > 0
    assert resp.body.startswith(b'{"job_id": "job-done"')
    with pytest.raises(ValueError):
        json.loads(resp.body)


def test_empty_body(make_emulator):
    emu = with_faults(make_emulator, {"kind": "empty"})
    resp = get_job(emu, "job-done")
    assert resp.status == 200 and resp.body == b"" and resp.headers["content-length"] == "0"


def test_fault_count_pass_and_patterns(make_emulator):
    emu = make_emulator(emulator_config(faults={
        "/v2/*/jobs/*": [{"kind": "503", "count": 2}, {"kind": "pass"}, {"kind": "502"}],
    }))
    statuses = [get_job(emu, "job-done").status for _round in range(5)]
    assert statuses == [503, 503, 200, 502, 200]


def test_exact_path_faults_come_before_patterns(make_emulator):
    emu = make_emulator(emulator_config(faults={"/v2/*": [{"kind": "502"}], JOB_PATH: [{"kind": "504"}]}))
    assert [get_job(emu, "job-done").status for _round in range(3)] == [504, 502, 200]


def test_faults_replaced_and_added_at_run_time(emulator):
    admin(emulator, "POST", "/_emulator/faults", {JOB_PATH: [{"kind": "500"}]})
    admin(emulator, "POST", "/_emulator/faults", {"faults": {JOB_PATH: [{"kind": "503"}]}, "replace": False})
    assert [get_job(emulator, "job-done").status for _round in range(3)] == [500, 503, 200]
    admin(emulator, "POST", "/_emulator/faults", {JOB_PATH: [{"kind": "429"}]})
    admin(emulator, "POST", "/_emulator/faults", {"faults": {}, "replace": True})
    assert get_job(emulator, "job-done").status == 200


def test_latency_and_settings(emulator):
    assert admin(emulator, "POST", "/_emulator/settings", {"latency_seconds": 0.3})["latency_seconds"] == 0.3
    started = time.monotonic()
    get_job(emulator, "job-done")
    assert time.monotonic() - started >= 0.3
    admin(emulator, "POST", "/_emulator/settings", {"latency_seconds": 0, "clock_offset_seconds": -1200})
    assert "signature expired" in get_job(emulator, "job-done").json()["error_msg"]


# ---- request log -------------------------------------------------------------------------

def test_request_log_and_counts(emulator):
    get_job(emulator, "job-done")
    get_job(emulator, "job-done")
    get_job(emulator, "nope")
    log = admin(emulator, "GET", "/_emulator/requests")
    assert log["total"] == 3
    assert log["counts"] == {JOB_PATH: 2, "/v2/%s/jobs/nope" % PROJECT: 1}
    entry = log["requests"][0]
    assert {"time", "method", "path", "query", "headers", "status", "request_id"} <= set(entry)
    assert entry["method"] == "GET" and entry["status"] == 200
    assert emulator.request_counts() == log["counts"]
    # Admin calls are never logged.
    assert admin(emulator, "GET", "/_emulator/requests")["total"] == 3


def test_log_is_thread_safe(emulator):
    errors = []

    def worker():
        try:
            for _round in range(10):
                assert get_job(emulator, "job-done").status == 200
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _round in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(emulator.requests) == 80


def test_keep_alive_answers_are_fast(emulator):
    """Headers and body go out in one send: no delayed-ACK stall (~40 ms) per request."""
    conn = http.client.HTTPConnection(emulator.url.partition("://")[2], timeout=5)
    durations = []
    try:
        for _round in range(20):
            headers = sign(emulator.url, JOB_PATH)
            started = time.perf_counter()
            conn.request("GET", JOB_PATH, headers=headers)
            resp = conn.getresponse()
            resp.read()
            durations.append(time.perf_counter() - started)
            assert resp.status == 200
    finally:
        conn.close()
    durations.sort()
    assert durations[len(durations) // 2] < 0.03, durations


# ---- command line ------------------------------------------------------------------------

def _start_cli(tmp_path, *extra):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(emulator_config()), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(EMULATOR_FILE), "--host", "127.0.0.1", "--port", "0",
                             "--config", str(config)] + list(extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    match = re.fullmatch(r"DCS emulator listening on (http://127\.0\.0\.1:\d+)\n", line)
    assert match, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, match.group(1)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_command_line_prints_url_and_stops_on_signal(tmp_path, signum):
    url_file, pid_file = tmp_path / "url", tmp_path / "pid"
    proc, url = _start_cli(tmp_path, "--url-file", str(url_file), "--pid-file", str(pid_file))
    try:
        assert url_file.read_text(encoding="utf-8").strip() == url
        assert int(pid_file.read_text(encoding="utf-8")) == proc.pid
        path = JOB_PATH
        resp = raw_request(url, "GET", path, sign(url, path))
        assert resp.status == 200 and resp.json()["status"] == "SUCCESS"
        proc.send_signal(signum)
        out, _err = proc.communicate(timeout=10)
        assert proc.returncode == 0
        assert "stopped" in out
        assert not pid_file.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_line_rejects_half_tls_options(tmp_path):
    proc = subprocess.run([sys.executable, str(EMULATOR_FILE), "--tls-cert", "x"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 2 and "--tls-cert and --tls-key go together" in proc.stderr


def test_emulator_is_importable_without_side_effects():
    env = dict(os.environ, PYTHONPATH=str(EMULATOR_FILE.parent))
    proc = subprocess.run([sys.executable, "-c", "import dcs_emulator; print(dcs_emulator.Emulator)"],
                          capture_output=True, text=True, env=env, timeout=30, check=False)
    assert proc.returncode == 0 and "Emulator" in proc.stdout
