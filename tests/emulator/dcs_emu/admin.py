# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The admin endpoints under /_emulator/ (unsigned, never logged, never faulted), as a route table.

Each handler gets the request with its JSON body already parsed into ``request.data``.
"""

from __future__ import annotations

import json
from typing import Any

from .routing import Reply, Request, Route, find_route


def requests_log(emulator: Any, _request: Request) -> Reply:
    log = emulator.requests
    with emulator.lock:
        accepted = emulator.store.operation_counts()
    return Reply(200, {"requests": log, "counts": emulator.request_counts(), "total": len(log), "accepted": accepted})


def health(_emulator: Any, _request: Request) -> Reply:
    return Reply(200, {"ok": True})


def show_config(emulator: Any, _request: Request) -> Reply:
    with emulator.lock:
        return Reply(200, emulator.config)


def set_faults(emulator: Any, request: Request) -> Reply:
    data = request.data
    if not isinstance(data, dict):
        return Reply(400, {"error": "expected a JSON object"})
    if "faults" in data:
        emulator.set_faults(data["faults"] or {}, replace=bool(data.get("replace", True)))
    else:
        emulator.set_faults(data, replace=True)
    with emulator.lock:
        return Reply(200, {"faults": emulator.config["faults"]})


def reset(emulator: Any, _request: Request) -> Reply:
    emulator.reset()
    return Reply(200, {"ok": True})


def settings(emulator: Any, request: Request) -> Reply:
    return Reply(200, emulator.update_settings(request.data if isinstance(request.data, dict) else {}))


def set_jobs(emulator: Any, request: Request) -> Reply:
    emulator.set_jobs((request.data or {}).get("jobs") or {})
    return Reply(200, {"jobs": sorted(emulator.config["jobs"])})


def list_instances(emulator: Any, _request: Request) -> Reply:
    with emulator.lock:
        ids = sorted(emulator.store.states)
        return Reply(200, {"instances": {i: emulator.instance_state(i) for i in ids}})


def set_instances(emulator: Any, request: Request) -> Reply:
    data = request.data if isinstance(request.data, dict) else {}
    specs = data.get("instances")
    if not isinstance(specs, dict):
        return Reply(400, {"error": "expected {\"instances\": {instance_id: spec}}"})
    emulator.set_instances(specs, replace=bool(data.get("replace", False)))
    with emulator.lock:
        return Reply(200, {"instances": sorted(emulator.store.states)})


def reset_instances(emulator: Any, request: Request) -> Reply:
    instance_id = (request.data or {}).get("instance_id") if isinstance(request.data, dict) else None
    if instance_id is not None and emulator.instance_state(instance_id) is None:
        return Reply(404, {"error": "unknown instance %s" % instance_id})
    emulator.reset_instances(instance_id)
    return Reply(200, {"ok": True})


def show_instance(emulator: Any, request: Request) -> Reply:
    state = emulator.instance_state(request.params["instance_id"])
    if state is None:
        return Reply(404, {"error": "unknown instance %s" % request.params["instance_id"]})
    return Reply(200, state)


def update_instance(emulator: Any, request: Request) -> Reply:
    state = emulator.update_instance(request.params["instance_id"], request.data if isinstance(request.data, dict) else {})
    if state is None:
        return Reply(404, {"error": "unknown instance %s" % request.params["instance_id"]})
    return Reply(200, state)


def operations(emulator: Any, _request: Request) -> Reply:
    with emulator.lock:
        return Reply(200, {"operations": emulator.operations(), "counts": emulator.store.operation_counts()})


ROUTES = (
    Route("GET", "/_emulator/requests", requests_log, trailing_slash=False),
    Route("GET", "/_emulator/health", health, trailing_slash=False),
    Route("GET", "/_emulator/config", show_config, trailing_slash=False),
    Route("POST", "/_emulator/faults", set_faults, trailing_slash=False),
    Route("POST", "/_emulator/reset", reset, trailing_slash=False),
    Route("POST", "/_emulator/settings", settings, trailing_slash=False),
    Route("POST", "/_emulator/jobs", set_jobs, trailing_slash=False),
    Route("GET", "/_emulator/instances", list_instances, trailing_slash=False),
    Route("POST", "/_emulator/instances", set_instances, trailing_slash=False),
    Route("POST", "/_emulator/instances/reset", reset_instances, trailing_slash=False),
    Route("GET", "/_emulator/instances/{instance_id}", show_instance, trailing_slash=False),
    Route("POST", "/_emulator/instances/{instance_id}", update_instance, trailing_slash=False),
    Route("GET", "/_emulator/operations", operations, trailing_slash=False),
)


def answer(emulator: Any, request: Request) -> Reply:
    """Parse the JSON body (400 if it is not JSON), then dispatch (404 for an unknown admin endpoint)."""
    try:
        request.data = json.loads(request.body.decode("utf-8")) if request.body else {}
    except ValueError as exc:
        return Reply(400, {"error": "invalid JSON: %s" % exc})
    route, request.params = find_route(ROUTES, request.method, request.path)
    if route is None:
        return Reply(404, {"error": "unknown admin endpoint %s %s" % (request.method, request.path)})
    return route.handler(emulator, request)
