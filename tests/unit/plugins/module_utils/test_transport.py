# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_transport against real sockets on 127.0.0.1: time budget, size limit, decoding, faults, no netrc.

Hostile answers are written byte by byte by a tiny raw socket server (``RawServer``) or by a
ScriptedServer ``write=`` function; every slow writer stops when the test ends.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import os
import socket
import struct
import threading
import time
import tracemalloc
import zlib

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.hwc.dcs.plugins.module_utils._errors import TransportError
from ansible_collections.hwc.dcs.plugins.module_utils._transport import MAX_BODY, Transport
from ansible_collections.hwc.dcs.plugins.module_utils._watchdog import Watchdog
from ansible_collections.hwc.dcs.tests.support.certs import make_certificates
from ansible_collections.hwc.dcs.tests.support.constants import AK, PROJECT, SK
from ansible_collections.hwc.dcs.tests.support.http_server import Answer, ScriptedServer

requests = pytest.importorskip("requests")

BUDGET = 1.0
# The watchdog fires a little after the sockets' own timeout; a bounded exchange ends within
# the budget plus this slack (watchdog margin, thread wake-up, a loaded CI machine).
SLACK = 0.8
MIB = 1024 * 1024
# The retry reason of an exchange the server or something in between dropped (reset, closed
# mid-answer, invalid HTTP): transient, and the request may have arrived.
DROPPED = "connection error"
JSON_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


def settings(verify=True, proxy_environ=None):
    return ConnectionSettings(region="cn-north-4", project_id=PROJECT, endpoint="http://127.0.0.1",
                              iam_endpoint=None, access_key=AK, secret_key=SK, verify=verify,
                              proxy_environ=proxy_environ)


def transport(**kwargs):
    max_body = kwargs.pop("max_body", MAX_BODY)
    return Transport(settings(**kwargs), max_body=max_body)


class RawServer:
    """Accepts connections on 127.0.0.1; for each, reads the request head and calls ``script(sock, head)``.

    ``heads`` records every request head (bytes). ``stop`` is set when the test ends, so that a slow
    script can end its loop. The socket is closed after the script returns (unless it closed it).
    """

    def __init__(self, script, wait_for_head=True):
        self.script = script
        self.wait_for_head = wait_for_head
        self.heads = []
        self.connections = 0
        self.stop = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)
        self.listener.close()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _address = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        try:
            conn.settimeout(10)
            head = b""
            while self.wait_for_head and b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            self.heads.append(head)
            self.script(self, conn, head)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def trickle(self, conn, data, interval, limit=None):
        """Send ``data`` one byte every ``interval`` seconds (at most ``limit`` bytes), until stopped."""
        for index, byte in enumerate(data):
            if self.stop.is_set() or (limit is not None and index >= limit):
                return
            conn.sendall(bytes((byte,)))
            self.stop.wait(interval)

    def header_names(self, index=0):
        lines = self.heads[index].decode("latin-1").split("\r\n")[1:]
        return sorted(line.split(":", 1)[0].lower() for line in lines if line)

    def header(self, name, index=0):
        for line in self.heads[index].decode("latin-1").split("\r\n")[1:]:
            key, _sep, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


def answer(status=200, body=b"{}", headers=None):
    """A script that sends one complete answer."""
    def script(_server, conn, _head):
        lines = ["HTTP/1.1 %d X" % status, "Content-Length: %d" % len(body)]
        lines.extend("%s: %s" % item for item in (headers or {}).items())
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    return script


def send(tp, url, budget=BUDGET, method="GET", headers=None, body=b""):
    """(response or TransportError, seconds)."""
    started = time.monotonic()
    try:
        result = tp.send(method, url + "/v2/%s/jobs/j" % PROJECT, headers or {"User-Agent": "hwc-test"}, body, budget)
    except TransportError as error:
        result = error
    return result, time.monotonic() - started


def assert_too_slow(result, seconds, budget=BUDGET):
    assert isinstance(result, TransportError), result
    assert "did not complete within %.1f s" % budget in result.message
    assert result.retry_reason == "timeout" and result.maybe_sent is True
    assert budget * 0.9 <= seconds < budget + SLACK, seconds


