# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading the API's answers: JSON bodies, error answers and what to do about them.

Private to this collection: this interface may change without notice.

``decode_object()`` turns a 2xx body into a dict or says why it cannot. ``api_error()`` turns an
error answer of the gateway, DCS or IAM (or of anything in between that is not the API at all)
into an ``ApiError`` whose message says what failed and what to do. Every text taken from the
answer is cleaned and cut (``_text.clean``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError
from ansible_collections.hwc.dcs.plugins.module_utils._retry import parse_retry_after
from ansible_collections.hwc.dcs.plugins.module_utils._text import BODY_EXCERPT, clean


def decode_object(body):
    """The JSON object in ``body`` (bytes). Raises ValueError with a short reason."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except ValueError as exc:
        raise ValueError("not JSON: %s" % clean(str(exc), 100)) from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def excerpt(body):
    """The start of a body as one clean line, for a message."""
    text = body[:4 * BODY_EXCERPT].decode("utf-8", "replace")
    return clean(text, BODY_EXCERPT)


def unusable(method, url, status, reason, request_id, body):
    """A 2xx answer whose body is not what the API sends: a proxy's page or a truncated answer."""
    return ApiError(
        "%s %s answered HTTP %d with an unusable body (%s; request id %s): %r"
        % (method, url, status, reason, request_id or "none", excerpt(body)),
        status_code=status, request_id=request_id, retry_reason="unusable response body")


def _error_fields(body):
    """(error_code, error_msg, request_id) from an error body of the gateway, DCS or IAM."""
    try:
        value = decode_object(body)
    except ValueError:
        return None, None, None
    inner = value.get("error")
    if isinstance(inner, dict):  # IAM's shape
        code, message = inner.get("code"), inner.get("message")
    else:
        code = value.get("error_code", value.get("code"))
        message = value.get("error_msg", value.get("message"))
    return _field(code, 64), _field(message), _field(value.get("request_id"), 64)


def _field(value, limit=None):
    if value is None or isinstance(value, (dict, list)):
        return None
    return clean(value, limit) if limit else clean(value)


def api_error(method, url, response, policy, now):
    """The ``ApiError`` for an error answer; ``retry_reason`` set when the policy calls it transient."""
    status = response.status
    error_code, error_msg, body_request_id = _error_fields(response.body)
    request_id = response.header("X-Request-Id") or body_request_id
    if error_code or error_msg:
        detail = "%s: %s" % (error_code or "no error code", error_msg or "no error message")
    elif response.body.strip():
        detail = "non-JSON body %r" % excerpt(response.body)
    else:
        detail = "empty body"
    message = "%s %s failed with HTTP %d, %s (request id %s).%s" % (
        method, url, status, detail, request_id or "none", hint(status, error_code, error_msg))
    return ApiError(message, status_code=status, error_code=error_code, error_msg=error_msg, request_id=request_id,
                    retry_reason=policy.reason_for(status, error_code), date_header=response.header("Date"),
                    retry_after=parse_retry_after(response.header("Retry-After"), now()))


def is_expired(error):
    """A 401 that says the signature expired: the local clock may be off."""
    return error.status_code == 401 and "expired" in (error.error_msg or "").lower()


def hint(status, error_code, error_msg):
    """What to do about an error answer."""
    if status == 401 and "expired" in (error_msg or "").lower():
        return (" The request's signing time is more than 15 minutes away from the gateway's clock:"
                " check the local clock (NTP).")
    if status == 401:
        return (" Check the access key and secret key (and the security token for temporary credentials);"
                " after 5 failed authentications in a row the gateway locks the access key for 5 minutes.")
    if status == 403:
        return " The credentials are valid but not allowed to do this: check the IAM user's DCS permissions and the project."
    if status == 404 and (error_code or "").startswith("APIGW"):
        return " No such API at this endpoint: check region and endpoint."
    if status == 429:
        return " The API is throttling requests: lower the request rate (fewer parallel tasks, or a longer polling interval)."
    return ""
