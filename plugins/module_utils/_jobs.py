# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DCS jobs: the job model, the bounded concurrent poller and the waiter.

Private to this collection: this interface may change without notice.

``JobWaiter`` polls every asked job at once (first round immediately), then only the
unfinished ones every ``wait_sleep`` seconds, never sleeping past its deadline.
Clock, sleep and wall clock are injectable so that tests run in milliseconds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwc.dcs.plugins.module_utils._client import Deadline, utcnow
from ansible_collections.hwc.dcs.plugins.module_utils._errors import (
    DcsError,
    JobsFailedError,
    WaitTimeoutError,
)

TERMINAL_STATUSES = ("SUCCESS", "FAIL")
API_FIELDS = ("job_id", "job_type", "status", "begin_time", "end_time", "fail_reason")
MAX_IN_FLIGHT = 50


def _text(value):
    """The API documents every field as a string or null; accept numbers, keep strings."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        return value
    return str(value)


def validate_job_body(body):
    """Raise ValueError unless a 200 body looks like a job (job_id and status present)."""
    for field in ("job_id", "status"):
        if body.get(field) in (None, ""):
            raise ValueError("the answer has no %s" % field)


def normalize_job(body):
    """The API's six fields, as strings or None; extra fields are dropped."""
    return dict((field, _text(body.get(field))) for field in API_FIELDS)


