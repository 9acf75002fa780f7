# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP client against a real HTTP server on 127.0.0.1 (no patched requests)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import socket
import threading

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._client import ApiClient
from ansible_collections.hwc.dcs.plugins.module_utils._connection import resolve_connection
from ansible_collections.hwc.dcs.plugins.module_utils._deadline import Deadline
from ansible_collections.hwc.dcs.plugins.module_utils._errors import (
    ApiError,
    ClockSkewError,
    ProjectDiscoveryError,
    TransportError,
)
from ansible_collections.hwc.dcs.plugins.module_utils._project import ProjectId
from ansible_collections.hwc.dcs.plugins.module_utils._retry import RetryPolicy, parse_retry_after
from ansible_collections.hwc.dcs.tests.support import sdk_oracle
from ansible_collections.hwc.dcs.tests.support.certs import self_signed_context
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, ScriptedServer
from ansible_collections.hwc.dcs.tests.unit.plugins.module_utils.conftest import make_settings

JOB = {"job_id": "job1", "job_type": "masterStandbySwapJob", "status": "SUCCESS",
       "begin_time": "1684191545379", "end_time": "1684191548248", "fail_reason": None}


def ok(request):
    return Answer(200, JOB)


def gateway(status, code, msg, **headers):
    return Answer(status, {"error_code": code, "error_msg": msg, "request_id": "gw-req-1"}, headers=headers)


@pytest.fixture
def server():
    with ScriptedServer(default=ok) as srv:
        yield srv


def client_for(server, fake_time, rng=1.0, **overrides):
    return ApiClient(make_settings(server.url, **overrides), policy=RetryPolicy(rng=lambda: rng), clock=fake_time.clock,
                     sleep=fake_time.sleep, now=fake_time.now)


def job_url(client):
    return "%s/v2/%s/jobs/job1" % (client.settings.endpoint, PROJECT)


def get_job(client, **kwargs):
    return client.request("GET", job_url(client), project_id=PROJECT, label="job", **kwargs)


def test_success_sends_signed_project_scoped_request(server, fake_time):
    client = client_for(server, fake_time)
    assert get_job(client) == JOB
    (request,) = server.requests
    assert request.path == "/v2/%s/jobs/job1" % PROJECT
    assert request.headers["X-Project-Id"] == PROJECT
    assert request.headers["X-Sdk-Date"] == "20250101T120000Z"
    assert request.headers["Authorization"].startswith(
        "SDK-HMAC-SHA256 Access=%s, SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date," % AK)
    assert "X-Security-Token" not in request.headers
    assert SK not in str(request.headers)


def test_temporary_credentials_send_signed_token(server, fake_time):
    client = client_for(server, fake_time, security_token="TOKEN==")
    get_job(client)
    headers = server.requests[0].headers
    assert headers["X-Security-Token"] == "TOKEN=="
    assert "x-security-token" in headers["Authorization"].split("SignedHeaders=")[1].split(",")[0]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_and_each_attempt_is_signed_afresh(server, fake_time, status):
    server.queue(gateway(status, "DCS.5000", "internal error"), gateway(status, "DCS.5000", "internal error"))
    client = client_for(server, fake_time)
    assert get_job(client, max_retries=3) == JOB
    assert len(server.requests) == 3
    dates = [r.headers["X-Sdk-Date"] for r in server.requests]
    assert len(set(dates)) == 3, "every attempt must carry its own signing time: %r" % dates
    assert client.log.retries == 2
    assert "2 x HTTP %d" % status in client.log.summary()


def test_429_with_retry_after_waits_at_least_that_long(server, fake_time):
    server.queue(gateway(429, "APIGW.0308", "throttled", **{"Retry-After": "3"}))
    client = client_for(server, fake_time)
    assert get_job(client) == JOB
    assert fake_time.sleeps == [3.0]


def test_429_without_retry_after_waits_at_least_two_seconds(server, fake_time):
    server.queue(gateway(429, "APIGW.0308", "throttled"))
    client = client_for(server, fake_time, rng=0.0)  # jitter would allow 0 s
    get_job(client)
    assert fake_time.sleeps == [2.0]


def test_retry_after_as_http_date(fake_time):
    later = fake_time.now() + datetime.timedelta(seconds=7)
    assert parse_retry_after(email.utils.format_datetime(later, usegmt=True), fake_time.now()) == 7.0
    assert parse_retry_after("garbage", fake_time.now()) is None
    assert parse_retry_after(None, fake_time.now()) is None


