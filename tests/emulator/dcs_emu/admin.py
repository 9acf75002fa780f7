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
    return Reply(200, {"requests": log, "counts": emulator.request_counts(), "total": len(log)})


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


ROUTES = (
    Route("GET", "/_emulator/requests", requests_log, trailing_slash=False),
    Route("GET", "/_emulator/health", health, trailing_slash=False),
    Route("GET", "/_emulator/config", show_config, trailing_slash=False),
    Route("POST", "/_emulator/faults", set_faults, trailing_slash=False),
    Route("POST", "/_emulator/reset", reset, trailing_slash=False),
    Route("POST", "/_emulator/settings", settings, trailing_slash=False),
    Route("POST", "/_emulator/jobs", set_jobs, trailing_slash=False),
)


def answer(emulator: Any, request: Request) -> Reply:
    """Parse the JSON body (400 if it is not JSON), then dispatch (404 for an unknown admin endpoint)."""
    try:
        request.data = json.loads(request.body.decode("utf-8")) if request.body else {}
    except ValueError as exc:
        return Reply(400, {"error": "invalid JSON: %s" % exc})
    route, _params = find_route(ROUTES, request.method, request.path)
    if route is None:
        return Reply(404, {"error": "unknown admin endpoint %s %s" % (request.method, request.path)})
    return route.handler(emulator, request)
