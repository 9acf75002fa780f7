# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Credentials chain, endpoint and project resolution, and input validation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._connection import resolve_connection
from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._validation import check_endpoint, check_job_ids

SECRET = "S3cretValueThatMustNeverShow"


def params(**values):
    base = dict(region="cn-north-4", project_id=None, endpoint=None, iam_endpoint=None, access_key=None,
                secret_key=None, security_token=None, validate_certs=True, ca_path=None, api_timeout=30.0,
                api_retries=5)
    base.update(values)
    return base


@pytest.fixture
def environ(tmp_path):
    # An empty environment whose credentials file does not exist unless a test writes it.
    return {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "credentials")}


def write_file(environ, text):
    with open(environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"], "w") as handle:
        handle.write(text)


FAMILIES = [
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),
    ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"),
]


def test_options_win_over_everything(environ):
    for ak, sk, _token in FAMILIES:
        environ[ak], environ[sk] = "ENV" + ak, "envsecret"
    write_file(environ, "[basic]\nak = FILEAK\nsk = filesecret\n")
    settings = resolve_connection(params(access_key="OPTAK", secret_key=SECRET), environ)
    assert (settings.access_key, settings.secret_key) == ("OPTAK", SECRET)
    assert "module options" in settings.credential_source


@pytest.mark.parametrize("index", range(len(FAMILIES)))
def test_each_environment_family_in_order(environ, index):
    for ak, sk, _token in FAMILIES[index:]:
        environ[ak], environ[sk] = "AK_" + ak, "SK_" + sk
    write_file(environ, "[basic]\nak = FILEAK\nsk = filesecret\n")
    ak, sk, token = FAMILIES[index]
    settings = resolve_connection(params(), environ)
    assert (settings.access_key, settings.secret_key) == ("AK_" + ak, "SK_" + sk)
    assert ak in settings.credential_source and sk in settings.credential_source


@pytest.mark.parametrize("family", [f for f in FAMILIES if f[2]])
def test_environment_tokens_come_with_their_family(environ, family):
    ak, sk, token = family
    environ.update({ak: "AK", sk: "SK", token: "TOKEN"})
    assert resolve_connection(params(), environ).security_token == "TOKEN"


def test_credentials_file_basic_section(environ):
    write_file(environ, "[other]\nak = NO\n[basic]\nak = FILEAK\nsk = %s\nproject_id = fileproject\n"
                        "security_token = FILETOKEN\niam_endpoint = https://iam.example.test\n" % SECRET)
    settings = resolve_connection(params(), environ)
    assert (settings.access_key, settings.secret_key, settings.security_token) == ("FILEAK", SECRET, "FILETOKEN")
    assert settings.project_id == "fileproject"
    assert settings.iam_endpoint == "https://iam.example.test"
    assert environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] in settings.credential_source


def test_empty_environment_values_count_as_unset(environ):
    environ.update({"HUAWEICLOUD_SDK_AK": "", "HUAWEICLOUD_SDK_SK": "", "HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S"})
    assert resolve_connection(params(), environ).access_key == "A"


@pytest.mark.parametrize("given,present,missing", [
    (dict(access_key="AK"), "access_key", "secret_key"),
    (dict(secret_key=SECRET), "secret_key", "access_key"),
])
def test_half_pair_in_options_is_an_error_naming_both_halves(environ, given, present, missing):
    environ.update({"HUAWEICLOUD_SDK_AK": "AK2", "HUAWEICLOUD_SDK_SK": "SK2"})
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(**given), environ)
    message = info.value.message
    assert "the module options sets %s but not %s" % (present, missing) in message
    assert SECRET not in message and "AK2" not in message


def test_half_pair_in_environment(environ):
    environ["CLOUD_SDK_SK"] = SECRET
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(), environ)
    assert "sets CLOUD_SDK_SK but not CLOUD_SDK_AK" in info.value.message
    assert SECRET not in info.value.message


def test_half_pair_in_file(environ):
    write_file(environ, "[basic]\nak = FILEAK\n")
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(), environ)
    assert "[basic] ak but not [basic] sk" in info.value.message


def test_token_without_keys_is_an_error(environ):
    environ.update({"HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S"})
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(security_token=SECRET), environ)
    assert "security_token" in info.value.message and SECRET not in info.value.message


def test_no_credentials_lists_every_place_looked(environ):
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(), environ)
    message = info.value.message
    for name in ("access_key/secret_key", "HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK", "CLOUD_SDK_AK/CLOUD_SDK_SK",
                 "HW_ACCESS_KEY/HW_SECRET_KEY", environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"]):
        assert name in message


def test_unreadable_credentials_file_is_reported_without_its_content(environ):
    write_file(environ, "ak = %s without a section\n" % SECRET)
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(), environ)
    assert "cannot be read" in info.value.message and SECRET not in info.value.message