def test_429_backoff_is_shared_by_every_thread(server, fake_time):
    client = client_for(server, fake_time)
    client.backoff.hold(4.0)
    get_job(client)
    assert fake_time.sleeps == [4.0], "a request must wait for the backoff another thread set"


@pytest.mark.parametrize("status,code", [(401, "APIGW.0301"), (403, "APIGW.0302"), (400, "DCS.4070"), (404, "APIGW.0101")])
def test_client_errors_are_never_retried(server, fake_time, status, code):
    server.queue(gateway(status, code, "nope"))
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client, max_retries=5)
    assert len(server.requests) == 1
    error = info.value
    assert (error.status_code, error.error_code, error.error_msg) == (status, code, "nope")
    assert error.request_id == "req-1", "the X-Request-Id header wins over the body"
    assert "HTTP %d" % status in error.message and code in error.message and "req-1" in error.message
    assert fake_time.sleeps == []


def test_retries_are_capped_by_api_retries(server, fake_time):
    server.queue(*[gateway(503, "APIGW.0503", "busy") for _attempt in range(10)])
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client, max_retries=2)
    assert len(server.requests) == 3
    assert "gave up after 3 attempts" in info.value.message
    assert info.value.status_code == 503


def test_exponential_backoff_with_full_jitter(server, fake_time):
    server.queue(*[gateway(500, "DCS.5000", "x") for _attempt in range(4)])
    client = client_for(server, fake_time, rng=0.5)
    get_job(client, max_retries=4)
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]


def test_no_sleep_runs_past_the_deadline(server, fake_time):
    server.queue(gateway(429, "APIGW.0308", "throttled", **{"Retry-After": "30"}))
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client, deadline=Deadline(10, fake_time.clock))
    assert fake_time.sleeps == []
    assert "no time left before the deadline" in info.value.message
    assert len(server.requests) == 1


def test_connection_reset_is_retried(server, fake_time):
    server.queue(Answer(reset=True))
    client = client_for(server, fake_time)
    assert get_job(client) == JOB
    assert client.log.reasons() == {"connection error": 1}


