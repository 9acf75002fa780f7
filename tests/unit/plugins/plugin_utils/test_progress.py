# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""plugin_utils/_progress: the progress settings and the lines the controller prints while a task waits."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.plugin_utils._progress import (
    DEFAULT_INTERVAL,
    ENVIRONMENT,
    MAX_INTERVAL,
    MAX_TEXT,
    MIN_INTERVAL,
    OPTION,
    VARIABLE,
    duration,
    lines,
    progress_interval,
)

JOB_A = "ff80808288d41e1b018a1c7e2c0d1a2b"
JOB_B = "ff80808288d41e1b018a1c7e2c0d3c4d"
JOB_C = "ff80808288d41e1b018a1c7e2c0d5e6f"
INSTANCE = "6c3bd8c3-9a4e-4bde-8e8e-3c1cba5b6f1f"


# --- progress_interval -----------------------------------------------------------------------------------

def interval(option=None, variable=None, environment=None):
    args = {} if option is None else {OPTION: option}
    task_vars = {} if variable is None else {VARIABLE: variable}
    environ = {} if environment is None else {ENVIRONMENT: environment}
    return progress_interval(args, task_vars, environ)


def test_the_default_interval():
    assert DEFAULT_INTERVAL == 30.0 and (MIN_INTERVAL, MAX_INTERVAL) == (5.0, 3600.0)
    assert interval() == 30.0
    assert progress_interval({OPTION: None}, {VARIABLE: ""}, {ENVIRONMENT: ""}) == 30.0, "unset and empty are absent"


def test_the_option_wins_over_the_variable_and_the_environment():
    assert interval(option=45, variable=60, environment="90") == 45.0


def test_the_variable_wins_over_the_environment():
    assert interval(variable=60, environment="90") == 60.0
    assert interval(option="", variable=60, environment="90") == 60.0


def test_the_environment_is_the_last_setting():
    assert interval(environment="90") == 90.0


def test_zero_turns_progress_off_and_wins_like_any_value():
    assert interval(option=0, variable=60, environment="90") == 0.0
    assert interval(option="0", variable="nonsense") == 0.0, "the first setting given decides; later ones are not read"
    assert interval(variable=0.0, environment="90") == 0.0
    assert interval(environment="0") == 0.0


@pytest.mark.parametrize("value, seconds", [
    ("45", 45.0), (" 45 ", 45.0), ("5", 5.0), (5, 5.0), ("3600", 3600.0), (3600, 3600.0), (12.5, 12.5), ("1e2", 100.0),
])
def test_accepted_values(value, seconds):
    assert interval(option=value) == seconds
    assert interval(variable=value) == seconds


def test_booleans_are_numbers_as_for_the_modules_float_options():
    """Decided: ``False`` is 0 (progress off) and ``True`` is 1 second (refused), as ``float()`` and the module's
    own ``type: float`` check read them; so ``progress_interval: false`` reads as "no progress lines"."""
    assert interval(option=False, variable=60) == 0.0
    with pytest.raises(ValueError) as caught:
        interval(option=True)
    assert str(caught.value).startswith("progress_interval is True: ")


@pytest.mark.parametrize("value", [4.9, "4.9", 1, 3601, "3600.5", -1, "-5", "nan", float("nan"), "inf", float("inf"),
                                   "-inf", "x", "30s", [], {}, [30], pytest.param(10 ** 400, id="int-too-large-for-float")])
@pytest.mark.parametrize("where, source", [
    ("option", "progress_interval"),
    ("variable", "variable hwc_dcs_progress_interval"),
    ("environment", "environment variable HWC_DCS_PROGRESS_INTERVAL"),
])
def test_unusable_values_are_refused_naming_their_source(value, where, source):
    if where == "environment" and not isinstance(value, str):
        value = str(value)  # an environment only holds text
    with pytest.raises(ValueError) as caught:
        interval(**{where: value})
    message = str(caught.value)
    assert message.startswith(source + " is ")
    assert "give 0 (no progress lines) or 5 to 3600 seconds between progress lines." in message
    assert len(message) < 250


def test_a_bad_setting_is_refused_even_when_a_later_one_is_good():
    with pytest.raises(ValueError) as caught:
        interval(option="soon", variable=60, environment="90")
    assert "progress_interval is 'soon'" in str(caught.value)


def test_the_refused_value_is_shown_cut_short_and_printable():
    with pytest.raises(ValueError) as caught:
        interval(variable="\x1b[2J" + "9" * 500)
    message = str(caught.value)
    assert "\x1b" not in message and all(char.isprintable() for char in message)
    assert "9" * 80 in message and "9" * 100 not in message and "..." in message


