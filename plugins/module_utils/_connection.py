# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every hwc.dcs module: argument spec and resolution.

Private to this collection: this interface may change without notice.

``connection_argument_spec()`` has the same option names as the ``hwc.dcs.connection`` doc
fragment and reads no environment. ``resolve_connection(params, environ)`` is the one place that
reads the environment (region, retries, project ID, endpoints, credentials, CA bundle, proxies)
and the SDK credentials file, and turns them into an immutable ``ConnectionSettings``, or raises a
``ValidationError`` / ``CredentialsError`` that says what was found where (never a secret value).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import os
import stat
from urllib.parse import urlsplit

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._text import show
from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation
from ansible_collections.hwc.dcs.plugins.module_utils._credentials import (
    CREDENTIALS_FILE_ENV, ENV_CREDENTIAL_FAMILIES, CredentialsFile, credentials_file_path, env_value, resolve_credentials)

# Declared once: the argument spec, the resolution and the doc fragment's test read these.
DEFAULTS = {"api_timeout": 30.0, "api_retries": 5, "validate_certs": True}
API_TIMEOUT_MAX = 3600.0
API_RETRIES_MAX = 20

REGION_ENVS = ("HW_REGION_NAME",)
API_RETRIES_ENVS = ("HWC_DCS_API_RETRIES",)
PROJECT_ID_ENVS = ("HUAWEICLOUD_SDK_PROJECT_ID", "HW_PROJECT_ID")
IAM_ENDPOINT_ENV = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
DCS_ENDPOINT_ENV_PREFIX = "HUAWEICLOUD_SDK_REGION_DCS_"
CA_BUNDLE_ENVS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
PROXY_ENVS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")  # matched in any case

# Every variable read under a fixed name (the doc fragment shows each with E()); besides these, the DCS
# endpoint override DCS_ENDPOINT_ENV_PREFIX + <REGION> and the proxy variables in any case.
ENVIRONMENT_VARIABLES = tuple(
    [name for family in ENV_CREDENTIAL_FAMILIES for name in family if name]
    + list(PROJECT_ID_ENVS + REGION_ENVS + API_RETRIES_ENVS + CA_BUNDLE_ENVS) + [IAM_ENDPOINT_ENV, CREDENTIALS_FILE_ENV])

INSECURE_TLS_WARNING = (
    "validate_certs is false: the endpoint's TLS certificate is not verified, so the "
    "connection can be intercepted. Use ca_path to trust a private CA instead.")


def connection_argument_spec():
    """The argument spec of the connection options (see the ``hwc.dcs.connection`` doc fragment).

    No environment fallbacks here: options backed by an environment variable (region, api_retries)
    have no default either, ``resolve_connection`` applies the variable, then ``DEFAULTS``.
    """
    return dict(
        region=dict(type="str"),
        project_id=dict(type="str"),
        endpoint=dict(type="str"),
        iam_endpoint=dict(type="str"),
        access_key=dict(type="str", aliases=["ak"], no_log=False),
        secret_key=dict(type="str", aliases=["sk"], no_log=True),
        security_token=dict(type="str", no_log=True),
        validate_certs=dict(type="bool", default=DEFAULTS["validate_certs"]),
        ca_path=dict(type="path"),
        api_timeout=dict(type="float", default=DEFAULTS["api_timeout"]),
        api_retries=dict(type="int"),
    )


def _field(name, doc):
    return property(lambda self: self._values[name], doc=doc)


