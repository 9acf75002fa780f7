# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_retry: Retry-After, the retry policy object, the retry log and the shared backoff."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import random
import threading

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._retry import (
    BACKOFF_CAP,
    NOT_DELIVERED,
    RETRY_AFTER_CAP,
    RETRYABLE_STATUS,
    THROTTLE_FLOOR,
    RetryLog,
    RetryPolicy,
    SharedBackoff,
    parse_retry_after,
)
from ansible_collections.hwc.dcs.tests.support.fake_clock import FakeTime

NOW = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


# --- parse_retry_after -------------------------------------------------------------------------

@pytest.mark.parametrize("value, seconds", [
    ("12", 12.0),
    (" 12 ", 12.0),
    ("0", 0.0),
    ("60", 60.0),
    ("61", RETRY_AFTER_CAP),
    ("9999999999", RETRY_AFTER_CAP),
])
def test_retry_after_delta_seconds(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value, seconds", [
    ("Wed, 01 Jan 2025 12:00:30 GMT", 30.0),
    ("Wed, 01 Jan 2025 12:00:30 -0000", 30.0),  # no zone information: taken as UTC
    ("Wed, 01 Jan 2025 13:00:30 +0100", 30.0),
    ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),  # in the past: no wait, never negative
    ("Wed, 01 Jan 2025 12:10:00 GMT", RETRY_AFTER_CAP),
    ("Fri, 31 Dec 9999 23:59:59 GMT", RETRY_AFTER_CAP),
])
def test_retry_after_http_date(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize("value", [
    "\u0661\u0662",  # Arabic-Indic digits: str.isdigit() says yes, float() would accept them
    "\u00b2",  # superscript two: isdigit() yes, int() no
    "\uff11\uff12",  # full-width digits
    "-5",
    "1.5",
    "soon",
    "Wed, 99 Foo 2025 99:99:99 GMT",
    "",
    "   ",
    None,
    b"12",
    12,
])
def test_retry_after_unusable_is_none(value):
    assert parse_retry_after(value, NOW) is None


def test_retry_after_huge_value_never_exceeds_the_cap():
    for value in ("9" * 11, "9" * 400, "1" + "0" * 4400):
        seconds = parse_retry_after(value, NOW)
        assert seconds is None or seconds == RETRY_AFTER_CAP


# --- RetryPolicy.reason_for ----------------------------------------------------------------------

@pytest.mark.parametrize("status, reason", [(429, "throttled"), (500, "HTTP 500"), (502, "HTTP 502"),
                                            (503, "HTTP 503"), (504, "HTTP 504")])
def test_default_retryable_statuses(status, reason):
    assert RetryPolicy().reason_for(status) == reason
    assert RetryPolicy().reason_for(status, "DCS.5000") == reason


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404, 409, 501, 505])
def test_other_statuses_are_not_retried(status):
    assert RetryPolicy().reason_for(status) is None
    assert RetryPolicy().reason_for(status, "DCS.4097") is None


def test_custom_statuses_replace_the_defaults():
    policy = RetryPolicy(statuses={409: "conflict"})
    assert policy.reason_for(409) == "conflict"
    assert policy.reason_for(503) is None
    assert RetryPolicy(statuses={}).reason_for(429) is None


def test_policy_does_not_share_the_module_table():
    policy = RetryPolicy()
    policy.statuses[400] = "bad"
    assert 400 not in RETRYABLE_STATUS
    assert RetryPolicy().reason_for(400) is None


def test_with_error_codes_retries_them_whatever_the_status():
    base = RetryPolicy()
    busy = base.with_error_codes({"DCS.4097": "instance busy"})
    assert busy.reason_for(400, "DCS.4097") == "instance busy"
    assert busy.reason_for(503, "DCS.4097") == "instance busy"  # the code wins over the status
    assert busy.reason_for(400, "DCS.4098") is None
    assert busy.reason_for(503) == "HTTP 503"
    assert busy.reason_for(400, None) is None
    assert busy.reason_for(400, "") is None


