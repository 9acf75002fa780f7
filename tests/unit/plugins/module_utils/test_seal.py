# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_seal: the state handed to the next slice is unreadable, unforgeable and refused clearly when it is not ours."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import hmac
import json
import re
import zlib

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._seal import (
    MAX_PLAIN,
    NONCE_BYTES,
    TAG_BYTES,
    SealError,
    _key,
    _keystream,
    _xor,
    seal,
    unseal,
)
from ansible_collections.hwc.dcs.tests.support.constants import SK, TMP_SK

# A parameter value that a module's result may hold (for example a configuration value) and must not show.
PARAMETER_VALUE = "maxmemory-policy-secret-value-7f3a"
PARAMS = [{"param_name": "maxmemory-policy", "param_value": PARAMETER_VALUE}]
DATA = {
    "saved": {"change": {"job_id": "ff80808288d41e1b018a1c7e2c0d1a2b", "params": PARAMS}},
    "reported": {"ff80808288d41e1b018a1c7e2c0d1a2b": "RUNNING"},
    "wait": {"kind": "job", "keys": ["ff80808288d41e1b018a1c7e2c0d1a2b"], "sleep_left": 4.5, "paused_at": 1735732800.25,
             "tracked": [{"key": "ff80808288d41e1b018a1c7e2c0d1a2b", "state": {"status": "RUNNING", "fail_reason": None},
                          "last_error": None, "history": [["INIT", 1735732800.0], ["RUNNING", 1735732805.0]]}]},
    "requests": {"poll": 3, "iam": 1},
    "reasons": {},
    "warnings": [u"unicode \u00e9\u4e2d kept"],
    "flags": [True, False, None, 0, -1.5],
}


