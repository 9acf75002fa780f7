# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A raw-socket HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, one mode per misbehaviour.

Standard library only. One ``HostileServer`` serves one mode on its own random port, one thread per
connection, and logs every request it reads (method, path, Authorization header). Each answer ends
with ``Connection: close``; the endless modes stop when the client goes away or when the server is
closed. Modes are listed in ``MODES``; ``README.md`` beside this file describes each one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import socket
import struct
import threading
import time
import uuid
import zlib

# What a misbehaving server sends, sized as the issue describes.
TRICKLE_INTERVAL = 0.5       # seconds between two bytes of a trickled answer or two endless header lines
ENDLESS_BODY_INTERVAL = 1.0  # seconds between two spaces of the endless body
HUGE_SIZE = 20 * 1000 * 1000  # bytes of padding in the huge body and of the huge error_msg
LONG_ERROR_SIZE = 900 * 1000  # an error_msg far over the 500-character cut but under the 1 MiB answer limit
BOMB_INFLATED = 1 << 30       # the gzip bomb inflates to 1 GiB
DEEP_JSON_DEPTH = 100000
HUGE_NUMBER = int("1" + "0" * 399)  # a 400-digit integer
RESET_FIRST = 2               # reset_then_good: how many requests are reset before a good answer

# A fail_reason / error_msg that tries to forge Ansible's closing lines and move the cursor.
FORGED_TEXT = ("disk full\r\nPLAY RECAP *** localhost : ok=1 changed=0 unreachable=0 failed=0\x1b[2K"
               "\x1b]0;owned\x07\x1b[31mred\x1b[0m\rok\nPLAY RECAP done")

ABSURD_DATE = "Fri, 31 Dec 9999 23:59:59 GMT"
OTHER_JOB_ID = "ff8080820000000000000000000bad00"
SIGNATURE_PREFIX = "SDK-HMAC-SHA256"

MODES = (
    "normal", "trickle", "endless_body", "endless_headers", "gzip_bomb", "huge_body", "huge_error",
    "long_error", "reset", "reset_then_good", "broken_gzip", "deep_json", "huge_numbers", "absurd_date",
    "wrong_job_id", "ansi_fail_reason", "ansi_error_msg", "netrc", "slow_iam",
)

_BOMB_LOCK = threading.Lock()
_BOMB = []


def gzip_bomb():
    """About 1 MB of gzip that inflates to 1 GiB of JSON (whitespace, then a job), built once, streamed."""
    with _BOMB_LOCK:
        if not _BOMB:
            compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
            chunk = b" " * (1 << 20)
            tail = json.dumps(job_answer("x")).encode("ascii")
            parts = [compressor.compress(chunk) for dummy in range((BOMB_INFLATED - len(tail)) >> 20)]
            parts.append(compressor.compress(b" " * ((BOMB_INFLATED - len(tail)) & ((1 << 20) - 1))))
            parts.append(compressor.compress(tail))
            parts.append(compressor.flush())
            _BOMB.append(b"".join(parts))
        return _BOMB[0]


def job_answer(job_id, **changes):
    answer = {"job_id": job_id, "job_type": "masterStandbySwapJob", "status": "SUCCESS",
              "begin_time": "1700000000000", "end_time": "1700000060000", "fail_reason": None}
    answer.update(changes)
    return answer


def projects_answer(region):
    return {"projects": [{"id": "0123456789abcdef0123456789abcdef", "name": region, "enabled": True,
                          "domain_id": "fedcba9876543210fedcba9876543210", "parent_id": "fedcba9876543210fedcba9876543210"}],
            "links": {"self": "https://iam.example/v3/projects"}}


def _reason(status):
    return {200: "OK", 400: "Bad Request", 401: "Unauthorized"}.get(status, "Status")


def head(status, headers=(), length=None):
    """The status line and headers of an answer (``length`` None: no Content-Length)."""
    lines = ["HTTP/1.1 %d %s" % (status, _reason(status)), "Content-Type: application/json",
             "X-Request-Id: %s" % uuid.uuid4().hex, "Connection: close"]
    if not any(name.lower() == "date" for name, dummy in headers):
        lines.append("Date: %s" % email.utils.formatdate(usegmt=True))
    lines.extend("%s: %s" % pair for pair in headers)
    if length is not None:
        lines.append("Content-Length: %d" % length)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(status, body, headers=()):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    return head(status, headers, len(data)) + data


