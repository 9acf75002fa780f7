# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_jobs: the job answer is checked, not trusted; the job model and its result entry."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._answers import decode_object
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Tracked
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import (
    API_FIELDS,
    blank_job,
    check_job_answer,
    check_job_started,
    describe_pending,
    failure_message,
    is_failed,
    is_finished,
    iso,
    job_entry,
    normalize_job,
)

JOB_ID = "ff80808288d41e1b018a1c7e2c0d1a2b"
BEGIN = "1684191545379"
END = "1684191548248"


def body(**overrides):
    value = {"job_id": JOB_ID, "job_type": "masterStandbySwapJob", "status": "SUCCESS", "begin_time": BEGIN,
             "end_time": END, "fail_reason": None}
    value.update(overrides)
    return value


def from_wire(raw):
    """What the job layer does with a 200 answer: decode, check, normalise."""
    answer = decode_object(raw.encode("utf-8") if isinstance(raw, str) else raw)
    check_job_answer(JOB_ID)(answer)
    return normalize_job(answer)


# --- check_job_answer ------------------------------------------------------------------------

def test_the_asked_job_passes():
    check_job_answer(JOB_ID)(body())
    check_job_answer("123")(body(job_id=123))  # a number, kept as written


@pytest.mark.parametrize("answered", ["other-job", JOB_ID.upper(), JOB_ID + "0", "\x1b[2J" + JOB_ID + "x"])
def test_another_job_is_refused(answered):
    with pytest.raises(ValueError) as info:
        check_job_answer(JOB_ID)(body(job_id=answered))
    message = str(info.value)
    assert "answered for job" in message and "instead of job %s" % JOB_ID in message
    assert "\x1b" not in message


def test_the_job_id_is_compared_after_cleaning():
    # An ID with control characters never equals the asked (validated) one.
    with pytest.raises(ValueError):
        check_job_answer("ab")(body(job_id="a\nb"))


@pytest.mark.parametrize("field", ["job_id", "status"])
@pytest.mark.parametrize("value", [None, ""])
def test_missing_job_id_or_status(field, value):
    with pytest.raises(ValueError) as info:
        check_job_answer(JOB_ID)(body(**{field: value}))
    assert "the answer has no %s" % field in str(info.value)


def test_absent_status():
    answer = body()
    del answer["status"]
    with pytest.raises(ValueError) as info:
        check_job_answer(JOB_ID)(answer)
    assert "no status" in str(info.value)


@pytest.mark.parametrize("field", ["job_type", "status", "begin_time", "end_time", "job_id"])
@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], []])
def test_object_or_array_fields_are_refused(field, value):
    with pytest.raises(ValueError) as info:
        check_job_answer(JOB_ID)(body(**{field: value}))
    assert "JSON object" in str(info.value) or "JSON array" in str(info.value) or "no %s" % field in str(info.value)


# --- normalize_job ---------------------------------------------------------------------------

def test_normalize_keeps_the_six_fields_only():
    job = normalize_job(body(extra="dropped", instance_id="i"))
    assert sorted(job) == sorted(API_FIELDS)
    assert job == body()


@pytest.mark.parametrize("value", ["", " ", "  \t ", "\r\n", "\x1b[0m", "\u2028"])
def test_blank_fail_reason_is_none(value):
    assert normalize_job(body(fail_reason=value))["fail_reason"] is None


def test_fail_reason_is_cleaned_and_cut():
    job = normalize_job(body(fail_reason="bad\x1b[31m\r\nPLAY RECAP ok=1 failed=0 " + "x" * 1000))
    assert job["fail_reason"].startswith("bad PLAY RECAP ok=1 failed=0 x")
    assert job["fail_reason"].endswith("characters in all)") and len(job["fail_reason"]) < 540
    assert "\x1b" not in job["fail_reason"] and "\n" not in job["fail_reason"]


def test_numbers_are_kept_as_strings():
    job = normalize_job(body(begin_time=1684191545379, end_time=1684191548248.0, job_type=7))
    assert job["begin_time"] == "1684191545379"
    assert job["end_time"] == "1684191548248.0"
    assert job["job_type"] == "7"


