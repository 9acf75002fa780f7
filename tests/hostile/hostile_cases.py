# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cases of the hostile-server suite, their bounds and the checks every outcome must pass.

Each case is one mode of ``hostile_server`` driven through one ``ansible-playbook`` run. ``check()``
returns the list of problems of an outcome (empty: the case passed), so that a failing case says
everything that is wrong with it at once.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hostile_server
from hostile_runner import JOB_ID, NETRC_PASSWORD, PROJECT, SECRET_KEY

API_TIMEOUT = 2.0
API_RETRIES = 1
WAIT_TIMEOUT = 5
WAIT_SLEEP = 0.5

# The module's backoff before retry n (0-based) is at most min(CAP, BASE * 2**n) (full jitter).
BACKOFF_BASE = 0.5
BACKOFF_CAP = 20.0

# Margins (README.md): on top of the module's own bound, the measured startup of ansible-playbook
# (a run of the same play with the module skipped) plus STARTUP_MARGIN seconds for the module's own
# process start (interpreter, AnsiballZ, imports) and a loaded 2-core machine.
STARTUP_MARGIN = 3.0
# Peak RSS bound: the peak of the normal case plus MEMORY_MARGIN_MB (a 1 MiB answer, decoded and parsed,
# needs a few MB; the unbounded module needed GBs).
MEMORY_MARGIN_MB = 64.0
# A hard stop for a run: its bound plus this; the launcher kills the run's process group then.
KILL_AFTER = 10.0
# A run whose process grows past this is killed at once (a gzip bomb must not exhaust the machine).
RSS_CAP_MB = 1024

SERVER_TEXT_LIMIT = 500   # server text in a message or result is cut to this (plus a length note)
MSG_LIMIT = 3000          # a whole message, a few server texts included, stays well under this
FORBIDDEN_OUTPUT = ("Traceback", "MODULE FAILURE", "Module failed", SECRET_KEY, NETRC_PASSWORD, "\x1b")
# ansible-core 2.19 and later print every failed module's msg as "[ERROR]: Task failed: Module failed: <msg>".
# That framing is Ansible's own and is not counted; an unhandled exception also puts "Module failed" (or
# "MODULE FAILURE", or a traceback) into the task's result, which is checked as well.
ANSIBLE_FRAMING = "Task failed: Module failed: "

TIME_BUDGET = ("did not complete within",)
BYTE_LIMIT = ("byte limit",)
DROPPED = ("connection dropped", "broken")


class Case:
    def __init__(self, name, mode, expect="fail", wait=False, match=(), api_retries=API_RETRIES, netrc=False,
                 iam=False, extra=None):
        self.name = name
        self.mode = mode
        self.expect = expect
        self.wait = wait
        self.match = match          # groups of alternatives: each group must match one of its substrings
        self.api_timeout = API_TIMEOUT
        self.api_retries = api_retries
        self.wait_timeout = WAIT_TIMEOUT
        self.wait_sleep = WAIT_SLEEP
        self.netrc = netrc
        self.iam = iam
        self.extra = extra

    def budget(self):
        """The module's own bound on the task's time, from the issue's target behaviour."""
        if self.wait:
            return self.wait_timeout + self.api_timeout + 1.0
        backoff = sum(min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt) for attempt in range(self.api_retries))
        return (self.api_retries + 1) * self.api_timeout + backoff


# -- checks specific to some cases --

def _clean_text(name, value, problems):
    if value is None:
        return
    if not isinstance(value, str):
        problems.append("%s is a %s, not a string" % (name, type(value).__name__))
        return
    for char, label in (("\x1b", "ESC"), ("\r", "CR"), ("\n", "LF")):
        if char in value:
            problems.append("%s contains %s" % (name, label))
    if len(value) > SERVER_TEXT_LIMIT + 50:
        problems.append("%s is %d characters long (limit %d plus a length note)" % (name, len(value), SERVER_TEXT_LIMIT))


def _job(outcome):
    job = outcome.result.get("job")
    return job if isinstance(job, dict) else {}


