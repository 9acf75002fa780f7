# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP plumbing: a threaded server (TLS handshakes in the connection's thread) and the request handler.

The handler turns each HTTP request into a routing.Request and hands it to the emulator: admin
calls to ``emulator.admin_answer``, API calls to ``emulator.answer`` with a fresh log entry. It
writes each Reply in one send (TCP_NODELAY), or resets the connection.
"""

from __future__ import annotations

import email.utils
import socket
import ssl
import struct
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Tuple
from urllib.parse import urlsplit

from .routing import Reply, Request, gateway_error

ADMIN_PREFIX = "/_emulator/"


def _decode_header(value: str) -> str:
    """http.server decodes header bytes as latin-1; undo that to get the sent UTF-8 text."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: Tuple[str, int], emulator: Any, ssl_context: Any = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self.ssl_context = ssl_context
        super().__init__(address, Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs in the per-connection thread: the TLS handshake must not block the accept loop.
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "APIG"
    sys_version = ""
    server: Server

    def setup(self) -> None:
        super().setup()
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 pylint: disable=redefined-builtin
        if self.server.emulator.verbose:
            sys.stderr.write("dcs_emulator: %s - %s\n" % (self.address_string(), format % args))

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        started = time.time()
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        request_id = uuid.uuid4().hex
        if split.path.startswith(ADMIN_PREFIX):
            self._send(emulator.admin_answer(Request(self.command, split.path, split.query, {}, body, request_id)), request_id)
            return
        headers: Dict[str, str] = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), _decode_header(value))
        entry: Dict[str, Any] = {"time": started, "method": self.command, "path": split.path, "query": split.query,
                                 "headers": dict(headers), "request_id": request_id}
        try:
            reply = emulator.answer(Request(self.command, split.path, split.query, headers, body, request_id, entry))
        except Exception as exc:  # pylint: disable=broad-except  # a bug in the emulator must still answer, and be visible
            entry["exception"] = repr(exc)
            reply = gateway_error(500, "APIGW.9999", "System error.", request_id)
        entry["status"] = 0 if reply.reset else reply.status
        entry["error_code"] = reply.error_code
        if reply.note:
            entry["note"] = reply.note
        entry["duration"] = round(time.time() - started, 6)
        emulator.record(entry)
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

    def _send(self, reply: Reply, request_id: str) -> None:
        reason = self.responses.get(reply.status, ("",))[0]
        lines = ["HTTP/1.1 %d %s" % (reply.status, reason)]
        headers = {
            "Server": "APIG",
            "Date": email.utils.formatdate(self.server.emulator.now(), usegmt=True),
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
