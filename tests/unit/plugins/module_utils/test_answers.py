# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_answers: JSON bodies and error answers of the gateway, DCS and IAM, read without trusting them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import sys

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._answers import (
    api_error,
    decode_object,
    excerpt,
    hint,
    is_expired,
    unusable,
)
from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError
from ansible_collections.hwc.dcs.plugins.module_utils._retry import RETRY_AFTER_CAP, RetryPolicy
from ansible_collections.hwc.dcs.plugins.module_utils._text import SERVER_TEXT_LIMIT
from ansible_collections.hwc.dcs.plugins.module_utils._transport import Response

requests_structures = pytest.importorskip("requests.structures")

NOW = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
URL = "https://dcs.cn-north-4.myhuaweicloud.com/v2/p/jobs/j"


def response(status, body, **headers):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    return Response(status, requests_structures.CaseInsensitiveDict(headers), raw)


def error_for(status, body, policy=None, **headers):
    return api_error("GET", URL, response(status, body, **headers), policy or RetryPolicy(), lambda: NOW)


def assert_one_clean_line(text):
    assert "\x1b" not in text and "\r" not in text and "\n" not in text


# --- decode_object ---------------------------------------------------------------------------

def test_decode_object():
    assert decode_object(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    assert decode_object('{"name": "caf\u00e9"}'.encode("utf-8")) == {"name": "caf\u00e9"}


@pytest.mark.parametrize("body, reason", [
    (b"[" * 100000, "JSON nested too deeply"),
    (b'{"a":' * 100000, "JSON nested too deeply"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"a": "\xe9"}', "not UTF-8"),
    (b"[]", "not a JSON object"),
    (b"1", "not a JSON object"),
    (b'"text"', "not a JSON object"),
    (b"null", "not a JSON object"),
    (b"", "not JSON"),
    (b"<html>", "not JSON"),
    (b'{"a": 1', "not JSON"),
    (b'{"a": NaN} x', "not JSON"),
])
def test_decode_object_refuses(body, reason):
    with pytest.raises(ValueError) as info:
        decode_object(body)
    assert str(info.value).startswith(reason)
    assert len(str(info.value)) < 200


def test_decode_object_integer_with_too_many_digits():
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    body = b'{"begin_time": 1' + b"0" * max(limit, 5000) + b"}"
    if not limit:
        assert decode_object(body)["begin_time"] == 10 ** max(limit, 5000)
        return
    with pytest.raises(ValueError) as info:
        decode_object(body)
    assert str(info.value).startswith("not JSON")
    assert len(str(info.value)) < 200


def test_excerpt_is_short_and_clean():
    text = excerpt(b"\x1b[2J<html>" + b"x" * 5000 + b"\r\n\xff")
    assert text.startswith("<html>xxx") and "200 characters" not in text
    assert len(text) <= 200 + 40
    assert_one_clean_line(text)


def test_unusable():
    error = unusable("GET", URL, 200, "not JSON: x", "req-9", b"<html>\x1b[31mproxy login</html>")
    assert isinstance(error, ApiError)
    assert "unusable body" in error.message and "req-9" in error.message and "proxy login" in error.message
    assert error.retry_reason == "unusable response body"
    assert error.status_code == 200 and error.request_id == "req-9"
    assert_one_clean_line(error.message)
    assert "request id none" in unusable("GET", URL, 200, "x", None, b"").message


# --- api_error: the three shapes -------------------------------------------------------------

def test_gateway_shape():
    error = error_for(401, {"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information",
                            "request_id": "body-req"})
    assert (error.status_code, error.error_code, error.error_msg, error.request_id) == (
        401, "APIGW.0301", "Incorrect IAM authentication information", "body-req")
    assert error.message.startswith("GET %s failed with HTTP 401, APIGW.0301: Incorrect IAM authentication information "
                                    "(request id body-req)." % URL)
    assert error.retry_reason is None


def test_dcs_shape_with_header_request_id():
    error = error_for(404, {"error_code": "DCS.4404", "error_msg": "Job not found", "error_ext_msg": None},
                      **{"X-Request-Id": "hdr-req"})
    assert error.error_code == "DCS.4404" and error.request_id == "hdr-req"
    assert "(request id hdr-req)." in error.message


def test_header_request_id_wins_over_body():
    error = error_for(500, {"error_code": "DCS.5000", "error_msg": "x", "request_id": "body"}, **{"X-Request-Id": "hdr"})
    assert error.request_id == "hdr"


def test_iam_shape():
    error = error_for(403, {"error": {"code": "IAM.0002", "message": "You do not have permission", "title": "Forbidden"}})
    assert (error.error_code, error.error_msg) == ("IAM.0002", "You do not have permission")
    assert "IAM.0002: You do not have permission" in error.message


def test_code_and_message_keys():
    error = error_for(404, {"code": "APIGW.0101", "message": "The API does not exist"})
    assert (error.error_code, error.error_msg) == ("APIGW.0101", "The API does not exist")


def test_only_a_code_or_only_a_message():
    assert "DCS.4001: no error message" in error_for(400, {"error_code": "DCS.4001"}).message
    assert "no error code: broken" in error_for(400, {"error_msg": "broken"}).message


def test_non_json_body_excerpt():
    error = error_for(502, b"<html><body>502 Bad Gateway\x1b[2J\r\n" + b"y" * 3000 + b"</body></html>")
    assert "non-JSON body '<html><body>502 Bad Gateway y" in error.message
    assert error.error_code is None and error.error_msg is None
    assert error.retry_reason == "HTTP 502"
    assert_one_clean_line(error.message)
    assert len(error.message) < 600


def test_empty_body():
    error = error_for(503, b"")
    assert "failed with HTTP 503, empty body (request id none)." in error.message
    assert error.retry_reason == "HTTP 503"
    assert "empty body" in error_for(500, b"  \r\n ").message


def test_fields_of_the_wrong_type_are_ignored():
    error = error_for(400, {"error_code": {"x": 1}, "error_msg": ["y"], "request_id": ["a", "b"]})
    assert error.error_code is None and error.error_msg is None and error.request_id is None
    assert "request id none" in error.message


def test_request_id_as_a_list_is_ignored():
    error = error_for(500, {"error_code": "DCS.5000", "error_msg": "x", "request_id": ["r1", "r2"]})
    assert error.request_id is None and "request_id" not in error.to_result()
    assert "(request id none)" in error.message


def test_numbers_are_kept_as_text():
    error = error_for(400, {"error_code": 4001, "error_msg": 12.5})
    assert error.error_code == "4001" and error.error_msg == "12.5"


def test_error_msg_is_cleaned():
    error = error_for(500, {"error_code": "DCS.5000\x1b[0m", "error_msg": "busy\x1b[31m\r\nPLAY RECAP *** failed=0\u2028x"})
    assert error.error_msg == "busy PLAY RECAP *** failed=0 x"
    assert error.error_code == "DCS.5000"
    assert_one_clean_line(error.message)


def test_huge_error_msg_is_cut():
    error = error_for(500, {"error_code": "DCS.5000", "error_msg": "A" * (20 * 1024 * 1024)})
    assert error.error_msg == "A" * SERVER_TEXT_LIMIT + "...(20971520 characters in all)"
    assert len(error.message) < 2 * SERVER_TEXT_LIMIT + 200
    assert len(error.to_result()["msg"]) < 2 * SERVER_TEXT_LIMIT + 200


def test_long_error_code_and_request_id_are_cut():
    error = error_for(500, {"error_code": "C" * 1000, "error_msg": "m", "request_id": "R" * 1000})
    assert len(error.error_code) < 100 and len(error.request_id) < 100


# --- api_error: retries, dates, hints --------------------------------------------------------

@pytest.mark.parametrize("status, reason", [(429, "throttled"), (500, "HTTP 500"), (502, "HTTP 502"), (503, "HTTP 503"),
                                            (504, "HTTP 504"), (400, None), (401, None), (403, None), (404, None)])
def test_retry_reason_from_the_policy(status, reason):
    assert error_for(status, {"error_code": "X.1", "error_msg": "m"}).retry_reason == reason


def test_retry_reason_from_extra_error_codes():
    policy = RetryPolicy().with_error_codes({"DCS.4097": "instance busy"})
    assert error_for(400, {"error_code": "DCS.4097", "error_msg": "busy"}, policy=policy).retry_reason == "instance busy"
    assert error_for(400, {"error_code": "DCS.4097", "error_msg": "busy"}).retry_reason is None


def test_retry_after_and_date_header():
    error = error_for(429, {"error_code": "APIGW.0308", "error_msg": "slow"},
                      **{"Retry-After": "7", "Date": "Wed, 01 Jan 2025 12:20:00 GMT"})
    assert error.retry_after == 7.0
    assert error.date_header == "Wed, 01 Jan 2025 12:20:00 GMT"
    assert "date_header" not in error.to_result() and "retry_after" not in error.to_result()


@pytest.mark.parametrize("value, expected", [
    ("Wed, 01 Jan 2025 12:00:05 GMT", 5.0),
    ("100000", RETRY_AFTER_CAP),
    ("\u0661\u0662", None),
    ("soon", None),
])
def test_retry_after_values(value, expected):
    assert error_for(503, b"", **{"Retry-After": value}).retry_after == expected


def test_hostile_date_header_is_cleaned():
    error = error_for(401, b"", Date="Wed\x1b[2J, 01 Jan 2025")
    assert error.date_header == "Wed, 01 Jan 2025"


@pytest.mark.parametrize("status, code, msg, expected", [
    (401, "APIGW.0303", "Incorrect IAM authentication information: the request has expired", "local clock (NTP)"),
    (401, "APIGW.0301", "verify aksk signature fail", "locks the access key for 5 minutes"),
    (403, "DCS.4003", "forbidden", "DCS permissions and the project"),
    (404, "APIGW.0101", "The API does not exist", "check region and endpoint"),
    (429, "APIGW.0308", "throttled", "throttling requests"),
])
def test_hints(status, code, msg, expected):
    assert expected in error_for(status, {"error_code": code, "error_msg": msg}).message
    assert expected in hint(status, code, msg)


@pytest.mark.parametrize("status, code", [(404, "DCS.4404"), (404, None), (400, "DCS.4001"), (500, "DCS.5000"), (409, None)])
def test_no_hint(status, code):
    assert hint(status, code, "m") == ""


def test_hints_are_generic():
    # The shared layer does not name options of one module.
    for status in (401, 403, 404, 429):
        text = hint(status, "APIGW.0101", "m")
        assert "wait_sleep" not in text and "dcs_job_info" not in text


def test_is_expired():
    assert is_expired(error_for(401, {"error_code": "APIGW.0303", "error_msg": "the request has EXPIRED"}))
    assert not is_expired(error_for(401, {"error_code": "APIGW.0301", "error_msg": "signature fail"}))
    assert not is_expired(error_for(403, {"error_code": "X", "error_msg": "expired"}))
    assert not is_expired(error_for(401, b""))
