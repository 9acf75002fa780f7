# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A scripted in-process HTTP(S) server on 127.0.0.1, port 0, for testing the HTTP layer.

Each test queues the answers it wants (status, headers, body, or a connection reset or a
delay); the server records every request it received. Unscripted requests get ``default``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Answer:
    def __init__(self, status=200, body=None, headers=None, reset=False, delay=0.0, raw=None):
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.reset = reset
        self.delay = delay
        self.raw = raw

    def payload(self):
        if self.raw is not None:
            return self.raw.encode("utf-8") if isinstance(self.raw, str) else self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode("utf-8")


class Recorded:
    def __init__(self, method, path, headers, at):
        self.method = method
        self.path = path
        self.headers = headers
        self.at = at


class ScriptedServer:
    def __init__(self, default=None, tls_context=None):
        self.script = []
        self.default = default or (lambda request: Answer(404, {"error_code": "APIGW.0101", "error_msg": "not found"}))
        self.requests = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                server._handle(self)

            do_POST = do_PUT = do_DELETE = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
        with self.lock:
            self.script.extend(answers)

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        recorded = Recorded(handler.command, handler.path, dict(handler.headers.items()), time.monotonic())
        with self.lock:
            self.requests.append(recorded)
            answer = self.script.pop(0) if self.script else None
        if answer is None:
            answer = self.default(recorded)
        if answer.delay:
            time.sleep(answer.delay)
        if answer.reset:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        payload = answer.payload()
        head = ["HTTP/1.1 %d %s" % (answer.status, "X")]
        headers = {"Content-Type": "application/json", "X-Request-Id": "req-%d" % len(self.requests),
                   "Content-Length": str(len(payload))}
        headers.update(answer.headers)
        head.extend("%s: %s" % item for item in headers.items())
        try:
            handler.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
            handler.wfile.flush()
        except (ConnectionError, ssl.SSLError):
            pass


def self_signed_context(tmp_path):
    """A server TLS context with a fresh CA-signed certificate for 127.0.0.1; returns (context, ca_file)."""
    import subprocess
    ca_key, ca_crt = tmp_path / "ca.key", tmp_path / "ca.pem"
    key, csr, crt, ext = tmp_path / "srv.key", tmp_path / "srv.csr", tmp_path / "srv.pem", tmp_path / "ext.cnf"

    def run(*args):
        subprocess.run(args, check=True, capture_output=True)

    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca_crt),
        "-days", "2", "-subj", "/CN=hwc.dcs test CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", "/CN=127.0.0.1")
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(crt), "-days", "2", "-extfile", str(ext))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(crt), str(key))
    return context, str(ca_crt)
