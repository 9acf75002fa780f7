# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One in-process, threaded HTTP(S) server on 127.0.0.1 (port 0) with scripted answers, and a raw client.

A test queues the answers it wants (``queue(Answer(...), ...)``, one per request, in order) and/or
gives ``default``, a function of the recorded request that returns an Answer; the server records
every request it received in ``requests``. An Answer is a status, JSON body, headers, or raw
bytes, or a connection reset, after an optional delay; ``write`` takes over the socket entirely
(hostile servers: partial bodies, slow bodies, broken framing).

``raw_request()`` is the other side: one exchange through http.client, with no client-side magic.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import json
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NOT_FOUND_BODY = {"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published in the environment."}


class Answer:
    """One scripted answer.

    ``body`` is sent as JSON, ``raw`` (str or bytes) as is; ``headers`` add to or replace the defaults
    (Content-Type, X-Request-Id, Content-Length); ``delay`` seconds pass before anything is sent;
    ``reset`` closes the connection with a TCP RST instead; ``write(wfile, connection)`` writes
    whatever it likes instead of the normal response.
    """

    def __init__(self, status=200, body=None, headers=None, reset=False, delay=0.0, raw=None, write=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.reset = reset
        self.delay = delay
        self.raw = raw
        self.write = write

    def payload(self):
        if self.raw is not None:
            return self.raw.encode("utf-8") if isinstance(self.raw, str) else self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode("utf-8")


def not_found(_request):
    """The default answer: the gateway's 404 for an unknown API."""
    return Answer(404, NOT_FOUND_BODY)


class Recorded:
    """A request the server received: ``method``, ``path`` (the request target, query included),
    ``headers`` (a dict, names as sent), ``body`` (bytes) and ``at`` (time.monotonic())."""

    def __init__(self, method, path, headers, at, body=b""):
        self.method = method
        self.path = path
        self.headers = headers
        self.at = at
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class ScriptedServer:
    """The server; use it as a context manager (``with ScriptedServer(default=fn) as server:``)."""

    def __init__(self, default=None, tls_context=None):
        self.script = []
        self.default = default or not_found
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.port = self.httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def queue(self, *answers):
        """Answer the next requests with these, in order, before falling back to ``default``."""
        with self.lock:
            self.script.extend(answers)

    def handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        recorded = Recorded(handler.command, handler.path, dict(handler.headers.items()), time.monotonic(), body)
        with self.lock:
            self.requests.append(recorded)
            count = len(self.requests)
            answer = self.script.pop(0) if self.script else None
        if answer is None:
            answer = self.default(recorded)
        if answer.delay:
            time.sleep(answer.delay)
        try:
            if answer.reset:
                reset_connection(handler)
            elif answer.write is not None:
                handler.close_connection = True
                answer.write(handler.wfile, handler.connection)
            else:
                handler.wfile.write(_response(answer, count))
                handler.wfile.flush()
        except (ConnectionError, ssl.SSLError):
            pass


def _handler_for(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # pylint: disable=arguments-differ  # keep test output clean
            pass

        def do_GET(self):  # noqa: N802 - http.server naming
            server.handle(self)

        do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET  # noqa: N815

    return Handler


def _response(answer, count):
    payload = answer.payload()
    head = ["HTTP/1.1 %d %s" % (answer.status, "X")]
    headers = {"Content-Type": "application/json", "X-Request-Id": "req-%d" % count, "Content-Length": str(len(payload))}
    headers.update(answer.headers)
    head.extend("%s: %s" % item for item in headers.items())
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


def reset_connection(handler):
    """Close the handler's connection with a TCP RST (SO_LINGER 0) and no response."""
    handler.close_connection = True
    try:
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        handler.connection.close()
    except OSError:
        pass


class Raw:
    """A raw HTTP exchange's answer: ``status``, ``headers`` (lower-case names), ``body`` (bytes)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def raw_request(url, method, target, headers=None, body=None, timeout=10, ca_file=None):
    """Send exactly ``headers`` (no Host, no Accept-Encoding added) and ``body`` to ``url`` + ``target``."""
    scheme, _sep, netloc = url.partition("://")
    if scheme == "https":
        conn = http.client.HTTPSConnection(netloc, timeout=timeout, context=ssl.create_default_context(cafile=ca_file))
    else:
        conn = http.client.HTTPConnection(netloc, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)  # str values go out as latin-1, as http.client does
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return Raw(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()
