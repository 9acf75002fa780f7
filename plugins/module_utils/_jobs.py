# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DCS jobs: the job resource (``GET /v2/{project_id}/jobs/{job_id}``) and its result entry.

Private to this collection: this interface may change without notice.

The answer is checked, not trusted: it must be the job that was asked for, every field must be a
string or a number (kept as a string, cleaned and cut), and ``fail_reason`` counts only as a
non-blank string.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import math

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clause, clean
from ansible_collections.hwc.dcs.plugins.module_utils._validation import check_id

TERMINAL_STATUSES = ("SUCCESS", "FAIL")
API_FIELDS = ("job_id", "job_type", "status", "begin_time", "end_time", "fail_reason")
MAX_MILLIS = 253402300799999  # 9999-12-31T23:59:59.999Z, the last moment a datetime can hold


def _text(value, field):
    """A field as the API documents it: a string (numbers accepted and kept as written) or None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return clean(str(value))
    if isinstance(value, float):
        return clean(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        return clean(value)
    raise ValueError("%s is a JSON %s, not a string" % (field, "object" if isinstance(value, dict) else "array"))


def check_job_answer(job_id):
    """A validator for the 200 answer to a query for ``job_id``: raises ValueError when it is not that job."""
    def validate(body):
        for field in ("job_id", "status"):
            if body.get(field) in (None, ""):
                raise ValueError("the answer has no %s" % field)
        answered = _text(body.get("job_id"), "job_id")
        if answered != job_id:
            raise ValueError("the API answered for job %s instead of job %s" % (clean(answered, 80), job_id))
        for field in API_FIELDS[:-1]:  # fail_reason is never fatal: see normalize_job()
            _text(body.get(field), field)
    return validate


def check_job_started(body):
    """A validator for the 2xx answer to an operation that starts a job: it must carry a usable ``job_id``.

    Raises ValueError otherwise, so that the client reports an unusable answer: for a request that
    changed something, that is an ambiguous outcome, which the module recovers from without resending.
    """
    try:
        check_id(body.get("job_id"), "job_id")
    except ValidationError:
        raise ValueError("the answer has no usable job_id") from None


def normalize_job(body):
    """The API's six fields, as clean strings or None; extra fields are dropped.

    ``fail_reason`` counts only as a non-blank string: ``false``, ``0``, ``{}``, ``[]`` or blanks from
    a server that fills every field mean "no reason", never a failure of a SUCCESS job.
    """
    job = dict((field, _text(body.get(field), field)) for field in API_FIELDS[:-1])
    reason = body.get("fail_reason")
    job["fail_reason"] = (clean(reason) or None) if isinstance(reason, str) else None
    return job


def blank_job(job_id):
    """The entry of a job that never answered."""
    job = dict((field, None) for field in API_FIELDS)
    job["job_id"] = job_id
    return job


def _millis_to_datetime(value):
    try:
        millis = int(value) if str(value).lstrip("-").isdigit() else int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 <= millis <= MAX_MILLIS:
        return None
    return datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(milliseconds=millis)


def iso(moment):
    """UTC ISO 8601 with milliseconds and a Z, or None."""
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def is_finished(job):
    return job.get("status") in TERMINAL_STATUSES


def is_failed(job):
    """FAIL, or any other status with a non-blank fail_reason."""
    return job.get("status") == "FAIL" or bool(job.get("fail_reason"))


def job_entry(job, history=None):
    """A result entry: the six API fields plus finished, ISO times, duration and (when waiting) history."""
    entry = dict(job)
    begin = _millis_to_datetime(job.get("begin_time"))
    end = _millis_to_datetime(job.get("end_time"))
    entry["finished"] = is_finished(job)
    entry["begin_time_iso"] = iso(begin)
    entry["end_time_iso"] = iso(end)
    entry["duration_seconds"] = round((end - begin).total_seconds(), 3) if begin and end and end >= begin else None
    if history is not None:
        entry["status_history"] = [dict(status=status, seen_at=iso(seen)) for status, seen in history]
    return entry


def describe_pending(tracked):
    """One unfinished job (a ``_waiter.Tracked``) in a timeout message."""
    job = tracked.state
    if job is not None:
        text = "%s (%s) last status %s" % (tracked.key, job.get("job_type") or "unknown type", job.get("status"))
    else:
        text = "%s (no answer yet)" % tracked.key
    return text + tracked.failure_note


def failure_message(entries):
    """'1 of 2 jobs failed: job X (type) ended FAIL: reason.'"""
    failed = [e for e in entries if is_failed(e)]
    return "%d of %d job%s failed: %s." % (
        len(failed), len(entries), "" if len(entries) == 1 else "s",
        "; ".join("job %s (%s) ended %s: %s" % (e["job_id"], e.get("job_type") or "unknown type", e.get("status"),
                                                clause(e.get("fail_reason") or "no fail_reason given"))
                  for e in failed))
