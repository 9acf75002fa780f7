# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The exception hierarchy of hwc.dcs.

Private to this collection: this interface may change without notice.

Every error raised by the collection's module_utils derives from ``DcsError``. Errors are
built once and never changed afterwards: a layer that knows more context builds a new error
with ``derive()`` (same class, new message or extras) and raises it ``from`` the first.
``DcsError.to_result()`` gives the keyword arguments for ``fail_json``: the message plus
structured keys (HTTP status, error codes, request id, jobs), so that the module runner turns
any failure into a result with one line and no traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class DcsError(Exception):
    """Root of every error the collection raises on purpose.

    ``retry_reason`` says why the failure was transient (for example ``"HTTP 503"``), or is
    None for a permanent one. ``extras`` are the structured result keys (None values dropped).
    """

    def __init__(self, message, retry_reason=None, **extras):
        super(DcsError, self).__init__(message)
        self._message = message
        self._retry_reason = retry_reason
        self._extras = dict((key, value) for key, value in extras.items() if value is not None)

    @property
    def message(self):
        return self._message

    @property
    def retry_reason(self):
        return self._retry_reason

    @property
    def extras(self):
        """A copy of the structured extras: changing it does not change the error."""
        return dict(self._extras)

    def derive(self, message=None, **extras):
        """A new error of the same class with another message and/or more extras.

        The caller raises it ``from`` this one, so the cause stays visible to a debugger.
        """
        merged = self.extras
        merged.update(extras)
        return self._rebuild(self._message if message is None else message, merged)

    def _rebuild(self, message, extras):
        return type(self)(message, retry_reason=self._retry_reason, **extras)

    def to_result(self):
        """Keyword arguments for ``fail_json``: ``msg`` and the structured extras."""
        result = self.extras
        result["msg"] = self._message
        return result


class ValidationError(DcsError):
    """An option or an input value is invalid; nothing was sent."""


class CredentialsError(ValidationError):
    """Credentials are missing, incomplete or unusable; nothing was sent."""


class TransportError(DcsError):
    """The request did not get a usable HTTP answer (connection, time budget, size limit, TLS).

    ``maybe_sent`` is True when the request may have reached the server before the failure
    (a timeout or a dropped connection after sending): a non-idempotent request must then not
    be sent again blindly.
    """

    def __init__(self, message, retry_reason=None, maybe_sent=False, **extras):
        super(TransportError, self).__init__(message, retry_reason=retry_reason, **extras)
        self._maybe_sent = maybe_sent

    @property
    def maybe_sent(self):
        return self._maybe_sent

    def _rebuild(self, message, extras):
        return type(self)(message, retry_reason=self._retry_reason, maybe_sent=self._maybe_sent, **extras)


class ApiError(DcsError):
    """The API answered with an error status (or an unusable body).

    Carries ``status_code``, ``error_code``, ``error_msg`` and ``request_id``, the values a user
    needs to understand the failure or to open a support ticket; and, not as result keys, the
    answer's ``date_header`` (used to measure clock skew) and ``retry_after`` (the seconds the
    server asked to wait before another attempt, or None).
    """

    def __init__(self, message, status_code=None, error_code=None, error_msg=None, request_id=None,
                 retry_reason=None, date_header=None, retry_after=None, **extras):
        super(ApiError, self).__init__(
            message, retry_reason=retry_reason, status_code=status_code, error_code=error_code,
            error_msg=error_msg, request_id=request_id, **extras)
        self._date_header = date_header
        self._retry_after = retry_after

    @property
    def status_code(self):
        return self._extras.get("status_code")

    @property
    def error_code(self):
        return self._extras.get("error_code")

    @property
    def error_msg(self):
        return self._extras.get("error_msg")

    @property
    def request_id(self):
        return self._extras.get("request_id")

    @property
    def date_header(self):
        return self._date_header

    @property
    def retry_after(self):
        return self._retry_after

    def _rebuild(self, message, extras):
        return type(self)(message, retry_reason=self._retry_reason, date_header=self._date_header,
                          retry_after=self._retry_after, **extras)


class ClockSkewError(ApiError):
    """The gateway's clock is too far from ours to correct, or rejects the signature even after correcting."""


class ProjectDiscoveryError(DcsError):
    """No single project ID could be found for the region."""


class JobsFailedError(DcsError):
    """One or more jobs ended in FAIL (or carry a fail_reason)."""


class WaitTimeoutError(DcsError):
    """The wait's deadline passed before everything waited on reached a terminal status."""