def forge(plain, secret=SK, nonce=b"\x01" * NONCE_BYTES):
    """A correctly encrypted and tagged token around ``plain`` (the bytes seal() would compress to)."""
    cipher = _xor(plain, _keystream(_key(secret, b"encrypt"), nonce, len(plain)))
    tag = hmac.new(_key(secret, b"authenticate"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + cipher + tag).decode("ascii")


def raw(token):
    return base64.urlsafe_b64decode(token.encode("ascii"))


def encode(data):
    return base64.urlsafe_b64encode(data).decode("ascii")


def assert_refused(token, secret=SK, why=None):
    with pytest.raises(SealError) as caught:
        unseal(token, secret)
    message = caught.value.message
    assert "_HWC_DCS_SLICE_STATE" in message and "unset that variable" in message
    assert secret not in message
    if token:
        assert token not in message and token[:16] not in message
    if why:
        assert why in message
    return message


# --- what a seal shows and gives back --------------------------------------------------------------------

def test_round_trip_of_nested_json_data():
    assert unseal(seal(DATA, SK), SK) == DATA


def test_an_empty_state_round_trips():
    assert unseal(seal({}, SK), SK) == {}


def test_the_token_is_url_safe_ascii_text():
    token = seal(DATA, SK)
    assert re.match(r"^[A-Za-z0-9_=-]+$", token)
    assert len(raw(token)) > NONCE_BYTES + TAG_BYTES


def test_the_token_shows_none_of_the_plaintext():
    token = seal(DATA, SK)
    decoded = raw(token)
    for text in (PARAMETER_VALUE, SK, "maxmemory", "RUNNING", "ff80808288d41e1b"):
        assert text not in token
        assert text.encode("ascii") not in decoded
    # Compressed but not encrypted, the ciphertext would inflate to the JSON text.
    cipher = decoded[NONCE_BYTES:-TAG_BYTES]
    try:
        inflated = zlib.decompressobj().decompress(cipher)
    except zlib.error:
        inflated = b""
    assert PARAMETER_VALUE.encode("ascii") not in inflated
    plain = zlib.compress(json.dumps(DATA, separators=(",", ":"), sort_keys=True).encode("utf-8"), 6)
    assert plain[:8] not in decoded


def test_two_seals_of_the_same_data_differ():
    first, second = seal(DATA, SK), seal(DATA, SK)
    assert first != second
    assert raw(first)[:NONCE_BYTES] != raw(second)[:NONCE_BYTES], "a fresh random nonce each time"
    assert unseal(first, SK) == unseal(second, SK) == DATA


def test_the_forge_helper_builds_what_seal_builds():
    """The premise of the 'valid tag, bad payload' tests below: forge() makes tokens unseal() accepts."""
    plain = zlib.compress(b'{"a":[1,{"b":null}]}')
    assert unseal(forge(plain), SK) == {"a": [1, {"b": None}]}


# --- refused tokens --------------------------------------------------------------------------------------

def test_seal_error_is_a_validation_error():
    assert issubclass(SealError, ValidationError)


def test_another_secret_is_refused():
    message = assert_refused(seal(DATA, SK), secret=TMP_SK, why="sealed with other credentials or changed since")
    assert TMP_SK not in message and PARAMETER_VALUE not in message


@pytest.mark.parametrize("part", ["nonce", "ciphertext", "tag"])
def test_a_flipped_bit_anywhere_is_refused(part):
    token = seal(DATA, SK)
    data = bytearray(raw(token))
    spans = {"nonce": range(0, NONCE_BYTES), "ciphertext": range(NONCE_BYTES, len(data) - TAG_BYTES),
             "tag": range(len(data) - TAG_BYTES, len(data))}
    positions = spans[part]
    assert len(positions) > 0
    for position in positions:
        changed = bytearray(data)
        changed[position] ^= 1 << (position % 8)
        assert_refused(encode(bytes(changed)), why="changed since")


@pytest.mark.parametrize("cut", [
    lambda data: data[:-1],
    lambda data: data[1:],
    lambda data: data[:len(data) // 2],
    lambda data: data[:NONCE_BYTES + TAG_BYTES],
    lambda data: data[:NONCE_BYTES + TAG_BYTES - 1],
    lambda data: data[:1],
    lambda data: data + b"\x00",
], ids=["last-byte", "first-byte", "half", "no-ciphertext", "shorter-than-nonce-and-tag", "one-byte", "one-more-byte"])
def test_truncated_or_extended_tokens_are_refused(cut):
    assert_refused(encode(cut(raw(seal(DATA, SK)))))


@pytest.mark.parametrize("cut", [1, 2, 3, 5, 10])
def test_truncated_token_text_is_refused(cut):
    assert_refused(seal(DATA, SK)[:-cut])


@pytest.mark.parametrize("token", [
    "",
    "not base64 at all!",
    "%%%%",
    "====",
    "QUJD",  # valid base64 of 3 bytes
    encode(b"\x00" * 200),
    encode(bytes(range(256))),
    u"\u00e9t\u00e9",  # not ASCII
    "a" * 10001,
], ids=["empty", "prose", "percent", "padding-only", "short", "zeros", "bytes", "non-ascii", "long"])
def test_garbage_is_refused(token):
    assert_refused(token)


def test_the_message_says_what_is_wrong_and_what_to_do():
    message = assert_refused("x", why="it is not sealed state")
    assert message.startswith("The module was given the state of an earlier slice of its wait")
    assert "Only the hwc.dcs action plugins set it" in message and "run the task again" in message


# --- a valid tag over data that is not a state ----------------------------------------------------------

@pytest.mark.parametrize("plain", [
    zlib.compress(b"[1, 2]"),
    zlib.compress(b'"text"'),
    zlib.compress(b"null"),
    zlib.compress(b"42"),
    zlib.compress(b"true"),
    zlib.compress(b"not json"),
    zlib.compress(b'{"a": '),
    zlib.compress(b"\xff\xfe{}"),
    zlib.compress(b""),
    b'{"a": 1}',  # not compressed
    b"",
    b"\x78\x9c garbage that is not deflate",
], ids=["list", "string", "null", "number", "bool", "not-json", "cut-json", "not-utf8", "empty-json", "not-zlib",
        "empty", "bad-deflate"])
def test_a_valid_tag_over_something_that_is_not_a_state_is_refused(plain):
    assert_refused(forge(plain), why="it does not hold a state")


def test_a_zlib_bomb_is_refused_without_inflating_it_all():
    bomb = zlib.compress(b'{"a":"' + b"x" * (MAX_PLAIN + 1) + b'"}', 9)
    assert len(bomb) < 10000
    assert_refused(forge(bomb), why="it does not hold a state")


@pytest.mark.parametrize("extra", [1, 7, 258, 4096])
def test_a_state_padded_past_the_limit_is_refused_even_when_its_start_is_valid_json(extra):
    """Cut at MAX_PLAIN, ``{"a":1}`` followed by spaces would still be a valid dict: the size alone refuses it."""
    start = b'{"a":1}'
    assert_refused(forge(zlib.compress(start + b" " * (MAX_PLAIN - len(start) + extra), 9)), why="it does not hold a state")


def test_a_state_of_exactly_the_limit_is_accepted():
    start = b'{"a":1}'
    assert unseal(forge(zlib.compress(start + b" " * (MAX_PLAIN - len(start)), 9)), SK) == {"a": 1}