def test_with_error_codes_leaves_the_original_unchanged():
    base = RetryPolicy(error_codes={"A.1": "a"})
    busy = base.with_error_codes({"B.2": "b"})
    more = busy.with_error_codes({"A.1": "changed"})
    assert base.error_codes == {"A.1": "a"}
    assert base.reason_for(400, "B.2") is None
    assert busy.error_codes == {"A.1": "a", "B.2": "b"}
    assert more.reason_for(400, "A.1") == "changed" and busy.reason_for(400, "A.1") == "a"
    assert busy is not base and busy.statuses == base.statuses and busy.statuses is not base.statuses


def test_with_error_codes_keeps_the_backoff_settings():
    rng = random.Random(1).random
    base = RetryPolicy(base=0.1, cap=3.0, throttle_floor=0.7, rng=rng)
    copy = base.with_error_codes({"X": "x"})
    assert (copy.base, copy.cap, copy.throttle_floor, copy.rng) == (0.1, 3.0, 0.7, rng)


def test_not_delivered_reasons():
    assert "connection refused" in NOT_DELIVERED and "throttled" in NOT_DELIVERED
    assert "timeout" not in NOT_DELIVERED and "connection dropped" not in NOT_DELIVERED


# --- RetryPolicy.delay ---------------------------------------------------------------------------

def test_delay_exponential_with_full_jitter_at_its_top():
    policy = RetryPolicy(rng=lambda: 1.0)
    assert [policy.delay(attempt, "HTTP 500") for attempt in range(1, 8)] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_delay_jitter_scales_the_backoff():
    assert RetryPolicy(rng=lambda: 0.0).delay(3, "HTTP 503") == 0.0
    assert RetryPolicy(rng=lambda: 0.25).delay(3, "HTTP 503") == 1.0


def test_delay_is_bounded_by_the_cap_with_a_real_rng():
    policy = RetryPolicy(rng=random.Random(7).random)
    delays = [policy.delay(attempt, "connection dropped") for attempt in range(1, 200)]
    assert all(0.0 <= delay <= BACKOFF_CAP for delay in delays)
    assert len(set(delays)) > 100  # jittered, not constant


@pytest.mark.parametrize("attempt", [31, 1000, 10 ** 6, 10 ** 100])
def test_delay_huge_attempt_does_not_overflow(attempt):
    assert RetryPolicy(rng=lambda: 1.0).delay(attempt, "HTTP 500") == BACKOFF_CAP
    assert RetryPolicy(rng=lambda: 1.0, cap=10.0 ** 12).delay(attempt, "HTTP 500") == 0.5 * 2 ** 30


def test_delay_throttle_floor_without_retry_after():
    assert RetryPolicy(rng=lambda: 0.0).delay(1, "throttled") == THROTTLE_FLOOR
    assert RetryPolicy(rng=lambda: 1.0).delay(6, "throttled") == BACKOFF_CAP
    assert RetryPolicy(rng=lambda: 0.0).delay(1, "HTTP 503") == 0.0  # the floor is only for 429


def test_delay_retry_after_wins():
    policy = RetryPolicy(rng=lambda: 1.0)
    assert policy.delay(6, "HTTP 503", retry_after=3.0) == 3.0
    assert policy.delay(1, "throttled", retry_after=45.0) == 45.0
    assert policy.delay(1, "throttled", retry_after=0.0) == 0.0  # the server's word, even below the floor


def test_worst_case_backoff():
    policy = RetryPolicy()
    assert policy.worst_case_backoff(0) == 0
    assert policy.worst_case_backoff(1) == THROTTLE_FLOOR
    assert policy.worst_case_backoff(5) == 2.0 + 2.0 + 4.0 + 8.0 + 16.0
    assert policy.worst_case_backoff(7) == 32.0 + 20.0 + 20.0


def test_worst_case_backoff_bounds_every_sequence_of_delays():
    policy = RetryPolicy(rng=lambda: 1.0)
    for retries in range(0, 12):
        for reason in ("throttled", "HTTP 500"):
            total = sum(policy.delay(attempt, reason) for attempt in range(1, retries + 1))
            assert total <= policy.worst_case_backoff(retries)


