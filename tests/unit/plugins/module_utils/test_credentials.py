# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credentials chain and the SDK credentials file: read lazily, only a small regular file."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat
import threading

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._credentials import (
    MAX_CREDENTIALS_FILE_BYTES, CredentialsFile, credentials_file_path, env_value, read_credentials_file,
    resolve_credentials)
from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError

SECRET = "S3cretValueThatMustNeverShow"
FILE_TEXT = "[basic]\nak = FILEAK\nsk = %s\nproject_id = fileproject\n" % SECRET


def write(path, text, mode=0o600, encoding="utf-8"):
    with open(str(path), "w", encoding=encoding) as handle:
        handle.write(text)
    os.chmod(str(path), mode)
    return str(path)


def refused(path):
    with pytest.raises(CredentialsError) as info:
        read_credentials_file(str(path))
    assert SECRET not in info.value.message
    return info.value.message


# --- the file ----------------------------------------------------------------------------------------------

def test_basic_section_values_are_read(tmp_path):
    path = write(tmp_path / "credentials", "[other]\nak = NO\n" + FILE_TEXT + "empty =\n")
    values, warnings = read_credentials_file(path)
    assert values == {"ak": "FILEAK", "sk": SECRET, "project_id": "fileproject"}
    assert warnings == []


def test_a_missing_file_is_no_values(tmp_path):
    assert read_credentials_file(str(tmp_path / "absent")) == ({}, [])
    assert read_credentials_file(str(tmp_path / "absent" / "below")) == ({}, [])


def test_no_basic_section_is_no_values(tmp_path):
    assert read_credentials_file(write(tmp_path / "c", "[other]\nak = x\n")) == ({}, [])


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path / "credentials", FILE_TEXT, encoding="utf-8-sig")
    with open(path, "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"
    assert read_credentials_file(path)[0]["ak"] == "FILEAK"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o660])
def test_a_file_open_to_group_or_others_warns_with_the_chmod_that_fixes_it(tmp_path, mode):
    path = write(tmp_path / "my credentials", FILE_TEXT, mode=mode)
    values, warnings = read_credentials_file(path)
    assert values["ak"] == "FILEAK"
    assert len(warnings) == 1
    assert "chmod 600 '%s'" % path in warnings[0] and "(mode %04o)" % mode in warnings[0]
    assert SECRET not in warnings[0]


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_private_file_gives_no_warning(tmp_path, mode):
    assert read_credentials_file(write(tmp_path / "c", FILE_TEXT, mode=mode))[1] == []


def test_a_fifo_is_refused_without_blocking(tmp_path):
    path = str(tmp_path / "credentials")
    os.mkfifo(path)
    result = {}

    def attempt():
        try:
            read_credentials_file(path)
        except CredentialsError as exc:
            result["message"] = exc.message

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader before failing, so that pytest can exit
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert "a FIFO (named pipe), not a regular file" in result["message"] and path in result["message"]


def test_a_directory_is_refused(tmp_path):
    assert "a directory, not a regular file" in refused(tmp_path)


def test_a_device_is_refused():
    if not os.path.exists("/dev/null") or not stat.S_ISCHR(os.stat("/dev/null").st_mode):
        pytest.skip("no /dev/null character device")
    assert "a character device, not a regular file" in refused("/dev/null")


def test_an_oversized_file_is_refused_before_reading(tmp_path):
    path = write(tmp_path / "credentials", FILE_TEXT + "#" * MAX_CREDENTIALS_FILE_BYTES)
    message = refused(path)
    assert "larger than the 65536 byte limit" in message and path in message


def test_a_file_at_the_limit_is_read(tmp_path):
    padding = "#" * (MAX_CREDENTIALS_FILE_BYTES - len(FILE_TEXT) - 1) + "\n"
    path = write(tmp_path / "credentials", FILE_TEXT + padding)
    assert os.path.getsize(path) == MAX_CREDENTIALS_FILE_BYTES
    assert read_credentials_file(path)[0]["ak"] == "FILEAK"


