# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A local emulator of the Huawei Cloud DCS API and its API gateway (tests/emulator/README.md documents it).

Test infrastructure for the ``hwc.dcs`` collection: standard library only, Python 3.8+. It judges
SDK-HMAC-SHA256 signatures with its own implementation (deliberately independent of the
collection's signer) and answers with the status codes and error bodies of the real gateway
and service. Run it as a command::

    python tests/emulator/dcs_emulator.py --host 127.0.0.1 --port 0 --config FILE \
        [--tls-cert CERT --tls-key KEY] [--url-file F] [--pid-file F] [--verbose]

It prints ``DCS emulator listening on http://127.0.0.1:PORT`` once listening and stops cleanly
on SIGTERM or SIGINT. Or import it::

    with Emulator(config_dict) as emu:    # host="127.0.0.1", port=0, tls_cert=None, tls_key=None
        emu.url                          # "http://127.0.0.1:PORT"
        emu.requests                     # copy of the request log (list of dicts)

Its parts live in ``dcs_emu/``: the endpoints and their route table (``api.py``), the admin
endpoints (``admin.py``), scripted faults (``faults.py``), the signature judge
(``signature.py``), the route table's types (``routing.py``) and the HTTP plumbing
(``server.py``). This file holds the emulator's state, the gateway's steps and the command line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import signal
import ssl
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

if __package__:  # imported from the collection: ansible_collections.hwc.dcs.tests.emulator
    from ansible_collections.hwc.dcs.tests.emulator.dcs_emu import admin, api, faults, instances
    from ansible_collections.hwc.dcs.tests.emulator.dcs_emu.routing import Reply, Request, find_route, gateway_error
    from ansible_collections.hwc.dcs.tests.emulator.dcs_emu.server import Server
    from ansible_collections.hwc.dcs.tests.emulator.dcs_emu.signature import (  # noqa: F401 pylint: disable=unused-import
        Judge, canonical_query, canonical_uri, compute_signature, string_to_sign)
else:  # run as a script (python tests/emulator/dcs_emulator.py): dcs_emu/ sits beside this file
    from dcs_emu import admin, api, faults, instances  # type: ignore[no-redef]
    from dcs_emu.routing import Reply, Request, find_route, gateway_error  # type: ignore[no-redef]
    from dcs_emu.server import Server  # type: ignore[no-redef]
    from dcs_emu.signature import (  # type: ignore[no-redef]  # noqa: F401 pylint: disable=unused-import
        Judge, canonical_query, canonical_uri, compute_signature, string_to_sign)

AUTH_PREFIX = "Incorrect IAM authentication information: "
NOT_PUBLISHED = "The API does not exist or has not been published in the environment."

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
    "unknown_job": dict(api.UNKNOWN_JOB),
    "faults": {},
    "instances": {},
    "instance_job_seconds": 1.5,
}

SETTINGS = ("clock_offset_seconds", "latency_seconds", "check_signatures", "verify_with_sdk",
            "require_project_header", "max_clock_skew_seconds", "instance_job_seconds")


