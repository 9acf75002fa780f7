# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hwc.dcs.dcs_job_info against a misbehaving server, through real ansible-playbook runs (README.md).

One test per case of ``hostile_cases.CASES``: the run ends within its time bound and its memory
bound, gives the expected result or a clear message, prints no traceback, secret, escape sequence or
forged PLAY RECAP line, and the server saw its request. Then a few tests of the server alone, with a
raw socket client, showing that its misbehaviours are real.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket
import time
import zlib

import pytest

import hostile_cases
import hostile_server


@pytest.mark.parametrize("name", [case.name for case in hostile_cases.CASES])
def test_hostile_server(name, hostile_outcomes):
    outcome = hostile_outcomes[name]
    assert not outcome.problems, "%s (%.1f s of %.1f s, %.0f MB of %.0f MB, %d requests):\n- %s" % (
        name, outcome.wall, outcome.bound, outcome.rss_mb, outcome.rss_bound_mb, len(outcome.requests),
        "\n- ".join(outcome.problems))


# -- the server itself: each misbehaviour is real (so that a passing case above is not vacuous) --

def _fetch(server, path="/v2/p/jobs/j1", headers="", limit=1 << 16, timeout=5.0):
    """Send one GET and read for at most ``timeout`` s; return (bytes read, error raised while reading or None)."""
    end = time.monotonic() + timeout
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    data, error = b"", None
    try:
        conn.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, headers)).encode("ascii"))
        while len(data) < limit:
            conn.settimeout(max(0.01, end - time.monotonic()))
            piece = conn.recv(65536)
            if not piece:
                break
            data += piece
    except OSError as exc:
        error = exc
    finally:
        conn.close()
    return data, error


def _body(data):
    return data.split(b"\r\n\r\n", 1)[1]


def test_server_normal_answer_is_the_job_asked_for():
    with hostile_server.HostileServer("normal") as server:
        data, error = _fetch(server)
    assert error is None and data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert json.loads(_body(data).decode("ascii")) == hostile_server.job_answer("j1")
    assert server.requests[0]["path"] == "/v2/p/jobs/j1"


def test_server_gzip_bomb_inflates_to_one_gib():
    bomb = hostile_server.gzip_bomb()
    assert len(bomb) < 1200 * 1000
    inflater = zlib.decompressobj(31)
    total, pending = 0, bomb
    while pending:
        total += len(inflater.decompress(pending, 1 << 24))
        pending = inflater.unconsumed_tail
    assert total == hostile_server.BOMB_INFLATED


def test_server_reset_sends_half_the_body_then_rst():
    with hostile_server.HostileServer("reset") as server:
        data, error = _fetch(server)
    announced = int(re.search(rb"Content-Length: (\d+)", data).group(1))
    assert len(_body(data)) < announced
    assert isinstance(error, ConnectionResetError)


def test_server_reset_then_good_recovers_after_the_resets():
    with hostile_server.HostileServer("reset_then_good") as server:
        errors = [_fetch(server)[1] for dummy in range(hostile_server.RESET_FIRST + 1)]
    assert [isinstance(error, ConnectionResetError) for error in errors] == [True] * hostile_server.RESET_FIRST + [False]


def test_server_broken_gzip_does_not_inflate():
    with hostile_server.HostileServer("broken_gzip") as server:
        data, dummy = _fetch(server)
    assert b"Content-Encoding: gzip" in data
    with pytest.raises(zlib.error):
        zlib.decompress(_body(data), 31)


def test_server_json_traps():
    with hostile_server.HostileServer("deep_json") as server:
        deep, dummy = _fetch(server, limit=1 << 20)
    with pytest.raises(RecursionError):
        json.loads(_body(deep).decode("ascii"))
    with hostile_server.HostileServer("huge_numbers") as server:
        huge, dummy = _fetch(server)
    assert json.loads(_body(huge).decode("ascii"))["begin_time"] == hostile_server.HUGE_NUMBER


def test_server_endless_headers_never_end():
    with hostile_server.HostileServer("endless_headers") as server:
        data, error = _fetch(server, timeout=1.6)
    assert isinstance(error, socket.timeout) and b"X-Filler-2:" in data and b"\r\n\r\n" not in data


def test_server_netrc_mode_wants_the_signature():
    with hostile_server.HostileServer("netrc") as server:
        basic, dummy = _fetch(server, headers="Authorization: Basic eDp5\r\n")
        signed, dummy = _fetch(server, headers="Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00\r\n")
    assert basic.startswith(b"HTTP/1.1 401 ") and b"APIGW.0301" in basic
    assert signed.startswith(b"HTTP/1.1 200 ")


def test_server_absurd_date():
    with hostile_server.HostileServer("absurd_date") as server:
        data, dummy = _fetch(server)
    assert data.startswith(b"HTTP/1.1 401 ") and b"\r\nDate: Fri, 31 Dec 9999 23:59:59 GMT\r\n" in data
    assert b"signature expired" in _body(data)
