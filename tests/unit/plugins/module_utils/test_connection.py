# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection settings: one environ, defaults declared once, credentials, endpoints, TLS, proxies, warnings."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest
import yaml

from ansible_collections.hwc.dcs.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.hwc.dcs.plugins.module_utils import _connection as connection
from ansible_collections.hwc.dcs.plugins.module_utils._connection import (
    DEFAULTS, INSECURE_TLS_WARNING, connection_argument_spec, resolve_connection)
from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError

SECRET = "S3cretValueThatMustNeverShow"
KEYS = dict(access_key="AK", secret_key="SK")


def params(**values):
    base = dict(region="cn-north-4", project_id=None, endpoint=None, iam_endpoint=None, access_key=None,
                secret_key=None, security_token=None, validate_certs=True, ca_path=None, api_timeout=30.0,
                api_retries=None)
    base.update(values)
    return base


@pytest.fixture
def environ(tmp_path):
    # An empty environment whose credentials file does not exist unless a test writes it.
    return {"HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "credentials")}


def write_file(environ, text, mode=0o600):
    path = environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"]
    with open(path, "w") as handle:
        handle.write(text)
    os.chmod(path, mode)


def refused(values, environ, error=ValidationError):
    with pytest.raises(error) as info:
        resolve_connection(values, environ)
    assert SECRET not in info.value.message
    return info.value.message


# --- one environ --------------------------------------------------------------------------------------------

def test_everything_comes_from_the_given_environ_with_minimal_params(tmp_path, monkeypatch):
    monkeypatch.setenv("HW_REGION_NAME", "eu-west-101")  # the process environment is never read
    monkeypatch.setenv("HWC_DCS_API_RETRIES", "1")
    environ = {"HW_REGION_NAME": "cn-north-4", "HWC_DCS_API_RETRIES": "7", "HW_ACCESS_KEY": "A",
               "HW_SECRET_KEY": "S", "HUAWEICLOUD_SDK_CREDENTIALS_FILE": str(tmp_path / "none")}
    settings = resolve_connection({}, environ)
    assert settings.region == "cn-north-4" and settings.api_retries == 7
    assert settings.endpoint == "https://dcs.cn-north-4.myhuaweicloud.com"
    assert (settings.api_timeout, settings.verify) == (DEFAULTS["api_timeout"], True)


def test_options_win_over_the_environment(environ):
    environ.update({"HW_REGION_NAME": "eu-west-101", "HWC_DCS_API_RETRIES": "7"})
    settings = resolve_connection(params(api_retries=2, **KEYS), environ)
    assert (settings.region, settings.api_retries) == ("cn-north-4", 2)
    environ["HWC_DCS_API_RETRIES"] = ""
    assert resolve_connection(params(**KEYS), environ).api_retries == DEFAULTS["api_retries"]


@pytest.mark.parametrize("value", ["abc", "-1", "21", "2.5", "nan"])
def test_a_bad_api_retries_variable_is_named(environ, value):
    environ["HWC_DCS_API_RETRIES"] = value
    assert "environment variable HWC_DCS_API_RETRIES must be a whole number from 0 to 20" in refused(params(**KEYS), environ)


def test_a_bad_region_variable_is_named(environ):
    environ["HW_REGION_NAME"] = "CN North"
    assert "environment variable HW_REGION_NAME 'CN North' is not a valid region name" in refused(params(region=None, **KEYS), environ)


def test_the_argument_spec_reads_no_environment():
    spec = connection_argument_spec()
    assert not [name for name, option in spec.items() if "fallback" in option]
    assert "default" not in spec["region"] and "default" not in spec["api_retries"]
    assert spec["api_timeout"]["default"] == DEFAULTS["api_timeout"]
    assert spec["validate_certs"]["default"] is DEFAULTS["validate_certs"]
    assert spec["secret_key"]["no_log"] and spec["security_token"]["no_log"] and spec["access_key"]["no_log"] is False


def test_the_doc_fragment_agrees_with_the_spec_and_the_defaults():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    spec = connection_argument_spec()
    assert set(options) == set(spec)
    for name, option in spec.items():
        assert options[name]["type"] == option["type"], name
        assert options[name].get("default") == option.get("default"), name
        assert sorted(options[name].get("aliases", [])) == sorted(option.get("aliases", [])), name
    retries = " ".join(options["api_retries"]["description"])
    assert "else V(%d)" % DEFAULTS["api_retries"] in retries and "V(%d)" % connection.API_RETRIES_MAX in retries
    assert "E(HWC_DCS_API_RETRIES)" in retries
    assert "E(HW_REGION_NAME)" in " ".join(options["region"]["description"])
    assert "V(%d)" % connection.API_TIMEOUT_MAX in " ".join(options["api_timeout"]["description"])
    assert "dcs_job_info" not in ModuleDocFragment.DOCUMENTATION  # a shared fragment names no module
    for name in connection.ENVIRONMENT_VARIABLES + ("HUAWEICLOUD_SDK_REGION_DCS_<REGION>",):
        assert "E(%s)" % name in ModuleDocFragment.DOCUMENTATION, name
    for name in connection.PROXY_ENVS:
        assert "E(%s)" % name.upper() in " ".join(options["ca_path"]["description"]), name


# --- numbers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,value,text", [
    ("api_timeout", 0, "api_timeout must be greater than 0"),
    ("api_timeout", -1, "api_timeout must be greater than 0"),
    ("api_timeout", float("nan"), "api_timeout must be a finite number"),
    ("api_timeout", float("inf"), "api_timeout must be a finite number"),
    ("api_timeout", 3601, "api_timeout must be at most 3600"),
    ("api_retries", -1, "api_retries must be a whole number from 0 to 20"),
    ("api_retries", 21, "api_retries must be a whole number from 0 to 20"),
])
def test_numeric_connection_options(environ, name, value, text):
    assert text in refused(params(**dict(KEYS, **{name: value})), environ)