class HostileServer:
    """One misbehaving HTTP server: ``url``, ``requests`` (the log), ``close()``."""

    def __init__(self, mode, region="cn-north-4"):
        if mode not in MODES:
            raise ValueError("unknown mode %r" % mode)
        self.mode = mode
        self.region = region
        self.requests = []
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)  # so that the accept loop sees close() soon
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if mode == "gzip_bomb":
            gzip_bomb()
        self._thread = threading.Thread(target=self._accept, name="hostile-%s" % mode, daemon=True)
        self._thread.start()

    def close(self):
        self._stop.set()
        try:
            self._listener.close()
        except OSError:
            pass
        self._thread.join(5)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, dummy = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            request = _read_request(conn)
            if request is None:
                return
            with self._lock:
                request["index"] = len(self.requests)
                self.requests.append(request)
            getattr(self, "_mode_" + self.mode)(conn, request)
        except OSError:
            pass  # the client went away: expected for the endless and slow modes
        except Exception as error:  # pylint: disable=broad-except
            self.errors.append(repr(error))
        finally:
            try:
                conn.close()
            except OSError:
                pass

    # -- helpers --

    def _job_id(self, request):
        parts = request["path"].split("?")[0].rstrip("/").split("/")
        return parts[-1] if len(parts) >= 5 and parts[-2] == "jobs" else "unknown"

    def _drip(self, conn, data, interval):
        for index in range(len(data)):
            if self._stop.is_set():
                return
            conn.sendall(data[index:index + 1])
            self._stop.wait(interval)

    def _forever(self, conn, piece, interval):
        count = 0
        while not self._stop.is_set() and count < 100000:
            conn.sendall(piece if isinstance(piece, bytes) else piece(count))
            count += 1
            self._stop.wait(interval)

    @staticmethod
    def _reset(conn, data):
        """Send ``data`` then abort the connection with a TCP RST (SO_LINGER 0)."""
        conn.sendall(data)
        time.sleep(0.05)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.close()

    # -- modes --

    def _mode_normal(self, conn, request):
        conn.sendall(answer(200, job_answer(self._job_id(request))))

    def _mode_trickle(self, conn, request):
        self._drip(conn, answer(200, job_answer(self._job_id(request))), TRICKLE_INTERVAL)

    def _mode_endless_body(self, conn, request):
        conn.sendall(head(200))
        self._forever(conn, b" ", ENDLESS_BODY_INTERVAL)

    def _mode_endless_headers(self, conn, request):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        self._forever(conn, lambda count: ("X-Filler-%d: %s\r\n" % (count, "x" * 16)).encode("ascii"), TRICKLE_INTERVAL)

    def _mode_gzip_bomb(self, conn, request):
        conn.sendall(answer(200, gzip_bomb(), [("Content-Encoding", "gzip")]))

    def _mode_huge_body(self, conn, request):
        body = json.dumps(job_answer(self._job_id(request), padding="p" * HUGE_SIZE))
        conn.sendall(answer(200, body.encode("ascii")))

    def _mode_huge_error(self, conn, request):
        conn.sendall(answer(400, {"error_code": "DCS.4070", "error_msg": "E" * HUGE_SIZE, "error_ext_msg": None}))

    def _mode_long_error(self, conn, request):
        conn.sendall(answer(400, {"error_code": "DCS.4070", "error_msg": "L" * LONG_ERROR_SIZE, "error_ext_msg": None}))

    def _mode_reset(self, conn, request):
        data = answer(200, job_answer(self._job_id(request)))
        body_start = data.index(b"\r\n\r\n") + 4
        self._reset(conn, data[:body_start + (len(data) - body_start) // 2])

    def _mode_reset_then_good(self, conn, request):
        if request["index"] < RESET_FIRST:
            self._mode_reset(conn, request)
        else:
            self._mode_normal(conn, request)

    def _mode_broken_gzip(self, conn, request):
        packed = zlib.compressobj(6, zlib.DEFLATED, 31)
        good = packed.compress(json.dumps(job_answer(self._job_id(request))).encode("ascii")) + packed.flush()
        broken = good[:12] + bytes(byte ^ 0x5A for byte in good[12:])
        conn.sendall(answer(200, broken, [("Content-Encoding", "gzip")]))

    def _mode_deep_json(self, conn, request):
        conn.sendall(answer(200, b"[" * DEEP_JSON_DEPTH + b"]" * DEEP_JSON_DEPTH))

    def _mode_huge_numbers(self, conn, request):
        body = json.dumps(job_answer(self._job_id(request))).replace('"1700000000000"', str(HUGE_NUMBER))
        conn.sendall(answer(200, body.encode("ascii")))

    def _mode_absurd_date(self, conn, request):
        body = {"error_code": "APIGW.0301",
                "error_msg": "Incorrect IAM authentication information: verify aksk signature fail, signature expired "
                             "(x-sdk-date is 252423993599 seconds behind the gateway's time)",
                "request_id": uuid.uuid4().hex}
        conn.sendall(answer(401, body, [("Date", ABSURD_DATE)]))

    def _mode_wrong_job_id(self, conn, request):
        conn.sendall(answer(200, job_answer(OTHER_JOB_ID)))

    def _mode_ansi_fail_reason(self, conn, request):
        conn.sendall(answer(200, job_answer(self._job_id(request), status="FAIL", fail_reason=FORGED_TEXT)))

    def _mode_ansi_error_msg(self, conn, request):
        conn.sendall(answer(400, {"error_code": "DCS.4070", "error_msg": FORGED_TEXT, "error_ext_msg": None}))

    def _mode_netrc(self, conn, request):
        if request["authorization"].startswith(SIGNATURE_PREFIX):
            self._mode_normal(conn, request)
            return
        body = {"error_code": "APIGW.0301", "request_id": uuid.uuid4().hex,
                "error_msg": "Incorrect IAM authentication information: the Authorization header is not SDK-HMAC-SHA256"}
        conn.sendall(answer(401, body))

    def _mode_slow_iam(self, conn, request):
        if request["path"].startswith("/v3/projects"):
            self._drip(conn, answer(200, projects_answer(self.region)), TRICKLE_INTERVAL)
        else:
            self._mode_normal(conn, request)


def _read_request(conn):
    """Read one request's head; None when the client sent nothing usable."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return None
        data += piece
        if len(data) > 1 << 20:
            return None
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        name, dummy, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return {"method": parts[0], "path": parts[1] if len(parts) > 1 else "", "headers": headers,
            "authorization": headers.get("authorization", ""), "time": time.time()}