# --- duration --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [
    (0, "0s"), (None, "0s"), (-5, "0s"), (0.4, "0s"), (0.6, "1s"), (45, "45s"), (59.4, "59s"), (59.6, "1m00s"),
    (60, "1m00s"), (190, "3m10s"), (3599, "59m59s"), (3600, "1h00m"), (3720, "1h02m"), (3779, "1h02m"),
    (90061, "25h01m"),
])
def test_duration(seconds, text):
    assert duration(seconds) == text


# --- lines -----------------------------------------------------------------------------------------------

def item(key, status, was=None, label="masterStandbySwapJob", detail=None, finished=False, changed=False, seconds=None):
    return dict(id=key, label=label, detail=detail, status=status, was=was, finished=finished, changed=changed,
                seconds=seconds)


def jobs(*items):
    return dict(kind="job", items=list(items))


def test_a_first_status_is_reported_as_is():
    progress = jobs(item(JOB_A, "INIT", changed=True, seconds=0.0))
    assert lines(progress, "localhost", 0.4) == [
        "hwc.dcs [localhost]: job %s (masterStandbySwapJob) is INIT; 0 of 1 job finished, 0s elapsed" % JOB_A]


def test_a_status_change_is_reported_with_the_previous_status():
    progress = jobs(item(JOB_A, "RUNNING", was="INIT", changed=True, seconds=0.0))
    assert lines(progress, "db1", 12) == [
        "hwc.dcs [db1]: job %s (masterStandbySwapJob) now RUNNING (was INIT); 0 of 1 job finished, 12s elapsed" % JOB_A]


def test_a_change_to_a_final_status_counts_the_job_as_finished():
    progress = jobs(item(JOB_A, "SUCCESS", was="RUNNING", finished=True, changed=True),
                    item(JOB_B, "RUNNING", was="RUNNING", seconds=30.0))
    assert lines(progress, "db1", 75, heartbeat=True) == [
        "hwc.dcs [db1]: job %s (masterStandbySwapJob) now SUCCESS (was RUNNING); 1 of 2 jobs finished, 1m15s elapsed"
        % JOB_A], "a change is reported instead of a heartbeat"


def test_several_changes_give_one_line_each():
    progress = jobs(item(JOB_A, "RUNNING", was="INIT", changed=True), item(JOB_B, "FAIL", was="RUNNING", finished=True,
                                                                           changed=True, label=None),
                    item(JOB_C, "RUNNING", was="RUNNING"))
    assert lines(progress, "db1", 200) == [
        "hwc.dcs [db1]: job %s (masterStandbySwapJob) now RUNNING (was INIT); 1 of 3 jobs finished, 3m20s elapsed" % JOB_A,
        "hwc.dcs [db1]: job %s now FAIL (was RUNNING); 1 of 3 jobs finished, 3m20s elapsed" % JOB_B,
    ]


def test_a_heartbeat_with_one_pending_job():
    progress = jobs(item(JOB_A, "RUNNING", was="RUNNING", seconds=190))
    assert lines(progress, "localhost", 202, heartbeat=True) == [
        "hwc.dcs [localhost]: job %s (masterStandbySwapJob) RUNNING for 3m10s; 0 of 1 job finished, 3m22s elapsed" % JOB_A]


def test_a_heartbeat_with_several_pending_jobs_names_the_first_pending_one():
    progress = jobs(item(JOB_A, "SUCCESS", was="SUCCESS", finished=True, seconds=50),
                    item(JOB_B, "RUNNING", was="RUNNING", seconds=40),
                    item(JOB_C, "INIT", was="INIT", seconds=65))
    assert lines(progress, "db1", 3725, heartbeat=True) == [
        "hwc.dcs [db1]: job %s (masterStandbySwapJob) RUNNING for 40s; 1 more waiting; 1 of 3 jobs finished, 1h02m elapsed"
        % JOB_B]


def test_a_heartbeat_before_any_answer():
    progress = jobs(item(JOB_A, None, label=None), item(JOB_B, None, label=None))
    assert lines(progress, "db1", 31, heartbeat=True) == [
        "hwc.dcs [db1]: job %s no answer yet; 1 more waiting; 0 of 2 jobs finished, 31s elapsed" % JOB_A]


def test_no_change_and_no_heartbeat_is_no_line():
    progress = jobs(item(JOB_A, "RUNNING", was="RUNNING", seconds=10))
    assert lines(progress, "db1", 10) == []
    assert lines(progress, "db1", 10, no_log=True) == []


