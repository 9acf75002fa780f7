# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input checks: IDs, regions, endpoint URLs, credential values and numbers (pure functions)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._signer import canonical_uri
from ansible_collections.hwc.dcs.plugins.module_utils._validation import (
    check_count, check_credential, check_endpoint, check_finite_positive, check_id, check_job_ids,
    check_region, show_url)

SECRET = "S3cretValueThatMustNeverShow"


def refused(url, option="endpoint"):
    with pytest.raises(ValidationError) as info:
        check_endpoint(url, option)
    return info.value.message


# --- endpoints that are accepted ---------------------------------------------------------------------------

@pytest.mark.parametrize("url,expected", [
    ("https://dcs.cn-north-4.myhuaweicloud.com", "https://dcs.cn-north-4.myhuaweicloud.com"),
    ("https://dcs.internal.example:8443/", "https://dcs.internal.example:8443"),
    ("http://127.0.0.1:9000", "http://127.0.0.1:9000"),
    ("https://[::1]:8443/", "https://[::1]:8443"),
    ("https://gw.example/dcs-api/v1.0_x~y//", "https://gw.example/dcs-api/v1.0_x~y"),
    ("HTTPS://DCS.Example", "HTTPS://DCS.Example"),
    ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ("https://" + ".".join(["a" * 63] * 3) + ".com", "https://" + ".".join(["a" * 63] * 3) + ".com"),
])
def test_usable_endpoints_are_returned_without_trailing_slash(url, expected):
    assert check_endpoint(url, "endpoint") == expected


def test_accepted_paths_are_signed_as_they_are_sent():
    # The rule behind the path checks: what the signer canonicalises is the path as given.
    for url in ("https://gw.example/dcs-api/v1.0_x~y", "https://gw.example"):
        path = check_endpoint(url, "endpoint").split("gw.example", 1)[1] + "/v2/p/jobs/j"
        assert canonical_uri(path) == path + "/"


# --- endpoints that are refused -----------------------------------------------------------------------------

@pytest.mark.parametrize("url,problem", [
    ("ftp://dcs.example", "scheme must be http or https"),
    ("dcs.example", "scheme must be http or https"),
    ("https://", "names no host"),
    ("https:dcs.example", "names no host"),
    ("https://:443", "names no host"),
    ("https://dcs.example?x=1", "query string"),
    ("https://dcs.example/#frag", "fragment"),
    ("http://host?", "not even an empty '?' or '#'"),
    ("http://host#", "not even an empty '?' or '#'"),
    ("http://host/x?#", "not even an empty '?' or '#'"),
    ("https://dcs.example/ path", "spaces or control characters"),
    ("https://dcs.example/\tpath", "spaces or control characters"),
    ("https://dcs.exa\nmple", "spaces or control characters"),
])
def test_malformed_endpoints_are_refused(url, problem):
    message = refused(url)
    assert problem in message and "is not a usable endpoint URL" in message


@pytest.mark.parametrize("url", [
    "http://host/x/..", "http://host/x/../y", "http://host/./x", "http://host/.", "http://host/..",
])
def test_dot_segments_are_refused(url):
    assert "'.' or '..' segments" in refused(url)


@pytest.mark.parametrize("url", ["http://host/a%2Fb", "http://host/%41", "http://host/x%20y", "http://host/%"])
def test_percent_encoding_in_the_path_is_refused(url):
    assert "percent-encoded" in refused(url)


@pytest.mark.parametrize("url", [
    "http://host/a//b", "http://host//a", "http://host/a;b", "http://host/a:b", "http://host/caf\u00e9",
    "http://host/a\\b", "http://host/a'b", "http://host/a<b>",
])
def test_paths_that_could_be_sent_differently_are_refused(url):
    assert "anything else can be sent differently" in refused(url)


def test_an_empty_endpoint_is_an_error_not_the_default():
    message = refused("", "endpoint")
    assert message.startswith("endpoint is empty") and "leave it out" in message


def test_idn_host_asks_for_punycode():
    message = refused("https://b\u00fccher.example/")
    assert "internationalised domain name" in message and "punycode" in message
    assert "xn--bcher-kva.example" in message


@pytest.mark.parametrize("url,problem", [
    ("https://%s.example" % ("a" * 64), "label of 64 characters"),
    ("https://" + ".".join(["a" * 60] * 5), "host name is 304 characters long"),
    ("https://a..b", "DNS name"),
    ("https://a_b$c.example", "DNS name"),
    ("https://[::zz]:443", ("not an IPv6 address", "cannot be parsed")),  # newer Pythons refuse it in urlsplit
    ("https://[::1]x", "after the IPv6 address"),
    ("https://[::1", "cannot be parsed"),
])
def test_bad_hosts_are_refused(url, problem):
    message = refused(url)
    assert any(text in message for text in (problem if isinstance(problem, tuple) else (problem,)))


@pytest.mark.parametrize("port", ["99999", "0", "65536", "abc", "", "+80", "-1", "8o", "000080", "9" * 5000])
def test_bad_ports_are_refused(port):
    assert "port must be a number from 1 to 65535" in refused("https://dcs.example:%s/" % port)


def test_non_string_endpoint_is_refused():
    assert "not a string" in refused(42)


