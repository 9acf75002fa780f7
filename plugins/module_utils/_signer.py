# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SDK-HMAC-SHA256 request signing for the Huawei Cloud API gateway.

Private to this collection: this interface may change without notice.

``sign()`` is a pure function (no I/O, no global state, standard library only).
Canonicalisation lives in small separate functions so that each step can be
tested on its own; the HMAC is applied last, in ``sign()``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import hmac

from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

_UTC = datetime.timezone.utc


def _encode(value):
    """Percent-encode everything but ``A-Za-z0-9_.-~`` (UTF-8 first)."""
    return quote(value, safe="~")


def _find_header(headers, name):
    """Return the value of header ``name`` (case-insensitive) or None."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def format_date(now=None):
    """Format ``now`` (an aware datetime, or naive meaning UTC) as ``X-Sdk-Date``."""
    if now is None:
        now = datetime.datetime.now(_UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=_UTC)
    return now.astimezone(_UTC).strftime(DATE_FORMAT)


def canonical_uri(path):
    """Canonical form of a URL path: decoded, re-encoded per segment, ending in ``/``."""
    segments = unquote(path or "/").split("/")
    result = "/".join(_encode(segment) for segment in segments)
    if not result.endswith("/"):
        result += "/"
    return result


def query_pairs(url):
    """The (key, value) pairs of the query string of ``url``, decoded, blanks kept."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def canonical_query(pairs):
    """Canonical query string for a list of (key, value) pairs.

    Values may be lists (one ``k=v`` per sorted element) or booleans
    (``true``/``false``). The result is also what must be sent on the wire.
    """
    items = []
    for key, value in pairs:
        if isinstance(value, (list, tuple)):
            items.extend((key, element) for element in value)
        else:
            items.append((key, value))

    def _text(value):
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    # Sort on the raw key then the raw value, as the gateway and the official SDK do.
    items = sorted((str(key), _text(value)) for key, value in items)
    return "&".join("%s=%s" % (_encode(key), _encode(value)) for key, value in items)


def signed_header_names(headers):
    """Lower-cased, sorted names of every header without ``_`` in its name."""
    return sorted(key.lower() for key in headers if "_" not in key)


def canonical_headers(headers, names):
    """``name:value`` lines (values stripped), one per signed name, each ending in a newline."""
    values = {}
    for key, value in headers.items():
        values[key.lower()] = str(value).strip()
    return "".join("%s:%s\n" % (name, values[name]) for name in names)


def payload_hash(headers, body):
    """Hex SHA-256 of the body, or the literal the caller asked for with X-Sdk-Content-Sha256."""
    if not body:
        return EMPTY_BODY_SHA256
    literal = _find_header(headers, HEADER_CONTENT_SHA256)
    if literal:
        return literal
    if not isinstance(body, bytes):
        body = str(body).encode("utf-8")
    return hashlib.sha256(body).hexdigest()


def canonical_request(method, url, headers, body):
    """The canonical request string for a request whose headers are already complete."""
    names = signed_header_names(headers)
    return "\n".join((
        method.upper(),
        canonical_uri(urlsplit(url).path),
        canonical_query(query_pairs(url)),
        canonical_headers(headers, names),
        ";".join(names),
        payload_hash(headers, body),
    ))


def string_to_sign(canonical, sdk_date):
    """The string the HMAC is computed over."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, digest)


def sign(method, url, headers, body, access_key, secret_key, now=None):
    """Sign a request; return a new header dict ready to send.

    The result holds ``headers`` (values stripped), plus ``X-Sdk-Date`` (from ``now``
    unless the caller gave one), ``Host`` (the URL's netloc unless the caller gave one),
    ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` where the official SDK adds it (a
    Content-Type other than JSON or BSON), and ``Authorization``.
    The query string must be sent as ``canonical_query(query_pairs(url))``.
    """
    result = dict((key, str(value).strip()) for key, value in (headers or {}).items())

    content_type = (headers or {}).get("Content-Type")  # as the SDK: this exact name, value as given (unstripped)
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        result[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD

    sdk_date = _find_header(result, HEADER_DATE)
    if sdk_date is None:
        sdk_date = format_date(now)
        result[HEADER_DATE] = sdk_date

    if _find_header(result, HEADER_HOST) is None:
        result[HEADER_HOST] = urlsplit(url).netloc

    names = signed_header_names(result)
    to_sign = string_to_sign(canonical_request(method, url, result, body), sdk_date)
    signature = hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    result[HEADER_AUTHORIZATION] = "%s Access=%s, SignedHeaders=%s, Signature=%s" % (
        ALGORITHM, access_key, ";".join(names), signature)
    return result
