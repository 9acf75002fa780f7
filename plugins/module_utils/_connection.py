# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every hwc.dcs module: argument spec and resolution.

Private to this collection: this interface may change without notice.

``connection_argument_spec()`` has the same option names as the ``hwc.dcs.connection``
doc fragment. ``resolve_connection()`` turns module parameters, the environment and the
SDK credentials file into ``ConnectionSettings``, or raises a ``ValidationError`` /
``CredentialsError`` that says what was found where (never a secret value).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import configparser
import os

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.hwc.dcs.plugins.module_utils._errors import CredentialsError, ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils import _validation as validation

DEFAULT_API_TIMEOUT = 30.0
DEFAULT_API_RETRIES = 5
CREDENTIALS_FILE_ENV = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
DEFAULT_CREDENTIALS_FILE = os.path.join("~", ".huaweicloud", "credentials")
IAM_ENDPOINT_ENV = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
PROJECT_ID_ENVS = ("HUAWEICLOUD_SDK_PROJECT_ID", "HW_PROJECT_ID")
REGION_ENVS = ("HW_REGION_NAME",)
API_RETRIES_ENVS = ("HWC_DCS_API_RETRIES",)

# Environment families, first match wins: official SDKs, the API reference's sample
# code, the Terraform provider. (access key, secret key, security token or None).
ENV_CREDENTIAL_FAMILIES = (
    ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN"),
    ("CLOUD_SDK_AK", "CLOUD_SDK_SK", None),
    ("HW_ACCESS_KEY", "HW_SECRET_KEY", "HW_SECURITY_TOKEN"),
)


def env_fallback_set(*names):
    """Like Ansible's env_fallback, but an empty variable counts as unset (as for credentials)."""
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    raise AnsibleFallbackNotFound


def connection_argument_spec():
    """The argument spec of the connection options (see the ``hwc.dcs.connection`` doc fragment)."""
    return dict(
        region=dict(type="str", fallback=(env_fallback_set, list(REGION_ENVS))),
        project_id=dict(type="str"),
        endpoint=dict(type="str"),
        iam_endpoint=dict(type="str"),
        access_key=dict(type="str", aliases=["ak"], no_log=False),
        secret_key=dict(type="str", aliases=["sk"], no_log=True),
        security_token=dict(type="str", no_log=True),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        api_timeout=dict(type="float", default=DEFAULT_API_TIMEOUT),
        api_retries=dict(type="int", default=DEFAULT_API_RETRIES, fallback=(env_fallback_set, list(API_RETRIES_ENVS))),
    )


class ConnectionSettings:
    """Everything a client needs to reach and sign requests to DCS in one region."""

    def __init__(self, region, project_id, endpoint, iam_endpoint, access_key, secret_key,
                 security_token, credential_source, validate_certs=True, ca_path=None,
                 api_timeout=DEFAULT_API_TIMEOUT, api_retries=DEFAULT_API_RETRIES):
        self.region = region
        self.project_id = project_id
        self.endpoint = endpoint
        self.iam_endpoint = iam_endpoint
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.credential_source = credential_source
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.api_timeout = api_timeout
        self.api_retries = api_retries

    def secrets(self):
        """The secret values, for ``AnsibleModule.no_log_values``."""
        return [value for value in (self.secret_key, self.security_token) if value]

    def __repr__(self):
        # Never show secrets, even in a debugger or a traceback.
        return "ConnectionSettings(region=%r, project_id=%r, endpoint=%r, access_key=%r, credentials from %s)" % (
            self.region, self.project_id, self.endpoint, self.access_key, self.credential_source)


def _env(environ, name):
    value = environ.get(name)
    return value if value else None


def credentials_file_path(environ):
    """Path of the official SDKs' credentials file."""
    return os.path.expanduser(_env(environ, CREDENTIALS_FILE_ENV) or DEFAULT_CREDENTIALS_FILE)


def read_credentials_file(path):
    """The ``[basic]`` section of the SDK credentials file as a dict; {} when the file does not exist."""
    if not os.path.exists(path):
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        # The parser's message may quote file lines; name the problem class only.
        raise CredentialsError(
            "The credentials file %s cannot be read (%s); fix or remove it, or give credentials another way."
            % (path, type(exc).__name__)) from None
    if not parser.has_section("basic"):
        return {}
    return dict((key, value.strip()) for key, value in parser.items("basic") if value.strip())