def test_numbers_are_normalised(environ):
    settings = resolve_connection(params(api_timeout=2, api_retries=0, **KEYS), environ)
    assert settings.api_timeout == 2.0 and isinstance(settings.api_timeout, float) and settings.api_retries == 0


# --- credentials through resolve_connection (the chain itself: test_credentials.py) -------------------------

def test_credentials_file_basic_section(environ):
    write_file(environ, "[other]\nak = NO\n[basic]\nak = FILEAK\nsk = %s\nproject_id = fileproject\n"
                        "security_token = FILETOKEN\niam_endpoint = https://iam.example.test\n" % SECRET)
    settings = resolve_connection(params(), environ)
    assert (settings.access_key, settings.secret_key, settings.security_token) == ("FILEAK", SECRET, "FILETOKEN")
    assert settings.project_id == "fileproject"
    assert settings.iam_endpoint == "https://iam.example.test"
    assert environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] in settings.credential_source
    assert settings.warnings == ()


def test_options_win_over_the_environment_and_the_file(environ):
    environ.update({"HUAWEICLOUD_SDK_AK": "ENVAK", "HUAWEICLOUD_SDK_SK": "envsecret"})
    write_file(environ, "[basic]\nak = FILEAK\nsk = filesecret\n")
    settings = resolve_connection(params(access_key="OPTAK", secret_key=SECRET), environ)
    assert (settings.access_key, settings.secret_key) == ("OPTAK", SECRET)
    assert "module options" in settings.credential_source


def test_no_credentials_is_a_credentials_error(environ):
    assert environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] in refused(params(), environ, CredentialsError)


def test_unreadable_credentials_file_is_reported_without_its_content(environ):
    write_file(environ, "ak = %s without a section\n" % SECRET)
    assert "cannot be read" in refused(params(), environ, CredentialsError)


# --- the credentials file is read only when needed ----------------------------------------------------------

BROKEN = "ak = %s without a section\n" % SECRET


def test_a_malformed_file_is_ignored_when_options_give_credentials_and_project(environ):
    write_file(environ, BROKEN, mode=0o644)
    settings = resolve_connection(params(project_id="p1", **KEYS), environ)
    assert settings.project_id == "p1" and settings.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"
    assert settings.warnings == ()  # not read, so no mode warning either


def test_a_malformed_file_is_ignored_when_the_environment_gives_everything(environ):
    write_file(environ, BROKEN)
    environ.update({"HW_ACCESS_KEY": "A", "HW_SECRET_KEY": "S", "HW_PROJECT_ID": "p2"})
    assert resolve_connection(params(), environ).project_id == "p2"


