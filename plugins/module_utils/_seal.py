# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Seal the state a module hands to its next slice: encrypted and authenticated with the task's secret key.

Private to this collection: this interface may change without notice.

Between the slices of a long wait, the module's state (the result so far, which may hold parameter
values) travels through an environment variable of the next module run, and ``-vvv`` prints that
command line. Sealed, the variable shows nothing and a changed or foreign one is refused.

The construction uses only HMAC-SHA256 from the standard library: keys derived from the secret key
with a fixed label, a keystream of HMAC(key, nonce || counter) blocks (HMAC used as a PRF in counter
mode), and an HMAC tag over nonce and ciphertext, checked in constant time before anything else.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import hashlib
import hmac
import json
import os
import zlib

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError

LABEL = b"hwc.dcs slice state v1"
NONCE_BYTES = 16
TAG_BYTES = 32
MAX_PLAIN = 4 * 1024 * 1024  # what a state may decompress to


class SealError(ValidationError):
    """A sealed state that this task cannot open."""


def _key(secret, purpose):
    base = hmac.new(secret.encode("utf-8"), LABEL, hashlib.sha256).digest()
    return hmac.new(base, purpose, hashlib.sha256).digest()


def _keystream(key, nonce, length):
    blocks = (length + 31) // 32
    return b"".join(hmac.new(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256).digest() for counter in range(blocks))[:length]


def _xor(data, stream):
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(data, secret):
    """``data`` (JSON-able) as URL-safe base64 text, readable only with the same secret."""
    # Keys keep their order: a result rebuilt from the state lists them as an uninterrupted run does.
    plain = zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 6)
    nonce = os.urandom(NONCE_BYTES)
    cipher = _xor(plain, _keystream(_key(secret, b"encrypt"), nonce, len(plain)))
    tag = hmac.new(_key(secret, b"authenticate"), nonce + cipher, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(nonce + cipher + tag).decode("ascii")


def unseal(text, secret):
    """The dict ``seal()`` made; raises ``SealError`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeError):
        raw = b""
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealError(refused("it is not sealed state"))
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    expected = hmac.new(_key(secret, b"authenticate"), nonce + cipher, hashlib.sha256).digest()
    if not hmac.compare_digest(tag, expected):
        raise SealError(refused("it was sealed with other credentials or changed since"))
    plain = _xor(cipher, _keystream(_key(secret, b"encrypt"), nonce, len(cipher)))
    try:
        inflater = zlib.decompressobj()
        decoded = inflater.decompress(plain, MAX_PLAIN)
        data = json.loads(decoded.decode("utf-8")) if not inflater.unconsumed_tail else None
    except (zlib.error, ValueError, UnicodeError):
        data = None
    if not isinstance(data, dict):
        raise SealError(refused("it does not hold a state"))
    return data


def refused(why):
    return ("The module was given the state of an earlier slice of its wait, but %s. Only the hwc.dcs action plugins "
            "set it (in the _HWC_DCS_SLICE_STATE environment variable): unset that variable and run the task again." % why)
