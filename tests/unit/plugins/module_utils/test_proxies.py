# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_proxies: the proxy of a request from the proxy variables of the task's environment."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._proxies import bypasses, proxies_for

URL = "https://dcs.cn-north-4.myhuaweicloud.com/v2/p/jobs/j"
HTTP_URL = "http://dcs.cn-north-4.myhuaweicloud.com/v2/p/jobs/j"
PROXY = "http://proxy.example:3128"
OTHER = "http://other.example:8080"


def test_empty_or_missing_environ_goes_direct():
    assert proxies_for(URL, {}) == {}
    assert proxies_for(URL, None) == {}
    assert bypasses(URL, {}) is False


def test_scheme_proxy():
    assert proxies_for(URL, {"https_proxy": PROXY}) == {"https": PROXY}
    assert proxies_for(HTTP_URL, {"http_proxy": PROXY}) == {"http": PROXY}


def test_proxy_of_the_other_scheme_is_not_used():
    assert proxies_for(URL, {"http_proxy": PROXY}) == {}
    assert proxies_for(HTTP_URL, {"https_proxy": PROXY}) == {}


def test_lower_case_before_upper_case():
    assert proxies_for(URL, {"https_proxy": PROXY, "HTTPS_PROXY": OTHER}) == {"https": PROXY}
    assert proxies_for(URL, {"HTTPS_PROXY": OTHER}) == {"https": OTHER}


def test_blank_lower_case_falls_back_to_upper_case():
    assert proxies_for(URL, {"https_proxy": "  ", "HTTPS_PROXY": OTHER}) == {"https": OTHER}
    assert proxies_for(URL, {"https_proxy": ""}) == {}


def test_value_is_stripped():
    assert proxies_for(URL, {"https_proxy": "  %s \n" % PROXY}) == {"https": PROXY}


def test_all_proxy_fallback():
    assert proxies_for(URL, {"all_proxy": PROXY}) == {"https": PROXY}
    assert proxies_for(URL, {"ALL_PROXY": PROXY}) == {"https": PROXY}
    assert proxies_for(HTTP_URL, {"all_proxy": PROXY, "https_proxy": OTHER}) == {"http": PROXY}


def test_scheme_proxy_wins_over_all_proxy():
    assert proxies_for(URL, {"all_proxy": OTHER, "HTTPS_PROXY": PROXY}) == {"https": PROXY}


def test_unrelated_variables_are_ignored():
    assert proxies_for(URL, {"ftp_proxy": PROXY, "HTTPSPROXY": PROXY, "proxy": PROXY}) == {}


@pytest.mark.parametrize("no_proxy", [
    "myhuaweicloud.com",
    ".myhuaweicloud.com",
    "..myhuaweicloud.com",
    "cn-north-4.myhuaweicloud.com",
    "dcs.cn-north-4.myhuaweicloud.com",
    "DCS.CN-North-4.MyHuaweiCloud.com",
    "*",
    " * ",
    "example.org, myhuaweicloud.com",
    "example.org,,  .myhuaweicloud.com ,",
])
def test_no_proxy_matches(no_proxy):
    assert bypasses(URL, {"no_proxy": no_proxy}) is True
    assert proxies_for(URL, {"https_proxy": PROXY, "no_proxy": no_proxy}) == {}


@pytest.mark.parametrize("no_proxy", [
    "huaweicloud.com",  # a suffix only counts at a label boundary
    "north-4.myhuaweicloud.com",
    "dcs.cn-north-4.myhuaweicloud.com.evil",
    "example.org",
    "",
    " , ,",
    "10.0.0.0/8",
    "*.myhuaweicloud.com",  # not a wildcard syntax anyone supports
])
def test_no_proxy_does_not_match(no_proxy):
    assert bypasses(URL, {"no_proxy": no_proxy}) is False
    assert proxies_for(URL, {"https_proxy": PROXY, "no_proxy": no_proxy}) == {"https": PROXY}


def test_no_proxy_lower_before_upper():
    assert bypasses(URL, {"no_proxy": "example.org", "NO_PROXY": "myhuaweicloud.com"}) is False
    assert bypasses(URL, {"NO_PROXY": "myhuaweicloud.com"}) is True
    assert bypasses(URL, {"no_proxy": " ", "NO_PROXY": "myhuaweicloud.com"}) is True


@pytest.mark.parametrize("url, no_proxy, expected", [
    ("http://127.0.0.1:8080/x", "127.0.0.1:8080", True),
    ("http://127.0.0.1:8081/x", "127.0.0.1:8080", False),
    ("http://127.0.0.1/x", "127.0.0.1:8080", False),  # no port in the URL: an entry with a port does not match
    ("https://h.example.com:8443/x", "example.com:8443", True),
    ("https://h.example.com:8443/x", "h.example.com:9443", False),
    ("https://h.example.com:8443/x", "h.example.com", True),  # an entry without a port matches any port
])
def test_no_proxy_host_and_port(url, no_proxy, expected):
    assert bypasses(url, {"no_proxy": no_proxy}) is expected


@pytest.mark.parametrize("url, no_proxy, expected", [
    ("http://127.0.0.1:8080/x", "127.0.0.0/8", True),
    ("http://127.0.0.1:8080/x", "127.0.0.1", True),
    ("http://127.0.0.1:8080/x", "127.0.0.1/32", True),
    ("http://10.1.2.3/x", "127.0.0.0/8", False),
    ("http://10.1.2.3/x", "10.0.0.0/8", True),
    ("http://192.168.1.77/x", "192.168.1.0/24", True),
    ("http://192.168.2.77/x", "192.168.1.0/24", False),
    ("http://[::1]:8080/x", "::1", True),
    ("http://[fd00::5]/x", "fd00::/8", True),
    ("http://[fd00::5]/x", "fe80::/10", False),
    ("http://127.0.0.1/x", "::/0", False),  # an IPv6 network never holds an IPv4 address
    ("http://10.0.0.1/x", "10.0.0.0/33", False),  # an invalid network is no match, not an exception
    ("https://dcs.example.com/x", "10.0.0.0/8", False),  # a network never matches a host name
])
def test_no_proxy_addresses_and_networks(url, no_proxy, expected):
    assert bypasses(url, {"no_proxy": no_proxy}) is expected


def test_no_proxy_star_among_others():
    assert proxies_for("http://10.9.9.9/", {"http_proxy": PROXY, "no_proxy": "example.org,*"}) == {}