def rst_close(conn):
    """Close with a TCP RST instead of a FIN."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


# --- the time budget -------------------------------------------------------------------------

def test_trickled_body_ends_at_the_budget():
    def script(server, conn, _head):
        conn.sendall((JSON_HEAD + "Content-Length: 200\r\n\r\n").encode())
        server.trickle(conn, b"{" + b" " * 198 + b"}", 0.2)

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url)
    assert_too_slow(result, seconds)


def test_trickled_headers_end_at_the_budget():
    def script(server, conn, _head):
        server.trickle(conn, (JSON_HEAD + "X-Padding: " + "a" * 200 + "\r\n\r\n{}").encode(), 0.2)

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url)
    assert_too_slow(result, seconds)


def test_endless_chunked_body_ends_at_the_budget():
    def script(server, conn, _head):
        conn.sendall((JSON_HEAD + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n").encode())
        while not server.stop.wait(0.1):
            conn.sendall(b"1\r\n \r\n")

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url, budget=0.5)
    assert_too_slow(result, seconds, budget=0.5)


@pytest.mark.parametrize("head", [
    JSON_HEAD + "Content-Length: 200\r\nConnection: close\r\n\r\n",
    "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
], ids=["connection-close", "http-1.0"])
def test_trickled_body_of_a_closing_answer_ends_at_the_budget(head):
    # With "Connection: close" (or HTTP/1.0) http.client detaches the socket from the connection
    # object as soon as the headers are read; the watchdog must still be able to end the body.
    def script(server, conn, _head):
        conn.sendall(head.encode())
        server.trickle(conn, b"{" + b" " * 198 + b"}", 0.1, limit=25)  # 2.5 s at most

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url, budget=0.5)
    assert_too_slow(result, seconds, budget=0.5)


def test_endless_body_without_length_ends_at_the_budget():
    # A body delimited by the end of the connection that never ends: cut by the watchdog, it must
    # be reported as too slow, not returned as a complete (truncated) answer.
    def script(server, conn, _head):
        conn.sendall((JSON_HEAD + "Connection: close\r\n\r\n{}").encode())
        server.trickle(conn, b" " * 25, 0.1)  # 2.5 s at most

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url, budget=0.5)
    assert_too_slow(result, seconds, budget=0.5)


def test_silent_server_is_a_read_timeout():
    def script(server, _conn, _head):
        server.stop.wait(5)

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url, budget=0.5)
    assert isinstance(result, TransportError)
    assert result.retry_reason in ("read timeout", "timeout") and result.maybe_sent is True
    assert "0.5 s" in result.message
    assert seconds < 0.5 + SLACK


def test_a_fresh_request_never_rides_an_idle_pooled_connection():
    # A keep-alive server: one connection serves request after request. A request that must not be
    # sent twice (fresh=True) opens its own connection, so that a failure says something about it
    # and not about an idle connection the server was closing at that moment.
    def keep_alive(server, conn, head):
        while head:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    return
                head += data
            server.heads.append(head)

    tp = transport()
    with RawServer(keep_alive) as server:
        send(tp, server.url)
        send(tp, server.url)
        assert server.connections == 1, "plain requests share the pooled connection"
        fresh = tp.send("PUT", server.url + "/v2/%s/jobs/j" % PROJECT, {"User-Agent": "hwc-test"}, b"{}", BUDGET, fresh=True)
        assert fresh.status == 200
        assert server.connections == 2, "the fresh request opened a connection of its own"
        send(tp, server.url)
        assert server.connections == 2, "and did not disturb the pool"


def test_transport_is_usable_after_a_request_ran_out_of_time():
    # The next request reuses the pooled connection object with a new socket: the alarm of the
    # request that ran out of time must not shut that one down too.
    state = {"count": 0}
    lock = threading.Lock()

    def script(server, conn, head):
        with lock:
            state["count"] += 1
            slow = state["count"] % 2 == 1
        if slow:
            conn.sendall((JSON_HEAD + "Content-Length: 50\r\n\r\n").encode())
            server.trickle(conn, b" " * 50, 0.1)
        else:
            # This server closes every connection after one answer, so it must say so: without
            # "Connection: close" the client may reuse the connection just as the server closes it.
            answer(body=b'{"ok":true}', headers={"Connection": "close"})(server, conn, head)

    tp = transport()
    with RawServer(script) as server:
        for _unused in range(3):
            first, _seconds = send(tp, server.url, budget=0.3)
            second, seconds = send(tp, server.url, budget=0.3)
            assert isinstance(first, TransportError) and first.retry_reason == "timeout"
            assert not isinstance(second, TransportError), second.message
            assert second.status == 200 and second.body == b'{"ok":true}' and seconds < 0.3


class _Connection:
    """A stand-in for a pooled connection object: only its ``sock`` matters to an alarm."""

    def __init__(self, sock):
        self.sock = sock

    def close(self):
        pass


def _shut_down(sock, peer):
    """Whether ``sock`` no longer carries data from ``peer``."""
    sock.settimeout(1)
    try:
        peer.sendall(b"x")
        return sock.recv(1) != b"x"
    except OSError:
        return True


def test_alarm_never_shuts_a_socket_of_a_later_request():
    old, old_peer = socket.socketpair()
    new, new_peer = socket.socketpair()
    try:
        alarm = Watchdog().arm(60)
        connection = _Connection(old)
        # The transport attaches a connection when it connects and again when it sends.
        alarm.attach(connection)
        alarm.attach(connection)
        # The request ends and the pool hands the connection object to a later request with a new
        # socket, while the watchdog thread is already past its check that the alarm is cancelled.
        connection.sock = new
        alarm.fire()
        assert _shut_down(old, old_peer), "the alarm did not end its own request"
        assert not _shut_down(new, new_peer), "the later request's socket was shut down"
    finally:
        for sock in (old, old_peer, new, new_peer):
            sock.close()


# --- the size limit --------------------------------------------------------------------------

def test_body_at_the_limit_is_accepted_and_over_it_refused():
    body = b"x" * 1000
    tp = transport(max_body=1000)
    with ScriptedServer(default=lambda _request: Answer(200, raw=body)) as server:
        result, _seconds = send(tp, server.url)
    assert result.status == 200 and result.body == body
    tp = transport(max_body=999)
    with ScriptedServer(default=lambda _request: Answer(200, raw=body)) as server:
        result, _seconds = send(tp, server.url)
    assert isinstance(result, TransportError)
    assert "larger than the 999 byte limit" in result.message and "after decompression" in result.message
    assert result.retry_reason is None and result.maybe_sent is True


def test_huge_plain_body_stops_at_the_limit():
    def script(server, conn, _head):
        conn.sendall((JSON_HEAD + "Content-Length: %d\r\n\r\n" % (20 * MIB)).encode())
        block = b" " * 65536
        for _unused in range(20 * 16):
            if server.stop.is_set():
                return
            conn.sendall(block)

    tp = transport(max_body=MIB)
    with RawServer(script) as server:
        result, seconds = send(tp, server.url, budget=5.0)
    assert isinstance(result, TransportError) and "1048576 byte limit" in result.message
    assert seconds < 2.0


@pytest.fixture(scope="module")
def bomb():
    """50 MiB of zeros, compressed (about 50 kB)."""
    return zlib.compress(bytes(50 * MIB), 9)


def _bomb_answer(payload, encoding):
    return Answer(200, raw=payload, headers={"Content-Encoding": encoding})


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_is_stopped_with_little_memory(bomb, encoding):
    if encoding == "gzip":
        payload = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + bomb[2:-4] + struct.pack("<II", 0, (50 * MIB) & 0xFFFFFFFF)
    else:
        payload = bomb
    tp = transport(max_body=MIB)
    with ScriptedServer(default=lambda _request: _bomb_answer(payload, encoding)) as server:
        tracemalloc.start()
        try:
            result, seconds = send(tp, server.url, budget=5.0)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(result, TransportError), result
    assert "larger than the 1048576 byte limit (measured after decompression)" in result.message
    assert seconds < 2.0
    assert peak < 8 * MIB, "peak memory %d bytes for a 50 MiB bomb" % peak


# --- decoding --------------------------------------------------------------------------------

BODY = b'{"job_id":"j","status":"SUCCESS"}'


def gzipped(data):
    """gzip with a fixed header time: a payload (and so a test ID) made at collection time must not depend on the
    clock, or pytest-xdist's workers collect different tests when a second boundary falls between them."""
    return gzip.compress(data, mtime=0)