def _merge_config(config: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    merged = copy.deepcopy(DEFAULTS)
    for key, value in (config or {}).items():
        merged[key] = copy.deepcopy(value)
    merged["faults"] = {k: [dict(f) for f in v] for k, v in (merged.get("faults") or {}).items()}
    merged["jobs"] = dict(merged.get("jobs") or {})
    merged["instances"] = dict(merged.get("instances") or {})
    return merged


class Emulator:
    """The emulated gateway in front of the routes of ``dcs_emu/api.py``; see the README."""

    def __init__(self, config: Optional[Dict[str, Any]] = None, host: str = "127.0.0.1", port: int = 0,
                 tls_cert: Optional[str] = None, tls_key: Optional[str] = None, verbose: bool = False):
        self.config = _merge_config(config)
        self.host = host
        self.port = port
        self.tls_cert = tls_cert
        self.tls_key = tls_key
        self.verbose = verbose
        self.routes = api.ROUTES
        self.lock = threading.RLock()
        self._log: List[Dict[str, Any]] = []
        self._first_query: Dict[str, Tuple[float, float]] = {}  # job_id -> (monotonic, emulated epoch)
        self._stopping = threading.Event()
        self._server: Optional[Server] = None
        self._thread: Optional[threading.Thread] = None
        self._sdk_warned = False
        self.store = instances.InstanceStore(self)

    # ---- life cycle -----------------------------------------------------------------------
    def start(self) -> "Emulator":
        context = None
        if self.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls_cert, self.tls_key)
        self._server = Server((self.host, self.port), self, context)
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

    def first_query(self, job_id: str) -> Tuple[float, float]:
        """When the job was first queried since start or reset: (time.monotonic(), emulated epoch)."""
        with self.lock:
            if job_id not in self._first_query:
                self._first_query[job_id] = (time.monotonic(), self.now())
            return self._first_query[job_id]

    @property
    def requests(self) -> List[Dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self._log)

    def request_counts(self) -> Dict[str, int]:
        counts: Dict[str, int] = {}
        with self.lock:
            for entry in self._log:
                counts[entry["path"]] = counts.get(entry["path"], 0) + 1
        return counts

    def record(self, entry: Dict[str, Any]) -> None:
        with self.lock:
            self._log.append(entry)

    def reset(self) -> None:
        """Forget the log and the jobs' clocks; every instance back to its configured state."""
        with self.lock:
            self._log = []
            self._first_query = {}
            self.store.reset()

    def start_job_clock(self, job_id: str, monotonic: float, epoch: float) -> None:
        """Start a job's lifecycle now (jobs started by operations), instead of at its first query."""
        with self.lock:
            self._first_query[job_id] = (monotonic, epoch)

    def forget_job_clock(self, job_id: str) -> None:
        with self.lock:
            self._first_query.pop(job_id, None)

    # ---- instances (dcs_emu/instances.py) --------------------------------------------------
    def set_instances(self, specs: Dict[str, Dict[str, Any]], replace: bool = False) -> None:
        """Add or replace instances (their state rebuilt from the spec); ``replace`` drops the others first."""
        with self.lock:
            if replace:
                self.config["instances"] = {}
                self.store.reset()
            for instance_id, spec in specs.items():
                self.config["instances"][instance_id] = copy.deepcopy(spec)
                self.store.load(instance_id)

    def reset_instances(self, instance_id: Optional[str] = None) -> None:
        """One instance, or all, back to the configured state (their operation jobs and tasks dropped)."""
        with self.lock:
            self.store.reset(instance_id)

    def update_instance(self, instance_id: str, changes: Dict[str, Any]) -> Optional[Dict[str, Any]]:
        with self.lock:
            state = self.store.update(instance_id, changes)
            return None if state is None else state.admin_view()

    def instance_state(self, instance_id: str) -> Optional[Dict[str, Any]]:
        """The live state (roles, parameter values, tasks, running job) as ``GET /_emulator/instances/ID``."""
        with self.lock:
            state = self.store.get(instance_id, None)
            return None if state is None else state.admin_view()

    def operations(self) -> List[Dict[str, Any]]:
        """The mutating operations accepted (switchovers, config changes), in order."""
        with self.lock:
            return copy.deepcopy(self.store.operations)

    def set_faults(self, fault_lists: Dict[str, List[Dict[str, Any]]], replace: bool = True) -> None:
        with self.lock:
            if replace:
                self.config["faults"] = {}
            for key, items in fault_lists.items():
                self.config["faults"].setdefault(key, []).extend(dict(f) for f in items)

    def set_jobs(self, jobs: Dict[str, Dict[str, Any]]) -> None:
        with self.lock:
            for job_id, job in jobs.items():
                self.config["jobs"][job_id] = copy.deepcopy(job)
                self._first_query.pop(job_id, None)

    def update_settings(self, settings: Dict[str, Any]) -> Dict[str, Any]:
        with self.lock:
            for key in SETTINGS:
                if key in settings:
                    self.config[key] = settings[key]
            return {key: self.config.get(key) for key in SETTINGS}

    # ---- the gateway ----------------------------------------------------------------------
    def answer(self, request: Request) -> Reply:
        """Answer one API request, as the gateway would: route (404), fault, latency, authentication
        (401), project (403, project-scoped routes), then the route's handler."""
        route, request.params = find_route(self.routes, request.method, request.path)
        entry = request.entry if request.entry is not None else {}
        entry["route"] = route.name if route is not None else None
        if route is None:
            return gateway_error(404, "APIGW.0101", NOT_PUBLISHED, request.request_id)
        with self.lock:
            fault = faults.take_fault(self.config.get("faults") or {}, request.path)
        if fault is not None:
            entry["fault"] = fault.get("kind")
            reply = faults.fault_reply(fault, request.request_id, self._stopping.wait)
            if reply is not None:
                return reply
        latency = float(self.config.get("latency_seconds") or 0)
        if latency > 0:
            self._stopping.wait(latency)
        if self.config.get("check_signatures", True):
            denied = self._authenticate(request, entry)
            if denied is not None:
                return denied
        reply = api.project_denied(self, request) if "project_id" in route.parameters else None
        return faults.finish(fault, reply or route.handler(self, request), self._stopping.wait)

    def _authenticate(self, request: Request, entry: Dict[str, Any]) -> Optional[Reply]:
        reason = Judge(self.config, self.now(), request).reject()
        if entry.get("sdk_verified", False) is None and not self._sdk_warned:
            self._sdk_warned = True
            sys.stderr.write("dcs_emulator: verify_with_sdk set but huaweicloudsdkcore is not "
                             "importable; using the built-in verifier only\n")
        if reason is None:
            return None
        entry["auth_error"] = reason
        return gateway_error(401, "APIGW.0301", AUTH_PREFIX + reason, request.request_id)

    def admin_answer(self, request: Request) -> Reply:
        """Answer one call to an admin endpoint (/_emulator/...)."""
        return admin.answer(self, request)

    def admin(self, method: str, path: str, body: bytes) -> Reply:
        """``admin_answer`` for a call given as method, path and body."""
        return self.admin_answer(Request(method, path, "", {}, body, ""))


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

def load_config(path: Optional[str]) -> Dict[str, Any]:
    if not path:
        return {}
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)


def _write_files(emulator: Emulator, args: argparse.Namespace) -> None:
    if args.pid_file:
        with open(args.pid_file, "w", encoding="utf-8") as handle:
            handle.write("%d\n" % os.getpid())
    if args.url_file:
        tmp = args.url_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(emulator.url + "\n")
        os.replace(tmp, args.url_file)


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
    _write_files(emulator, args)
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
