# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks applied to user input before any request leaves.

Private to this collection: this interface may change without notice.

Every check raises ``ValidationError`` (``CredentialsError`` for credentials) with a message that
names the option or its source, shows the bad value (never a secret, never the user name or
password of a URL) and says what is expected.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import math
import re
from urllib.parse import urlsplit

from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._text import show

_ID_RE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z")
_REGION_RE = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_SPACE_OR_CONTROL_RE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_SCHEME_RE = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*://")
_LABEL_RE = re.compile(r"\A[A-Za-z0-9_-]+\Z")
# The path of an endpoint is signed as given, and requests/urllib3 (and proxies, and the gateway)
# normalise what they send: only characters that nobody re-encodes, in non-empty segments.
_PATH_RE = re.compile(r"\A(?:/[A-Za-z0-9._~-]+)*\Z")
_DIGITS_RE = re.compile(r"\A[0-9]+\Z")

ENDPOINT_EXAMPLE = "https://dcs.cn-north-4.myhuaweicloud.com"
MAX_LABEL = 63
MAX_HOST = 253


def show_url(value, limit=80):
    """``show()`` for a URL, with anything that may be a user name or password replaced by ``***``.

    Everything before the last ``@`` (after the scheme) goes: a password may itself hold ``/``, ``?``,
    ``#`` or ``@``, so no parser's idea of where the user information ends is trusted.
    """
    if isinstance(value, str) and "@" in value:
        match = _SCHEME_RE.match(value)
        value = "%s***@%s" % (match.group(0) if match else "", value.rpartition("@")[2])
    return show(value, limit)


def check_id(value, option):
    """A job or project ID: 1 to 128 characters of A-Za-z0-9_-, starting with a letter or digit."""
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ValidationError(
            "%s %s is not a valid ID: use 1 to 128 characters of A-Z, a-z, 0-9, '_' and '-', "
            "starting with a letter or a digit." % (option, show(value)))
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
            "for example 'cn-north-4'." % (option, show(value)))
    return value


def _host_problem(host):
    """Why ``host`` (without brackets or port) cannot be used, or None."""
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        try:
            hint = " (%s)" % host.encode("idna").decode("ascii")
        except UnicodeError:
            hint = ""
        return ("its host is an internationalised domain name: give its ASCII form, the punycode "
                "'xn--' labels%s" % hint)
    name = host[:-1] if host.endswith(".") else host
    if len(name) > MAX_HOST:
        return "its host name is %d characters long; DNS allows at most %d" % (len(name), MAX_HOST)
    for label in name.split("."):
        if len(label) > MAX_LABEL:
            return "its host has a label of %d characters; DNS allows at most %d" % (len(label), MAX_LABEL)
        if not _LABEL_RE.match(label):
            return "its host must be a DNS name of letters, digits, '-' and '_' between single dots, or an IP address"
    return None


def _authority_problem(netloc):
    """Why the host and port of ``netloc`` (no user information) cannot be used, or None."""
    host, port = netloc, None
    if netloc.startswith("["):
        literal, _bracket, rest = netloc[1:].partition("]")
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return "its host %s is not an IPv6 address" % show(literal)
        if rest and not rest.startswith(":"):
            return "it has text after the IPv6 address"
        port = rest[1:] if rest else None
    else:
        host, colon, port_text = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
        port = port_text if colon else None
        if not host:
            return "it names no host"
        problem = _host_problem(host)
        if problem:
            return problem
    if port is not None and (not _DIGITS_RE.match(port) or len(port) > 5 or not 0 < int(port) < 65536):
        return "its port must be a number from 1 to 65535"
    return None


def _path_problem(path):
    """Why the URL path (trailing '/' already removed) could be sent differently from how it is signed."""
    segments = path.split("/")
    if "." in segments or ".." in segments:
        return "its path must not contain '.' or '..' segments (they are resolved before sending, not before signing)"
    if "%" in path:
        return "its path must not contain percent-encoded characters (they can be sent re-encoded, unlike the signed path)"
    if not _PATH_RE.match(path):
        return ("its path may only hold non-empty segments of letters, digits and '-', '.', '_', '~' "
                "(anything else can be sent differently from the signed path)")
    return None


def _endpoint_problem(value):
    """Why ``value`` is not a usable endpoint URL, or None. User information is checked before."""
    if _SPACE_OR_CONTROL_RE.search(value):
        return "it contains spaces or control characters"
    if "?" in value or "#" in value:
        return "it must not have a query string or a fragment (not even an empty '?' or '#')"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "it cannot be parsed as a URL"
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    if not parts.netloc or not value.lower().startswith(parts.scheme + "://"):
        return "it names no host"
    return _authority_problem(parts.netloc) or _path_problem(parts.path.rstrip("/"))


def check_endpoint(value, option):
    """An http(s) URL with a host, no user information, query or fragment, and a path sent as signed.

    Returns the URL without trailing '/'. ``option`` names where the value came from (the option,
    an environment variable or the credentials file); the message never shows a user name or password.
    """
    if value == "":
        raise ValidationError(
            "%s is empty: give the endpoint URL (for example %s), or leave it out to use the default."
            % (option, ENDPOINT_EXAMPLE))
    if not isinstance(value, str):
        problem = "it is not a string"
    elif "@" in value:
        # Never shown: it may carry a password.
        raise ValidationError(
            "%s must not contain a user name or password (no '@'); give credentials with "
            "access_key/secret_key instead." % option)
    else:
        problem = _endpoint_problem(value)
    if problem:
        raise ValidationError(
            "%s %s is not a usable endpoint URL: %s (example: %s)."
            % (option, show_url(value), problem, ENDPOINT_EXAMPLE))
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


def _show_number(value):
    """``show()``, except for integers too long to print (Python refuses str() of more than 4300 digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return "an integer of %d bits" % value.bit_length()
    return show(value)


def check_finite_positive(value, option, minimum=None, maximum=None):
    """A finite number of seconds greater than 0 (and within ``minimum``/``maximum``); returns a float.

    nan, inf, booleans, None and integers too large for a float are refused.
    """
    number = None
    if not isinstance(value, bool):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = None
    if number is None or not math.isfinite(number):
        raise ValidationError("%s must be a finite number greater than 0, got %s." % (option, _show_number(value)))
    if number <= 0:
        raise ValidationError("%s must be greater than 0, got %s." % (option, _show_number(value)))
    if minimum is not None and number < minimum:
        raise ValidationError("%s must be at least %s, got %s." % (option, minimum, _show_number(value)))
    if maximum is not None and number > maximum:
        raise ValidationError("%s must be at most %s, got %s." % (option, maximum, _show_number(value)))
    return number


def check_count(value, option, minimum=0, maximum=None):
    """A whole number (an int, or a string of digits as from an environment variable); returns an int."""
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS_RE.match(value.strip()) and len(value.strip()) < 10:
        number = int(value.strip())
    if number is None or number < minimum or (maximum is not None and number > maximum):
        wanted = "%d or greater" % minimum if maximum is None else "from %d to %d" % (minimum, maximum)
        raise ValidationError("%s must be a whole number %s, got %s." % (option, wanted, _show_number(value)))
    return number
