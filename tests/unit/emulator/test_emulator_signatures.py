# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's signature judge: reference vectors, the official Signer, single-byte tampering.

A request that the official SDK signed and the emulator accepted is replayed byte for byte
with http.client; then every single signed byte is changed in turn (each signed header
value, the path, the query, the date, the Authorization header) and each change must give
401 APIGW.0301 with the reason in error_msg.
"""

from __future__ import annotations

import datetime
import random

import pytest

from ansible_collections.hwc.dcs.tests.emulator import dcs_emulator
from ansible_collections.hwc.dcs.tests.support.constants import AK, HOST as V_HOST, JOB_ID as V_JOB, PROJECT, SDK_DATE as V_DATE, SK, TMP_AK, TMP_SK, TOKEN
from ansible_collections.hwc.dcs.tests.support.emulator import emulator_config, sdk_sign
from ansible_collections.hwc.dcs.tests.support.http_server import raw_request

SIG_FAIL = "Incorrect IAM authentication information: verify aksk signature fail"

# ---- the reference vectors of signing.md (computed with the official SDK) ----------------

V_AK, V_SK, V_PROJECT = AK, SK, PROJECT
V_HEADERS = {"content-type": "application/json", "host": V_HOST, "x-project-id": V_PROJECT,
             "x-sdk-date": V_DATE}
V_SIGNED = ["content-type", "host", "x-project-id", "x-sdk-date"]


@pytest.mark.parametrize("path, query, headers, signed, expected", [
    ("/v2/%s/jobs/%s" % (V_PROJECT, V_JOB), "", V_HEADERS, V_SIGNED,
     "377d03873ade07c61274bdec526365cacbc635cdb5cc4cbc004177e222b35a38"),
    ("/v2/%s/instances" % V_PROJECT,
     "engine=&include_failure=true&limit=10&name=my%20cache%2F01&offset=0&status=CREATING"
     "&status=RUNNING&tags=k%3Dv%26x", V_HEADERS, V_SIGNED,
     "36f6f738bad4121ab9444b4f41987971ed069225484c0e211fa9eef42d2675a8"),
    ("/v2/%s/jobs/%s" % (V_PROJECT, V_JOB), "",
     dict(V_HEADERS, **{"x-security-token": "gQpjbi1ub3J0aC00TOKENEXAMPLE=="}),
     V_SIGNED + ["x-security-token"],
     "5242064712ecf0eb9725ca67b09dd0eaf766c1d23b5ad0ee98012d3a032679cd"),
    ("/v2/%s/jobs/%s" % (V_PROJECT, V_JOB), "", {"host": "dcs.example.internal:8443", "x-sdk-date": V_DATE},
     ["host", "x-sdk-date"], "f76a6399881ec345b43d2a6905e5cb0816220c83452eba4afea37a21cb19a1ac"),
], ids=["V1", "V2", "V3", "V4"])
def test_reference_vectors(path, query, headers, signed, expected):
    sts = dcs_emulator.string_to_sign("GET", path, query, headers, signed, b"")
    assert dcs_emulator.compute_signature(V_SK, sts) == expected


def test_canonical_uri_rules():
    assert dcs_emulator.canonical_uri("/v2/p/jobs/j") == "/v2/p/jobs/j/"
    assert dcs_emulator.canonical_uri("/v2/p/jobs/j/") == "/v2/p/jobs/j/"
    assert dcs_emulator.canonical_uri("/a%2Fb/c d/%7E~") == "/a/b/c%20d/~~/"
    assert dcs_emulator.canonical_uri("/caf%C3%A9") == "/caf%C3%A9/"


def test_canonical_query_rules():
    assert dcs_emulator.canonical_query("") == ""
    assert dcs_emulator.canonical_query("b=2&a=1&a=0") == "a=0&a=1&b=2"
    assert dcs_emulator.canonical_query("flag&x=") == "flag=&x="
    assert dcs_emulator.canonical_query("name=my%20cache%2F01") == "name=my%20cache%2F01"


# ---- generated inputs: the official Signer and the emulator agree --------------------------

def _random_text(rng, alphabet, low, high):
    return "".join(rng.choice(alphabet) for _round in range(rng.randint(low, high)))


def test_generated_requests_signed_by_the_sdk_are_accepted(make_emulator):
    pytest.importorskip("huaweicloudsdkcore")
    emu = make_emulator(emulator_config(check_signatures=True))
    rng = random.Random(20250101)
    alphabet = "abcXYZ019-_.~ /%&=+*'é中"
    for _round in range(150):
        path = "/v2/%s/jobs/%s" % (PROJECT, _random_text(rng, "abcdef0123456789", 8, 32))
        query = {}
        for _k in range(rng.randint(0, 3)):
            key = _random_text(rng, alphabet.replace("&", "").replace("=", ""), 1, 6)
            query[key] = _random_text(rng, alphabet, 0, 8)
        extra = {}
        if rng.random() < 0.5:
            extra["X-Custom-%d" % rng.randint(0, 9)] = _random_text(rng, "abc 019-=/;", 1, 12).strip() or "v"
        token = TOKEN if rng.random() < 0.3 else None
        ak, sk = (TMP_AK, TMP_SK) if token else (AK, SK)
        target, headers = sdk_sign(emu.url, path, ak=ak, sk=sk, token=token, query=query,
                                   extra_headers=extra)
        resp = raw_request(emu.url, "GET", target, headers)
        # 404 DCS.4404 (no such job) proves the signature was accepted: the lookup comes after it.
        assert resp.status == 404 and resp.json()["error_code"] == "DCS.4404", (target, headers, resp.body)


# ---- single-byte tampering ---------------------------------------------------------------

def _other(char):
    """A different character of the same class, so that the request stays well-formed."""
    if char.isdigit():
        return str((int(char) + 1) % 10)
    if "a" <= char <= "z":
        return chr((ord(char) - ord("a") + 1) % 26 + ord("a"))
    if "A" <= char <= "Z":
        return chr((ord(char) - ord("A") + 1) % 26 + ord("A"))
    return "x" if char != "x" else "y"


def _mutations(text):
    for index, char in enumerate(text):
        yield index, text[:index] + _other(char) + text[index + 1:]


@pytest.fixture
def accepted(make_emulator):
    """A temporary-credential request signed by the official SDK (captured from the SDK client)."""
    pytest.importorskip("huaweicloudsdkdcs")
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkdcs.v2 import DcsClient, ShowJobInfoRequest

    emu = make_emulator(emulator_config(verify_with_sdk=True))
    creds = BasicCredentials(TMP_AK, TMP_SK, PROJECT).with_security_token(TOKEN)
    client = DcsClient.new_builder().with_credentials(creds).with_region(Region("cn-north-4", emu.url)).build()
    client.show_job_info(ShowJobInfoRequest(job_id="job-done"))
    entry = emu.requests[-1]
    assert entry["status"] == 200
    headers = {name: value for name, value in entry["headers"].items()
               if name not in ("content-length", "connection")}
    target = entry["path"]
    # Replayed raw, byte for byte, it is accepted again.
    resp = raw_request(emu.url, "GET", target, headers)
    assert resp.status == 200, resp.body
    return emu, target, headers


def _assert_rejected(emu, target, headers, expected_msg=None):
    resp = raw_request(emu.url, "GET", target, headers)
    assert resp.status == 401, (target, headers, resp.body)
    body = resp.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["request_id"] == resp.headers["x-request-id"]
    if expected_msg is not None:
        assert body["error_msg"] == expected_msg, (target, headers)
    return body["error_msg"]


def test_the_sdk_signs_every_header_it_sends_that_matters(accepted):
    _emu, _target, headers = accepted
    signed = headers["authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    assert signed == ["content-type", "host", "user-agent", "x-project-id", "x-sdk-date",
                      "x-security-token"]


@pytest.mark.parametrize("header", ["content-type", "host", "user-agent", "x-project-id"])
def test_tampering_any_byte_of_a_signed_header_value(accepted, header):
    emu, target, headers = accepted
    for _index, value in _mutations(headers[header]):
        _assert_rejected(emu, target, dict(headers, **{header: value}), SIG_FAIL)


def test_tampering_any_byte_of_the_security_token(accepted):
    emu, target, headers = accepted
    for _index, value in _mutations(headers["x-security-token"]):
        _assert_rejected(emu, target, dict(headers, **{"x-security-token": value}),
                         "Incorrect IAM authentication information: decrypt token fail")


def test_tampering_any_byte_of_the_path(accepted):
    emu, target, headers = accepted
    project_at = len("/v2/")
    job_at = target.index("/jobs/") + len("/jobs/")
    # Every byte of the project and job segments; the literal "/v2/" and "/jobs/" route the call.
    positions = list(range(project_at, job_at - len("/jobs/"))) + list(range(job_at, len(target)))
    assert len(positions) == 32 + len("job-done")
    for index in positions:
        tampered = target[:index] + _other(target[index]) + target[index + 1:]
        _assert_rejected(emu, tampered, headers, SIG_FAIL)


def test_tampering_the_path_where_routing_changes_gives_404(accepted):
    emu, _target, headers = accepted
    resp = raw_request(emu.url, "GET", "/v2/%s/jobz/job-done" % PROJECT, headers)
    assert resp.status == 404 and resp.json()["error_code"] == "APIGW.0101"


def test_tampering_the_date(accepted):
    emu, target, headers = accepted
    messages = set()
    for _index, value in _mutations(headers["x-sdk-date"]):
        messages.add(_assert_rejected(emu, target, dict(headers, **{"x-sdk-date": value})))
    date = datetime.datetime.strptime(headers["x-sdk-date"], "%Y%m%dT%H%M%SZ")
    one_second = (date + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ")
    assert _assert_rejected(emu, target, dict(headers, **{"x-sdk-date": one_second})) == SIG_FAIL
    next_year = date.replace(year=date.year + 1).strftime("%Y%m%dT%H%M%SZ")
    assert "signature expired" in _assert_rejected(emu, target, dict(headers, **{"x-sdk-date": next_year}))
    assert _assert_rejected(emu, target, dict(headers, **{"x-sdk-date": "2025010XT120000Z"})).endswith(
        "invalid x-sdk-date")
    for message in messages:
        assert message == SIG_FAIL or "signature expired" in message or message.endswith("invalid x-sdk-date")


def test_tampering_the_authorization_header(accepted):
    emu, target, headers = accepted
    auth = headers["authorization"]
    signature_at = auth.index("Signature=") + len("Signature=")
    for index in range(signature_at, len(auth)):
        value = auth[:index] + ("0" if auth[index] != "0" else "1") + auth[index + 1:]
        _assert_rejected(emu, target, dict(headers, authorization=value), SIG_FAIL)
    access_at = auth.index("Access=") + len("Access=")
    for index in range(access_at, access_at + len(TMP_AK)):
        value = auth[:index] + _other(auth[index]) + auth[index + 1:]
        assert "ak not exist" in _assert_rejected(emu, target, dict(headers, authorization=value))


def test_query_added_to_a_signed_request(accepted):
    emu, target, headers = accepted
    _assert_rejected(emu, target + "?a=1", headers, SIG_FAIL)


def test_tampering_any_byte_of_the_query(make_emulator):
    """The IAM project listing carries a query (name=...): every byte of it is signed."""
    pytest.importorskip("huaweicloudsdkcore")
    emu = make_emulator()
    target, headers = sdk_sign(emu.url, "/v3/projects", project_id=None, query={"name": "cn-north-4"})
    assert target == "/v3/projects?name=cn-north-4"
    resp = raw_request(emu.url, "GET", target, headers)
    assert resp.status == 200 and [p["id"] for p in resp.json()["projects"]] == [PROJECT]
    path, query = target.split("?")
    for _index, value in _mutations(query):
        _assert_rejected(emu, path + "?" + value, headers, SIG_FAIL)
    _assert_rejected(emu, path, headers, SIG_FAIL)


def test_unsigned_headers_may_change(accepted):
    emu, target, headers = accepted
    resp = raw_request(emu.url, "GET", target, dict(headers, accept="text/plain", **{"x-unsigned": "1"}))
    assert resp.status == 200


def test_removing_a_signed_header(accepted):
    emu, target, headers = accepted
    for name in ("content-type", "user-agent", "x-project-id"):
        trimmed = {k: v for k, v in headers.items() if k != name}
        assert "is missing" in _assert_rejected(emu, target, trimmed)
    trimmed = {k: v for k, v in headers.items() if k != "x-security-token"}
    assert "x-security-token is missing" in _assert_rejected(emu, target, trimmed)


def test_date_and_host_must_be_signed(make_emulator):
    pytest.importorskip("huaweicloudsdkcore")
    emu = make_emulator()
    path = "/v2/%s/jobs/job-done" % PROJECT
    target, headers = sdk_sign(emu.url, path)
    for dropped in ("host", "x-sdk-date"):
        signed = [h for h in ("content-type", "host", "x-project-id", "x-sdk-date") if h != dropped]
        lower = {k.lower(): v for k, v in headers.items()}
        sts = dcs_emulator.string_to_sign("GET", path, "", lower, signed, b"")
        auth = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
            AK, ";".join(signed), dcs_emulator.compute_signature(SK, sts))
        msg = _assert_rejected(emu, target, dict(headers, Authorization=auth))
        assert msg.endswith("x-sdk-date and host must be signed")


def test_missing_authorization(emulator):
    resp = raw_request(emulator.url, "GET", "/v2/%s/jobs/job-done" % PROJECT, {"Host": "x"})
    assert resp.status == 401
    assert resp.json()["error_msg"] == "Incorrect IAM authentication information: Authorization header not found"


def test_token_sent_with_permanent_credentials_is_rejected(make_emulator):
    pytest.importorskip("huaweicloudsdkcore")
    emu = make_emulator()
    target, headers = sdk_sign(emu.url, "/v2/%s/jobs/job-done" % PROJECT, token="unexpected")
    _assert_rejected(emu, target, headers, "Incorrect IAM authentication information: decrypt token fail")


def test_token_not_signed_is_rejected(make_emulator):
    pytest.importorskip("huaweicloudsdkcore")
    emu = make_emulator()
    target, headers = sdk_sign(emu.url, "/v2/%s/jobs/job-done" % PROJECT, ak=TMP_AK, sk=TMP_SK)
    msg = _assert_rejected(emu, target, dict(headers, **{"X-Security-Token": TOKEN}))
    assert msg.endswith("security token not signed")


def test_check_signatures_false_accepts_anything(make_emulator):
    emu = make_emulator(emulator_config(check_signatures=False))
    resp = raw_request(emu.url, "GET", "/v2/%s/jobs/job-done" % PROJECT, {"X-Project-Id": PROJECT})
    assert resp.status == 200