def _credential_sources(params, environ, file_values, file_path):
    """Yield (description, access key, secret key, token, names) for each source in order."""
    yield ("the module options", params.get("access_key"), params.get("secret_key"),
           params.get("security_token"), ("access_key", "secret_key", "security_token"))
    for ak_name, sk_name, token_name in ENV_CREDENTIAL_FAMILIES:
        yield ("the environment", _env(environ, ak_name), _env(environ, sk_name),
               _env(environ, token_name) if token_name else None, (ak_name, sk_name, token_name))
    yield ("the credentials file %s" % file_path, file_values.get("ak"), file_values.get("sk"),
           file_values.get("security_token"), ("[basic] ak", "[basic] sk", "[basic] security_token"))


def resolve_credentials(params, environ, file_values, file_path):
    """First complete source wins. Returns (access key, secret key, token or None, source description)."""
    looked = []
    for where, access_key, secret_key, token, names in _credential_sources(params, environ, file_values, file_path):
        ak_name, sk_name, token_name = names
        label = "%s %s/%s" % (where, ak_name, sk_name)
        if access_key and secret_key:
            source = "%s (%s, %s)" % (where, ak_name, sk_name)
            validation.check_credential(access_key, "The access key", source)
            validation.check_credential(secret_key, "The secret key", source)
            if token:
                validation.check_credential(token, "The security token", "%s (%s)" % (where, token_name))
            return access_key, secret_key, token, source
        if access_key or secret_key:
            present, missing = (ak_name, sk_name) if access_key else (sk_name, ak_name)
            raise CredentialsError(
                "Incomplete credentials: %s sets %s but not %s. Give both the access key and the secret "
                "key from the same source (halves from different sources are not combined)." % (where, present, missing))
        if token:
            raise CredentialsError(
                "%s sets %s but no access key and secret key; temporary credentials need all three "
                "from the same source." % (where[0].upper() + where[1:], token_name))
        looked.append(label + ("" if "file" not in where or file_values else " (not found or no [basic] keys)"))
    raise CredentialsError(
        "No Huawei Cloud credentials found. Looked in: %s. Set access_key and secret_key, or one of "
        "those environment variable pairs, or the credentials file." % "; ".join(looked))


def resolve_connection(params, environ=None):
    """Resolve module parameters, environment and credentials file into ``ConnectionSettings``."""
    environ = os.environ if environ is None else environ

    validation.check_positive(params.get("api_timeout"), "api_timeout")
    validation.check_non_negative(params.get("api_retries"), "api_retries")

    region = params.get("region")
    if region is not None:
        validation.check_region(region)

    file_path = credentials_file_path(environ)
    file_values = read_credentials_file(file_path)
    access_key, secret_key, token, source = resolve_credentials(params, environ, file_values, file_path)

    project_id = params.get("project_id")
    if project_id is None:
        project_id = next((environ[n] for n in PROJECT_ID_ENVS if _env(environ, n)), None) or file_values.get("project_id")
    if project_id is not None:
        validation.check_id(project_id, "project_id")

    endpoint = params.get("endpoint")
    if endpoint:
        endpoint = validation.check_endpoint(endpoint, "endpoint")
    elif region:
        override = "HUAWEICLOUD_SDK_REGION_DCS_" + region.upper().replace("-", "_")
        if _env(environ, override):
            endpoint = validation.check_endpoint(environ[override], "environment variable " + override)
        else:
            endpoint = "https://dcs.%s.myhuaweicloud.com" % region
    else:
        raise ValidationError(
            "No region and no endpoint: set region (or the HW_REGION_NAME environment variable), "
            "for example region: cn-north-4, or give the DCS endpoint URL with endpoint.")

    iam_endpoint = params.get("iam_endpoint")
    option = "iam_endpoint"
    if not iam_endpoint:
        if _env(environ, IAM_ENDPOINT_ENV):
            iam_endpoint, option = environ[IAM_ENDPOINT_ENV], "environment variable " + IAM_ENDPOINT_ENV
        elif file_values.get("iam_endpoint"):
            iam_endpoint, option = file_values["iam_endpoint"], "iam_endpoint in " + file_path
    if iam_endpoint:
        iam_endpoint = validation.check_endpoint(iam_endpoint, option)
    elif region:
        iam_endpoint = "https://iam.%s.myhuaweicloud.com" % region

    if project_id is None and not region:
        raise ValidationError(
            "No project_id and no region: the project ID is looked up by region name, so set region "
            "(or HW_REGION_NAME), or give project_id (or HUAWEICLOUD_SDK_PROJECT_ID).")

    return ConnectionSettings(
        region=region, project_id=project_id, endpoint=endpoint, iam_endpoint=iam_endpoint,
        access_key=access_key, secret_key=secret_key, security_token=token, credential_source=source,
        validate_certs=params.get("validate_certs", True), ca_path=params.get("ca_path"),
        api_timeout=float(params.get("api_timeout") or DEFAULT_API_TIMEOUT),
        api_retries=int(params["api_retries"]) if params.get("api_retries") is not None else DEFAULT_API_RETRIES,
    )
