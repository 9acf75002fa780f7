# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which proxy a request goes through, from the standard proxy variables.

Private to this collection: this interface may change without notice.

The transport's session reads nothing from the environment (so that ``~/.netrc`` cannot replace
the signature); this keeps the proxy variables working as ``requests`` and ``curl`` read them:
``<scheme>_proxy`` then ``all_proxy``, lower case before upper case, and ``no_proxy`` entries
matching a host name or a domain suffix, a ``host:port``, an IP address or network, or ``*``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
from urllib.parse import urlsplit


def _variable(environ, name):
    for key in (name, name.upper()):
        value = environ.get(key)
        if value and value.strip():
            return value.strip()
    return None


def _matches(entry, host, port):
    entry = entry.strip().lower()
    if not entry:
        return False
    if entry == "*":
        return True
    try:
        address = ipaddress.ip_address(host)
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        pass
    if ":" in entry and entry.rsplit(":", 1)[1].isdigit():
        entry_host, entry_port = entry.rsplit(":", 1)
        if port is None or int(entry_port) != port:
            return False
        entry = entry_host
    entry = entry.lstrip(".")
    return host == entry or host.endswith("." + entry)


def bypasses(url, environ):
    """Whether ``no_proxy`` says ``url`` goes direct."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    no_proxy = _variable(environ, "no_proxy") or ""
    return any(_matches(entry, host, parts.port) for entry in no_proxy.split(","))


def proxies_for(url, environ):
    """The ``proxies`` argument for one request to ``url``: {} to go direct."""
    if not environ:
        return {}
    scheme = urlsplit(url).scheme
    proxy = _variable(environ, scheme + "_proxy") or _variable(environ, "all_proxy")
    if not proxy or bypasses(url, environ):
        return {}
    return {scheme: proxy}
