# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credentials chain: module options, three environment families, the SDK credentials file.

Private to this collection: this interface may change without notice.

The first source that sets any credential wins, and it must set both the access key and the
secret key. The official SDKs' credentials file is read only when a value is needed from it
(``CredentialsFile`` is lazy), and only if it is a small regular file: a FIFO, a device or a
directory is refused before it is opened, so nothing can block. Messages name files and variables,
never a secret value or a line of the file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import configparser
import os
import shlex
import stat

from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError
from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation

CREDENTIALS_FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
DEFAULT_CREDENTIALS_FILE = os.path.join("~", ".huaweicloud", "credentials")
CREDENTIALS_FILE_SECTION = "basic"
# A credentials file holds a few short lines; anything larger is not one (and is not read into memory).
MAX_CREDENTIALS_FILE_BYTES = 64 * 1024

# Environment families, first match wins: official SDKs, the API reference's sample
# code, the Terraform provider. (access key, secret key, security token or None).
ENV_CREDENTIAL_FAMILIES = (
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),
    ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"),
)

Credentials = collections.namedtuple("Credentials", "access_key secret_key security_token source")

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def env_value(environ, name):
    """The value of environment variable ``name``, or None when it is unset or empty."""
    value = environ.get(name) if name else None
    return value if value else None


def credentials_file_path(environ):
    """Path of the official SDKs' credentials file."""
    return os.path.expanduser(env_value(environ, CREDENTIALS_FILE_ENV) or DEFAULT_CREDENTIALS_FILE)


def _unusable(path, reason):
    return CredentialsError(
        "The credentials file %s cannot be read (%s); fix or remove it, or give credentials another way."
        % (path, reason))


def _check_kind(path, info):
    """Refuse anything but a regular file of a sane size, from its ``stat`` (before opening it)."""
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        return _unusable(path, "it is %s, not a regular file" % kind)
    if info.st_size > MAX_CREDENTIALS_FILE_BYTES:
        return _unusable(path, "it is %d bytes, larger than the %d byte limit for a credentials file"
                         % (info.st_size, MAX_CREDENTIALS_FILE_BYTES))
    return None


def _read_bytes(path):
    """The file's bytes, or None when it does not exist. Never blocks: kind checked first, O_NONBLOCK."""
    try:
        problem = _check_kind(path, os.stat(path))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _unusable(path, type(exc).__name__) from None
    if problem:
        raise problem
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise _unusable(path, type(exc).__name__) from None
    try:
        info = os.fstat(descriptor)
        problem = _check_kind(path, info)  # replaced between stat and open?
        if problem:
            raise problem
        chunks, size = [], 0
        while size <= MAX_CREDENTIALS_FILE_BYTES:
            chunk = os.read(descriptor, MAX_CREDENTIALS_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _unusable(path, type(exc).__name__) from None
    finally:
        os.close(descriptor)
    if size > MAX_CREDENTIALS_FILE_BYTES:
        raise _unusable(path, "it grew beyond the %d byte limit while being read" % MAX_CREDENTIALS_FILE_BYTES)
    return b"".join(chunks), info.st_mode


def _permission_warning(path, mode):
    """The ssh-style warning for a file that group or others may read or change, or None."""
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return None
    return ("The credentials file %s is accessible by group or others (mode %04o): anyone who can read it can use "
            "your keys. Run 'chmod 600 %s' so that only its owner can read it."
            % (path, stat.S_IMODE(mode), shlex.quote(path)))


def read_credentials_file(path):
    """``(values of the [basic] section, warnings)``; ``({}, [])`` when the file does not exist.

    A UTF-8 byte order mark is accepted. Keys are lower-cased, empty values dropped.
    """
    found = _read_bytes(path)
    if found is None:
        return {}, []
    data, mode = found
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(data.decode("utf-8-sig"), source="credentials file")
    except (UnicodeDecodeError, configparser.Error) as exc:
        # The parser's message may quote lines of the file: name the problem class only.
        raise _unusable(path, type(exc).__name__) from None
    warnings = [w for w in (_permission_warning(path, mode),) if w]
    if not parser.has_section(CREDENTIALS_FILE_SECTION):
        return {}, warnings
    values = dict((key, value.strip()) for key, value in parser.items(CREDENTIALS_FILE_SECTION) if value.strip())
    return values, warnings


class CredentialsFile:
    """The SDK credentials file, read at most once and only when a value is asked of it."""

    def __init__(self, path, reader=read_credentials_file):
        self.path = path
        self._reader = reader
        self._values = None
        self._warnings = ()

    @property
    def loaded(self):
        """True once the file has been read (whether or not it exists)."""
        return self._values is not None

    @property
    def warnings(self):
        """Warnings found while reading it (a loose mode), as a tuple."""
        return self._warnings

    def get(self, key):
        """The value of ``key`` in ``[basic]`` (reading the file now if needed), or None."""
        if self._values is None:
            values, warnings = self._reader(self.path)
            self._values, self._warnings = dict(values), tuple(warnings)
        return self._values.get(key)

    def describe(self, key):
        """How a value from this file is named in messages, for example ``project_id in /root/...``."""
        return "%s in %s" % (key, self.path)


def _credential_sources(params, environ, credentials_file):
    """Yield (where, access key, secret key, token, names) for each source in order, lazily."""
    yield ("the module options", params.get("access_key"), params.get("secret_key"),
           params.get("security_token"), ("access_key", "secret_key", "security_token"))
    for ak_name, sk_name, token_name in ENV_CREDENTIAL_FAMILIES:
        yield ("the environment", env_value(environ, ak_name), env_value(environ, sk_name),
               env_value(environ, token_name), (ak_name, sk_name, token_name))
    # Only reached (and the file only read) when no earlier source set anything.
    yield ("the credentials file %s" % credentials_file.path, credentials_file.get("ak"), credentials_file.get("sk"),
           credentials_file.get("security_token"), ("[basic] ak", "[basic] sk", "[basic] security_token"))


def _checked(where, access_key, secret_key, token, names):
    ak_name, sk_name, token_name = names
    source = "%s (%s, %s)" % (where, ak_name, sk_name)
    validation.check_credential(access_key, "The access key", source)
    validation.check_credential(secret_key, "The secret key", source)
    if token:
        validation.check_credential(token, "The security token", "%s (%s)" % (where, token_name))
    return Credentials(access_key, secret_key, token or None, source)


def resolve_credentials(params, environ, credentials_file):
    """First source that sets anything wins; returns ``Credentials``. Raises ``CredentialsError``."""
    looked = []
    for where, access_key, secret_key, token, names in _credential_sources(params, environ, credentials_file):
        ak_name, sk_name, token_name = names
        if access_key and secret_key:
            return _checked(where, access_key, secret_key, token, names)
        if access_key or secret_key:
            present, missing = (ak_name, sk_name) if access_key else (sk_name, ak_name)
            raise CredentialsError(
                "Incomplete credentials: %s sets %s but not %s. Give both the access key and the secret "
                "key from the same source (halves from different sources are not combined)." % (where, present, missing))
        if token:
            raise CredentialsError(
                "%s sets %s but no access key and secret key; temporary credentials need all three "
                "from the same source." % (where[0].upper() + where[1:], token_name))
        label = "%s %s/%s" % (where, ak_name, sk_name)
        looked.append(label + (" (not found, or no ak and sk in [basic])" if "file" in where else ""))
    raise CredentialsError(
        "No Huawei Cloud credentials found. Looked in: %s. Set access_key and secret_key, or one of "
        "those environment variable pairs, or the credentials file." % "; ".join(looked))
