# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The route table's types: a Route is a method, a path pattern and a handler; a Request and a Reply.

A path pattern names its parameters in braces (``/v2/{project_id}/jobs/{job_id}``); each matches one
non-empty path segment, percent-decoded, and a trailing ``/`` is allowed. A handler is
``handler(emulator, request) -> Reply``, with the path parameters in ``request.params``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple
from urllib.parse import unquote

_PARAMETER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Reply:
    """A response to write: status, headers, body; or a connection reset."""

    def __init__(self, status: int = 200, body: Any = None, headers: Optional[Dict[str, str]] = None,
                 content_type: str = "application/json", raw: Optional[bytes] = None,
                 reset: bool = False, note: Optional[str] = None):
        self.status = status
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.reset = reset
        self.note = note
        self.error_code = None
        if raw is not None:
            self.body = raw
        elif body is None:
            self.body = b""
        else:
            self.body = json.dumps(body).encode("utf-8")
            if isinstance(body, dict):
                self.error_code = body.get("error_code")


def gateway_error(status: int, code: str, msg: str, request_id: str) -> Reply:
    """An error in the API gateway's shape: ``{"error_code", "error_msg", "request_id"}``."""
    return Reply(status, {"error_code": code, "error_msg": msg, "request_id": request_id})


def dcs_error(status: int, code: str, msg: str) -> Reply:
    """An error in the DCS service's shape: ``{"error_code", "error_msg", "error_ext_msg": null}``."""
    return Reply(status, {"error_code": code, "error_msg": msg, "error_ext_msg": None})


class Request:
    """One request: ``method``, raw ``path`` and ``query``, ``headers`` (lower-case names), ``body`` (bytes),
    ``request_id``, the log ``entry`` (None for admin calls) and the route's ``params``."""

    def __init__(self, method: str, path: str, query: str, headers: Dict[str, str], body: bytes,
                 request_id: str, entry: Optional[Dict[str, Any]] = None):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.entry = entry
        self.params: Dict[str, str] = {}
        self.data: Any = None

    def query_values(self, name: str) -> List[str]:
        """The decoded values of query parameter ``name``, in order."""
        values = []
        for part in self.query.split("&") if self.query else []:
            key, _sep, value = part.partition("=")
            if unquote(key) == name:
                values.append(unquote(value))
        return values


Handler = Callable[[Any, Request], Reply]


class Route:
    """``method`` + path ``pattern`` -> ``handler``; ``name`` goes into the request log's ``route``.

    ``trailing_slash`` (default true) also accepts the path with a final ``/``, as the gateway does.
    """

    def __init__(self, method: str, pattern: str, handler: Handler, name: Optional[str] = None,
                 trailing_slash: bool = True):
        self.method = method
        self.pattern = pattern
        self.handler = handler
        self.name = name or handler.__name__
        self.parameters = _PARAMETER.findall(pattern)
        regex = _PARAMETER.sub("([^/]+)", re.escape(pattern).replace(r"\{", "{").replace(r"\}", "}"))
        self._regex = re.compile("^%s%s$" % (regex.rstrip("/"), "/?" if trailing_slash else ""))

    def match(self, method: str, path: str) -> Optional[Dict[str, str]]:
        if method != self.method:
            return None
        found = self._regex.match(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in zip(self.parameters, found.groups())}


def find_route(routes: Iterable[Route], method: str, path: str) -> Tuple[Optional[Route], Dict[str, str]]:
    """The first route matching ``method path`` and its parameters, or (None, {})."""
    for route in routes:
        params = route.match(method, path)
        if params is not None:
            return route, params
    return None, {}