def check_server_text(outcome, problems):
    for char, label in (("\x1b", "ESC"), ("\r", "CR"), ("\n", "LF")):
        if char in outcome.msg:
            problems.append("msg contains %s" % label)
    _clean_text("error_msg", outcome.result.get("error_msg"), problems)
    _clean_text("job.fail_reason", _job(outcome).get("fail_reason"), problems)
    for index, job in enumerate(outcome.result.get("jobs") or []):
        if isinstance(job, dict):
            _clean_text("jobs[%d].fail_reason" % index, job.get("fail_reason"), problems)


def check_retried(outcome, problems):
    """A mid-body fault is transient: retried api_retries times (api_retries + 1 requests in all)."""
    expected = outcome.case.api_retries + 1
    if len(outcome.requests) != expected:
        problems.append("the server saw %d requests; a transient fault retried %d times makes %d"
                        % (len(outcome.requests), outcome.case.api_retries, expected))


def check_recovered(outcome, problems):
    if len(outcome.requests) != hostile_server.RESET_FIRST + 1:
        problems.append("the server saw %d requests, expected %d resets then one good answer"
                        % (len(outcome.requests), hostile_server.RESET_FIRST))
    if outcome.result.get("retries") != hostile_server.RESET_FIRST:
        problems.append("result retries is %r, expected %d" % (outcome.result.get("retries"), hostile_server.RESET_FIRST))


def check_huge_numbers(outcome, problems):
    job = _job(outcome)
    if job.get("begin_time") != str(hostile_server.HUGE_NUMBER):
        problems.append(("job.begin_time is %r, expected the 400-digit number kept as a string" % (job.get("begin_time"),))[:300])
    duration = job.get("duration_seconds")
    if duration is not None and (not isinstance(duration, (int, float)) or duration < 0):
        problems.append("job.duration_seconds is %r, expected null or >= 0" % (duration,))
    for key in ("begin_time_iso", "end_time_iso"):
        if job.get(key) is not None and not isinstance(job.get(key), str):
            problems.append("job.%s is a %s" % (key, type(job.get(key)).__name__))


def check_signed_only(outcome, problems):
    for request in outcome.requests:
        if not request["authorization"].startswith(hostile_server.SIGNATURE_PREFIX):
            problems.append("a request carried Authorization %r instead of the signature" % request["authorization"][:30])


def check_not_retried_401(outcome, problems):
    """A Date 8000 years away is outside the skew-correction window: no corrected second attempt."""
    if len(outcome.requests) != 1:
        problems.append("the server saw %d requests; a skew beyond the correction window is not retried"
                        % len(outcome.requests))


def check_asked_iam(outcome, problems):
    if not any(request["path"].startswith("/v3/projects") for request in outcome.requests):
        problems.append("the IAM projects endpoint was never asked")


CASES = [
    Case("normal", "normal", expect="ok"),
    Case("trickle_wait", "trickle", wait=True, match=(TIME_BUDGET,)),
    Case("trickle_nowait", "trickle", match=(TIME_BUDGET,)),
    Case("endless_body_wait", "endless_body", wait=True, match=(TIME_BUDGET,)),
    Case("endless_body_nowait", "endless_body", match=(TIME_BUDGET,)),
    Case("endless_headers_wait", "endless_headers", wait=True, match=(TIME_BUDGET,)),
    Case("endless_headers_nowait", "endless_headers", match=(TIME_BUDGET,)),
    Case("gzip_bomb", "gzip_bomb", match=(BYTE_LIMIT,)),
    Case("huge_body", "huge_body", match=(BYTE_LIMIT,)),
    Case("huge_error", "huge_error", match=(BYTE_LIMIT,), extra=check_server_text),
    Case("long_error_msg", "long_error", match=(("DCS.4070",),), extra=check_server_text),
    Case("reset_mid_body", "reset", match=(DROPPED,), extra=check_retried),
    Case("reset_then_good", "reset_then_good", expect="ok", api_retries=hostile_server.RESET_FIRST, extra=check_recovered),
    Case("broken_gzip", "broken_gzip", match=(DROPPED,), extra=check_retried),
    Case("deep_json", "deep_json", match=(("unusable body",),)),
    Case("huge_numbers", "huge_numbers", expect="ok", extra=check_huge_numbers),
    Case("absurd_date", "absurd_date", match=(("clock",),), extra=check_not_retried_401),
    Case("wrong_job_id", "wrong_job_id", match=(("answered for job",),)),
    Case("ansi_fail_reason", "ansi_fail_reason", match=(("disk full",),), extra=check_server_text),
    Case("ansi_error_msg", "ansi_error_msg", match=(("disk full",),), extra=check_server_text),
    Case("netrc_present", "netrc", expect="ok", netrc=True, extra=check_signed_only),
    Case("slow_iam_wait", "slow_iam", wait=True, iam=True, match=(TIME_BUDGET,), extra=check_asked_iam),
    Case("slow_iam_nowait", "slow_iam", iam=True, match=(TIME_BUDGET,), extra=check_asked_iam),
]
BY_NAME = dict((case.name, case) for case in CASES)
STARTUP = Case("startup", None, expect="skip")


