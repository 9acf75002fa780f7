# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The official SDK's signer (``huaweicloudsdkcore``), wrapped once: the oracle our signer is compared with.

``sign()`` signs a request the SDK's way and returns what the SDK would send: the request URI, the
headers (Authorization and X-Sdk-Date included) and the signature. The DCS emulator uses the same
function for its optional double check, so this file imports nothing outside the standard library
at import time (the emulator may load it by path) and the SDK only when a request is signed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import unquote, urlsplit

_AUTHORIZATION = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$")


class SignedRequest:
    """What the SDK would send: ``uri`` (path and canonical query), ``headers`` and the parts of Authorization."""

    def __init__(self, uri, headers):
        self.uri = uri
        self.headers = headers
        self.authorization = headers.get("Authorization", "")
        match = _AUTHORIZATION.match(self.authorization)
        self.access_key = match.group(1) if match else None
        self.signed_headers = match.group(2).split(";") if match else []
        self.signature = match.group(3).lower() if match else ""


class _Credentials:
    """The two attributes the SDK's Signer reads (BasicCredentials would also validate and hold a project)."""

    def __init__(self, access_key, secret_key):
        self.ak = access_key
        self.sk = secret_key


def available():
    """True when huaweicloudsdkcore can be imported."""
    try:
        _sdk()
    except ImportError:
        return False
    return True


def _sdk():
    from huaweicloudsdkcore.sdk_request import SdkRequest  # pylint: disable=import-outside-toplevel
    from huaweicloudsdkcore.signer.signer import Signer  # pylint: disable=import-outside-toplevel
    return SdkRequest, Signer


def query_params(raw_query):
    """The SDK's query parameters for a raw query string: decoded pairs, a repeated key as one list."""
    grouped = {}
    for part in (raw_query or "").split("&"):
        if part:
            key, _sep, value = part.partition("=")
            grouped.setdefault(unquote(key), []).append(unquote(value))
    return [(key, values if len(values) > 1 else values[0]) for key, values in grouped.items()]


def sign(method, url, headers, body, access_key, secret_key, params=None):
    """Sign ``method url`` with ``headers`` and ``body`` as huaweicloudsdkcore does; returns a SignedRequest.

    ``params`` (a list of (key, value) pairs) replaces the URL's own query, for callers that
    decode the query themselves. Raises ImportError when the SDK is not installed.
    """
    parts = urlsplit(url)
    return sign_parts(method, parts.scheme, parts.netloc, parts.path or "/",
                      query_params(parts.query) if params is None else params, headers, body, access_key, secret_key)


def sign_parts(method, scheme, host, path, params, headers, body, access_key, secret_key):
    """``sign()`` for a request given in parts: ``path`` as sent (percent-encoded), ``params`` decoded pairs."""
    sdk_request, signer = _sdk()
    request = sdk_request(method=method, schema=scheme, host=host, resource_path=path, query_params=list(params),
                          header_params=dict(headers), body=body)
    signed = signer(_Credentials(access_key, secret_key)).sign(request)
    return SignedRequest(signed.uri, dict(signed.header_params))


def authorization(method, url, headers, body, access_key, secret_key, params=None):
    """The Authorization header the SDK computes for this request."""
    return sign(method, url, headers, body, access_key, secret_key, params).authorization
