# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_errors: errors are built once, never changed; derive() makes a new one of the same kind."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import (
    ApiError,
    ClockSkewError,
    CredentialsError,
    DcsError,
    JobsFailedError,
    ProjectDiscoveryError,
    TransportError,
    ValidationError,
    WaitTimeoutError,
)

ALL_CLASSES = (DcsError, ValidationError, CredentialsError, TransportError, ApiError, ClockSkewError,
               ProjectDiscoveryError, JobsFailedError, WaitTimeoutError)


def api_error(**overrides):
    values = dict(status_code=503, error_code="DCS.5000", error_msg="busy", request_id="req-1",
                  retry_reason="HTTP 503", date_header="Wed, 01 Jan 2025 12:00:00 GMT", retry_after=7.0)
    values.update(overrides)
    return ApiError("GET x failed", **values)


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_every_error_is_a_dcs_error_with_its_message(cls):
    error = cls("it broke")
    assert isinstance(error, DcsError) and isinstance(error, Exception)
    assert error.message == "it broke" and str(error) == "it broke"


def test_hierarchy():
    assert issubclass(CredentialsError, ValidationError)
    assert issubclass(ClockSkewError, ApiError)


@pytest.mark.parametrize("attribute", ["message", "retry_reason", "extras"])
def test_attributes_cannot_be_set(attribute):
    error = DcsError("m", retry_reason="HTTP 500", job="j")
    with pytest.raises(AttributeError):
        setattr(error, attribute, "changed")
    assert error.message == "m" and error.retry_reason == "HTTP 500" and error.extras == {"job": "j"}


@pytest.mark.parametrize("attribute", ["status_code", "error_code", "error_msg", "request_id", "date_header",
                                       "retry_after"])
def test_api_error_attributes_cannot_be_set(attribute):
    error = api_error()
    before = getattr(error, attribute)
    with pytest.raises(AttributeError):
        setattr(error, attribute, "changed")
    assert getattr(error, attribute) == before


def test_transport_error_maybe_sent_cannot_be_set():
    error = TransportError("m", maybe_sent=True)
    with pytest.raises(AttributeError):
        error.maybe_sent = False
    assert error.maybe_sent is True


def test_changing_the_extras_copy_does_not_change_the_error():
    error = DcsError("m", jobs=[1], job="a")
    extras = error.extras
    extras["job"] = "b"
    extras["new"] = 1
    del extras["jobs"]
    assert error.extras == {"jobs": [1], "job": "a"}
    result = error.to_result()
    result["msg"] = "other"
    result["job"] = "c"
    assert error.message == "m" and error.extras["job"] == "a"


def test_none_extras_are_dropped():
    error = DcsError("m", a=None, b=0, c="", d=False)
    assert error.extras == {"b": 0, "c": "", "d": False}


def test_defaults():
    error = DcsError("m")
    assert error.retry_reason is None and error.extras == {}
    assert TransportError("m").maybe_sent is False
    plain = ApiError("m")
    assert plain.status_code is None and plain.date_header is None and plain.retry_after is None


def test_to_result_has_msg_and_extras_without_none():
    assert api_error(error_code=None, request_id=None).to_result() == {
        "msg": "GET x failed", "status_code": 503, "error_msg": "busy"}


def test_to_result_keeps_date_header_and_retry_after_out():
    result = api_error().to_result()
    assert "date_header" not in result and "retry_after" not in result and "retry_reason" not in result
    assert result == {"msg": "GET x failed", "status_code": 503, "error_code": "DCS.5000", "error_msg": "busy",
                      "request_id": "req-1"}


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_derive_keeps_the_class_and_retry_reason(cls):
    error = cls("first", retry_reason="HTTP 502")
    derived = error.derive(message="second")
    assert derived.__class__ is cls
    assert derived is not error
    assert derived.message == "second" and derived.retry_reason == "HTTP 502"
    assert error.message == "first"


def test_derive_without_message_keeps_it_and_merges_extras():
    error = JobsFailedError("failed", jobs=[1, 2], job=None)
    derived = error.derive(job={"job_id": "a"}, jobs=[3])
    assert derived.message == "failed"
    assert derived.extras == {"jobs": [3], "job": {"job_id": "a"}}
    assert error.extras == {"jobs": [1, 2]}


def test_derive_keeps_maybe_sent():
    for maybe_sent in (True, False):
        derived = TransportError("t", retry_reason="timeout", maybe_sent=maybe_sent).derive(message="u")
        assert derived.__class__ is TransportError
        assert derived.maybe_sent is maybe_sent and derived.retry_reason == "timeout" and derived.message == "u"


@pytest.mark.parametrize("cls", [ApiError, ClockSkewError])
def test_derive_keeps_api_fields_date_header_and_retry_after(cls):
    error = cls("m", status_code=429, error_code="APIGW.0308", error_msg="slow down", request_id="r",
                retry_reason="throttled", date_header="Wed, 01 Jan 2025 12:00:00 GMT", retry_after=3.0)
    derived = error.derive(message="Job x was not found. m", job={"job_id": "x"})
    assert derived.__class__ is cls
    assert (derived.status_code, derived.error_code, derived.error_msg, derived.request_id) == (
        429, "APIGW.0308", "slow down", "r")
    assert derived.retry_reason == "throttled"
    assert derived.date_header == "Wed, 01 Jan 2025 12:00:00 GMT" and derived.retry_after == 3.0
    assert derived.extras["job"] == {"job_id": "x"}
    assert derived.to_result()["msg"] == "Job x was not found. m"


def test_derive_can_override_an_api_field():
    derived = api_error().derive(error_msg="other")
    assert derived.error_msg == "other" and derived.status_code == 503


def test_derived_error_raised_from_the_first_keeps_the_cause():
    first = api_error()
    with pytest.raises(ApiError) as info:
        try:
            raise first
        except ApiError as error:
            raise error.derive(message="more context") from error
    assert info.value.__cause__ is first
    assert info.value.message == "more context"
