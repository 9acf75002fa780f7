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

import json
import re
import time
from typing import Any, Dict, List, Optional, Tuple

from . import instances as model
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


# ---- DCS instances (dcs_emu/instances.py holds the model) -------------------------------------

def _error(status: int, code: Tuple[str, str], detail: Optional[str] = None) -> Reply:
    return dcs_error(status, code[0], code[1] if detail is None else "%s %s" % (code[1], detail))


def _paging(request: Request, default_limit: int) -> Tuple[Optional[Tuple[int, int]], Optional[Reply]]:
    """(offset, limit) from the query, or a 400 DCS.4608 for values that are not integers in range."""
    values = []
    for name, default, low, high in (("offset", 0, 0, None), ("limit", default_limit, 1, 1000)):
        raw = request.query_values(name)
        try:
            value = int(raw[-1]) if raw else default
        except ValueError:
            return None, _error(400, model.BAD_QUERY, "%s must be an integer." % name)
        if value < low or (high is not None and value > high):
            return None, _error(400, model.BAD_QUERY, "%s is out of range." % name)
        values.append(value)
    return (values[0], values[1]), None


def _instance(emulator: Any, request: Request) -> Tuple[Optional[model.InstanceState], Optional[Reply]]:
    state = emulator.store.get(request.params["instance_id"], request.params["project_id"])
    if state is None:
        return None, _error(404, model.NO_INSTANCE)
    return state, None