def _millis_to_datetime(value):
    try:
        millis = int(float(value))
        return datetime.datetime.fromtimestamp(millis / 1000.0, tz=datetime.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def iso(moment):
    """UTC ISO 8601 with milliseconds and a Z, or None."""
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def job_entry(raw, history=None):
    """A result entry: the six API fields plus finished, ISO times, duration and history."""
    entry = dict(raw)
    begin = _millis_to_datetime(raw.get("begin_time"))
    end = _millis_to_datetime(raw.get("end_time"))
    entry["finished"] = raw.get("status") in TERMINAL_STATUSES
    entry["begin_time_iso"] = iso(begin)
    entry["end_time_iso"] = iso(end)
    entry["duration_seconds"] = round((end - begin).total_seconds(), 3) if begin and end else None
    if history is not None:
        entry["status_history"] = [dict(status=status, seen_at=iso(seen)) for status, seen in history]
    return entry


def is_failed(raw):
    return raw.get("status") == "FAIL" or bool(raw.get("fail_reason"))


class PollMissed(Exception):
    """Raised by a fetch whose poll failed transiently: the poll did not count, the wait goes on."""

    def __init__(self, error):
        super(PollMissed, self).__init__(error.message)
        self.error = error


class _Tracked:
    def __init__(self, job_id):
        self.job_id = job_id
        self.raw = dict((field, None) for field in API_FIELDS)
        self.raw["job_id"] = job_id
        self.answered = False
        self.last_error = None
        self.history = []

    def update(self, raw, seen_at):
        self.raw = raw
        self.answered = True
        self.last_error = None
        status = raw.get("status")
        if status not in [s for s, _seen in self.history]:
            self.history.append((status, seen_at))

    @property
    def finished(self):
        return self.raw.get("status") in TERMINAL_STATUSES


def _describe_pending(tracked):
    if tracked.answered:
        text = "%s (%s) last status %s" % (tracked.job_id, tracked.raw.get("job_type") or "unknown type",
                                           tracked.raw.get("status"))
    else:
        text = "%s (no answer yet)" % tracked.job_id
    if tracked.last_error:
        text += ", last poll failed: %s" % tracked.last_error
    return text


class JobWaiter:
    """Poll jobs until they are terminal (or once, without ``wait``).

    ``fetch(job_id, deadline)`` returns the job's API body (a dict) or raises a DcsError.
    """

    def __init__(self, fetch, clock=time.monotonic, sleep=time.sleep, now=utcnow, max_in_flight=MAX_IN_FLIGHT):
        self.fetch = fetch
        self.clock = clock
        self.sleep = sleep
        self.now = now
        self.max_in_flight = max_in_flight

    def run(self, job_ids, wait=False, wait_timeout=1800, wait_sleep=5.0, deadline=None):
        """Return (entries in the asked order, elapsed seconds). Raises WaitTimeoutError or a DcsError."""
        start = self.clock()
        deadline = deadline or Deadline(wait_timeout, self.clock)
        tracked = [_Tracked(job_id) for job_id in job_ids]
        pending = list(tracked)
        with ThreadPoolExecutor(max_workers=max(1, min(self.max_in_flight, len(tracked)))) as pool:
            while True:
                self._poll_round(pool, pending, deadline)
                pending = [t for t in pending if not t.finished]
                if not wait or not pending:
                    break
                left = deadline.remaining()
                if left <= 0:
                    entries = self._entries(tracked, wait)
                    elapsed = self.clock() - start
                    raise WaitTimeoutError(
                        "Timed out after %d seconds (wait_timeout=%s) waiting for %d of %d jobs: %s."
                        % (round(elapsed), wait_timeout, len(pending), len(tracked),
                           "; ".join(_describe_pending(t) for t in pending)),
                        jobs=entries, elapsed=round(elapsed, 3), unfinished=[t.job_id for t in pending])
                # Never sleep past the deadline: the last round polls at the deadline itself.
                self.sleep(min(wait_sleep, left))
        return self._entries(tracked, wait), self.clock() - start

    def _poll_round(self, pool, pending, deadline):
        futures = [(t, pool.submit(self.fetch, t.job_id, deadline)) for t in pending]
        first_error = None
        for tracked, future in futures:
            try:
                raw = normalize_job(future.result())
            except PollMissed as missed:
                tracked.last_error = missed.error.message
                continue
            except DcsError as error:
                # Let the other polls of the round finish, then report the first error.
                first_error = first_error or error
                continue
            tracked.update(raw, self.now())
        if first_error is not None:
            raise first_error

    @staticmethod
    def _entries(tracked, wait):
        return [job_entry(t.raw, t.history if wait else None) for t in tracked]


def failure_message(entries):
    failed = [e for e in entries if is_failed(e)]
    return "%d of %d job%s failed: %s." % (
        len(failed), len(entries), "" if len(entries) == 1 else "s",
        "; ".join("job %s (%s) ended %s: %s" % (e["job_id"], e.get("job_type") or "unknown type", e.get("status"),
                                                (e.get("fail_reason") or "no fail_reason given").rstrip(". "))
                  for e in failed))


def query_jobs(client, job_ids, wait=False, wait_timeout=1800, wait_sleep=5.0, fail_on_job_failure=True,
               clock=time.monotonic, sleep=time.sleep):
    """Query (and optionally wait on) DCS jobs. Returns (entries in the asked order, elapsed seconds).

    Raises ``JobsFailedError`` (with the entries) when a job failed and
    ``fail_on_job_failure`` is set, ``WaitTimeoutError`` on timeout, or the client's errors.
    """
    deadline = Deadline(wait_timeout, clock)
    client.discover_project_id(deadline=deadline, max_retries=client.settings.api_retries)
    # A single query retries up to api_retries times. While waiting, a transiently failed poll
    # is not retried on the spot (that would hold up the round): it just does not count, the
    # next round polls the job again, and the deadline bounds everything.
    max_retries = 0 if wait else client.settings.api_retries

    def fetch(job_id, job_deadline):
        try:
            return client.request("GET", client.dcs_url("jobs", job_id), deadline=job_deadline,
                                  max_retries=max_retries, validate=validate_job_body, label="job")
        except DcsError as error:
            if getattr(error, "status_code", None) == 404 and not (error.error_code or "").startswith("APIGW"):
                error.message = "Job %s was not found in project %s (region %s, endpoint %s). %s" % (
                    job_id, client.project_id, client.settings.region or "not set", client.settings.endpoint,
                    error.message)
            if wait and error.retry_reason:
                client.log.retried(error.retry_reason)
                raise PollMissed(error)
            raise

    waiter = JobWaiter(fetch, clock=clock, sleep=sleep, now=client.now)
    entries, elapsed = waiter.run(job_ids, wait=wait, wait_timeout=wait_timeout, wait_sleep=wait_sleep,
                                  deadline=deadline)
    if fail_on_job_failure and any(is_failed(e) for e in entries):
        raise JobsFailedError(failure_message(entries), jobs=entries, elapsed=round(elapsed, 3))
    return entries, elapsed
