# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Query DCS jobs and wait for them: the one way every hwc.dcs module waits on a job.

Private to this collection: this interface may change without notice.

``query_jobs()`` polls the jobs with the waiter, turns what it saw into result entries, and
raises ``WaitTimeoutError`` or ``JobsFailedError`` (with the entries) as the wait options ask.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError, DcsError, JobsFailedError, WaitTimeoutError
from ansible_collections.hwc.dcs.plugins.module_utils._jobs import (
    blank_job,
    check_job_answer,
    describe_pending,
    failure_message,
    is_failed,
    is_finished,
    job_entry,
    normalize_job,
)
from ansible_collections.hwc.dcs.plugins.module_utils._text import plural
from ansible_collections.hwc.dcs.plugins.module_utils._waiter import Waiter

POLL_LABEL = "poll"


def fetch_job(task, job_id, deadline, max_retries):
    """One job's state (the six API fields) from ``GET /v2/{project_id}/jobs/{job_id}``."""
    project_id = task.project.get(deadline)
    url = task.dcs_url(project_id, "jobs", job_id)
    try:
        body = task.client.request("GET", url, project_id=project_id, deadline=deadline, max_retries=max_retries,
                                   validate=check_job_answer(job_id), label=POLL_LABEL)
    except ApiError as error:
        if error.status_code == 404 and not (error.error_code or "").startswith("APIGW"):
            settings = task.settings
            raise error.derive(message="Job %s was not found in project %s (region %s, endpoint %s). %s" % (
                job_id, project_id, settings.region or "not set", settings.endpoint, error.message)) from error
        raise
    return normalize_job(body)


def query_jobs(task, job_ids, options):
    """Entries for ``job_ids`` in the asked order, after one poll or, with ``options.wait``, a wait."""
    deadline = task.wait_deadline(options)
    task.project.get(deadline)  # discover once, before the polls fan out
    # A single query retries up to api_retries times. While waiting, a transiently failed poll is
    # not retried on the spot (that would hold up the round): it does not count, the next round
    # polls the job again, and the deadline bounds everything.
    max_retries = 0 if options.wait else task.settings.api_retries

    def fetch(job_id, job_deadline):
        return fetch_job(task, job_id, job_deadline, max_retries)

    waiter = Waiter(fetch, is_finished, log=task.client.log, clock=task.clock, sleep=task.sleep, now=task.now)
    outcome = waiter.run(job_ids, deadline, wait=options.wait, interval=options.sleep, slicer=task.slicer, kind="job")
    entries = [job_entry(t.state or blank_job(t.key), t.history if options.wait else None) for t in outcome.tracked]
    unanswered = [t for t in outcome.pending if not t.answered]
    if options.wait and outcome.pending or unanswered:
        elapsed = task.elapsed()
        pending = outcome.pending if options.wait else unanswered
        raise WaitTimeoutError(
            "Timed out after %d seconds (wait_timeout=%s) waiting for %d of %s: %s."
            % (round(elapsed), options.timeout, len(pending), plural(len(entries), "job"),
               "; ".join(describe_pending(t) for t in pending)),
            jobs=entries, unfinished=[t.key for t in pending])
    if options.fail_on_failure and any(is_failed(e) for e in entries):
        raise JobsFailedError(failure_message(entries), jobs=entries)
    return entries


def follow_job(task, job_id, options, **extras):
    """The entry of the job an operation started, after one query or the wait. A failure carries the
    job (``job``) and the operation's ``extras``, so that the failed task still says what it changed."""
    try:
        return query_jobs(task, [job_id], options)[0]
    except DcsError as error:
        jobs = error.extras.get("jobs")
        raise error.derive(job=jobs[0] if jobs else None, **extras) from error