# --- RetryLog ------------------------------------------------------------------------------------

def test_retry_log_counts_and_summary():
    log = RetryLog()
    assert log.summary() is None and log.retries == 0 and log.requests("poll") == 0
    log.sent("poll")
    log.sent("poll")
    log.sent("iam")
    assert log.requests("poll") == 2 and log.requests("iam") == 1 and log.requests("other") == 0
    log.retried("throttled")
    assert log.summary() == ("1 API request had to be retried (1 x throttled). "
                             "The API was throttling or unstable during this task.")
    log.retried("HTTP 503")
    log.retried("throttled")
    assert log.retries == 3
    assert log.reasons() == {"throttled": 2, "HTTP 503": 1}
    log.reasons()["throttled"] = 99  # a copy
    assert log.retries == 3
    assert log.summary() == ("3 API requests had to be retried (1 x HTTP 503, 2 x throttled). "
                             "The API was throttling or unstable during this task.")


def test_retry_log_is_thread_safe():
    log = RetryLog()

    def work():
        for _unused in range(2000):
            log.sent("poll")
            log.retried("timeout")

    threads = [threading.Thread(target=work) for _unused in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log.requests("poll") == 16000 and log.retries == 16000


def test_retry_log_snapshot_and_restore_carry_the_counts_to_the_next_slice():
    log = RetryLog()
    assert log.snapshot() == dict(requests={}, reasons={})
    for label in ("poll", "poll", "iam", "api"):
        log.sent(label)
    log.retried("HTTP 503")
    log.retried("throttled")
    log.retried("HTTP 503")
    snapshot = json.loads(json.dumps(log.snapshot()))  # it travels as JSON
    assert snapshot == dict(requests={"poll": 2, "iam": 1, "api": 1}, reasons={"HTTP 503": 2, "throttled": 1})
    resumed = RetryLog()
    resumed.restore(**snapshot)
    assert resumed.snapshot() == snapshot and resumed.summary() == log.summary()
    assert resumed.requests("poll") == 2 and resumed.retries == 3 and resumed.reasons() == {"HTTP 503": 2, "throttled": 1}
    resumed.sent("poll")
    resumed.retried("timeout")
    assert resumed.requests("poll") == 3 and resumed.retries == 4
    assert log.requests("poll") == 2 and log.retries == 3, "the first slice's log is not changed"


def test_retry_log_restore_adds_to_what_was_counted():
    log = RetryLog()
    log.sent("poll")
    log.retried("HTTP 502")
    log.restore({"poll": 4, "iam": 1}, {"HTTP 502": 1, "connection reset": 2})
    assert log.requests("poll") == 5 and log.requests("iam") == 1
    assert log.reasons() == {"HTTP 502": 2, "connection reset": 2}
    snapshot = log.snapshot()
    snapshot["requests"]["poll"] = 99
    assert log.requests("poll") == 5, "the snapshot is a copy"


# --- SharedBackoff -------------------------------------------------------------------------------

def test_shared_backoff_with_a_fake_clock():
    fake = FakeTime()
    backoff = SharedBackoff(clock=fake.clock)
    assert backoff.pending() == 0.0
    backoff.hold(5.0)
    assert backoff.pending() == 5.0
    fake.advance(3.0)
    assert backoff.pending() == 2.0
    backoff.hold(1.0)  # a shorter hold does not shorten the pending one
    assert backoff.pending() == 2.0
    backoff.hold(4.0)  # a longer one extends it
    assert backoff.pending() == 4.0
    fake.advance(10.0)
    assert backoff.pending() == 0.0  # never negative


def test_shared_backoff_is_seen_by_every_thread():
    fake = FakeTime()
    backoff = SharedBackoff(clock=fake.clock)
    seen = []
    thread = threading.Thread(target=backoff.hold, args=(7.5,))
    thread.start()
    thread.join()
    worker = threading.Thread(target=lambda: seen.append(backoff.pending()))
    worker.start()
    worker.join()
    assert seen == [7.5]