@pytest.mark.parametrize("encoding, payload", [
    ("gzip", gzipped(BODY)),
    ("x-gzip", gzipped(BODY)),
    (" GZIP ", gzipped(BODY)),
    ("deflate", zlib.compress(BODY)),
    ("identity", BODY),
    ("", BODY),
], ids=["gzip", "x-gzip", "padded-upper-GZIP", "deflate", "identity", "empty"])
def test_encoded_bodies_are_decoded(encoding, payload):
    with ScriptedServer(default=lambda _request: Answer(200, raw=payload, headers={"Content-Encoding": encoding})) as server:
        result, _seconds = send(transport(), server.url)
    assert result.status == 200 and result.body == BODY


def test_raw_deflate_body_is_decoded():
    # Content-Encoding "deflate" is the zlib format, but servers also send raw deflate data;
    # urllib3 (what decoded bodies before) accepts both.
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    payload = compressor.compress(BODY) + compressor.flush()
    with ScriptedServer(default=lambda _request: Answer(200, raw=payload, headers={"Content-Encoding": "deflate"})) as server:
        result, _seconds = send(transport(), server.url)
    assert not isinstance(result, TransportError), result
    assert result.body == BODY


def test_gzip_with_two_members_is_not_cut_silently():
    payload = gzipped(BODY[:10]) + gzipped(BODY[10:])
    with ScriptedServer(default=lambda _request: Answer(200, raw=payload, headers={"Content-Encoding": "gzip"})) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError) or result.body == BODY, result.body


