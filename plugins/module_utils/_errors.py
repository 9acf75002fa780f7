# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The exception hierarchy of hwc.dcs.

Private to this collection: this interface may change without notice.

Every error raised by the collection's module_utils derives from ``DcsError``.
``DcsError.to_result()`` gives the keyword arguments for ``fail_json``: the message
plus structured keys (HTTP status, error codes, request id, jobs), so that a module
turns any failure into a result with one line and no traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class DcsError(Exception):
    """Root of every error the collection raises on purpose."""

    # Set by the client on an error it stopped retrying: why it was transient (None: permanent).
    retry_reason = None
    # Warnings gathered before the failure; the module emits them with module.warn().
    warnings = ()

    def __init__(self, message, **extras):
        super(DcsError, self).__init__(message)
        self.message = message
        self.extras = extras

    def to_result(self):
        """Keyword arguments for ``fail_json``: ``msg`` and the structured extras."""
        result = dict((key, value) for key, value in self.extras.items() if value is not None)
        result["msg"] = self.message
        return result


class ValidationError(DcsError):
    """An option or an input value is invalid; nothing was sent."""


class CredentialsError(ValidationError):
    """Credentials are missing, incomplete or unusable; nothing was sent."""


class MissingLibraryError(DcsError):
    """A Python library the collection needs on the managed node is not installed."""

    def __init__(self, library, message):
        super(MissingLibraryError, self).__init__(message)
        self.library = library


class TransportError(DcsError):
    """The request did not get an HTTP answer (connection, timeout, TLS)."""


class ApiError(DcsError):
    """The API answered with an error status (or an unusable body).

    Carries ``status_code``, ``error_code``, ``error_msg`` and ``request_id``, the
    values a user needs to understand the failure or to open a support ticket.
    """

    def __init__(self, message, status_code=None, error_code=None, error_msg=None,
                 request_id=None, **extras):
        super(ApiError, self).__init__(
            message, status_code=status_code, error_code=error_code,
            error_msg=error_msg, request_id=request_id, **extras)
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        self.date_header = None  # the answer's Date header, used to measure clock skew


class ClockSkewError(ApiError):
    """The gateway rejected the signature as expired even after correcting for skew."""


class ProjectDiscoveryError(DcsError):
    """No single project ID could be found for the region."""


class JobsFailedError(DcsError):
    """One or more jobs ended in FAIL (or carry a fail_reason)."""


class WaitTimeoutError(DcsError):
    """The wait's deadline passed before every job reached a terminal status."""