@pytest.mark.parametrize("url", [
    "https://user:%s@dcs.example" % SECRET,
    "ftp://user:%s@dcs.example" % SECRET,                 # wrong scheme
    "https://user:%s@dcs.example:99999" % SECRET,         # bad port
    "https://user:%s@dcs.example?" % SECRET,              # empty query
    "https://user:pa/%s@dcs.example" % SECRET,            # a '/' in the password
    "https://user:pa?%s@dcs.example" % SECRET,            # a '?' in the password
    "https://user:pa#%s@dcs.example" % SECRET,            # a '#' in the password
    "user:%s@dcs.example" % SECRET,                       # no scheme
    "https://%s@b\u00fccher.example" % SECRET,           # IDN host
])
def test_user_information_is_never_echoed(url):
    for option in ("endpoint", "environment variable HUAWEICLOUD_SDK_IAM_ENDPOINT", "iam_endpoint in /x/credentials"):
        message = refused(url, option)
        assert SECRET not in message and "pa/" not in message
        assert "user name or password" in message and message.startswith(option)


@pytest.mark.parametrize("url,shown", [
    ("https://user:%s@host/x" % SECRET, "'https://***@host/x'"),
    ("https://u:p@ss/%s@host" % SECRET, "'https://***@host'"),
    ("u:%s@host" % SECRET, "'***@host'"),
    ("a:%s@x://host" % SECRET, "'***@x://host'"),
    ("https://host/x", "'https://host/x'"),
])
def test_show_url_drops_everything_before_the_last_at(url, shown):
    assert show_url(url) == shown


# --- numbers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), "nan", "inf", 10 ** 400, None, True, "abc", [1]])
def test_non_finite_or_non_numbers_are_refused(value):
    with pytest.raises(ValidationError) as info:
        check_finite_positive(value, "wait_sleep")
    assert "wait_sleep must be a finite number greater than 0" in info.value.message


@pytest.mark.parametrize("value", [0, 0.0, -1, -0.5])
def test_zero_and_negative_are_refused(value):
    with pytest.raises(ValidationError) as info:
        check_finite_positive(value, "api_timeout")
    assert info.value.message == "api_timeout must be greater than 0, got %r." % value


def test_minimum_and_maximum():
    assert check_finite_positive(0.5, "wait_sleep", minimum=0.5) == 0.5
    with pytest.raises(ValidationError) as info:
        check_finite_positive(0.0001, "wait_sleep", minimum=0.5)
    assert "wait_sleep must be at least 0.5, got 0.0001." == info.value.message
    assert check_finite_positive(3600, "api_timeout", maximum=3600) == 3600.0
    with pytest.raises(ValidationError) as info:
        check_finite_positive(3600.5, "api_timeout", maximum=3600)
    assert "at most 3600" in info.value.message


def test_finite_positive_returns_a_float():
    value = check_finite_positive(2, "api_timeout")
    assert value == 2.0 and isinstance(value, float)


@pytest.mark.parametrize("value,expected", [(0, 0), (20, 20), ("7", 7), (" 3 ", 3)])
def test_counts(value, expected):
    assert check_count(value, "api_retries", 0, 20) == expected


@pytest.mark.parametrize("value", [-1, 21, True, None, 2.5, "2.5", "nan", "", "-1", "1e3", "9" * 400])
def test_bad_counts_are_refused(value):
    with pytest.raises(ValidationError) as info:
        check_count(value, "api_retries", 0, 20)
    assert "api_retries must be a whole number from 0 to 20" in info.value.message


def test_huge_integers_are_refused_without_printing_them():
    for check in (check_finite_positive, check_count):
        with pytest.raises(ValidationError) as info:
            check(10 ** 5000, "x", maximum=20)
        assert "an integer of 16610 bits" in info.value.message


def test_count_without_upper_bound():
    assert check_count(1000, "x") == 1000
    with pytest.raises(ValidationError) as info:
        check_count(-1, "x")
    assert "x must be a whole number 0 or greater, got -1." == info.value.message


# --- IDs, regions, credential values ------------------------------------------------------------------------

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
    with pytest.raises(ValidationError) as info:
        check_job_ids(None, ["ok", "b/ad"])
    assert "job_ids entry 'b/ad'" in info.value.message


def test_check_id_names_the_source():
    with pytest.raises(ValidationError) as info:
        check_id("a b", "environment variable HW_PROJECT_ID")
    assert info.value.message.startswith("environment variable HW_PROJECT_ID 'a b' is not a valid ID")


@pytest.mark.parametrize("region", ["CN-NORTH-4", "cn_north_4", "cn-north-4/../x", "", "-x", "a" * 65, None])
def test_bad_regions_are_refused(region):
    with pytest.raises(ValidationError) as info:
        check_region(region)
    assert "not a valid region name" in info.value.message


@pytest.mark.parametrize("bad", ["abc\ndef", "tab\there", "nul\x00", "caf\u00e9", ""])
def test_bad_credential_values_are_refused_without_showing_them(bad):
    with pytest.raises(CredentialsError) as info:
        check_credential(bad, "The secret key", "the module options")
    assert info.value.message.startswith("The secret key from the module options")
    assert not bad or bad not in info.value.message