def list_instances(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instances: filters name (substring), name_equal, status, instance_id; offset/limit."""
    paging, error = _paging(request, 10)
    if error is not None:
        return error
    offset, limit = paging or (0, 10)
    filters = {key: request.query_values(key)[-1] for key in ("name", "name_equal", "status", "instance_id")
               if request.query_values(key) and request.query_values(key)[-1] != ""}
    with emulator.lock:
        found = []
        for state in emulator.store.visible(request.params["project_id"]):
            item = state.list_body()
            if "name" in filters and filters["name"] not in (item["name"] or ""):
                continue
            exact = (("name", "name_equal"), ("status", "status"), ("instance_id", "instance_id"))
            if any(key in filters and item[field] != filters[key] for field, key in exact):
                continue
            found.append(item)
    return Reply(200, {"instance_num": len(found), "instances": found[offset:offset + limit]})


def show_instance(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instances/{instance_id}: ShowInstanceResponse; a ``task`` while a job runs."""
    with emulator.lock:
        state, error = _instance(emulator, request)
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        body = state.body()
        body.update(state.spec.get("extra") or {})
        for field in state.spec.get("omit") or []:
            body.pop(field, None)
    return Reply(200, body)


def show_nodes(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instances/{instance_id}/logical-nodes: ShowNodesInformationResponse."""
    with emulator.lock:
        state, error = _instance(emulator, request)
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        nodes = state.nodes()
    return Reply(200, {"instance_id": state.instance_id, "total": len(nodes), "nodes": nodes})


def list_groups(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instance/{instance_id}/groups: ListGroupReplicationInfoResponse."""
    with emulator.lock:
        state, error = _instance(emulator, request)
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        groups = state.group_list()
    return Reply(200, {"group_list": groups, "group_count": len(groups)})


def _mutation(emulator: Any, request: Request, kind: str) -> Tuple[Optional[model.InstanceState], Optional[Reply]]:
    """Common start of a mutating request: log fields, the instance (404)."""
    if request.entry is not None:
        request.entry.update(operation=kind, instance_id=request.params["instance_id"], accepted=False, job_id=None)
    return _instance(emulator, request)


def swap(emulator: Any, request: Request) -> Reply:
    """PUT /v2/{project_id}/instances/{instance_id}/async-swap: master/standby switchover -> {job_id}."""
    with emulator.lock:
        state, error = _mutation(emulator, request, "switchover")
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        if state.cache_mode not in model.SWAP_MODES:
            return _error(400, model.UNSUPPORTED, "(cache_mode %s)" % state.cache_mode)
        busy = emulator.store.busy(state)
        if busy is not None:
            return _error(400, busy)
        group = state.groups[0]
        master = next((r for r in group["replicas"] if r["role"] == "master"), None)
        slave = next((r for r in group["replicas"] if r["role"] == "slave"), None)
        if slave is None:
            return _error(400, model.UNSUPPORTED, "(no standby node)")
        params = {"old_master": master["node_id"] if master else None, "new_master": slave["node_id"]}
        job_id = emulator.store.start(state, "swap", request.params["project_id"], request, params,
                                      new_master=slave["node_id"])
    return Reply(200, {"job_id": job_id})


def cluster_switchover(emulator: Any, request: Request) -> Reply:
    """POST /v2/{project_id}/instance/{instance_id}/groups/{group_id}/replications/{node_id}/async-switchover."""
    with emulator.lock:
        state, error = _mutation(emulator, request, "switchover")
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        if state.cache_mode not in model.SWITCHOVER_MODES:
            return _error(400, model.UNSUPPORTED, "(cache_mode %s)" % state.cache_mode)
        group = state.find_group(request.params["group_id"])
        if group is None:
            return _error(404, model.NO_GROUP)
        node = next((r for r in group["replicas"] if r["node_id"] == request.params["node_id"]), None)
        if node is None:
            return _error(404, model.NO_NODE)
        busy = emulator.store.busy(state)
        if busy is not None:
            return _error(400, busy)
        if node["role"] == "master":
            return _error(400, model.ALREADY_MASTER)
        old = next((r["node_id"] for r in group["replicas"] if r["role"] == "master"), None)
        params = {"group_id": group["group_id"], "node_id": node["node_id"], "old_master": old}
        job_id = emulator.store.start(state, "cluster", request.params["project_id"], request, params,
                                      new_master=node["node_id"])
    return Reply(200, {"job_id": job_id})


def list_configs(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instances/{instance_id}/configs: ListConfigurationsResponse (+ need_restart)."""
    with emulator.lock:
        state, error = _instance(emulator, request)
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        fields = ("param_id", "param_name", "param_value", "default_value", "value_type", "value_range", "description",
                  "need_restart")
        entries = [{k: entry[k] for k in fields} for entry in state.configs]
        return Reply(200, {"config_time": state.config_time, "instance_id": state.instance_id,
                           "config_status": state.config_status, "status": state.status, "redis_config": entries})


def _config_changes(state: model.InstanceState, body: bytes) -> Tuple[Dict[str, str], Optional[Reply]]:
    """The {name: value} of an async-configs body, or its 400 (shape, unknown name, value out of range)."""
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        return {}, _error(400, model.BAD_BODY, "The body is not JSON.")
    items = data.get("redis_config") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return {}, _error(400, model.BAD_BODY, "redis_config must be a non-empty list.")
    changes: Dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("param_name"), str) \
                or not isinstance(item.get("param_value"), str) or not isinstance(item.get("param_id", ""), str):
            return {}, _error(400, model.BAD_BODY, "Each redis_config entry needs param_name and param_value strings.")
        name = item["param_name"]
        if name in changes:
            return {}, _error(400, model.BAD_BODY, "%s is given twice." % name)
        entry = state.config_entry(name)
        if entry is None:
            return {}, _error(400, model.UNKNOWN_PARAM, name)
        if item.get("param_id") not in (None, entry["param_id"]):
            return {}, _error(400, model.BAD_BODY, "param_id %s is not the ID of %s." % (item["param_id"], name))
        problem = model.value_problem(entry, item["param_value"])
        if problem is not None:
            return {}, _error(400, model.BAD_VALUE, problem)
        changes[name] = item["param_value"]
    return changes, None


def update_configs(emulator: Any, request: Request) -> Reply:
    """PUT /v2/{project_id}/instances/{instance_id}/async-configs: validate, start a config job -> {job_id}."""
    with emulator.lock:
        state, error = _mutation(emulator, request, "config")
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        changes, error = _config_changes(state, request.body)
        if error is not None:
            return error
        busy = emulator.store.busy(state)
        if busy is not None:
            return _error(400, busy)
        params = {"redis_config": [{"param_name": k, "param_value": v} for k, v in changes.items()]}
        job_id = emulator.store.start(state, "config", request.params["project_id"], request, params, values=changes)
    return Reply(200, {"job_id": job_id})


def _task_time(value: str) -> Optional[str]:
    """yyyyMMddHHmmss -> the tasks' created_at prefix format, or None if malformed."""
    try:
        parsed = time.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", parsed)


def list_tasks(emulator: Any, request: Request) -> Reply:
    """GET /v2/{project_id}/instances/{instance_id}/tasks: newest first; offset/limit, start_time/end_time."""
    paging, error = _paging(request, 10)
    if error is not None:
        return error
    offset, limit = paging or (0, 10)
    bounds: List[Optional[str]] = []
    for name in ("start_time", "end_time"):
        raw = request.query_values(name)
        bound = _task_time(raw[-1]) if raw and raw[-1] else None
        if raw and raw[-1] and bound is None:
            return _error(400, model.BAD_QUERY, "%s must be yyyyMMddHHmmss." % name)
        bounds.append(bound)
    with emulator.lock:
        state, error = _instance(emulator, request)
        if state is None:
            return error or _error(404, model.NO_INSTANCE)
        tasks = [dict(t) for t in state.tasks
                 if (bounds[0] is None or (t.get("created_at") or "")[:19] >= bounds[0])
                 and (bounds[1] is None or (t.get("created_at") or "")[:19] <= bounds[1])]
    return Reply(200, {"task_count": str(len(tasks)), "tasks": tasks[offset:offset + limit]})


ROUTES = (
    Route("GET", "/v2/{project_id}/jobs/{job_id}", show_job, name="job"),
    Route("GET", "/v2/{project_id}/instances", list_instances, name="instances"),
    Route("GET", "/v2/{project_id}/instances/{instance_id}", show_instance, name="instance"),
    Route("GET", "/v2/{project_id}/instances/{instance_id}/logical-nodes", show_nodes, name="logical-nodes"),
    Route("GET", "/v2/{project_id}/instance/{instance_id}/groups", list_groups, name="groups"),
    Route("PUT", "/v2/{project_id}/instances/{instance_id}/async-swap", swap, name="async-swap"),
    Route("POST", "/v2/{project_id}/instance/{instance_id}/groups/{group_id}/replications/{node_id}/async-switchover",
          cluster_switchover, name="async-switchover"),
    Route("GET", "/v2/{project_id}/instances/{instance_id}/configs", list_configs, name="configs"),
    Route("PUT", "/v2/{project_id}/instances/{instance_id}/async-configs", update_configs, name="async-configs"),
    Route("GET", "/v2/{project_id}/instances/{instance_id}/tasks", list_tasks, name="tasks"),
    Route("GET", "/v3/projects", list_projects, name="projects"),
)
