# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_slices: the module's side of a sliced wait, with a fake clock and a recording sleep."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import random

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import is_finished
from ansible_collections.hwc.dcs.plugins.module_utils._seal import SealError, seal, unseal
from ansible_collections.hwc.dcs.plugins.module_utils._slices import (
    MAX_STATE,
    SECONDS_VAR,
    STATE_VAR,
    STATE_FORMAT,
    Paused,
    Slicer,
    slice_seconds,
    tracked_from_dict,
    tracked_to_dict,
)
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Tracked
from ansible_collections.hwc.dcs.tests.support.constants import SK, TMP_SK
from ansible_collections.hwc.dcs.tests.support.fake_clock import WALL, FakeTime

JOB_A = "ff80808288d41e1b018a1c7e2c0d1a2b"
JOB_B = "ff80808288d41e1b018a1c7e2c0d3c4d"
SNAPSHOT = {"started_at": 1735732790.5, "project_id": "0123456789abcdef0123456789abcdef", "requests": {"poll": 2},
            "reasons": {}, "skew": {"offset": 0.0, "corrected": False, "warnings": []}, "warnings": []}


@pytest.fixture
def fake():
    return FakeTime()


def wall_of(fake):
    def wall():
        return (fake.now() - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)).total_seconds()
    return wall


def slicer_for(fake, seconds=30.0, state=None, secret=SK):
    slicer = Slicer(seconds, secret, state, clock=fake.clock, wall=wall_of(fake), now=fake.now)
    slicer.snapshot = lambda: dict(SNAPSHOT)
    return slicer


def job(key, status, job_type="masterStandbySwapJob"):
    return {"job_id": key, "job_type": job_type, "status": status, "fail_reason": None}


def tracked(fake, key, *statuses, **extra):
    """A Tracked that saw ``statuses`` (one every 10 s of the fake clock, which moves) and ends with ``extra``."""
    thing = Tracked(key)
    for index, status in enumerate(statuses):
        if index:
            fake.advance(10)
        thing.update(dict(job(key, status), **extra), fake.now())
    return thing


def watching(fake, things, kind="job", seconds=30.0, state=None):
    slicer = slicer_for(fake, seconds, state)
    assert slicer.restore(kind, [t.key for t in things], is_finished) is None
    slicer.watch(things)
    return slicer


def paused_state(caught):
    return unseal(caught.value.token, SK)


# --- slice_seconds ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("environ", [{}, {SECONDS_VAR: ""}, {STATE_VAR: "anything"}])
def test_no_slice_length_means_no_slices(environ):
    assert slice_seconds(environ) is None


@pytest.mark.parametrize("text, seconds", [("30", 30.0), ("2.5", 2.5), (" 45 ", 45.0), ("1e1", 10.0)])
def test_slice_length(text, seconds):
    assert slice_seconds({SECONDS_VAR: text}) == seconds


@pytest.mark.parametrize("text", ["0", "-1", "-0.5", "nan", "inf", "-inf", "abc", "30s", "0x10"])
def test_a_bad_slice_length_is_refused_naming_the_variable(text):
    with pytest.raises(ValidationError) as caught:
        slice_seconds({SECONDS_VAR: text})
    message = caught.value.message
    assert SECONDS_VAR in message and repr(text) in message and "unset it" in message
    assert not isinstance(caught.value, SealError)


def test_a_long_bad_slice_length_is_cut_short_in_the_message():
    with pytest.raises(ValidationError) as caught:
        slice_seconds({SECONDS_VAR: "x" * 500})
    message = caught.value.message
    assert "'" + "x" * 39 + "," in message, "the value's repr, cut to 40 characters"
    assert "x" * 40 not in message and len(message) < 200


# --- from_environ and remember ---------------------------------------------------------------------------

def test_from_environ_without_a_slice_length_is_none_even_with_a_state(fake):
    assert Slicer.from_environ({STATE_VAR: "forged"}, SK, clock=fake.clock) is None
    assert Slicer.from_environ({}, SK) is None