class ConnectionSettings:
    """Everything a client needs to reach and sign requests to DCS in one region. Immutable.

    ``verify`` is False, True or the path of a CA bundle (as ``requests`` takes it). ``proxy_environ``
    is a copy of the proxy variables found in the environment. ``warnings`` is a tuple of texts for
    ``module.warn``. ``repr()`` never shows a secret; ``secrets()`` lists them for ``no_log_values``.
    """

    __slots__ = ("_values",)

    def __init__(self, region, project_id, endpoint, iam_endpoint, access_key, secret_key,
                 security_token=None, credential_source="the caller", api_timeout=DEFAULTS["api_timeout"],
                 api_retries=DEFAULTS["api_retries"], verify=True, proxy_environ=None, warnings=()):
        object.__setattr__(self, "_values", dict(
            region=region, project_id=project_id, endpoint=endpoint, iam_endpoint=iam_endpoint,
            access_key=access_key, secret_key=secret_key, security_token=security_token,
            credential_source=credential_source, api_timeout=float(api_timeout), api_retries=int(api_retries),
            verify=verify, proxy_environ=dict(proxy_environ or {}), warnings=tuple(warnings)))

    region = _field("region", "Region name, or None when only an endpoint was given.")
    project_id = _field("project_id", "Project ID, or None when it must be discovered from IAM.")
    endpoint = _field("endpoint", "DCS endpoint URL without a trailing '/'.")
    iam_endpoint = _field("iam_endpoint", "IAM endpoint URL without a trailing '/', or None.")
    access_key = _field("access_key", "Access key ID (an identifier, not a secret).")
    secret_key = _field("secret_key", "Secret access key.")
    security_token = _field("security_token", "Security token of temporary credentials, or None.")
    credential_source = _field("credential_source", "Where the credentials came from, for messages.")
    api_timeout = _field("api_timeout", "Seconds one request may take (float).")
    api_retries = _field("api_retries", "Retries of a transiently failed request (int).")
    verify = _field("verify", "False, True or a CA bundle path.")
    warnings = _field("warnings", "Warnings found while resolving (tuple of str).")

    @property
    def proxy_environ(self):
        """The proxy variables (http_proxy, https_proxy, all_proxy, no_proxy, any case), as a new dict."""
        return dict(self._values["proxy_environ"])

    def __setattr__(self, name, value):
        raise AttributeError("ConnectionSettings is immutable: %s cannot be set" % name)

    def secrets(self):
        """The secret values, for ``AnsibleModule.no_log_values``."""
        return [value for value in (self.secret_key, self.security_token) if value]

    def __repr__(self):
        # Never show secrets (nor proxy URLs, which may hold passwords), even in a debugger or a traceback.
        return "ConnectionSettings(region=%r, project_id=%r, endpoint=%r, access_key=%r, credentials from %s)" % (
            self.region, self.project_id, self.endpoint, self.access_key, self.credential_source)


def _first_env(environ, names):
    """(value, "environment variable NAME") of the first set variable, or (None, None)."""
    for name in names:
        value = env_value(environ, name)
        if value:
            return value, "environment variable %s" % name
    return None, None


def _api_retries(params, environ):
    value, source = params.get("api_retries"), "api_retries"
    if value is None:
        value, source = _first_env(environ, API_RETRIES_ENVS)
    if value is None:
        return DEFAULTS["api_retries"]
    return validation.check_count(value, source, 0, API_RETRIES_MAX)


def _api_timeout(params):
    value = params.get("api_timeout")
    if value is None:
        return DEFAULTS["api_timeout"]
    return validation.check_finite_positive(value, "api_timeout", maximum=API_TIMEOUT_MAX)


def _region(params, environ):
    region, source = params.get("region"), "region"
    if region is None:
        region, source = _first_env(environ, REGION_ENVS)
    return validation.check_region(region, source) if region is not None else None


def _project_id(params, environ, credentials_file):
    project_id, source = params.get("project_id"), "project_id"
    if project_id is None:
        project_id, source = _first_env(environ, PROJECT_ID_ENVS)
    if project_id is None:
        project_id, source = credentials_file.get("project_id"), credentials_file.describe("project_id")
    return validation.check_id(project_id, source) if project_id is not None else None


def _dcs_endpoint(params, environ, region):
    endpoint = params.get("endpoint")
    if endpoint is not None:
        return validation.check_endpoint(endpoint, "endpoint")
    if not region:
        raise ValidationError(
            "No region and no endpoint: set region (or the HW_REGION_NAME environment variable), "
            "for example region: cn-north-4, or give the DCS endpoint URL with endpoint.")
    override = DCS_ENDPOINT_ENV_PREFIX + region.upper().replace("-", "_")
    if env_value(environ, override):
        return validation.check_endpoint(environ[override], "environment variable " + override)
    return "https://dcs.%s.myhuaweicloud.com" % region


