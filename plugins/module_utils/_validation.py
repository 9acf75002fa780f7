# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks applied to user input before any request leaves.

Private to this collection: this interface may change without notice.

Every check raises ``ValidationError`` with a message that names the option, shows
the bad value (never for secrets) and says what is expected.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import urlsplit

from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError

_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z")
_REGION_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _show(value, limit=80):
    """A bounded, unambiguous rendering of a user value for an error message."""
    text = repr(value)
    if len(text) > limit:
        text = text[:limit] + "...(%d characters)" % len(str(value))
    return text


def check_id(value, option):
    """A job or project ID: 1 to 128 characters of A-Za-z0-9_-, starting with a letter or digit."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ValidationError(
            "%s %s is not a valid ID: use 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-', "
            "starting with a letter or a digit." % (option, _show(value)))
    return value


def check_job_ids(job_id, job_ids):
    """Validate the asked job IDs; return them without repeats, in the given order."""
    if job_id is not None:
        asked = [job_id]
        option = "job_id"
    else:
        asked = list(job_ids or [])
        option = "job_ids"
        if not asked:
            raise ValidationError("job_ids is empty: give at least one job ID.")
    unique = []
    for value in asked:
        check_id(value, option if option == "job_id" else "job_ids entry")
        if value not in unique:
            unique.append(value)
    return unique


def check_region(value, option="region"):
    """A region name such as cn-north-4: lower-case letters, digits and single dashes."""
    if not isinstance(value, str) or len(value) > 64 or not _REGION_RE.match(value):
        raise ValidationError(
            "%s %s is not a valid region name: expected lower-case letters, digits and dashes, "
            "for example 'cn-north-4'." % (option, _show(value)))
    return value


def check_endpoint(value, option):
    """An http(s) URL with a host, no credentials, no query or fragment. Returns it without a trailing '/'."""
    problem = None
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except (ValueError, TypeError, AttributeError):
        parts, hostname, problem = None, None, "it cannot be parsed as a URL"
    if problem is None:
        if _CONTROL_RE.search(value) or " " in value:
            problem = "it contains spaces or control characters"
        elif parts.scheme not in ("http", "https"):
            problem = "the scheme must be http or https"
        elif not hostname:
            problem = "it names no host"
        elif parts.username is not None or parts.password is not None:
            # Do not echo the URL: it carries credentials.
            raise ValidationError(
                "%s must not contain a user name or password; give credentials with "
                "access_key/secret_key instead." % option)
        elif parts.query or parts.fragment:
            problem = "it must not have a query string or a fragment"
    if problem:
        raise ValidationError(
            "%s %s is not a usable endpoint URL: %s (example: https://dcs.cn-north-4.myhuaweicloud.com)."
            % (option, _show(value), problem))
    return value.rstrip("/")


def check_credential(value, name, source):
    """A credential value: non-empty printable ASCII. The value itself is never shown."""
    if not value:
        raise CredentialsError("%s from %s is empty." % (name, source))
    if _CONTROL_RE.search(value):
        raise CredentialsError(
            "%s from %s contains control characters (a stray newline or tab from a file or a "
            "variable?); remove them." % (name, source))
    try:
        value.encode("ascii")
    except UnicodeEncodeError:
        raise CredentialsError("%s from %s contains non-ASCII characters; Huawei Cloud keys are ASCII." % (name, source))
    return value


def check_positive(value, option):
    """A number strictly greater than zero."""
    if value is None or value <= 0:
        raise ValidationError("%s must be greater than 0, got %s." % (option, _show(value)))
    return value


def check_non_negative(value, option):
    """A whole number zero or greater."""
    if value is None or value < 0:
        raise ValidationError("%s must be 0 or greater, got %s." % (option, _show(value)))
    return value