def test_from_environ_without_state_is_a_first_slice(fake):
    slicer = Slicer.from_environ({SECONDS_VAR: "30"}, SK, clock=fake.clock, wall=wall_of(fake), now=fake.now)
    assert slicer.seconds == 30.0 and slicer.state == {} and slicer.resuming is False
    assert slicer.saved == {} and slicer.reported == {} and slicer.slice_start == fake.clock()


def test_from_environ_with_an_empty_state_is_a_first_slice(fake):
    slicer = Slicer.from_environ({SECONDS_VAR: "30", STATE_VAR: ""}, SK, clock=fake.clock)
    assert slicer.resuming is False


def test_from_environ_with_state_resumes(fake):
    state = dict(SNAPSHOT, format=STATE_FORMAT, saved={"change": {"job_id": JOB_A}}, reported={JOB_A: "RUNNING"})
    slicer = Slicer.from_environ({SECONDS_VAR: "12.5", STATE_VAR: seal(state, SK)}, SK, clock=fake.clock)
    assert slicer.seconds == 12.5 and slicer.resuming is True and slicer.state == state
    assert slicer.reported == {JOB_A: "RUNNING"}
    assert slicer.remember("change", {}) == {"job_id": JOB_A}


@pytest.mark.parametrize("token", ["forged", seal({"saved": {}}, TMP_SK), seal({"saved": {}}, SK)[:-4]],
                         ids=["garbage", "other-secret", "truncated"])
def test_from_environ_with_a_forged_state_is_a_seal_error(fake, token):
    """A forged, foreign or cut state is refused before anything of it is used."""
    with pytest.raises(SealError) as caught:
        Slicer.from_environ({SECONDS_VAR: "30", STATE_VAR: token}, SK, clock=fake.clock)
    assert STATE_VAR in caught.value.message and token not in caught.value.message


def test_from_environ_with_a_bad_slice_length_is_a_validation_error(fake):
    with pytest.raises(ValidationError) as caught:
        Slicer.from_environ({SECONDS_VAR: "-3", STATE_VAR: seal({}, SK)}, SK, clock=fake.clock)
    assert SECONDS_VAR in caught.value.message


def test_remember_in_a_first_slice_keeps_the_default_object(fake):
    slicer = slicer_for(fake)
    default = {}
    kept = slicer.remember("change", default)
    assert kept is default
    kept["job_id"] = JOB_A  # the module fills it in as it goes
    assert slicer.remember("change", {"other": 1}) is default, "later calls return the kept object"
    assert slicer.saved == {"change": {"job_id": JOB_A}}


def test_remember_in_a_resumed_slice_returns_what_was_saved(fake):
    slicer = slicer_for(fake)
    slicer.remember("switchover", {})["job_id"] = JOB_A
    history = slicer.remember("instance_history", [])
    history.append(["RUNNING", 1.0])
    thing = Tracked(JOB_A)
    slicer.watch([thing])
    with pytest.raises(Paused) as caught:
        slicer.sleep(60, fake.sleep)
    resumed = slicer_for(fake, state=paused_state(caught))
    assert resumed.remember("switchover", {}) == {"job_id": JOB_A}
    assert resumed.remember("instance_history", []) == [["RUNNING", 1.0]]
    assert resumed.remember("never_saved", "default") == "default"


# --- sleep -----------------------------------------------------------------------------------------------

def test_sleeps_within_the_slice_are_not_cut(fake):
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=30)
    slicer.reported[JOB_A] = "RUNNING"
    for _round in range(5):
        slicer.sleep(5, fake.sleep)
    assert fake.sleeps == [5, 5, 5, 5, 5]


def test_a_sleep_past_the_slice_end_sleeps_to_it_then_pauses_with_the_rest(fake):
    start = fake.clock()
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=12)
    slicer.reported[JOB_A] = "RUNNING"
    fake.advance(1)  # time spent polling
    slicer.sleep(5, fake.sleep)
    with pytest.raises(Paused) as caught:
        slicer.sleep(10, fake.sleep)
    assert fake.sleeps == [5, 6], "sleeps only to the end of the slice"
    assert fake.clock() - start == 12
    state = paused_state(caught)
    assert state["wait"]["sleep_left"] == 4
    assert state["wait"]["paused_at"] == wall_of(fake)()


