# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading an answer's body: streamed, decoded here, and never larger than a limit.

Private to this collection: this interface may change without notice.

``read_body()`` reads the raw (still encoded) body in chunks and decodes gzip or deflate itself,
asking zlib for no more output than the limit allows, so that a compression bomb costs at most
the limit in memory. Gzip bodies of several members are decoded whole, and deflate bodies with
or without the zlib header are accepted, as browsers and ``requests`` accept them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import zlib

CHUNK = 16 * 1024


class BodyError(Exception):
    """The body cannot be used: ``kind`` is 'too large', 'broken' or 'encoding'."""

    def __init__(self, kind, detail=""):
        super(BodyError, self).__init__(kind)
        self.kind = kind
        self.detail = detail


class _Inflater:
    """gzip (any number of members) or deflate (zlib-wrapped or raw), decoded with bounded output."""

    def __init__(self, encoding):
        self.encoding = encoding
        self._decoder = None
        self.finished = False

    def _start(self, data):
        if self.encoding == "deflate":
            # RFC 9110 says zlib-wrapped, but some servers send raw deflate: tell them apart by the header.
            zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] * 256 + data[1]) % 31 == 0
            return zlib.decompressobj() if zlib_header else zlib.decompressobj(-zlib.MAX_WBITS)
        return zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data, room):
        """Decoded bytes of ``data``, at most ``room + 1`` of them (one more than fits means too large)."""
        out = []
        while data:
            if self._decoder is None or (self._decoder.eof and self.encoding != "deflate"):
                self._decoder = self._start(data)
            elif self._decoder.eof:
                raise BodyError("broken", "data after the end of the deflate stream")
            chunk = self._decoder.decompress(data, max(1, room + 1))
            out.append(chunk)
            room -= len(chunk)
            if self._decoder.unconsumed_tail:
                raise BodyError("too large")
            data = self._decoder.unused_data  # the next gzip member, if any
        self.finished = self._decoder is not None and self._decoder.eof
        return b"".join(out)


def _inflater(encoding):
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _Inflater("gzip")
    if encoding == "deflate":
        return _Inflater("deflate")
    raise BodyError("encoding", encoding)


def read_body(read, encoding, limit):
    """The decoded body. ``read(n)`` returns up to ``n`` raw bytes (b'' at the end). Raises ``BodyError``."""
    inflater = _inflater(encoding)
    parts, size = [], 0
    while True:
        data = read(CHUNK)
        if not data:
            break
        if inflater is not None:
            try:
                data = inflater.feed(data, limit - size)
            except zlib.error as exc:
                raise BodyError("broken", str(exc)) from None
        size += len(data)
        if size > limit:
            raise BodyError("too large")
        parts.append(data)
    if inflater is not None and size and not inflater.finished:
        raise BodyError("broken", "the compressed data ends early")
    return b"".join(parts)