@pytest.mark.parametrize("text,reason", [
    ("ak = %s without a section\n" % SECRET, "MissingSectionHeaderError"),
    ("[basic]\nak = 1\nak = %s\n" % SECRET, "DuplicateOptionError"),
    ("[basic]\n%s\n" % SECRET, "ParsingError"),
])
def test_a_malformed_file_is_reported_without_its_content(tmp_path, text, reason):
    message = refused(write(tmp_path / "credentials", text))
    assert "cannot be read (%s)" % reason in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = str(tmp_path / "credentials")
    with open(path, "wb") as handle:
        handle.write(b"[basic]\nak = \xff\xfe\n")
    assert "cannot be read (UnicodeDecodeError)" in refused(path)


def test_an_unreadable_file_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    assert "cannot be read (PermissionError)" in refused(write(tmp_path / "c", FILE_TEXT, mode=0o000))


def test_the_path_comes_from_the_environment_or_the_home_directory(tmp_path):
    assert credentials_file_path({"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "c")}) == str(tmp_path / "c")
    expected = os.path.expanduser(os.path.join("~", ".huaweicloud", "credentials"))
    assert credentials_file_path({}) == expected
    assert credentials_file_path({"HUAWEICLOUD_SDK_CREDENTIALS_FILE": ""}) == expected


def test_env_value_treats_empty_as_unset():
    assert env_value({"A": ""}, "A") is None and env_value({}, "A") is None and env_value({"A": "x"}, "A") == "x"
    assert env_value({"A": "x"}, None) is None


# --- laziness ----------------------------------------------------------------------------------------------

class CountingReader:
    def __init__(self, values=None, error=None):
        self.calls, self.values, self.error = 0, values or {}, error

    def __call__(self, path):
        self.calls += 1
        if self.error:
            raise self.error
        return self.values, ["a warning"]


def test_credentials_file_is_read_once_and_only_when_asked():
    reader = CountingReader({"ak": "A"})
    credentials_file = CredentialsFile("/nowhere", reader)
    assert not credentials_file.loaded and reader.calls == 0 and credentials_file.warnings == ()
    assert credentials_file.get("ak") == "A" and credentials_file.get("sk") is None
    assert reader.calls == 1 and credentials_file.loaded and credentials_file.warnings == ("a warning",)
    assert credentials_file.describe("project_id") == "project_id in /nowhere"


@pytest.mark.parametrize("params,environ", [
    (dict(access_key="AK", secret_key="SK"), {}),
    ({}, {"HUAWEICLOUD_SDK_AK": "AK", "HUAWEICLOUD_SDK_SK": "SK"}),
    ({}, {"CLOUD_SDK_AK": "AK", "CLOUD_SDK_SK": "SK"}),
    ({}, {"HW_ACCESS_KEY": "AK", "HW_SECRET_KEY": "SK"}),
    (dict(access_key="AK"), {}),  # an error, found before the file
])
def test_credentials_from_earlier_sources_never_read_the_file(params, environ):
    reader = CountingReader(error=AssertionError("the credentials file was read"))
    try:
        credentials = resolve_credentials(params, environ, CredentialsFile("/nowhere", reader))
    except CredentialsError:
        credentials = None
    assert reader.calls == 0
    assert credentials is None or (credentials.access_key, credentials.secret_key) == ("AK", "SK")


def test_credentials_from_the_file_name_it(tmp_path):
    path = write(tmp_path / "credentials", FILE_TEXT + "security_token = TOKEN\n")
    credentials = resolve_credentials({}, {}, CredentialsFile(path))
    assert credentials == ("FILEAK", SECRET, "TOKEN", "the credentials file %s ([basic] ak, [basic] sk)" % path)


# --- the chain ---------------------------------------------------------------------------------------------

FAMILIES = [
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),
    ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"),
]


@pytest.fixture
def file_with_keys(tmp_path):
    return CredentialsFile(write(tmp_path / "credentials", "[basic]\nak = FILEAK\nsk = filesecret\n"))


def chain_refuses(params, environ, credentials_file):
    with pytest.raises(CredentialsError) as info:
        resolve_credentials(params, environ, credentials_file)
    assert SECRET not in info.value.message
    return info.value.message


def test_options_win_over_everything(file_with_keys):
    environ = dict((name, "ENV" + name) for family in FAMILIES for name in family[:2])
    credentials = resolve_credentials(dict(access_key="OPTAK", secret_key=SECRET), environ, file_with_keys)
    assert credentials == ("OPTAK", SECRET, None, "the module options (access_key, secret_key)")
    assert not file_with_keys.loaded


@pytest.mark.parametrize("index", range(len(FAMILIES)))
def test_each_environment_family_in_order(file_with_keys, index):
    environ = dict((name, "V_" + name) for family in FAMILIES[index:] for name in family[:2])
    ak, sk, _token = FAMILIES[index]
    credentials = resolve_credentials({}, environ, file_with_keys)
    assert (credentials.access_key, credentials.secret_key) == ("V_" + ak, "V_" + sk)
    assert credentials.source == "the environment (%s, %s)" % (ak, sk)


@pytest.mark.parametrize("family", [f for f in FAMILIES if f[2]])
def test_environment_tokens_come_with_their_family(file_with_keys, family):
    ak, sk, token = family
    assert resolve_credentials({}, {ak: "AK", sk: "SK", token: "TOKEN"}, file_with_keys).security_token == "TOKEN"


def test_empty_environment_values_count_as_unset(file_with_keys):
    environ = {"HUAWEICLOUD_SDK_AK": "", "HUAWEICLOUD_SDK_SK": "", "HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S"}
    assert resolve_credentials({"access_key": None}, environ, file_with_keys).access_key == "A"


@pytest.mark.parametrize("given,present,missing", [
    (dict(access_key="AK"), "access_key", "secret_key"),
    (dict(secret_key=SECRET), "secret_key", "access_key"),
])
def test_half_pair_in_options_is_an_error_naming_both_halves(file_with_keys, given, present, missing):
    message = chain_refuses(given, {"HUAWEICLOUD_SDK_AK": "AK2", "HUAWEICLOUD_SDK_SK": "SK2"}, file_with_keys)
    assert "the module options sets %s but not %s" % (present, missing) in message and "AK2" not in message


def test_half_pair_in_environment(file_with_keys):
    assert "sets CLOUD_SDK_SK but not CLOUD_SDK_AK" in chain_refuses({}, {"CLOUD_SDK_SK": SECRET}, file_with_keys)


def test_half_pair_in_file(tmp_path):
    credentials_file = CredentialsFile(write(tmp_path / "credentials", "[basic]\nak = FILEAK\n"))
    assert "[basic] ak but not [basic] sk" in chain_refuses({}, {}, credentials_file)


def test_token_without_keys_is_an_error(file_with_keys):
    message = chain_refuses(dict(security_token=SECRET), {"HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S"}, file_with_keys)
    assert "The module options sets security_token but no access key" in message


@pytest.mark.parametrize("bad", ["abc\ndef", "tab\there", "nul\x00", "caf\u00e9"])
def test_credentials_with_control_or_non_ascii_characters_are_refused(file_with_keys, bad):
    message = chain_refuses(dict(access_key="AK", secret_key=bad), {}, file_with_keys)
    assert "secret key" in message and bad not in message


def test_no_credentials_message_lists_every_source(tmp_path):
    message = chain_refuses({}, {}, CredentialsFile(str(tmp_path / "absent")))
    for name in ("access_key/secret_key", "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK", "CLOUD_SDK_AK/CLOUD_SDK_SK",
                 "HW_ACCESS_KEY/HW_SECRET_KEY", str(tmp_path / "absent") + " [basic] ak/[basic] sk (not found"):
        assert name in message
