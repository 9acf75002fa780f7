# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A fake DCS job API for ScriptedServer: each job answers from its plan, one step per poll.

``JobPlans(done=[("SUCCESS", None)], slow=[("RUNNING", None), ("SUCCESS", None)])`` is a ``default``
for ScriptedServer: GET /v2/{project}/jobs/{id} answers the job's next (status, fail_reason) step
(the last one repeats), an unknown job gets DCS's 404 and any other path the gateway's 404. Use
the DCS emulator instead when lifecycles in real time, signatures or faults matter.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.tests.support.http_server import Answer, not_found

TERMINAL = ("SUCCESS", "FAIL")
BEGIN_TIME = "1684191545379"
END_TIME = "1684191548248"


def job_body(job_id, status, fail_reason=None, job_type="masterStandbySwapJob"):
    """The 200 body of a job query, with fixed begin and end times (end_time only once finished)."""
    return {"job_id": job_id, "job_type": job_type, "status": status, "begin_time": BEGIN_TIME,
            "end_time": END_TIME if status in TERMINAL else None, "fail_reason": fail_reason}


class JobPlans:
    """Answers job queries from per-job plans; ``polls`` counts the queries of each job."""

    def __init__(self, **plans):
        self.plans = plans
        self.polls = {}

    def __call__(self, request):
        parts = request.path.split("?")[0].split("/")
        if request.method != "GET" or len(parts) != 5 or parts[1] != "v2" or parts[3] != "jobs":
            return not_found(request)
        job_id = parts[4]
        if job_id not in self.plans:
            return Answer(404, {"error_code": "DCS.4404", "error_msg": "Job not found", "error_ext_msg": None})
        count = self.polls.get(job_id, 0)
        self.polls[job_id] = count + 1
        plan = self.plans[job_id]
        status, reason = plan[min(count, len(plan) - 1)]
        return Answer(200, job_body(job_id, status, reason))
