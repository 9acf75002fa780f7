# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Scripted faults: per-path queues of fault entries, and what each fault ``kind`` answers.

A new kind is one function ``(fault, request_id, wait) -> Reply or None`` in ``KINDS``; None means
"answer normally" (after ``wait``ing, for ``slow``). ``truncated`` cuts the normal answer instead, and the
``accept_then_*`` kinds let the handler run (perform the operation) and then change what is sent: ``finish``.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable, Dict, List, Optional

from .routing import Reply, gateway_error

GATEWAY_ERRORS = {
    500: ("APIGW.9999", "System error."),
    502: ("APIGW.0202", "Backend unavailable."),
    503: ("APIGW.0203", "Service temporarily unavailable, please try again later."),
    504: ("APIGW.0204", "Backend timeout."),
}
THROTTLED = "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second"
HTML_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

Fault = Dict[str, Any]
Wait = Callable[[float], Any]


def take_fault(faults: Dict[str, List[Fault]], path: str) -> Optional[Fault]:
    """Consume the next fault for ``path`` (its exact list first, then fnmatch patterns in order); the caller locks."""
    keys = [path] if faults.get(path) else []
    keys += [k for k in faults if k != path and faults[k] and fnmatch.fnmatchcase(path, k)]
    for key in keys:
        queue = faults[key]
        fault = queue[0]
        remaining = int(fault.get("count", 1)) - 1
        if remaining > 0:
            fault["count"] = remaining
        else:
            queue.pop(0)
        return dict(fault)
    return None


def _headers(fault: Fault) -> Dict[str, str]:
    return dict(fault.get("headers") or {})


def throttled(fault: Fault, request_id: str, _wait: Wait) -> Reply:
    headers = _headers(fault)
    if fault.get("retry_after") is not None:
        headers["Retry-After"] = str(fault["retry_after"])
    reply = gateway_error(429, "APIGW.0308", THROTTLED, request_id)
    reply.headers.update(headers)
    return reply


def server_error(fault: Fault, request_id: str, _wait: Wait) -> Reply:
    status = int(fault["kind"])
    code, msg = GATEWAY_ERRORS[status]
    reply = gateway_error(status, code, msg, request_id)
    reply.headers.update(_headers(fault))
    return reply


def reset(_fault: Fault, _request_id: str, _wait: Wait) -> Reply:
    return Reply(0, reset=True, note="reset")


def slow(fault: Fault, _request_id: str, wait: Wait) -> None:
    wait(float(fault.get("seconds", 30)))


def accept_then(_fault: Fault, _request_id: str, _wait: Wait) -> None:
    """accept_then_drop / accept_then_slow: the request is handled first; ``finish`` does the rest."""
    return None


def html(fault: Fault, _request_id: str, _wait: Wait) -> Reply:
    return Reply(int(fault.get("status", 502)), raw=HTML_PAGE.encode("ascii"), content_type="text/html",
                 headers=_headers(fault), note="html")


def empty(fault: Fault, _request_id: str, _wait: Wait) -> Reply:
    return Reply(int(fault.get("status", 200)), raw=b"", headers=_headers(fault), note="empty")


def status(fault: Fault, _request_id: str, _wait: Wait) -> Reply:
    payload = fault.get("body")
    if isinstance(payload, str):
        return Reply(int(fault.get("status", 500)), raw=payload.encode("utf-8"), headers=_headers(fault),
                     content_type=fault.get("content_type", "application/json"))
    return Reply(int(fault.get("status", 500)), payload, headers=_headers(fault))


KINDS: Dict[str, Callable[[Fault, str, Wait], Optional[Reply]]] = {
    "429": throttled,
    "500": server_error,
    "502": server_error,
    "503": server_error,
    "504": server_error,
    "reset": reset,
    "slow": slow,
    "html": html,
    "empty": empty,
    "status": status,
    "accept_then_drop": accept_then,
    "accept_then_slow": accept_then,
}


def fault_reply(fault: Fault, request_id: str, wait: Wait) -> Optional[Reply]:
    """The fault's own answer, or None to answer normally ("truncated", "pass" and unknown kinds too)."""
    kind = KINDS.get(str(fault.get("kind", "")))
    return None if kind is None else kind(fault, request_id, wait)


def finish(fault: Optional[Fault], reply: Reply, wait: Optional[Wait] = None) -> Reply:
    """Apply a fault that changes the normal answer, after the handler ran: ``truncated`` sends the first half of
    its body; ``accept_then_drop`` resets the connection instead of answering; ``accept_then_slow`` waits
    ``seconds`` (default 30) before answering."""
    kind = fault.get("kind") if fault is not None else None
    if kind == "truncated":
        return Reply(200, raw=reply.body[: max(1, len(reply.body) // 2)], headers=fault.get("headers"), note="truncated")
    if kind == "accept_then_drop":
        return Reply(0, reset=True, note="accept_then_drop")
    if kind == "accept_then_slow" and wait is not None:
        wait(float(fault.get("seconds", 30)))
    return reply
