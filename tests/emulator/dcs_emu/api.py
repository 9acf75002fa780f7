# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulated API: the route table ``ROUTES`` and one handler per endpoint.

Adding an endpoint is one ``Route(method, pattern, handler, name)`` line in ``ROUTES`` and one
``handler(emulator, request) -> Reply``. Every route runs behind the same gateway steps (404 for no
route, scripted faults, latency, authentication); a route whose pattern has ``{project_id}`` is a
project-scoped DCS call and also gets the gateway's X-Project-Id check (403) before its handler.
"""

from __future__ import annotations

import re
import time
from typing import Any, Dict, Optional

from .routing import Reply, Request, Route, dcs_error, gateway_error

TERMINAL = ("SUCCESS", "FAIL")
DEFAULT_DOMAIN = "d0000000000000000000000000000001"
UNKNOWN_JOB = {"status": 404, "error_code": "DCS.4404", "error_msg": "The job does not exist."}
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")


def project_denied(emulator: Any, request: Request) -> Optional[Reply]:
    """The gateway's 403 when X-Project-Id is missing, is not the path's project or names an unknown project."""
    if not emulator.config.get("require_project_header", True):
        return None
    project_id = request.params["project_id"]
    known_projects = {p.get("id") for p in emulator.config.get("projects") or []}
    header_project = request.headers.get("x-project-id")
    if header_project is None or header_project.strip() != project_id or project_id not in known_projects:
        return gateway_error(403, "APIGW.0302", "The IAM user is not authorized to access the API.", request.request_id)
    return None


# ---- DCS jobs -----------------------------------------------------------------------------------

def show_job(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/jobs/{job_id}: the job's status from its lifecycle."""
    project_id, job_id = request.params["project_id"], request.params["job_id"]
    if not _JOB_ID.match(job_id):
        return dcs_error(400, "DCS.4070", "Invalid task ID format.")
    job = emulator.config.get("jobs", {}).get(job_id)
    if job is None or (job.get("project_id") not in (None, project_id)):
        spec = emulator.config.get("unknown_job") or UNKNOWN_JOB
        return dcs_error(int(spec.get("status", 404)), spec.get("error_code", "DCS.4404"),
                         spec.get("error_msg", "The job does not exist."))
    return Reply(200, job_body(job_id, job, *emulator.first_query(job_id)))


def job_body(job_id: str, job: Dict[str, Any], first_mono: float, first_epoch: float) -> Dict[str, Any]:
    """The job as DCS shows it, ``time.monotonic() - first_mono`` seconds into its lifecycle."""
    elapsed = time.monotonic() - first_mono
    lifecycle = job.get("lifecycle") or [[0, "SUCCESS"]]
    lifecycle = sorted(([float(t), s] for t, s in lifecycle), key=lambda item: item[0])
    status = lifecycle[0][1]
    terminal_at = None
    for offset, state in lifecycle:
        if offset > elapsed:
            break
        status = state
        if state in TERMINAL and terminal_at is None:
            terminal_at = offset
    if status not in TERMINAL:
        terminal_at = None
    elif terminal_at is None:  # terminal from the very first entry, before its offset
        terminal_at = 0.0
    body: Dict[str, Any] = {
        "job_id": job_id,
        "job_type": job.get("job_type", "masterStandbySwapJob"),
        "status": status,
        "begin_time": str(int(first_epoch * 1000)),
        "end_time": None if terminal_at is None else str(int((first_epoch + terminal_at) * 1000)),
        "fail_reason": job.get("fail_reason") if status == "FAIL" else None,
    }
    body.update(job.get("extra") or {})
    for field in job.get("omit") or []:
        body.pop(field, None)
    return body


# ---- IAM ----------------------------------------------------------------------------------------

def list_projects(emulator: Any, request: Request) -> Reply:
    """GET /v3/projects[?name=X]: the configured projects (all entries whose name is X)."""
    names = request.query_values("name")
    wanted = names[-1] if names else None
    projects = []
    for project in emulator.config.get("projects") or []:
        if wanted is not None and project.get("name") != wanted:
            continue
        domain = project.get("domain_id", DEFAULT_DOMAIN)
        projects.append({
            "id": project["id"],
            "name": project.get("name"),
            "domain_id": domain,
            "parent_id": project.get("parent_id", domain),
            "description": project.get("description", ""),
            "enabled": project.get("enabled", True),
            "is_domain": False,
            "links": {"self": "https://iam.myhuaweicloud.com/v3/projects/%s" % project["id"]},
        })
    self_link = "https://iam.myhuaweicloud.com/v3/projects"
    if request.query:
        self_link += "?" + request.query
    return Reply(200, {"projects": projects, "links": {"self": self_link, "previous": None, "next": None}},
                 headers={"X-IAM-Trace-Id": request.request_id})


ROUTES = (
    Route("GET", "/v2/{project_id}/jobs/{job_id}", show_job, name="job"),
    Route("GET", "/v3/projects", list_projects, name="projects"),
)