@pytest.mark.parametrize("payload", [
    b"this is not gzip at all",
    gzipped(BODY)[:-12],  # cut short: the stream never ends
    gzipped(BODY)[:-4] + b"\x00\x00\x00\x00",  # wrong length in the trailer
], ids=["garbage", "truncated", "bad-trailer"])
def test_broken_gzip_is_a_broken_answer(payload):
    with ScriptedServer(default=lambda _request: Answer(200, raw=payload, headers={"Content-Encoding": "gzip"})) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == "broken answer" and result.maybe_sent is True
    assert "broken" in result.message and "gzip" in result.message


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, br", "\x1b[31mevil"])
def test_unknown_content_encoding_is_a_clear_error(encoding):
    with ScriptedServer(default=lambda _request: Answer(200, raw=b"xx", headers={"Content-Encoding": encoding})) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert "uses Content-Encoding" in result.message and "not asked for" in result.message
    assert "\x1b" not in result.message
    assert result.retry_reason is None


def test_accept_encoding_is_sent_unless_given():
    with RawServer(answer()) as server:
        send(transport(), server.url)
        send(transport(), server.url, headers={"User-Agent": "t", "Accept-Encoding": "identity"})
    assert server.header("Accept-Encoding", 0) == "gzip, deflate"
    assert server.header("Accept-Encoding", 1) == "identity"


# --- faults ----------------------------------------------------------------------------------

def test_reset_mid_body_is_connection_dropped():
    def script(_server, conn, _head):
        conn.sendall((JSON_HEAD + "Content-Length: 1000\r\n\r\n{\"job_id\":").encode())
        time.sleep(0.05)
        rst_close(conn)

    with RawServer(script) as server:
        result, seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == DROPPED and result.maybe_sent is True
    assert "connection dropped" in result.message
    assert seconds < BUDGET


def test_close_mid_body_is_connection_dropped():
    def script(_server, conn, _head):
        conn.sendall((JSON_HEAD + "Content-Length: 1000\r\n\r\n{\"job_id\":").encode())

    with RawServer(script) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == DROPPED and result.maybe_sent is True


def test_reset_mid_chunked_body_is_connection_dropped():
    def script(_server, conn, _head):
        conn.sendall((JSON_HEAD + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"job").encode())
        time.sleep(0.05)
        rst_close(conn)

    with RawServer(script) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == DROPPED and result.maybe_sent is True


def test_reset_before_the_answer_may_have_been_sent():
    def script(_server, conn, _head):
        rst_close(conn)

    with RawServer(script) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == DROPPED and result.maybe_sent is True


@pytest.mark.parametrize("raw", [
    b"garbage\r\n\r\n",
    b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % index for index in range(150)) + b"\r\n",
    b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100000 + b"\r\n\r\n",
], ids=["bad-status-line", "too-many-headers", "header-too-long"])
def test_invalid_http_is_connection_dropped(raw):
    def script(_server, conn, _head):
        conn.sendall(raw)

    with RawServer(script) as server:
        result, _seconds = send(transport(), server.url)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == DROPPED
    assert "Traceback" not in result.message