def test_400_digit_integer_is_kept_as_a_string():
    job = normalize_job(body(begin_time=int("9" * 400)))
    assert job["begin_time"] == "9" * 400
    entry = job_entry(job)
    assert entry["begin_time_iso"] is None and entry["duration_seconds"] is None


def test_400_digit_integer_from_the_wire():
    job = from_wire('{"job_id": "%s", "status": "RUNNING", "begin_time": %s}' % (JOB_ID, "1" * 400))
    assert job["begin_time"] == "1" * 400
    assert job_entry(job)["begin_time_iso"] is None


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_none(raw):
    job = from_wire('{"job_id": "%s", "status": "RUNNING", "begin_time": %s}' % (JOB_ID, raw))
    assert job["begin_time"] is None
    assert job_entry(job)["begin_time_iso"] is None


def test_nan_directly():
    assert normalize_job(body(end_time=float("nan")))["end_time"] is None


# --- fail_reason end to end: only a non-blank string fails a job --------------------------------

@pytest.mark.parametrize("raw", ['""', '"  "', "null", '"\\r\\n"'])
def test_blank_fail_reason_does_not_fail_a_success_job(raw):
    job = from_wire('{"job_id": "%s", "status": "SUCCESS", "fail_reason": %s}' % (JOB_ID, raw))
    assert job["fail_reason"] is None
    assert is_failed(job) is False


@pytest.mark.parametrize("raw", ["false", "0", "{}", "[]"])
def test_non_string_fail_reason_does_not_fail_a_success_job(raw):
    # The docs: a fail_reason counts only when it is a non-blank string. A JSON false, 0, {} or []
    # with SUCCESS is not a failure (and not an unusable answer either).
    job = from_wire('{"job_id": "%s", "status": "SUCCESS", "fail_reason": %s}' % (JOB_ID, raw))
    assert is_failed(job) is False, job


def test_is_failed_on_model_values():
    assert is_failed({"status": "FAIL", "fail_reason": None}) is True
    assert is_failed({"status": "SUCCESS", "fail_reason": "disk full"}) is True
    assert is_failed({"status": "RUNNING", "fail_reason": "disk full"}) is True
    for reason in (None, "", {}, [], False, 0):
        assert is_failed({"status": "SUCCESS", "fail_reason": reason}) is False


def test_fail_reason_string_fails_a_success_job_end_to_end():
    job = from_wire('{"job_id": "%s", "status": "SUCCESS", "fail_reason": "node lost"}' % JOB_ID)
    assert is_failed(job) is True


# --- job_entry -------------------------------------------------------------------------------

def test_job_entry():
    entry = job_entry(normalize_job(body()))
    assert entry["finished"] is True
    assert entry["begin_time_iso"] == "2023-05-15T22:59:05.379Z"
    assert entry["end_time_iso"] == "2023-05-15T22:59:08.248Z"
    assert entry["duration_seconds"] == 2.869
    assert "status_history" not in entry


def test_job_entry_does_not_change_the_job():
    job = normalize_job(body())
    job_entry(job)
    assert sorted(job) == sorted(API_FIELDS)


def test_duration_is_never_negative():
    entry = job_entry(normalize_job(body(begin_time=END, end_time=BEGIN)))
    assert entry["duration_seconds"] is None
    assert entry["begin_time_iso"] and entry["end_time_iso"]


def test_duration_zero():
    assert job_entry(normalize_job(body(end_time=BEGIN)))["duration_seconds"] == 0.0


@pytest.mark.parametrize("value", ["-1", "253402300800000", "9" * 30, "abc", "", "1.5e400", "nan", "-0.5e3"])
def test_begin_time_out_of_range_gives_no_iso(value):
    entry = job_entry(normalize_job(body(begin_time=value)))
    assert entry["begin_time_iso"] is None and entry["duration_seconds"] is None
    assert entry["begin_time"] == (value or None) or entry["begin_time"] == value