def refused_client(fake_time):
    """A client for a port where nothing listens, and that port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApiClient(make_settings("http://127.0.0.1:%d" % port), policy=RetryPolicy(rng=lambda: 0.0),
                       clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)
    return client, port


def test_connection_refused_fails_with_the_host(fake_time):
    client, port = refused_client(fake_time)
    with pytest.raises(TransportError) as info:
        get_job(client, max_retries=1)
    assert "Cannot reach 127.0.0.1:%d: connection refused" % port in info.value.message
    assert "gave up after 2 attempts" in info.value.message


def test_read_timeout_is_bounded_by_api_timeout_and_retried(server, fake_time):
    server.queue(Answer(200, JOB, delay=1.5))
    client = client_for(server, fake_time, api_timeout=0.3)
    assert get_job(client) == JOB
    assert client.log.reasons() in ({"read timeout": 1}, {"timeout": 1})


@pytest.mark.parametrize("raw", ["<html>proxy error</html>", '{"job_id": "job1", "sta', "", "[1, 2]"])
def test_unusable_2xx_body_is_retried_then_reported(server, fake_time, raw):
    server.queue(*[Answer(200, raw=raw) for _attempt in range(3)])
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client, max_retries=2)
    assert "unusable body" in info.value.message and "req-3" in info.value.message


def test_non_json_error_body_is_quoted_in_at_most_200_characters(server, fake_time):
    server.queue(Answer(400, raw="<html>" + "x" * 1000 + "</html>"))
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client)
    message = info.value.message
    assert "HTTP 400" in message and "req-1" in message and "<html>xxx" in message
    assert "x" * 201 not in message


def _expired_then_check_date(server, offset_seconds, ok_after_correction=True):
    """401 'signature expired' unless X-Sdk-Date is within 15 minutes of a server clock ahead by offset."""
    server_now = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        seconds=offset_seconds)

    def answer(request):
        signed = datetime.datetime.strptime(request.headers["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
        headers = {"Date": email.utils.format_datetime(server_now, usegmt=True)}
        if ok_after_correction and abs((signed - server_now).total_seconds()) <= 900:
            return Answer(200, JOB, headers=headers)
        return Answer(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: signature expired",
                            "request_id": "r"}, headers=headers)
    server.default = answer


@pytest.mark.parametrize("offset", [1200, -1200])
def test_clock_skew_is_measured_corrected_and_kept(server, fake_time, offset):
    _expired_then_check_date(server, offset)
    client = client_for(server, fake_time)
    assert get_job(client) == JOB
    assert get_job(client) == JOB
    assert len(server.requests) == 3, "one rejected attempt, then every request signed with the corrected time"
    assert client.log.retries == 0
    (warning,) = client.warnings
    assert "1200 seconds %s" % ("behind" if offset > 0 else "ahead of") in warning


def test_clock_skew_that_cannot_be_corrected_fails_clearly(server, fake_time):
    _expired_then_check_date(server, 1200, ok_after_correction=False)
    client = client_for(server, fake_time)
    with pytest.raises(ClockSkewError) as info:
        get_job(client)
    assert len(server.requests) == 2
    assert "off by about 1200 seconds" in info.value.message and "NTP" in info.value.message


def test_expired_signature_without_skew_is_not_retried(server, fake_time):
    _expired_then_check_date(server, 0, ok_after_correction=False)
    client = client_for(server, fake_time)
    with pytest.raises(ApiError) as info:
        get_job(client)
    assert len(server.requests) == 1
    assert "local clock" in info.value.message


def test_tls_failure_names_the_host_and_suggests_ca_path(tmp_path, fake_time):
    context, ca_file = self_signed_context(tmp_path)
    with ScriptedServer(default=ok, tls_context=context) as srv:
        client = client_for(srv, fake_time)
        with pytest.raises(TransportError) as info:
            get_job(client)
        assert "127.0.0.1" in info.value.message and "ca_path" in info.value.message
        assert "(self-signed certificate in certificate chain)" in info.value.message or \
            "(unable to get local issuer certificate)" in info.value.message, info.value.message
        assert info.value.message.count("(") == info.value.message.count(")")
        assert client.log.requests("job") == 1, "certificate errors are not retried"

        assert get_job(client_for(srv, fake_time, verify=ca_file)) == JOB
        assert get_job(client_for(srv, fake_time, verify=False)) == JOB


def test_requests_ca_bundle_is_honoured_through_the_settings(tmp_path, fake_time, monkeypatch):
    context, ca_file = self_signed_context(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/the-process-environment-is-not-read.pem")
    with ScriptedServer(default=ok, tls_context=context) as srv:
        params = dict(endpoint=srv.url, project_id=PROJECT, access_key=AK, secret_key=SK, validate_certs=True,
                      api_timeout=5.0)
        settings = resolve_connection(params, {"REQUESTS_CA_BUNDLE": ca_file})
        assert settings.verify == ca_file
        client = ApiClient(settings, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)
        assert get_job(client) == JOB


def test_concurrent_requests_share_one_client(server, fake_time):
    client = client_for(server, fake_time)
    results = []
    threads = [threading.Thread(target=lambda: results.append(get_job(client))) for _attempt in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [JOB] * 20
    assert client.log.requests("job") == 20


# -- project discovery ----------------------------------------------------------------

def projects(*entries):
    return lambda request: Answer(200, {"projects": [dict(id=i, name=n) for i, n in entries]})


def test_project_discovery_finds_the_single_project(server, fake_time):
    server.default = projects(("p1", "cn-north-4"), ("p2", "cn-north-4_sub"))
    project = ProjectId(client_for(server, fake_time, project_id=None))
    assert project.known is None
    assert project.get(Deadline(None)) == "p1"
    request = server.requests[0]
    assert request.path == "/v3/projects?name=cn-north-4"
    assert "X-Project-Id" not in request.headers
    assert project.get(Deadline(None)) == "p1" and len(server.requests) == 1, "discovered once per task"
    assert project.known == "p1"


@pytest.mark.parametrize("found", [[], [("p1", "cn-north-4"), ("p2", "cn-north-4")]])
def test_project_discovery_needs_exactly_one_match(server, fake_time, found):
    server.default = projects(*found)
    project = ProjectId(client_for(server, fake_time, project_id=None))
    with pytest.raises(ProjectDiscoveryError) as info:
        project.get(Deadline(None))
    assert "found %d projects named cn-north-4" % len(found) in info.value.message
    assert all(project_id in info.value.message for project_id, _name in found), "name the candidates"
    assert "project_id" in info.value.message


def test_iam_error_shape_is_understood(server, fake_time):
    server.default = lambda request: Answer(403, {"error": {"code": "IAM.0003", "message": "Policy doesn't allow"}})
    project = ProjectId(client_for(server, fake_time, project_id=None))
    with pytest.raises(ApiError) as info:
        project.get(Deadline(None))
    assert info.value.error_code == "IAM.0003" and info.value.error_msg == "Policy doesn't allow"


def test_standard_proxy_variables_are_used(server, fake_time, monkeypatch):
    # The scripted server stands in for a forward proxy: requests sends it the absolute URL.
    # The proxy comes from the task's environment (the settings), never from the process's own.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    settings = make_settings("http://dcs.cn-north-4.example.invalid", proxy_environ={"HTTP_PROXY": server.url})
    client = ApiClient(settings, clock=fake_time.clock, sleep=fake_time.sleep, now=fake_time.now)
    assert get_job(client) == JOB
    (request,) = server.requests
    assert request.path == "http://dcs.cn-north-4.example.invalid/v2/%s/jobs/job1" % PROJECT
    assert request.headers["Host"] == "dcs.cn-north-4.example.invalid"


# -- request bodies and requests that change something ---------------------------------

def test_a_body_is_sent_as_json_and_signed_with_its_hash(server, fake_time):
    client = client_for(server, fake_time)
    url = "%s/v2/%s/instances/i-1/async-configs" % (server.url, PROJECT)
    client.request("PUT", url, body={"redis_config": [{"param_name": "timeout", "param_value": "300"}]},
                   project_id=PROJECT, idempotent=False)
    (request,) = server.requests
    assert request.method == "PUT"
    assert request.json() == {"redis_config": [{"param_name": "timeout", "param_value": "300"}]}
    assert request.headers["Content-Type"] == "application/json"
    if sdk_oracle.available():
        expected = sdk_oracle.authorization("PUT", url, {k: v for k, v in request.headers.items()
                                                         if k in ("Content-Type", "User-Agent", "X-Project-Id", "X-Sdk-Date", "Host")},
                                            request.body, AK, SK)
        assert request.headers["Authorization"] == expected, "the body's hash must be signed as the SDK signs it"


def test_a_change_is_not_resent_after_the_connection_dropped_mid_answer(server, fake_time):
    server.queue(Answer(reset=True))
    client = client_for(server, fake_time)
    with pytest.raises(TransportError) as info:
        client.request("POST", job_url(client), body={}, project_id=PROJECT, idempotent=False, max_retries=5)
    assert len(server.requests) == 1, "a request that may have reached DCS is never sent blindly again"
    assert info.value.maybe_sent is True


def test_a_change_is_not_resent_after_a_5xx(server, fake_time):
    server.queue(gateway(500, "DCS.5000", "internal error"))
    client = client_for(server, fake_time)
    with pytest.raises(ApiError):
        client.request("PUT", job_url(client), body={}, project_id=PROJECT, idempotent=False, max_retries=5)
    assert len(server.requests) == 1


def test_a_change_is_resent_after_a_throttled_answer_and_a_policy_error_code(server, fake_time):
    server.queue(gateway(429, "APIGW.0308", "throttled"), gateway(400, "DCS.4097", "instance busy"))
    client = client_for(server, fake_time)
    busy = client.policy.with_error_codes({"DCS.4097": "instance busy"})
    client.request("PUT", job_url(client), body={}, project_id=PROJECT, idempotent=False, max_retries=5, policy=busy)
    assert len(server.requests) == 3
    assert client.log.reasons() == {"throttled": 1, "instance busy": 1}
    assert client.policy.reason_for(400, "DCS.4097") is None, "with_error_codes() does not change the client's policy"


def test_a_change_is_resent_when_the_connection_was_refused(fake_time):
    client, _port = refused_client(fake_time)
    with pytest.raises(TransportError) as info:
        client.request("PUT", job_url(client), body={}, project_id=PROJECT, idempotent=False, max_retries=2)
    assert info.value.maybe_sent is False
    assert "gave up after 3 attempts" in info.value.message, "refused connections prove nothing was sent"


def test_absurd_clock_skew_is_refused(server, fake_time):
    client = client_for(server, fake_time)

    def far_future(request):
        return Answer(401, {"error_code": "APIGW.0301", "error_msg": "signature expired"},
                      headers={"Date": "Fri, 31 Dec 9999 23:59:59 GMT"})
    server.default = far_future
    with pytest.raises(ClockSkewError) as info:
        get_job(client)
    assert "24-hour window" in info.value.message
    assert len(server.requests) == 1