@pytest.mark.parametrize("bad", ["abc\ndef", "tab\there", "nul\x00", "caf\u00e9"])
def test_credentials_with_control_or_non_ascii_characters_are_refused(environ, bad):
    with pytest.raises(CredentialsError) as info:
        resolve_connection(params(access_key="AK", secret_key=bad), environ)
    assert "secret key" in info.value.message and bad not in info.value.message


def test_project_id_sources_in_order(environ):
    base = dict(access_key="AK", secret_key="SK")
    write_file(environ, "[basic]\nproject_id = fromfile\n")
    assert resolve_connection(params(**base), environ).project_id == "fromfile"
    environ["HW_PROJECT_ID"] = "fromterraform"
    assert resolve_connection(params(**base), environ).project_id == "fromterraform"
    environ["HUAWEICLOUD_SDK_PROJECT_ID"] = "fromsdk"
    assert resolve_connection(params(**base), environ).project_id == "fromsdk"
    assert resolve_connection(params(project_id="fromoption", **base), environ).project_id == "fromoption"


def test_endpoints_default_override_and_explicit(environ):
    base = dict(access_key="AK", secret_key="SK")
    settings = resolve_connection(params(**base), environ)
    assert settings.endpoint == "https://dcs.cn-north-4.myhuaweicloud.com"
    assert settings.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"
    environ["HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4"] = "https://dcs.internal.example:8443/"
    environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = "https://iam.internal.example"
    settings = resolve_connection(params(**base), environ)
    assert settings.endpoint == "https://dcs.internal.example:8443"
    assert settings.iam_endpoint == "https://iam.internal.example"
    settings = resolve_connection(params(endpoint="http://127.0.0.1:9000", iam_endpoint="http://127.0.0.1:9001", **base), environ)
    assert (settings.endpoint, settings.iam_endpoint) == ("http://127.0.0.1:9000", "http://127.0.0.1:9001")


def test_region_or_endpoint_is_required(environ):
    with pytest.raises(ValidationError) as info:
        resolve_connection(params(region=None, access_key="AK", secret_key="SK"), environ)
    assert "region" in info.value.message and "endpoint" in info.value.message


def test_discovery_needs_a_region(environ):
    with pytest.raises(ValidationError) as info:
        resolve_connection(params(region=None, endpoint="https://dcs.example", access_key="AK", secret_key="SK"), environ)
    assert "project_id" in info.value.message


@pytest.mark.parametrize("region", ["CN-NORTH-4", "cn_north_4", "cn-north-4/../x", "", "-x", "a" * 65])
def test_bad_region_is_refused(environ, region):
    with pytest.raises(ValidationError) as info:
        resolve_connection(params(region=region, access_key="AK", secret_key="SK"), environ)
    assert "not a valid region name" in info.value.message


@pytest.mark.parametrize("url,problem", [
    ("ftp://dcs.example", "scheme must be http or https"),
    ("https://", "names no host"),
    ("https://dcs.example?x=1", "query string"),
    ("https://dcs.example/#frag", "fragment"),
    ("https://dcs.example:99999", "cannot be parsed"),
    ("https://dcs.example/ path", "spaces"),
])
def test_bad_endpoints_are_refused(url, problem):
    with pytest.raises(ValidationError) as info:
        check_endpoint(url, "endpoint")
    assert problem in info.value.message


def test_endpoint_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ValidationError) as info:
        check_endpoint("https://user:%s@dcs.example" % SECRET, "endpoint")
    assert SECRET not in info.value.message and "user name or password" in info.value.message


@pytest.mark.parametrize("value,name", [("api_timeout", 0), ("api_timeout", -1), ("api_retries", -1)])
def test_numeric_connection_options(environ, value, name):
    with pytest.raises(ValidationError) as info:
        resolve_connection(params(access_key="AK", secret_key="SK", **{value: name}), environ)
    assert value in info.value.message


@pytest.mark.parametrize("job_id", ["", "-lead", "a/b", "../etc", "a" * 129, "job id", "x\n", "\u00e9t\u00e9", "a%2Fb"])
def test_hostile_job_ids_are_refused(job_id):
    with pytest.raises(ValidationError) as info:
        check_job_ids(job_id, None)
    assert "job_id %r is not a valid ID" % job_id in info.value.message or "...(" in info.value.message


def test_job_ids_deduplicated_in_order():
    assert check_job_ids(None, ["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    assert check_job_ids("a" * 128, None) == ["a" * 128]
    with pytest.raises(ValidationError):
        check_job_ids(None, [])


def test_settings_repr_hides_secrets(environ):
    settings = resolve_connection(params(access_key="AK", secret_key=SECRET, security_token="TOKENVALUE"), environ)
    assert SECRET not in repr(settings) and "TOKENVALUE" not in repr(settings)
    assert sorted(settings.secrets()) == sorted([SECRET, "TOKENVALUE"])