def test_connection_refused_was_not_sent():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result, seconds = send(transport(), "http://127.0.0.1:%d" % port)
    assert isinstance(result, TransportError), result
    assert result.retry_reason == "connection refused" and result.maybe_sent is False
    assert "127.0.0.1:%d" % port in result.message and "connection refused" in result.message
    assert seconds < BUDGET


def test_redirect_is_not_followed():
    with RawServer(answer(302, b"", {"Location": "http://127.0.0.1:9/elsewhere"})) as server:
        result, _seconds = send(transport(), server.url)
    assert result.status == 302 and len(server.heads) == 1


def test_request_body_is_sent_as_given():
    with ScriptedServer(default=lambda _request: Answer(200, {})) as server:
        result, _seconds = send(transport(), server.url, method="POST", body=b'{"a":1}',
                                headers={"User-Agent": "t", "Content-Type": "application/json"})
        recorded = server.requests[0]
    assert result.status == 200
    assert recorded.method == "POST" and recorded.body == b'{"a":1}'
    assert recorded.headers["Content-Length"] == "7"


def test_response_header_is_cleaned():
    with RawServer(answer(headers={"X-Request-Id": "abc\x1b[2Jdef", "Date": "Wed, 01 Jan 2025 12:00:00 GMT"})) as server:
        result, _seconds = send(transport(), server.url)
    assert result.header("x-request-id") == "abcdef"
    assert result.header("DATE") == "Wed, 01 Jan 2025 12:00:00 GMT"
    assert result.header("Retry-After") is None


# --- only the collection decides what a request carries ------------------------------------

@pytest.fixture
def netrc_home(tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login mach password machinepw\ndefault login x password y\n")
    os.chmod(str(netrc), 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NETRC", str(netrc))
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return netrc


def test_netrc_is_ignored(netrc_home):
    given = {"User-Agent": "hwc-test", "X-Sdk-Date": "20250101T120000Z", "Authorization": "SDK-HMAC-SHA256 x"}
    with RawServer(answer()) as server:
        # The environment really offers netrc credentials: a default requests session sends them.
        requests.get(server.url + "/probe", timeout=5)
        result, _seconds = send(transport(), server.url, headers=given)
        result_unsigned, _seconds = send(transport(), server.url, headers={"User-Agent": "hwc-test"})
    assert server.header("Authorization", 0).startswith("Basic ")
    assert result.status == 200 and result_unsigned.status == 200
    assert server.header("Authorization", 1) == "SDK-HMAC-SHA256 x"
    assert server.header("Authorization", 2) is None
    assert server.header_names(1) == ["accept-encoding", "authorization", "host", "user-agent", "x-sdk-date"]
    assert server.header_names(2) == ["accept-encoding", "host", "user-agent"]


def test_no_session_default_headers(netrc_home):
    with RawServer(answer()) as server:
        send(transport(), server.url, headers={"X-Only": "1"})
    names = server.header_names(0)
    assert "accept" not in names and "connection" not in names and "authorization" not in names
    assert "python-requests" not in (server.header("User-Agent") or "")
    assert set(names) <= {"host", "x-only", "accept-encoding", "user-agent"}


def test_environment_proxy_is_ignored(monkeypatch):
    with ScriptedServer(default=lambda _request: Answer(200, {"via": "proxy"})) as proxy:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("no_proxy", "")
        with RawServer(answer()) as server:
            result, _seconds = send(transport(), server.url)
        assert result.status == 200 and result.body == b"{}"
        assert proxy.requests == [] and len(server.heads) == 1


def test_proxy_from_settings_is_used():
    with ScriptedServer(default=lambda _request: Answer(200, {"via": "proxy"})) as proxy:
        with RawServer(answer()) as server:
            tp = transport(proxy_environ={"http_proxy": proxy.url})
            result, _seconds = send(tp, server.url)
        assert result.status == 200 and result.body == b'{"via": "proxy"}'
        assert len(proxy.requests) == 1 and server.heads == []
        assert proxy.requests[0].path == "%s/v2/%s/jobs/j" % (server.url, PROJECT)  # absolute-URI request line


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "127.0.0.0/8", "*"])
def test_no_proxy_from_settings_goes_direct(no_proxy):
    with ScriptedServer(default=lambda _request: Answer(200, {"via": "proxy"})) as proxy:
        with RawServer(answer()) as server:
            tp = transport(proxy_environ={"http_proxy": proxy.url, "no_proxy": no_proxy})
            result, _seconds = send(tp, server.url)
        assert result.status == 200 and result.body == b"{}"
        assert proxy.requests == [] and len(server.heads) == 1