def test_an_instance_shows_its_name_and_task_and_no_job_counts():
    progress = dict(kind="instance", items=[item(INSTANCE, "RESTARTING", was="RESTARTING", label="dcs-prod",
                                                 detail="Restarting", seconds=95)])
    assert lines(progress, "db1", 100, heartbeat=True) == [
        "hwc.dcs [db1]: instance %s (dcs-prod) RESTARTING for 1m35s (task Restarting); 1m40s elapsed" % INSTANCE]
    changed = dict(kind="instance", items=[item(INSTANCE, "RUNNING", was="RESTARTING", label="dcs-prod", finished=True,
                                                changed=True)])
    assert lines(changed, "db1", 120) == [
        "hwc.dcs [db1]: instance %s (dcs-prod) now RUNNING (was RESTARTING); 2m00s elapsed" % INSTANCE]


@pytest.mark.parametrize("heartbeat, changed", [(True, False), (False, True), (True, True)])
def test_no_log_shows_counts_only(heartbeat, changed):
    progress = jobs(item(JOB_A, "RUNNING", was="INIT", changed=changed, seconds=5, label="secretLabel"),
                    item(JOB_B, "SUCCESS", was="SUCCESS", finished=True, label="secretLabel"))
    out = lines(progress, "db1", 10, no_log=True, heartbeat=heartbeat)
    assert out == ["hwc.dcs [db1]: 1 of 2 jobs finished, 10s elapsed (details hidden by no_log)"]
    for hidden in (JOB_A, JOB_B, "secretLabel", "RUNNING", "INIT", "SUCCESS"):
        assert hidden not in out[0]


def test_no_log_for_an_instance_shows_only_the_elapsed_time():
    progress = dict(kind="instance", items=[item(INSTANCE, "RUNNING", was="RESTARTING", label="dcs-prod", detail="t",
                                                 changed=True)])
    assert lines(progress, "db1", 61, no_log=True) == ["hwc.dcs [db1]: 1m01s elapsed (details hidden by no_log)"]


HOSTILE = [
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;owned\x07",  # set the terminal title
    "line\nTASK [forged] ***",
    "back\rspace\b\x00",
    "\x9b31m",  # a C1 control sequence introducer
    "\u2028para\u2029",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_control_characters_never_reach_a_line(text):
    progress = jobs(item("id" + text, "RUN" + text, was="IN" + text, label="label" + text, changed=True, detail=text),
                    item(JOB_B, "status" + text, label=text, seconds=3))
    out = lines(progress, "host" + text, 5) + lines(jobs(progress["items"][1]), "host" + text, 5, heartbeat=True)
    instance = dict(kind="instance", items=[item(INSTANCE, "x" + text, label=text, detail="task" + text, seconds=1)])
    out += lines(instance, text, 5, heartbeat=True)
    assert len(out) == 3
    for line in out:
        assert all(char.isprintable() for char in line), repr(line)
        assert "\x1b" not in line and "\n" not in line and "\r" not in line


def test_long_texts_are_cut():
    label, status = "L" * 500, "S" * 500
    progress = jobs(item(JOB_A, status, was="W" * 500, label=label, changed=True))
    (line,) = lines(progress, "h" * 500, 5)
    for char in "LSWh":
        assert char * MAX_TEXT + "...(500 characters in all)" in line and char * (MAX_TEXT + 1) not in line
    assert len(line) < 7 * MAX_TEXT


@pytest.mark.parametrize("progress", [
    None, {}, [], "progress", 42,
    {"kind": "job"},
    {"kind": "job", "items": []},
    {"kind": "job", "items": None},
    {"kind": None, "items": [item(JOB_A, "RUNNING", changed=True)]},
    {"kind": "disk", "items": [item(JOB_A, "RUNNING", changed=True)]},
    {"items": [item(JOB_A, "RUNNING", changed=True)]},
    {"kind": "job", "items": "abc"},
    {"kind": "job", "items": {"id": JOB_A}},
    {"kind": "job", "items": [None]},
    {"kind": "job", "items": ["text", item(JOB_A, "RUNNING", changed=True)]},
    {"kind": "job", "items": [{}]},
    {"kind": "job", "items": [{"status": "RUNNING", "changed": True}]},
], ids=["none", "empty", "list", "text", "number", "no-items", "no-item", "items-none", "no-kind", "unknown-kind",
        "kind-missing", "items-text", "items-dict", "item-none", "item-text", "item-empty", "item-without-id"])
def test_bad_progress_shapes_give_no_line(progress):
    assert lines(progress, "db1", 10, heartbeat=True) == []
    assert lines(progress, "db1", 10, no_log=True, heartbeat=True) == []


def test_an_item_without_optional_fields_still_gives_a_line():
    assert lines(jobs({"id": JOB_A, "changed": True, "status": "INIT"}), "db1", 1) == [
        "hwc.dcs [db1]: job %s is INIT; 0 of 1 job finished, 1s elapsed" % JOB_A]
    assert lines(jobs({"id": JOB_A}), "db1", 1, heartbeat=True) == [
        "hwc.dcs [db1]: job %s no answer yet; 0 of 1 job finished, 1s elapsed" % JOB_A]