def test_a_fifo_as_credentials_file_is_not_read_when_not_needed(environ):
    os.mkfifo(environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"])
    assert resolve_connection(params(project_id="p1", **KEYS), environ).project_id == "p1"
    assert "FIFO" in refused(params(**KEYS), environ, CredentialsError)  # needed for the project ID


def test_the_file_is_read_for_the_project_id_when_nothing_else_gives_it(environ):
    write_file(environ, BROKEN)
    assert "cannot be read" in refused(params(**KEYS), environ, CredentialsError)


def test_a_loose_file_mode_warns_when_the_file_is_read(environ):
    write_file(environ, "[basic]\nak = FILEAK\nsk = %s\nproject_id = p\n" % SECRET, mode=0o644)
    settings = resolve_connection(params(), environ)
    path = environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"]
    assert any("chmod 600 %s" % path in warning for warning in settings.warnings)


def test_project_id_sources_in_order(environ):
    write_file(environ, "[basic]\nproject_id = fromfile\n")
    assert resolve_connection(params(**KEYS), environ).project_id == "fromfile"
    environ["HW_PROJECT_ID"] = "fromterraform"
    assert resolve_connection(params(**KEYS), environ).project_id == "fromterraform"
    environ["HUAWEICLOUD_SDK_PROJECT_ID"] = "fromsdk"
    assert resolve_connection(params(**KEYS), environ).project_id == "fromsdk"
    assert resolve_connection(params(project_id="fromoption", **KEYS), environ).project_id == "fromoption"


def test_a_bad_project_id_names_its_source(environ):
    write_file(environ, "[basic]\nproject_id = a/b\n")
    assert "project_id in %s 'a/b' is not a valid ID" % environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"] in refused(params(**KEYS), environ)
    environ["HW_PROJECT_ID"] = "c d"
    assert "environment variable HW_PROJECT_ID 'c d'" in refused(params(**KEYS), environ)


# --- endpoints ----------------------------------------------------------------------------------------------

def test_endpoints_default_override_and_explicit(environ):
    settings = resolve_connection(params(**KEYS), environ)
    assert settings.endpoint == "https://dcs.cn-north-4.myhuaweicloud.com"
    assert settings.iam_endpoint == "https://iam.cn-north-4.myhuaweicloud.com"
    environ["HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4"] = "https://dcs.internal.example:8443/"
    environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = "https://iam.internal.example"
    settings = resolve_connection(params(**KEYS), environ)
    assert settings.endpoint == "https://dcs.internal.example:8443"
    assert settings.iam_endpoint == "https://iam.internal.example"
    settings = resolve_connection(params(endpoint="http://127.0.0.1:9000", iam_endpoint="http://127.0.0.1:9001", **KEYS), environ)
    assert (settings.endpoint, settings.iam_endpoint) == ("http://127.0.0.1:9000", "http://127.0.0.1:9001")


@pytest.mark.parametrize("option", ["endpoint", "iam_endpoint"])
def test_an_empty_endpoint_option_is_an_error(environ, option):
    assert "%s is empty" % option in refused(params(**dict(KEYS, **{option: ""})), environ)


def test_empty_endpoint_variables_count_as_unset(environ):
    environ.update({"HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4": "", "HUAWEICLOUD_SDK_IAM_ENDPOINT": ""})
    settings = resolve_connection(params(**KEYS), environ)
    assert settings.endpoint == "https://dcs.cn-north-4.myhuaweicloud.com"


@pytest.mark.parametrize("where", ["endpoint", "iam_endpoint", "env dcs", "env iam", "file"])
@pytest.mark.parametrize("url", ["ftp://u:%s@h" % SECRET, "https://u:%s@h:99999" % SECRET, "https://u:%s@h#" % SECRET])
def test_userinfo_is_never_echoed_from_any_source(environ, where, url):
    values = params(**KEYS)
    if where in ("endpoint", "iam_endpoint"):
        values[where] = url
    elif where == "env dcs":
        environ["HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4"] = url
    elif where == "env iam":
        environ["HUAWEICLOUD_SDK_IAM_ENDPOINT"] = url
    else:
        write_file(environ, "[basic]\niam_endpoint = %s\n" % url)
    assert "user name or password" in refused(values, environ)


def test_sources_are_named_in_endpoint_errors(environ):
    environ["HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4"] = "https://h/x/.."
    assert refused(params(**KEYS), environ).startswith("environment variable HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4 ")
    del environ["HUAWEICLOUD_SDK_REGION_DCS_CN_NORTH_4"]
    write_file(environ, "[basic]\niam_endpoint = http://h?\n")
    assert refused(params(**KEYS), environ).startswith("iam_endpoint in %s " % environ["HUAWEICLOUD_SDK_CREDENTIALS_FILE"])


def test_region_or_endpoint_is_required(environ):
    message = refused(params(region=None, **KEYS), environ)
    assert "region" in message and "endpoint" in message


def test_an_endpoint_without_region_needs_a_project_id(environ):
    assert "project_id" in refused(params(region=None, endpoint="https://dcs.example", **KEYS), environ)
    settings = resolve_connection(params(region=None, endpoint="https://dcs.example", project_id="p", **KEYS), environ)
    assert (settings.region, settings.iam_endpoint) == (None, None)


@pytest.mark.parametrize("region", ["CN-NORTH-4", "cn_north_4", "cn-north-4/../x", "", "-x", "a" * 65])
def test_bad_region_is_refused(environ, region):
    assert "not a valid region name" in refused(params(region=region, **KEYS), environ)


# --- TLS, proxies and warnings ------------------------------------------------------------------------------

@pytest.fixture
def bundle(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return str(path)


def test_verify_sources_in_order(environ, bundle, tmp_path):
    other = str(tmp_path / "other.pem")
    with open(other, "w") as handle:
        handle.write("x")
    assert resolve_connection(params(**KEYS), environ).verify is True
    environ["CURL_CA_BUNDLE"] = other
    assert resolve_connection(params(**KEYS), environ).verify == other
    environ["REQUESTS_CA_BUNDLE"] = bundle
    assert resolve_connection(params(**KEYS), environ).verify == bundle
    assert resolve_connection(params(ca_path=other, **KEYS), environ).verify == other
    settings = resolve_connection(params(ca_path=other, validate_certs=False, **KEYS), environ)
    assert settings.verify is False and INSECURE_TLS_WARNING in settings.warnings


@pytest.mark.parametrize("source", ["ca_path", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
@pytest.mark.parametrize("kind,problem", [("missing", "does not exist"), ("directory", "not a regular file"),
                                          ("fifo", "not a regular file")])
def test_a_bad_ca_bundle_is_a_clear_error(environ, tmp_path, source, kind, problem):
    path = str(tmp_path / kind)
    if kind == "directory":
        os.mkdir(path)
    elif kind == "fifo":
        os.mkfifo(path)
    values = params(**KEYS)
    if source == "ca_path":
        values["ca_path"] = path
    else:
        environ[source] = path
    message = refused(values, environ)
    assert path in message and problem in message and message.startswith(source if source == "ca_path" else "environment variable " + source)


def test_an_empty_ca_path_is_an_error(environ):
    assert "ca_path is empty" in refused(params(ca_path="", **KEYS), environ)


def test_proxy_variables_in_either_case(environ):
    environ.update({"HTTPS_PROXY": "http://proxy:3128", "http_proxy": "http://p2:3128", "no_proxy": "localhost",
                    "ALL_PROXY": "", "FTP_PROXY": "http://x", "PROXY": "y"})
    settings = resolve_connection(params(**KEYS), environ)
    assert settings.proxy_environ == {"HTTPS_PROXY": "http://proxy:3128", "http_proxy": "http://p2:3128", "no_proxy": "localhost"}
    settings.proxy_environ["HTTPS_PROXY"] = "changed"
    assert settings.proxy_environ["HTTPS_PROXY"] == "http://proxy:3128"
    assert "proxy:3128" not in repr(settings)


def test_http_endpoints_warn_that_requests_travel_unencrypted(environ):
    settings = resolve_connection(params(endpoint="http://dcs.example:9000", iam_endpoint="http://iam.example:9001", **KEYS), environ)
    assert len(settings.warnings) == 2
    assert settings.warnings[0].startswith("endpoint 'http://dcs.example:9000' uses http: signed requests travel unencrypted")
    assert settings.warnings[1].startswith("iam_endpoint 'http://iam.example:9001' uses http")
    settings = resolve_connection(params(endpoint="http://h", security_token="TOKEN", **KEYS), environ)
    assert "signed requests and the security token travel unencrypted" in settings.warnings[0]
    assert len(settings.warnings) == 1  # the IAM endpoint is https


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "localhost", "[::1]"])
def test_an_http_endpoint_on_this_machine_does_not_warn(environ, host):
    # A local emulator or tunnel: nothing crosses a network, so nothing can be read on the way.
    url = "http://%s:9000" % host
    assert resolve_connection(params(endpoint=url, iam_endpoint=url, **KEYS), environ).warnings == ()


def test_an_http_iam_endpoint_only_warns_when_it_is_used(environ):
    settings = resolve_connection(params(iam_endpoint="http://iam.example", project_id="p", **KEYS), environ)
    assert settings.warnings == ()


def test_https_and_verified_gives_no_warning(environ):
    assert resolve_connection(params(**KEYS), environ).warnings == ()


# --- the settings object ------------------------------------------------------------------------------------

def test_settings_repr_hides_secrets(environ):
    settings = resolve_connection(params(access_key="AK", secret_key=SECRET, security_token="TOKENVALUE"), environ)
    assert SECRET not in repr(settings) and "TOKENVALUE" not in repr(settings)
    assert sorted(settings.secrets()) == sorted([SECRET, "TOKENVALUE"])


def test_settings_are_immutable(environ):
    settings = resolve_connection(params(**KEYS), environ)
    for name in ("region", "project_id", "verify", "warnings", "new_attribute"):
        with pytest.raises(AttributeError):
            setattr(settings, name, "x")
    assert isinstance(settings.warnings, tuple)