def _check_expected(outcome, problems):
    case = outcome.case
    if outcome.record is None:
        problems.append("no result of the module task was recorded (rc %s)" % outcome.status)
        return
    if case.expect == "ok":
        if outcome.record["outcome"] != "ok" or outcome.status != 0:
            problems.append("expected success, got %s (rc %s): %s" % (outcome.record["outcome"], outcome.status, outcome.msg[:300]))
        job = _job(outcome)
        if job.get("job_id") != JOB_ID or job.get("status") != "SUCCESS":
            problems.append("expected job %s in SUCCESS, got %r / %r" % (JOB_ID, job.get("job_id"), job.get("status")))
        return
    if outcome.record["outcome"] != "failed" or outcome.status != 2:
        problems.append("expected a failed task (rc 2), got %s (rc %s)" % (outcome.record["outcome"], outcome.status))
    lowered = outcome.msg.lower()
    for group in case.match:
        if not any(text.lower() in lowered for text in group):
            problems.append("msg does not contain %s: %r" % (" or ".join(repr(text) for text in group), outcome.msg[:300]))
    if len(outcome.msg) > MSG_LIMIT:
        problems.append("msg is %d characters long (limit %d)" % (len(outcome.msg), MSG_LIMIT))


def _check_output(outcome, problems):
    screen = outcome.output.replace(ANSIBLE_FRAMING, "")
    for text in FORBIDDEN_OUTPUT:
        label = "the secret key" if text == SECRET_KEY else "the netrc password" if text == NETRC_PASSWORD else repr(text)
        if text in screen:
            problems.append("the output contains %s" % label)
        if outcome.record is not None and text in repr(outcome.record):
            problems.append("the module's result contains %s" % label)
    recaps = [line for line in outcome.output.splitlines() if line.lstrip().startswith("PLAY RECAP")]
    if len(recaps) != 1:
        problems.append("the output has %d lines starting with PLAY RECAP (Ansible's own: 1)" % len(recaps))


def _check_exercised(outcome, problems):
    if outcome.server_errors:
        problems.append("the test server failed: %s" % "; ".join(outcome.server_errors)[:300])
    wanted = "/v3/projects" if outcome.case.iam else "/v2/%s/jobs/%s" % (PROJECT, JOB_ID)
    if not any(request["path"].startswith(wanted) for request in outcome.requests):
        problems.append("the server never saw a request for %s (%d requests)" % (wanted, len(outcome.requests)))


def check(outcome):
    """Every problem of ``outcome`` (``outcome.bound`` and ``outcome.rss_bound_mb`` set by the caller)."""
    problems = []
    if outcome.killed:
        problems.append("the run was killed (%s) after %.1f s" % (outcome.killed, outcome.wall))
    if outcome.wall > outcome.bound:
        problems.append("took %.1f s, bound %.1f s" % (outcome.wall, outcome.bound))
    if outcome.rss_mb > outcome.rss_bound_mb:
        problems.append("peak RSS %.0f MB, bound %.0f MB" % (outcome.rss_mb, outcome.rss_bound_mb))
    _check_expected(outcome, problems)
    _check_output(outcome, problems)
    _check_exercised(outcome, problems)
    if outcome.case.extra is not None:
        outcome.case.extra(outcome, problems)
    return problems