def test_the_paused_state_holds_everything_to_resume(fake):
    a = tracked(fake, JOB_A, "INIT", "RUNNING")
    b = tracked(fake, JOB_B, "SUCCESS")
    unanswered = Tracked("ff80808288d41e1b018a1c7e2c0d5e6f")
    unanswered.last_error = "GET x failed with HTTP 503"
    slicer = watching(fake, [a, b, unanswered], seconds=30)
    slicer.reported.update({JOB_A: "RUNNING", JOB_B: "SUCCESS", "gone": "FAIL"})
    slicer.remember("change", {})["job_id"] = JOB_A
    with pytest.raises(Paused) as caught:
        slicer.sleep(40, fake.sleep)
    state = paused_state(caught)
    assert sorted(state) == sorted(list(SNAPSHOT) + ["format", "saved", "reported", "wait"])
    assert state["format"] == STATE_FORMAT
    for key, value in SNAPSHOT.items():
        assert state[key] == value, "the runner's snapshot travels as it is"
    assert state["saved"] == {"change": {"job_id": JOB_A}}
    assert state["reported"] == {JOB_A: "RUNNING", JOB_B: "SUCCESS", "gone": "FAIL"}, "what was reported stays reported"
    wait = state["wait"]
    assert sorted(wait) == ["keys", "kind", "paused_at", "sleep_left", "tracked"]
    assert wait["kind"] == "job" and wait["keys"] == [JOB_A, JOB_B, unanswered.key] and wait["sleep_left"] == 10
    epoch = wall_of(fake)() - fake.clock()  # the wall time at fake clock 0
    history_a = [["INIT", epoch + 1000.0], ["RUNNING", epoch + 1010.0]]
    assert wait["tracked"] == [
        dict(key=JOB_A, state=job(JOB_A, "RUNNING"), last_error=None, history=history_a),
        dict(key=JOB_B, state=job(JOB_B, "SUCCESS"), last_error=None, history=[["SUCCESS", epoch + 1010.0]]),
        dict(key=unanswered.key, state=None, last_error="GET x failed with HTTP 503", history=[]),
    ]


def test_paused_carries_the_progress_and_is_not_a_dcs_error(fake):
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")])
    with pytest.raises(Paused) as caught:
        slicer.sleep(5, fake.sleep)
    assert not isinstance(caught.value, ValidationError)
    assert caught.value.progress == dict(kind="job", items=[dict(
        id=JOB_A, label="masterStandbySwapJob", detail=None, status="RUNNING", was=None, finished=False, changed=True,
        seconds=0.0)])


def test_a_status_change_pauses_at_once(fake):
    a = tracked(fake, JOB_A, "INIT")
    slicer = watching(fake, [a], seconds=30)
    with pytest.raises(Paused) as caught:
        slicer.sleep(5, fake.sleep)
    assert fake.sleeps == [], "no sleep before reporting the change"
    state = paused_state(caught)
    assert state["wait"]["sleep_left"] == 5 and state["reported"] == {JOB_A: "INIT"}

    resumed = slicer_for(fake, state=state)
    restored, left = resumed.restore("job", [JOB_A], is_finished)
    assert left == 5
    resumed.sleep(left, fake.sleep)  # reported already: no pause
    assert fake.sleeps == [5]
    restored[0].update(job(JOB_A, "RUNNING"), fake.now())
    with pytest.raises(Paused) as again:
        resumed.sleep(5, fake.sleep)
    assert paused_state(again)["reported"] == {JOB_A: "RUNNING"} and again.value.progress["items"][0]["was"] == "INIT"


def test_a_transient_failure_without_an_answer_is_no_change(fake):
    thing = Tracked(JOB_A)
    thing.last_error = "GET x failed with HTTP 503"
    slicer = watching(fake, [thing], seconds=30)
    slicer.sleep(5, fake.sleep)
    assert fake.sleeps == [5]


def test_a_final_sleep_is_never_cut(fake):
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=10)
    slicer.sleep(100, fake.sleep, final=True)  # a status change and past the slice end: still no pause
    assert fake.sleeps == [100]