def _iam_endpoint(params, environ, region, credentials_file, needed):
    """IAM is only used to discover the project ID: the credentials file is read for it only then."""
    iam_endpoint = params.get("iam_endpoint")
    if iam_endpoint is not None:
        return validation.check_endpoint(iam_endpoint, "iam_endpoint")
    if env_value(environ, IAM_ENDPOINT_ENV):
        return validation.check_endpoint(environ[IAM_ENDPOINT_ENV], "environment variable " + IAM_ENDPOINT_ENV)
    if needed or credentials_file.loaded:
        from_file = credentials_file.get("iam_endpoint")
        if from_file:
            return validation.check_endpoint(from_file, credentials_file.describe("iam_endpoint"))
    return "https://iam.%s.myhuaweicloud.com" % region if region else None


def _check_ca_bundle(path, source):
    """A CA bundle must be an existing, readable regular file (never a FIFO that would block the TLS setup)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        problem = "it does not exist" if isinstance(exc, FileNotFoundError) else "it cannot be examined (%s)" % type(exc).__name__
    else:
        if not stat.S_ISREG(info.st_mode):
            problem = "it is not a regular file"
        elif not os.access(path, os.R_OK):
            problem = "it is not readable by this user"
        else:
            return path
    raise ValidationError(
        "%s names the CA bundle %s, but %s. Give the path of a readable PEM file with the CA certificates."
        % (source, show(path, 200), problem))


def _verify(params, environ):
    """What ``requests`` takes as ``verify``: False, a CA bundle path, or True (the system's CAs)."""
    validate_certs = params.get("validate_certs")
    if not (DEFAULTS["validate_certs"] if validate_certs is None else validate_certs):
        return False
    ca_path = params.get("ca_path")
    if ca_path is not None:
        if ca_path == "":
            raise ValidationError("ca_path is empty: give the path of a PEM bundle, or leave ca_path out.")
        return _check_ca_bundle(ca_path, "ca_path")
    path, source = _first_env(environ, CA_BUNDLE_ENVS)
    return _check_ca_bundle(path, source) if path else True


def _proxy_environ(environ):
    return dict((name, environ[name]) for name in sorted(environ) if name.lower() in PROXY_ENVS and environ[name])


def _loopback(url):
    """Whether ``url`` names this machine (a local emulator): then nothing crosses a network."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _warnings(credentials_file, verify, endpoints, token):
    warnings = list(credentials_file.warnings)
    if verify is False:
        warnings.append(INSECURE_TLS_WARNING)
    carried = "signed requests and the security token travel" if token else "signed requests travel"
    for option, url in endpoints:
        if url and url.lower().startswith("http://") and not _loopback(url):
            warnings.append(
                "%s %s uses http: %s unencrypted, so anyone on the network path can read them and change "
                "the answers. Use an https endpoint." % (option, validation.show_url(url), carried))
    return tuple(warnings)


def resolve_connection(params, environ=None):
    """Resolve module parameters, the environment (``os.environ`` when None) and the credentials file."""
    environ = os.environ if environ is None else environ
    api_timeout = _api_timeout(params)
    api_retries = _api_retries(params, environ)
    region = _region(params, environ)
    credentials_file = CredentialsFile(credentials_file_path(environ))
    credentials = resolve_credentials(params, environ, credentials_file)
    project_id = _project_id(params, environ, credentials_file)
    endpoint = _dcs_endpoint(params, environ, region)
    iam_endpoint = _iam_endpoint(params, environ, region, credentials_file, project_id is None)
    if project_id is None and not region:
        raise ValidationError(
            "No project_id and no region: the project ID is looked up by region name, so set region "
            "(or HW_REGION_NAME), or give project_id (or HUAWEICLOUD_SDK_PROJECT_ID).")
    verify = _verify(params, environ)
    endpoints = [("endpoint", endpoint)] + ([("iam_endpoint", iam_endpoint)] if project_id is None else [])
    return ConnectionSettings(
        region=region, project_id=project_id, endpoint=endpoint, iam_endpoint=iam_endpoint,
        access_key=credentials.access_key, secret_key=credentials.secret_key,
        security_token=credentials.security_token, credential_source=credentials.source,
        api_timeout=api_timeout, api_retries=api_retries, verify=verify,
        proxy_environ=_proxy_environ(environ),
        warnings=_warnings(credentials_file, verify, endpoints, credentials.security_token))