def test_times_at_the_edges():
    assert job_entry(normalize_job(body(begin_time="0")))["begin_time_iso"] == "1970-01-01T00:00:00.000Z"
    assert job_entry(normalize_job(body(begin_time="253402300799999")))["begin_time_iso"] == "9999-12-31T23:59:59.999Z"
    assert job_entry(normalize_job(body(begin_time="1684191545379.9")))["begin_time_iso"] == "2023-05-15T22:59:05.379Z"


def test_unfinished_job_entry():
    entry = job_entry(normalize_job(body(status="RUNNING", end_time=None)))
    assert entry["finished"] is False and entry["end_time_iso"] is None and entry["duration_seconds"] is None


def test_job_entry_with_history():
    seen = datetime.datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    entry = job_entry(normalize_job(body()), history=[("RUNNING", seen), ("SUCCESS", seen)])
    assert entry["status_history"] == [{"status": "RUNNING", "seen_at": "2025-01-01T12:00:00.123Z"},
                                       {"status": "SUCCESS", "seen_at": "2025-01-01T12:00:00.123Z"}]
    json.dumps(entry)  # a result must serialise


def test_iso_converts_to_utc():
    moment = datetime.datetime(2025, 1, 1, 13, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert iso(moment) == "2025-01-01T12:00:00.000Z"
    assert iso(None) is None


def test_blank_job():
    job = blank_job("j1")
    assert job == {"job_id": "j1", "job_type": None, "status": None, "begin_time": None, "end_time": None,
                   "fail_reason": None}
    entry = job_entry(job)
    assert entry["finished"] is False and entry["begin_time_iso"] is None


@pytest.mark.parametrize("status, finished", [("SUCCESS", True), ("FAIL", True), ("RUNNING", False), ("INIT", False),
                                              (None, False), ("success", False)])
def test_is_finished(status, finished):
    assert is_finished({"status": status}) is finished


# --- messages --------------------------------------------------------------------------------

def test_failure_message():
    entries = [job_entry(normalize_job(body(job_id="a", status="FAIL", fail_reason="Switchover failed: not in sync."))),
               job_entry(normalize_job(body(job_id="b"))),
               job_entry(normalize_job(body(job_id="c", status="FAIL", job_type=None)))]
    assert failure_message(entries) == (
        "2 of 3 jobs failed: job a (masterStandbySwapJob) ended FAIL: Switchover failed: not in sync; "
        "job c (unknown type) ended FAIL: no fail_reason given.")


def test_failure_message_one_job():
    entries = [job_entry(normalize_job(body(job_id="a", fail_reason="disk full")))]
    assert failure_message(entries) == "1 of 1 job failed: job a (masterStandbySwapJob) ended SUCCESS: disk full."


def tracked(key, job=None, last_error=None):
    item = Tracked(key)
    if job is not None:
        item.update(job, None)
    item.last_error = last_error
    return item


def test_describe_pending():
    job = normalize_job(body(status="RUNNING"))
    assert describe_pending(tracked("a", job)) == "a (masterStandbySwapJob) last status RUNNING"
    assert describe_pending(tracked("b", last_error="timeout")) == "b (no answer yet), last poll failed: timeout"
    assert describe_pending(tracked("c", normalize_job(body(job_type=None, status="INIT")))) == "c (unknown type) last status INIT"
    # The last poll's message is part of the sentence: its own full stop goes.
    assert describe_pending(tracked("d", last_error="GET x timed out.")) == "d (no answer yet), last poll failed: GET x timed out"


@pytest.mark.parametrize("body", [{"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b"}, {"job_id": "a", "extra": 1}])
def test_the_answer_of_an_operation_that_starts_a_job_names_it(body):
    assert check_job_started(body) is None


@pytest.mark.parametrize("body", [{}, {"job_id": None}, {"job_id": ""}, {"job_id": " ab"}, {"job_id": "a/b"},
                                  {"job_id": 7}, {"job_id": ["a"]}, {"job_id": "x" * 129}])
def test_an_operation_answer_without_a_usable_job_id_is_unusable(body):
    with pytest.raises(ValueError) as info:
        check_job_started(body)
    assert str(info.value) == "the answer has no usable job_id"
