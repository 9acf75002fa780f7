# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A local emulator of the Huawei Cloud DCS job API and its API gateway.

Test infrastructure for the ``hwc.dcs`` collection: standard library only, Python 3.8+.
It judges SDK-HMAC-SHA256 signatures with its own implementation (written from the
algorithm description, deliberately independent of the collection's signer) and answers
with the status codes and error bodies of the real gateway and service.

Run it as a command::

    python tests/emulator/dcs_emulator.py --host 127.0.0.1 --port 0 --config FILE \
        [--tls-cert CERT --tls-key KEY] [--url-file F] [--pid-file F] [--verbose]

It prints ``DCS emulator listening on http://127.0.0.1:PORT`` once listening and stops
cleanly on SIGTERM or SIGINT.  Or import it::

    emu = Emulator(config_dict)      # host="127.0.0.1", port=0, tls_cert=None, tls_key=None
    emu.start()                      # serves in a daemon thread
    emu.url                          # "http://127.0.0.1:PORT"
    emu.requests                     # copy of the request log (list of dicts)
    emu.stop()

Configuration (a JSON file, or the same structure as a dict); every key is optional::

    {
      "credentials": [{"ak": "AK...", "sk": "SK...", "security_token": null}],
      "projects": [{"id": "0123456789abcdef0123456789abcdef", "name": "cn-north-4"}],
      "jobs": {
        "<job_id>": {
          "project_id": "<id>",              # null/absent: the job is visible in every project
          "job_type": "masterStandbySwapJob",
          "lifecycle": [[0, "INIT"], [1.5, "RUNNING"], [4, "SUCCESS"]],
          "fail_reason": null,               # reported only while the status is FAIL
          "extra": {"k": "v"},               # optional: merged into the 200 body (null allowed)
          "omit": ["job_type"]               # optional: fields removed from the 200 body
        }
      },
      "clock_offset_seconds": 0,             # the emulator's clock = real time + this
      "latency_seconds": 0.0,                # added before every API answer
      "check_signatures": true,
      "verify_with_sdk": false,              # also check with huaweicloudsdkcore's Signer if importable
      "require_project_header": true,        # DCS calls must send X-Project-Id == path project
      "max_clock_skew_seconds": 900,
      "unknown_job": {"status": 404, "error_code": "DCS.4404",
                      "error_msg": "The job does not exist."},
      "faults": {"<path or fnmatch pattern>": [{"kind": "429", "retry_after": 3}, {"kind": "503"}]}
    }

Lifecycle: ``[seconds after the job's first query, status]`` pairs.  The first query of a
job (after start or ``/_emulator/reset``) starts its clock; ``begin_time`` is that moment in
milliseconds (string), ``end_time`` the moment its status became terminal (``SUCCESS`` or
``FAIL``), null before; ``fail_reason`` is null unless the status is ``FAIL``.  A job without
a lifecycle is ``SUCCESS`` at once.  Unknown statuses are served as given.

Faults: a list per request path (exact path first, then fnmatch patterns in order), consumed
in order, one entry per request.  An entry may carry ``"count": N`` to apply N times.  Kinds:

- ``"429"``: 429 ``APIGW.0308``; ``retry_after`` (seconds or an HTTP date string) adds Retry-After.
- ``"500"``, ``"502"``, ``"503"``, ``"504"``: gateway-shaped error body.
- ``"reset"``: the connection is closed with SO_LINGER 0 (a TCP RST), no response.
- ``"slow"``: sleep ``seconds`` (default 30), then answer normally.
- ``"html"``: an HTML page, status ``status`` (default 502).
- ``"truncated"``: 200 with the real JSON answer cut short; Content-Length matches what is sent.
- ``"empty"``: 200 with an empty body.
- ``"pass"``: answer normally (to interleave faults with good answers).
- ``"status"``: ``status`` with ``body`` (a JSON value, or a string sent as is).
Any entry may add ``headers`` (dict) to its response.

Gateway behaviour (what a request the real gateway would reject gets):

- Unknown path or method: 404 ``APIGW.0101`` (checked before authentication, as the gateway
  cannot know the authentication of an API that does not exist).
- Authentication: 401 ``APIGW.0301`` with ``{"error_code", "error_msg", "request_id"}``;
  ``error_msg`` starts with "Incorrect IAM authentication information: " and says why
  ("Authorization header not found", "ak not exist", "x-sdk-date and host must be signed",
  "invalid x-sdk-date", "signature expired", "security token missing",
  "security token not signed", "decrypt token fail", "verify aksk signature fail").
- DCS calls whose ``X-Project-Id`` is missing, differs from the path's project, or names a
  project the account does not have: 403 ``APIGW.0302`` "The IAM user is not authorized to
  access the API.".  The gateway authorises the request for the project in X-Project-Id
  (IAM scopes AK/SK requests to it), so a different project in the path is a request the
  caller is not authorised for.  No public document gives this exact case; 403 APIGW.0302 is
  the gateway's documented "not authorised" answer.
- Unknown job: ``unknown_job`` (default 404 ``DCS.4404`` "The job does not exist.") with the
  DCS body ``{"error_code", "error_msg", "error_ext_msg": null}``.  DCS documents no code for
  this case (see the reference notes), so the default is a made-up, clearly DCS-shaped code.
  A job ID that is not 1-128 of ``A-Za-z0-9_-``: 400 ``DCS.4070`` "Invalid task ID format.".
- Every response: ``X-Request-Id`` (32 hex digits), ``Date`` (from the emulator's clock),
  ``Content-Type: application/json`` (``text/html`` for the html fault).

Admin endpoints (unsigned, never logged, never faulted):

- ``GET /_emulator/requests``: ``{"requests": [...], "counts": {path: n}, "total": n}``.
- ``POST /_emulator/faults``: body ``{"faults": {...}, "replace": true}`` (``replace`` false adds
  to the existing lists); a body without ``faults`` is taken as the mapping itself (replace).
- ``POST /_emulator/reset``: forget first-query times and the log (faults stay).
- ``POST /_emulator/settings``: change ``clock_offset_seconds``, ``latency_seconds``,
  ``check_signatures``, ``verify_with_sdk``, ``require_project_header`` at run time.
- ``POST /_emulator/jobs``: ``{"jobs": {...}}`` adds or replaces jobs.
- ``GET /_emulator/health``: ``{"ok": true}``.
"""

from __future__ import annotations

import argparse
import calendar
import copy
import email.utils
import fnmatch
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
TERMINAL = ("SUCCESS", "FAIL")
AUTH_PREFIX = "Incorrect IAM authentication information: "

_JOB_PATH = re.compile(r"^/v2/([^/]+)/jobs/([^/]+)/?$")
_PROJECTS_PATH = re.compile(r"^/v3/projects/?$")
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
_AUTH_HEADER = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$"
)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")

GATEWAY_ERRORS = {
    500: ("APIGW.9999", "System error."),
    502: ("APIGW.0202", "Backend unavailable."),
    503: ("APIGW.0203", "Service temporarily unavailable, please try again later."),
    504: ("APIGW.0204", "Backend timeout."),
}

HTML_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)

DEFAULTS = {
    "credentials": [],
    "projects": [],
    "jobs": {},
    "clock_offset_seconds": 0,
    "latency_seconds": 0.0,
    "check_signatures": True,
    "verify_with_sdk": False,
    "require_project_header": True,
    "max_clock_skew_seconds": 900,
    "unknown_job": {"status": 404, "error_code": "DCS.4404", "error_msg": "The job does not exist."},
    "faults": {},
}

SETTINGS = ("clock_offset_seconds", "latency_seconds", "check_signatures", "verify_with_sdk",
            "require_project_header", "max_clock_skew_seconds")


# --------------------------------------------------------------------------------------------
# Signature verification (independent implementation of SDK-HMAC-SHA256)
# --------------------------------------------------------------------------------------------

def _pct(text: str) -> str:
    """Percent-encode UTF-8 bytes, keeping only A-Za-z0-9_.-~."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def canonical_uri(raw_path: str) -> str:
    segments = unquote(raw_path).split("/")
    uri = "/".join(_pct(seg) for seg in segments)
    if not uri.endswith("/"):
        uri += "/"
    return uri


def canonical_query(raw_query: str) -> str:
    pairs = []
    if raw_query:
        for part in raw_query.split("&"):
            if not part:
                continue
            key, _sep, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    pairs.sort()
    return "&".join("%s=%s" % (_pct(k), _pct(v)) for k, v in pairs)


def string_to_sign(method: str, raw_path: str, raw_query: str, headers: Dict[str, str],
                   signed: List[str], body: bytes) -> str:
    canon_headers = "".join("%s:%s\n" % (name, headers.get(name, "").strip()) for name in signed)
    if not body:
        payload_hash = EMPTY_SHA256
    elif headers.get("x-sdk-content-sha256"):
        payload_hash = headers["x-sdk-content-sha256"]
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    canonical = "\n".join([
        method.upper(), canonical_uri(raw_path), canonical_query(raw_query),
        canon_headers, ";".join(signed), payload_hash,
    ])
    return "\n".join([ALGORITHM, headers.get("x-sdk-date", ""),
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def compute_signature(sk: str, sts: str) -> str:
    return hmac.new(sk.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()


def _sdk_signature(ak: str, sk: str, method: str, host: str, raw_path: str, raw_query: str,
                   headers: Dict[str, str], signed: List[str], body: bytes) -> Optional[str]:
    """Recompute the signature with the official SDK's Signer, or None if it is not installed."""
    try:
        from huaweicloudsdkcore.sdk_request import SdkRequest  # type: ignore
        from huaweicloudsdkcore.signer.signer import Signer  # type: ignore
    except Exception:  # pragma: no cover - depends on the environment
        return None

    class _Cred:
        pass

    cred = _Cred()
    cred.ak, cred.sk = ak, sk  # type: ignore[attr-defined]
    query_params: List[Tuple[str, Any]] = []
    grouped: Dict[str, List[str]] = {}
    if raw_query:
        for part in raw_query.split("&"):
            if part:
                key, _sep, value = part.partition("=")
                grouped.setdefault(unquote(key), []).append(unquote(value))
    for key, values in grouped.items():
        query_params.append((key, values if len(values) > 1 else values[0]))
    request = SdkRequest(method=method, schema="http", host=host, resource_path=raw_path,
                         query_params=query_params,
                         header_params={name: headers.get(name, "") for name in signed},
                         body=body or "")
    signed_request = Signer(cred).sign(request)
    match = _AUTH_HEADER.match(signed_request.header_params.get("Authorization", ""))
    return match.group(3).lower() if match else ""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _merge_config(config: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    merged = copy.deepcopy(DEFAULTS)
    for key, value in (config or {}).items():
        merged[key] = copy.deepcopy(value)
    merged["faults"] = {k: [dict(f) for f in v] for k, v in (merged.get("faults") or {}).items()}
    merged["jobs"] = dict(merged.get("jobs") or {})
    return merged


def _decode_header(value: str) -> str:
    """http.server decodes header bytes as latin-1; undo that to get the sent UTF-8 text."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class _Reply:
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


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------

class Emulator:
    """The emulated gateway + DCS + IAM project listing; see the module docstring."""

    def __init__(self, config: Optional[Dict[str, Any]] = None, host: str = "127.0.0.1", port: int = 0,
                 tls_cert: Optional[str] = None, tls_key: Optional[str] = None, verbose: bool = False):
        self.config = _merge_config(config)
        self.host = host
        self.port = port
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.verbose = verbose
        self._lock = threading.RLock()
        self._log: List[Dict[str, Any]] = []
        self._first_query: Dict[str, Tuple[float, float]] = {}  # job_id -> (monotonic, emulated epoch)
        self._stopping = threading.Event()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None
        self._ssl_context: Optional[ssl.SSLContext] = None
        self._sdk_warned = False

    # ---- life cycle -----------------------------------------------------------------------
    def start(self) -> "Emulator":
        if self.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.tls_cert, self.tls_key)
            self._ssl_context = ctx
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="dcs-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls_cert else "http"
        host = self.host if ":" not in self.host else "[%s]" % self.host
        return "%s://%s:%d" % (scheme, host, self.port)

    # ---- state ----------------------------------------------------------------------------
    def now(self) -> float:
        """The emulator's clock (epoch seconds), possibly skewed."""
        return time.time() + float(self.config.get("clock_offset_seconds") or 0)

    @property
    def requests(self) -> List[Dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._log)

    def request_counts(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        with self._lock:
            for entry in self._log:
                counts[entry["path"]] = counts.get(entry["path"], 0) + 1
        return counts

    def reset(self) -> None:
        with self._lock:
            self._log = []
            self._first_query = {}

    def set_faults(self, faults: Dict[str, List[Dict[str, Any]]], replace: bool = True) -> None:
        with self._lock:
            if replace:
                self.config["faults"] = {}
            for key, items in faults.items():
                self.config["faults"].setdefault(key, []).extend(dict(f) for f in items)

    def set_jobs(self, jobs: Dict[str, Dict[str, Any]]) -> None:
        with self._lock:
            for job_id, job in jobs.items():
                self.config["jobs"][job_id] = copy.deepcopy(job)
                self._first_query.pop(job_id, None)

    def update_settings(self, settings: Dict[str, Any]) -> Dict[str, Any]:
        with self._lock:
            for key in SETTINGS:
                if key in settings:
                    self.config[key] = settings[key]
            return {key: self.config.get(key) for key in SETTINGS}

    def _record(self, entry: Dict[str, Any]) -> None:
        with self._lock:
            self._log.append(entry)

    def _take_fault(self, path: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            faults = self.config.get("faults") or {}
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

    # ---- request handling ----------------------------------------------------------------
    def _gateway_error(self, status: int, code: str, msg: str, request_id: str) -> _Reply:
        return _Reply(status, {"error_code": code, "error_msg": msg, "request_id": request_id})

    def _authenticate(self, method: str, raw_path: str, raw_query: str, headers: Dict[str, str],
                      body: bytes, request_id: str, entry: Dict[str, Any]) -> Optional[_Reply]:
        """Return an error reply when the gateway would reject the request, else None."""

        def deny(reason: str) -> _Reply:
            entry["auth_error"] = reason
            return self._gateway_error(401, "APIGW.0301", AUTH_PREFIX + reason, request_id)

        authorization = headers.get("authorization")
        if not authorization:
            return deny("Authorization header not found")
        match = _AUTH_HEADER.match(authorization.strip())
        if not match:
            return deny("verify aksk signature fail, invalid Authorization header")
        ak, signed_list, signature = match.group(1), match.group(2), match.group(3).lower()
        entry["ak"] = ak
        credential = None
        for cred in self.config.get("credentials") or []:
            if cred.get("ak") == ak:
                credential = cred
                break
        if credential is None:
            return deny("Get secretKey failed,ak:%s,err:ak not exist" % ak)
        signed = signed_list.split(";")
        if "host" not in signed or "x-sdk-date" not in signed:
            return deny("verify aksk signature fail, x-sdk-date and host must be signed")
        if signed != sorted(signed) or any(not name or name != name.lower() for name in signed):
            return deny("verify aksk signature fail, SignedHeaders must be sorted lower-case names")
        for name in signed:
            if name not in headers:
                return deny("verify aksk signature fail, signed header %s is missing" % name)
        try:
            sdk_date = time.strptime(headers.get("x-sdk-date", ""), DATE_FORMAT)
            request_epoch = calendar.timegm(sdk_date)
        except ValueError:
            return deny("verify aksk signature fail, invalid x-sdk-date")
        skew = request_epoch - self.now()
        entry["clock_skew"] = round(skew, 3)
        if abs(skew) > float(self.config.get("max_clock_skew_seconds", 900)):
            return deny("verify aksk signature fail, signature expired (x-sdk-date %s is %d seconds %s "
                        "the gateway's time)" % (headers["x-sdk-date"], abs(int(skew)),
                                                 "ahead of" if skew > 0 else "behind"))
        expected_token = credential.get("security_token")
        sent_token = headers.get("x-security-token")
        if expected_token:
            if sent_token is None:
                return deny("verify aksk signature fail, security token missing for temporary "
                            "credentials")
            if "x-security-token" not in signed:
                return deny("verify aksk signature fail, security token not signed")
            if not hmac.compare_digest(sent_token.strip().encode("utf-8"), expected_token.encode("utf-8")):
                return deny("decrypt token fail")
        elif sent_token is not None:
            return deny("decrypt token fail")
        sts = string_to_sign(method, raw_path, raw_query, headers, signed, body)
        expected = compute_signature(credential.get("sk", ""), sts)
        if not hmac.compare_digest(expected, signature):
            return deny("verify aksk signature fail")
        if self.config.get("verify_with_sdk"):
            sdk_sig = _sdk_signature(ak, credential.get("sk", ""), method, headers.get("host", ""),
                                     raw_path, raw_query, headers, signed, body)
            if sdk_sig is None:
                entry["sdk_verified"] = None
                if not self._sdk_warned:
                    self._sdk_warned = True
                    sys.stderr.write("dcs_emulator: verify_with_sdk set but huaweicloudsdkcore is not "
                                     "importable; using the built-in verifier only\n")
            elif not hmac.compare_digest(sdk_sig, signature):
                entry["sdk_verified"] = False
                return deny("verify aksk signature fail (official SDK signer disagrees)")
            else:
                entry["sdk_verified"] = True
        return None

    def _job_body(self, job_id: str, job: Dict[str, Any]) -> Dict[str, Any]:
        with self._lock:
            if job_id not in self._first_query:
                self._first_query[job_id] = (time.monotonic(), self.now())
            first_mono, first_epoch = self._first_query[job_id]
        elapsed = time.monotonic() - first_mono
        lifecycle = job.get("lifecycle") or [[0, "SUCCESS"]]
        lifecycle = sorted(([float(t), s] for t, s in lifecycle), key=lambda item: item[0])
        status = lifecycle[0][1]
        terminal_at = None
        for offset, state in lifecycle:
            if offset <= elapsed:
                status = state
                if state in TERMINAL and terminal_at is None:
                    terminal_at = offset
            else:
                break
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

    def _route(self, method: str, path: str) -> Optional[Tuple[str, Tuple[str, ...]]]:
        if method != "GET":
            return None
        match = _JOB_PATH.match(path)
        if match:
            return "job", (unquote(match.group(1)), unquote(match.group(2)))
        if _PROJECTS_PATH.match(path):
            return "projects", ()
        return None

    def handle(self, method: str, raw_path: str, raw_query: str, headers: Dict[str, str], body: bytes,
               request_id: str, entry: Dict[str, Any]) -> _Reply:
        """Answer one API request (not admin); ``headers`` has lower-case names."""
        route = self._route(method, raw_path)
        if route is None:
            entry["route"] = None
            return self._gateway_error(404, "APIGW.0101",
                                       "The API does not exist or has not been published in the "
                                       "environment.", request_id)
        kind, params = route
        entry["route"] = kind
        fault = self._take_fault(raw_path)
        if fault is not None:
            entry["fault"] = fault.get("kind")
            reply = self._fault_reply(fault, request_id)
            if reply is not None:
                return reply
        latency = float(self.config.get("latency_seconds") or 0)
        if latency > 0:
            self._stopping.wait(latency)
        if self.config.get("check_signatures", True):
            denied = self._authenticate(method, raw_path, raw_query, headers, body, request_id, entry)
            if denied is not None:
                return denied
        if kind == "projects":
            reply = self._projects(raw_query, request_id)
        else:
            reply = self._job(params[0], params[1], headers, request_id)
        if fault is not None and fault.get("kind") == "truncated":
            cut = reply.body[: max(1, len(reply.body) // 2)]
            return _Reply(200, raw=cut, headers=fault.get("headers"), note="truncated")
        return reply

    def _projects(self, raw_query: str, request_id: str) -> _Reply:
        wanted = None
        for part in raw_query.split("&") if raw_query else []:
            key, _sep, value = part.partition("=")
            if unquote(key) == "name":
                wanted = unquote(value)
        projects = []
        for project in self.config.get("projects") or []:
            if wanted is not None and project.get("name") != wanted:
                continue
            projects.append({
                "id": project["id"],
                "name": project.get("name"),
                "domain_id": project.get("domain_id", "d0000000000000000000000000000001"),
                "parent_id": project.get("parent_id", project.get("domain_id",
                                                                  "d0000000000000000000000000000001")),
                "description": project.get("description", ""),
                "enabled": project.get("enabled", True),
                "is_domain": False,
                "links": {"self": "https://iam.myhuaweicloud.com/v3/projects/%s" % project["id"]},
            })
        self_link = "https://iam.myhuaweicloud.com/v3/projects"
        if raw_query:
            self_link += "?" + raw_query
        return _Reply(200, {"projects": projects,
                            "links": {"self": self_link, "previous": None, "next": None}},
                      headers={"X-IAM-Trace-Id": request_id})

    def _job(self, project_id: str, job_id: str, headers: Dict[str, str], request_id: str) -> _Reply:
        known_projects = {p.get("id") for p in self.config.get("projects") or []}
        if self.config.get("require_project_header", True):
            header_project = headers.get("x-project-id")
            if header_project is None or header_project.strip() != project_id or project_id not in known_projects:
                return self._gateway_error(403, "APIGW.0302",
                                           "The IAM user is not authorized to access the API.", request_id)
        if not _JOB_ID.match(job_id):
            return _Reply(400, {"error_code": "DCS.4070", "error_msg": "Invalid task ID format.",
                                "error_ext_msg": None})
        job = self.config.get("jobs", {}).get(job_id)
        if job is None or (job.get("project_id") not in (None, project_id)):
            spec = self.config.get("unknown_job") or DEFAULTS["unknown_job"]
            return _Reply(int(spec.get("status", 404)), {
                "error_code": spec.get("error_code", "DCS.4404"),
                "error_msg": spec.get("error_msg", "The job does not exist."),
                "error_ext_msg": None,
            })
        return _Reply(200, self._job_body(job_id, job))

    def _fault_reply(self, fault: Dict[str, Any], request_id: str) -> Optional[_Reply]:
        kind = str(fault.get("kind", ""))
        extra_headers = dict(fault.get("headers") or {})
        if kind == "429":
            if fault.get("retry_after") is not None:
                extra_headers["Retry-After"] = str(fault["retry_after"])
            reply = self._gateway_error(429, "APIGW.0308",
                                        "The throttling threshold has been reached: policy user over "
                                        "ratelimit,limit:200,time:1 second", request_id)
            reply.headers.update(extra_headers)
            return reply
        if kind in ("500", "502", "503", "504"):
            code, msg = GATEWAY_ERRORS[int(kind)]
            reply = self._gateway_error(int(kind), code, msg, request_id)
            reply.headers.update(extra_headers)
            return reply
        if kind == "reset":
            return _Reply(0, reset=True, note="reset")
        if kind == "slow":
            self._stopping.wait(float(fault.get("seconds", 30)))
            return None
        if kind == "html":
            return _Reply(int(fault.get("status", 502)), raw=HTML_PAGE.encode("ascii"),
                          content_type="text/html", headers=extra_headers, note="html")
        if kind == "empty":
            return _Reply(int(fault.get("status", 200)), raw=b"", headers=extra_headers, note="empty")
        if kind == "status":
            payload = fault.get("body")
            if isinstance(payload, str):
                return _Reply(int(fault.get("status", 500)), raw=payload.encode("utf-8"),
                              headers=extra_headers, content_type=fault.get("content_type", "application/json"))
            return _Reply(int(fault.get("status", 500)), payload, headers=extra_headers)
        # "truncated" (handled after the real answer is built), "pass" and unknown kinds: normal answer
        return None

    # ---- admin ------------------------------------------------------------------------------
    def admin(self, method: str, path: str, body: bytes) -> _Reply:
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except ValueError as exc:
            return _Reply(400, {"error": "invalid JSON: %s" % exc})
        if method == "GET" and path == "/_emulator/requests":
            log = self.requests
            return _Reply(200, {"requests": log, "counts": self.request_counts(), "total": len(log)})
        if method == "GET" and path == "/_emulator/health":
            return _Reply(200, {"ok": True})
        if method == "GET" and path == "/_emulator/config":
            with self._lock:
                return _Reply(200, self.config)
        if method == "POST" and path == "/_emulator/faults":
            if not isinstance(data, dict):
                return _Reply(400, {"error": "expected a JSON object"})
            if "faults" in data:
                self.set_faults(data["faults"] or {}, replace=bool(data.get("replace", True)))
            else:
                self.set_faults(data, replace=True)
            with self._lock:
                return _Reply(200, {"faults": self.config["faults"]})
        if method == "POST" and path == "/_emulator/reset":
            self.reset()
            return _Reply(200, {"ok": True})
        if method == "POST" and path == "/_emulator/settings":
            return _Reply(200, self.update_settings(data if isinstance(data, dict) else {}))
        if method == "POST" and path == "/_emulator/jobs":
            self.set_jobs((data or {}).get("jobs") or {})
            return _Reply(200, {"jobs": sorted(self.config["jobs"])})
        return _Reply(404, {"error": "unknown admin endpoint %s %s" % (method, path)})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], handler: Any, emulator: Emulator):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        super().__init__(address, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs in the per-connection thread: the TLS handshake must not block the accept loop.
        ctx = self.emulator._ssl_context
        if ctx is not None:
            try:
                request = ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "APIG"
    sys_version = ""
    server: _Server

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        if self.server.emulator.verbose:
            sys.stderr.write("dcs_emulator: %s - %s\n" % (self.address_string(), format % args))

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        started = time.time()
        split = urlsplit(self.path)
        raw_path, raw_query = split.path, split.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request_id = uuid.uuid4().hex
        if raw_path.startswith("/_emulator/"):
            self._send(emulator.admin(self.command, raw_path, body), request_id)
            return
        headers: Dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            if key not in headers:
                headers[key] = _decode_header(value)
        entry: Dict[str, Any] = {
            "time": started,
            "method": self.command,
            "path": raw_path,
            "query": raw_query,
            "headers": dict(headers),
            "request_id": request_id,
        }
        try:
            reply = emulator.handle(self.command, raw_path, raw_query, headers, body, request_id, entry)
        except Exception as exc:  # a bug in the emulator must still answer, and be visible
            entry["exception"] = repr(exc)
            reply = emulator._gateway_error(500, "APIGW.9999", "System error.", request_id)
        entry["status"] = 0 if reply.reset else reply.status
        entry["error_code"] = reply.error_code
        if reply.note:
            entry["note"] = reply.note
        entry["duration"] = round(time.time() - started, 6)
        emulator._record(entry)
        if reply.reset:
            self._reset()
        else:
            self._send(reply, request_id)

    def _reset(self) -> None:
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            self.connection.close()
        except OSError:
            pass

    def _send(self, reply: _Reply, request_id: str) -> None:
        emulator = self.server.emulator
        reason = self.responses.get(reply.status, ("",))[0]
        lines = ["HTTP/1.1 %d %s" % (reply.status, reason)]
        headers = {
            "Server": "APIG",
            "Date": email.utils.formatdate(emulator.now(), usegmt=True),
            "Content-Type": reply.content_type,
            "Content-Length": str(len(reply.body)),
            "Connection": "keep-alive",
            "X-Request-Id": request_id,
        }
        headers.update(reply.headers)
        if self.close_connection or self.headers.get("Connection", "").lower() == "close":
            headers["Connection"] = "close"
            self.close_connection = True
        for name, value in headers.items():
            lines.append("%s: %s" % (name, value))
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body
        self.wfile.write(payload)  # one send: headers and body together
        self.log_request(reply.status, len(reply.body))

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET  # noqa: N815


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def load_config(path: Optional[str]) -> Dict[str, Any]:
    if not path:
        return {}
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Local emulator of the Huawei Cloud DCS job API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--config", help="JSON configuration file")
    parser.add_argument("--tls-cert", help="PEM certificate (serve HTTPS)")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--url-file", help="write the URL to this file once listening")
    parser.add_argument("--pid-file", help="write the process ID to this file")
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")

    emulator = Emulator(load_config(args.config), host=args.host, port=args.port,
                        tls_cert=args.tls_cert, tls_key=args.tls_key, verbose=args.verbose)
    stop = threading.Event()

    def _on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    emulator.start()
    if args.pid_file:
        with open(args.pid_file, "w", encoding="utf-8") as handle:
            handle.write("%d\n" % os.getpid())
    if args.url_file:
        tmp = args.url_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
        os.replace(tmp, args.url_file)
    sys.stdout.write("DCS emulator listening on %s\n" % emulator.url)
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
        if args.pid_file:
            try:
                os.unlink(args.pid_file)
            except OSError:
                pass
    sys.stdout.write("DCS emulator stopped\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
