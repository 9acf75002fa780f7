# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_skew: the clock-skew correction, only within a 24-hour window."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import threading

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, ClockSkewError
from ansible_collections.hwc.dcs.plugins.module_utils._skew import MAX_SKEW, MIN_SKEW, SkewCorrector, parse_http_date
from ansible_collections.hwc.dcs.tests.support.fake_clock import WALL, FakeTime

EXPIRED_MSG = "Incorrect IAM authentication information: the request has expired"


def expired(date_header):
    return ApiError("GET x failed with HTTP 401", status_code=401, error_code="APIGW.0303", error_msg=EXPIRED_MSG,
                    request_id="req-1", date_header=date_header)


def http_date(moment):
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


@pytest.fixture
def fake():
    return FakeTime()


@pytest.fixture
def skew(fake):
    return SkewCorrector(fake.now)


def test_no_correction_at_first(skew, fake):
    assert skew.offset == 0.0 and skew.corrected is False and skew.warnings == []
    assert skew.signing_time() == fake.now()


def test_gateway_20_minutes_ahead(skew, fake):
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=20)))) is True
    assert skew.offset == 1200.0 and skew.corrected is True
    assert skew.signing_time() == fake.now() + datetime.timedelta(seconds=1200)
    assert len(skew.warnings) == 1
    assert "1200 seconds behind the API gateway's clock" in skew.warnings[0]
    assert "NTP" in skew.warnings[0]


def test_gateway_behind(skew):
    assert skew.learn(expired(http_date(WALL - datetime.timedelta(hours=2)))) is True
    assert skew.offset == -7200.0
    assert "7200 seconds ahead of the API gateway's clock" in skew.warnings[0]


def test_second_learn_adds_no_warning_but_updates_the_offset(skew):
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=20))))
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=30))))
    assert len(skew.warnings) == 1
    assert skew.offset == 1800.0


def test_snapshot_and_restore_carry_the_correction_to_the_next_slice(skew, fake):
    assert skew.snapshot() == dict(offset=0.0, corrected=False, warnings=[])
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=20))))
    snapshot = json.loads(json.dumps(skew.snapshot()))  # it travels as JSON
    assert snapshot["offset"] == 1200.0 and snapshot["corrected"] is True and len(snapshot["warnings"]) == 1
    resumed = SkewCorrector(fake.now)
    resumed.restore(**snapshot)
    assert resumed.offset == 1200.0 and resumed.corrected is True and resumed.warnings == skew.warnings
    assert resumed.signing_time() == fake.now() + datetime.timedelta(seconds=1200)
    assert resumed.learn(expired(http_date(WALL + datetime.timedelta(minutes=30))))
    assert len(resumed.warnings) == 1, "the warning of the first slice is not repeated"
    assert resumed.offset == 1800.0


def test_snapshot_is_a_copy(skew, fake):
    skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=20))))
    snapshot = skew.snapshot()
    snapshot["warnings"].append("changed outside")
    assert len(skew.warnings) == 1
    resumed = SkewCorrector(fake.now)
    resumed.restore(**snapshot)
    snapshot["warnings"].append("changed again")
    assert len(resumed.warnings) == 2


def test_restore_without_a_correction(fake):
    resumed = SkewCorrector(fake.now)
    resumed.restore(offset=0, corrected=False, warnings=[])
    assert resumed.signing_time() == fake.now() and resumed.corrected is False and resumed.warnings == []


@pytest.mark.parametrize("seconds", [0, 1, 59, -59])
def test_under_a_minute_is_not_a_skew(skew, seconds):
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(seconds=seconds)))) is False
    assert skew.offset == 0.0 and skew.corrected is False and skew.warnings == []


@pytest.mark.parametrize("date_header", [None, "", "garbage", "Wed, 99 Foo 2025 99:99:99 GMT", "\u0661\u0662",
                                         "Fri, 31 Dec 99999 23:59:59 GMT", 12345])
def test_unusable_date_is_no_correction(skew, date_header):
    assert skew.learn(expired(date_header)) is False
    assert skew.offset == 0.0 and skew.warnings == []


@pytest.mark.parametrize("date_header", [
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Thu, 01 Jan 1970 00:00:00 GMT",
    http_date(WALL + datetime.timedelta(seconds=MAX_SKEW + 1)),
    http_date(WALL - datetime.timedelta(days=2)),
])
def test_beyond_the_24_hour_window_is_a_clock_error(skew, date_header):
    with pytest.raises(ClockSkewError) as info:
        skew.learn(expired(date_header))
    error = info.value
    assert "24-hour window" in error.message and "clock" in error.message
    assert error.status_code == 401 and error.error_code == "APIGW.0303" and error.request_id == "req-1"
    assert skew.offset == 0.0 and skew.corrected is False and skew.warnings == []


def test_just_inside_the_window_is_corrected(skew):
    assert skew.learn(expired(http_date(WALL + datetime.timedelta(seconds=MAX_SKEW - 1)))) is True
    assert skew.offset == MAX_SKEW - 1


def test_hostile_date_header_is_cleaned_in_the_message(skew):
    with pytest.raises(ClockSkewError) as info:
        skew.learn(expired("Fri, 31 Dec 9999 23:59:59 GMT\x1b[2J"))
    assert "\x1b" not in info.value.message


def test_bounds():
    assert MIN_SKEW == 60.0 and MAX_SKEW == 24 * 3600.0


def test_still_expired(skew):
    skew.learn(expired(http_date(WALL + datetime.timedelta(minutes=20))))
    error = skew.still_expired(expired(None))
    assert isinstance(error, ClockSkewError)
    assert "+1200 seconds" in error.message and "NTP" in error.message
    assert error.status_code == 401 and error.error_msg == EXPIRED_MSG


def test_parse_http_date():
    assert parse_http_date("Wed, 01 Jan 2025 12:00:00 GMT") == WALL
    assert parse_http_date("Wed, 01 Jan 2025 13:00:00 +0100") == WALL
    assert parse_http_date("Wed, 01 Jan 2025 12:00:00 -0000").tzinfo is not None
    assert parse_http_date("nonsense") is None
    assert parse_http_date(None) is None


def test_learn_is_thread_safe_and_warns_once(skew):
    header = http_date(WALL + datetime.timedelta(minutes=20))
    threads = [threading.Thread(target=skew.learn, args=(expired(header),)) for _unused in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert skew.offset == 1200.0 and len(skew.warnings) == 1
