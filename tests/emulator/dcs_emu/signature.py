# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The gateway's signature judge: an SDK-HMAC-SHA256 implementation of its own.

Written from the algorithm's description, deliberately independent of the collection's signer.
``authenticate()`` says why the gateway would reject a request, or None; with ``verify_with_sdk``
it also asks the official SDK's signer (tests/support/sdk_oracle.py, when huaweicloudsdkcore is
importable) and rejects on any disagreement.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import importlib.util
import os
import re
import time
from typing import Any, Dict, List, Optional
from urllib.parse import unquote

from .routing import Request

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
AUTH_HEADER = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$"
)
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_ORACLE_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            "support", "sdk_oracle.py")
_oracle: Dict[str, Any] = {}


def _pct(text: str) -> str:
    """Percent-encode UTF-8 bytes, keeping only A-Za-z0-9_.-~."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def canonical_uri(raw_path: str) -> str:
    segments = unquote(raw_path).split("/")
    uri = "/".join(_pct(seg) for seg in segments)
    if not uri.endswith("/"):
        uri += "/"
    return uri


def canonical_query(raw_query: str) -> str:
    pairs = []
    if raw_query:
        for part in raw_query.split("&"):
            if not part:
                continue
            key, _sep, value = part.partition("=")
            pairs.append((unquote(key), unquote(value)))
    pairs.sort()
    return "&".join("%s=%s" % (_pct(k), _pct(v)) for k, v in pairs)


def string_to_sign(method: str, raw_path: str, raw_query: str, headers: Dict[str, str],
                   signed: List[str], body: bytes) -> str:
    canon_headers = "".join("%s:%s\n" % (name, headers.get(name, "").strip()) for name in signed)
    if not body:
        payload_hash = EMPTY_SHA256
    elif headers.get("x-sdk-content-sha256"):
        payload_hash = headers["x-sdk-content-sha256"]
    else:
        payload_hash = hashlib.sha256(body).hexdigest()
    canonical = "\n".join([
        method.upper(), canonical_uri(raw_path), canonical_query(raw_query),
        canon_headers, ";".join(signed), payload_hash,
    ])
    return "\n".join([ALGORITHM, headers.get("x-sdk-date", ""),
                      hashlib.sha256(canonical.encode("utf-8")).hexdigest()])


def compute_signature(sk: str, sts: str) -> str:
    return hmac.new(sk.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()


def _load_oracle() -> Any:
    """tests/support/sdk_oracle.py as a module, or None if absent (the emulator may be copied alone)."""
    if "module" not in _oracle:
        module = None
        if __package__ and __package__.startswith("ansible_collections."):
            from ansible_collections.hwc.dcs.tests.support import sdk_oracle as module  # type: ignore
        elif os.path.isfile(_ORACLE_FILE):  # run as a script: load it by path, sys.path untouched
            spec = importlib.util.spec_from_file_location("hwc_dcs_sdk_oracle", _ORACLE_FILE)
            if spec is not None and spec.loader is not None:
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
        _oracle["module"] = module
    return _oracle["module"]


def sdk_signature(ak: str, sk: str, request: Request, signed: List[str]) -> Optional[str]:
    """Recompute the signature with the official SDK's signer, or None if it is not available."""
    oracle = _load_oracle()
    if oracle is None or not oracle.available():
        return None
    result = oracle.sign_parts(request.method, "http", request.headers.get("host", ""), request.path,
                               oracle.query_params(request.query),
                               {name: request.headers.get(name, "") for name in signed}, request.body or "", ak, sk)
    return result.signature


class Judge:
    """The gateway's authentication of one request against ``config`` (credentials, skew, verify_with_sdk)."""

    def __init__(self, config: Dict[str, Any], now: float, request: Request):
        self.config = config
        self.now = now
        self.request = request
        self.entry = request.entry if request.entry is not None else {}

    def reject(self) -> Optional[str]:
        """The reason the gateway rejects the request (after "Incorrect IAM authentication information: "), or None."""
        headers = self.request.headers
        authorization = headers.get("authorization")
        if not authorization:
            return "Authorization header not found"
        match = AUTH_HEADER.match(authorization.strip())
        if not match:
            return "verify aksk signature fail, invalid Authorization header"
        ak, signed_list, signature = match.group(1), match.group(2), match.group(3).lower()
        self.entry["ak"] = ak
        credential = next((c for c in self.config.get("credentials") or [] if c.get("ak") == ak), None)
        if credential is None:
            return "Get secretKey failed,ak:%s,err:ak not exist" % ak
        signed = signed_list.split(";")
        return (self._signed_headers(signed) or self._date() or self._token(credential, signed)
                or self._signature(ak, credential.get("sk", ""), signed, signature))

    def _signed_headers(self, signed: List[str]) -> Optional[str]:
        if "host" not in signed or "x-sdk-date" not in signed:
            return "verify aksk signature fail, x-sdk-date and host must be signed"
        if signed != sorted(signed) or any(not name or name != name.lower() for name in signed):
            return "verify aksk signature fail, SignedHeaders must be sorted lower-case names"
        for name in signed:
            if name not in self.request.headers:
                return "verify aksk signature fail, signed header %s is missing" % name
        return None

    def _date(self) -> Optional[str]:
        sdk_date = self.request.headers.get("x-sdk-date", "")
        try:
            request_epoch = calendar.timegm(time.strptime(sdk_date, DATE_FORMAT))
        except ValueError:
            return "verify aksk signature fail, invalid x-sdk-date"
        skew = request_epoch - self.now
        self.entry["clock_skew"] = round(skew, 3)
        if abs(skew) > float(self.config.get("max_clock_skew_seconds", 900)):
            return ("verify aksk signature fail, signature expired (x-sdk-date %s is %d seconds %s the gateway's time)"
                    % (sdk_date, abs(int(skew)), "ahead of" if skew > 0 else "behind"))
        return None

    def _token(self, credential: Dict[str, Any], signed: List[str]) -> Optional[str]:
        expected_token = credential.get("security_token")
        sent_token = self.request.headers.get("x-security-token")
        if expected_token:
            if sent_token is None:
                return "verify aksk signature fail, security token missing for temporary credentials"
            if "x-security-token" not in signed:
                return "verify aksk signature fail, security token not signed"
            if not hmac.compare_digest(sent_token.strip().encode("utf-8"), expected_token.encode("utf-8")):
                return "decrypt token fail"
        elif sent_token is not None:
            return "decrypt token fail"
        return None

    def _signature(self, ak: str, sk: str, signed: List[str], signature: str) -> Optional[str]:
        request = self.request
        sts = string_to_sign(request.method, request.path, request.query, request.headers, signed, request.body)
        if not hmac.compare_digest(compute_signature(sk, sts), signature):
            return "verify aksk signature fail"
        if not self.config.get("verify_with_sdk"):
            return None
        sdk_sig = sdk_signature(ak, sk, request, signed)
        if sdk_sig is None:
            self.entry["sdk_verified"] = None
        elif not hmac.compare_digest(sdk_sig, signature):
            self.entry["sdk_verified"] = False
            return "verify aksk signature fail (official SDK signer disagrees)"
        else:
            self.entry["sdk_verified"] = True
        return None