def test_without_a_slice_length_sleeps_are_not_cut(fake):
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=None)
    slicer.sleep(100, fake.sleep)
    assert fake.sleeps == [100]


def big_snapshot():
    """About 150 KiB of incompressible text: a state too large for an environment variable."""
    rng = random.Random(13)
    noise = bytes(bytearray(rng.getrandbits(8) for _byte in range(110 * 1024)))
    return dict(SNAPSHOT, noise=base64.b64encode(noise).decode("ascii"))


def test_a_state_too_large_to_hand_over_does_not_pause(fake):
    big = big_snapshot()
    assert len(seal(big, SK)) > MAX_STATE, "the test's premise"
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=10)
    slicer.reported[JOB_A] = "RUNNING"
    slicer.snapshot = lambda: big
    slicer.sleep(25, fake.sleep)
    assert fake.sleeps == [10, 15], "to the slice end, then the rest: the full sleep"
    assert slicer.seconds is None
    slicer.sleep(30, fake.sleep)
    slicer.reported.clear()  # even a status change no longer pauses
    slicer.sleep(30, fake.sleep)
    assert fake.sleeps == [10, 15, 30, 30]


def test_a_status_change_with_a_state_too_large_sleeps_the_full_time(fake):
    slicer = watching(fake, [tracked(fake, JOB_A, "RUNNING")], seconds=10)
    slicer.snapshot = big_snapshot
    slicer.sleep(5, fake.sleep)
    assert fake.sleeps == [5] and slicer.seconds is None


# --- restore ---------------------------------------------------------------------------------------------

def pause_two_jobs(fake, sleep_left=20, seconds=10):
    a = tracked(fake, JOB_A, "INIT", "RUNNING")
    b = tracked(fake, JOB_B, "SUCCESS")
    slicer = watching(fake, [a, b], seconds=seconds)
    slicer.reported.update({JOB_A: "RUNNING", JOB_B: "SUCCESS"})
    with pytest.raises(Paused) as caught:
        slicer.sleep(seconds + sleep_left, fake.sleep)
    return [a, b], paused_state(caught)


def test_restore_returns_the_tracked_things_and_the_rest_of_the_sleep(fake):
    things, state = pause_two_jobs(fake, sleep_left=20)
    fake.advance(3)  # the controller's turn: printing, starting the next module run
    resumed = slicer_for(fake, state=state)
    restored, left = resumed.restore("job", [JOB_A, JOB_B], is_finished)
    assert left == 17
    assert [(t.key, t.state, t.last_error, t.history) for t in restored] == \
        [(t.key, t.state, t.last_error, t.history) for t in things]
    assert all(seen.tzinfo is not None for t in restored for _status, seen in t.history)
    assert resumed.kind == "job" and resumed.tracked == restored and resumed.done is is_finished


def test_restore_never_returns_a_negative_sleep(fake):
    _things, state = pause_two_jobs(fake, sleep_left=5)
    fake.advance(60)
    assert slicer_for(fake, state=state).restore("job", [JOB_A, JOB_B], is_finished)[1] == 0.0


def test_restore_does_not_lengthen_the_sleep_when_the_wall_clock_goes_back(fake):
    _things, state = pause_two_jobs(fake, sleep_left=5)
    resumed = Slicer(10, SK, state, clock=fake.clock, wall=lambda: state["wait"]["paused_at"] - 3600)
    assert resumed.restore("job", [JOB_A, JOB_B], is_finished)[1] == 5


@pytest.mark.parametrize("kind, keys", [
    ("instance", [JOB_A, JOB_B]),
    ("job", [JOB_B, JOB_A]),
    ("job", [JOB_A]),
    ("job", [JOB_A, JOB_B, "ff80808288d41e1b018a1c7e2c0d5e6f"]),
])
def test_restore_of_another_wait_is_none(fake, kind, keys):
    _things, state = pause_two_jobs(fake)
    resumed = slicer_for(fake, state=state)
    assert resumed.restore(kind, keys, is_finished) is None
    assert resumed.kind == kind and resumed.tracked == []