def test_trickling_proxy_is_bounded_too():
    def script(server, conn, _head):
        conn.sendall((JSON_HEAD + "Content-Length: 100\r\n\r\n").encode())
        server.trickle(conn, b" " * 100, 0.1)

    with RawServer(script) as proxy:
        tp = transport(proxy_environ={"http_proxy": proxy.url})
        result, seconds = send(tp, "http://dcs.example.invalid", budget=0.5)
    assert_too_slow(result, seconds, budget=0.5)
    assert proxy.heads[0].startswith(b"GET http://dcs.example.invalid/v2/")


# --- TLS -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("certs"))


def test_tls_with_the_ca_bundle_from_settings(certificates):
    with ScriptedServer(default=lambda _request: Answer(200, {"tls": True}),
                        tls_context=certificates.server_context()) as server:
        result, _seconds = send(transport(verify=certificates.ca_file), server.url)
    assert result.status == 200 and result.body == b'{"tls": true}'


def test_tls_without_the_ca_fails_clearly(certificates, monkeypatch):
    # REQUESTS_CA_BUNDLE is read by resolve_connection, never by the transport's session.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificates.ca_file)
    monkeypatch.setenv("CURL_CA_BUNDLE", certificates.ca_file)
    with ScriptedServer(default=lambda _request: Answer(200, {"tls": True}),
                        tls_context=certificates.server_context()) as server:
        result, seconds = send(transport(verify=True), server.url)
    assert isinstance(result, TransportError), result
    assert "TLS certificate verification failed for 127.0.0.1:%d" % server.port in result.message
    assert "unable to get local issuer certificate" in result.message or "self-signed" in result.message
    assert "ca_path" in result.message
    assert result.retry_reason is None and result.maybe_sent is False
    assert seconds < BUDGET


def test_trickled_tls_handshake_ends_at_the_budget():
    def script(server, conn, _head):
        # A TLS record header announcing 16 kB of handshake, then one byte at a time.
        conn.sendall(b"\x16\x03\x03\x40\x00")
        server.trickle(conn, b"\x02" * 40, 0.1)  # 4 s at most

    with RawServer(script, wait_for_head=False) as server:
        result, seconds = send(transport(), server.url.replace("http:", "https:"), budget=0.5)
    assert isinstance(result, TransportError), result
    assert result.retry_reason is not None or "TLS" in result.message
    assert seconds < 0.5 + SLACK


def test_tls_verification_can_be_turned_off(certificates):
    with ScriptedServer(default=lambda _request: Answer(200, {"tls": True}),
                        tls_context=certificates.server_context()) as server:
        result, _seconds = send(transport(verify=False), server.url)
    assert result.status == 200