def test_restore_without_a_paused_wait_is_none(fake):
    assert slicer_for(fake).restore("job", [JOB_A], is_finished) is None
    assert slicer_for(fake, state=dict(SNAPSHOT, saved={"change": {}})).restore("job", [JOB_A], is_finished) is None


def test_tracked_round_trip():
    thing = Tracked(JOB_A)
    thing.update(job(JOB_A, "INIT"), WALL)
    thing.update(job(JOB_A, "RUNNING"), WALL + datetime.timedelta(seconds=12.25))
    thing.last_error = "the last poll failed"
    back = tracked_from_dict(tracked_to_dict(thing))
    assert (back.key, back.state, back.last_error, back.history) == (thing.key, thing.state, thing.last_error, thing.history)


# --- progress --------------------------------------------------------------------------------------------

def test_progress_items(fake):
    a = tracked(fake, JOB_A, "INIT", "RUNNING")  # RUNNING since the fake clock's 1010
    b = tracked(fake, JOB_B, "RUNNING", "SUCCESS")  # SUCCESS since 1020
    c = tracked(fake, "ff80808288d41e1b018a1c7e2c0d5e6f", "RUNNING")  # RUNNING since 1020
    d = Tracked("ff80808288d41e1b018a1c7e2c0d7a8b")  # never answered
    slicer = watching(fake, [a, b, c, d])
    slicer.reported.update({JOB_A: "INIT", JOB_B: "RUNNING", c.key: "RUNNING"})
    fake.advance(15)  # now 1035
    progress = slicer.progress()
    assert progress["kind"] == "job"
    assert progress["items"] == [
        dict(id=JOB_A, label="masterStandbySwapJob", detail=None, status="RUNNING", was="INIT", finished=False,
             changed=True, seconds=25.0),
        dict(id=JOB_B, label="masterStandbySwapJob", detail=None, status="SUCCESS", was="RUNNING", finished=True,
             changed=True, seconds=15.0),
        dict(id=c.key, label="masterStandbySwapJob", detail=None, status="RUNNING", was="RUNNING", finished=False,
             changed=False, seconds=15.0),
        dict(id=d.key, label=None, detail=None, status=None, was=None, finished=False, changed=False, seconds=None),
    ]


def test_progress_counts_seconds_since_the_status_was_first_seen(fake):
    a = tracked(fake, JOB_A, "RUNNING")
    slicer = watching(fake, [a])
    fake.advance(2.26)
    a.update(job(JOB_A, "RUNNING"), fake.now())  # seen again: still counted from the first time
    fake.advance(100)
    assert slicer.progress()["items"][0]["seconds"] == 102.3


def test_progress_of_an_instance_shows_its_name_and_task(fake):
    instance = Tracked("6c3bd8c3-9a4e-4bde-8e8e-3c1cba5b6f1f")
    instance.update({"instance_id": instance.key, "name": "dcs-prod", "status": "RESTARTING", "task": "Restarting"},
                    fake.now())
    slicer = slicer_for(fake)
    slicer.restore("instance", [instance.key], lambda state: state.get("status") == "RUNNING")
    slicer.watch([instance])
    fake.advance(4)
    assert slicer.progress() == dict(kind="instance", items=[dict(
        id=instance.key, label="dcs-prod", detail="Restarting", status="RESTARTING", was=None, finished=False,
        changed=True, seconds=4.0)])


def test_progress_before_any_wait_is_empty(fake):
    assert slicer_for(fake).progress() == dict(kind=None, items=[])


@pytest.mark.parametrize("form", [None, STATE_FORMAT + 1, "1"], ids=["no-format", "newer", "text"])
def test_a_state_of_another_format_is_refused(fake, form):
    # Sealed with the right key but written by another version of the collection: refused with the clear
    # message, never an internal error halfway through the resume.
    state = dict(SNAPSHOT, saved={}, reported={})
    if form is not None:
        state["format"] = form
    with pytest.raises(SealError) as caught:
        Slicer.from_environ({SECONDS_VAR: "30", STATE_VAR: seal(state, SK)}, SK, clock=fake.clock)
    assert "not a state this version of the collection wrote" in caught.value.message
    assert STATE_VAR in caught.value.message
