# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options shared by every hwc.dcs module. Keep the names in step with
    # plugins/module_utils/_connection.py:connection_argument_spec().
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region, for example V(cn-north-4).
      - Used to build the default O(endpoint) and O(iam_endpoint), and to look up the project ID when
        O(project_id) is not known. With an explicit O(endpoint) and O(project_id) it is only a label.
      - If not set, the E(HW_REGION_NAME) environment variable (the Terraform provider's) is used.
      - An O(endpoint) without a region needs O(project_id) (or one of its other sources), because the
        project ID is looked up by region name.
    type: str
  project_id:
    description:
      - ID of the project (the region's project) the DCS resources belong to.
      - If not set, taken from E(HUAWEICLOUD_SDK_PROJECT_ID), then E(HW_PROJECT_ID), then C(project_id)
        in the C([basic]) section of the credentials file; failing those, looked up with a signed
        C(GET /v3/projects?name=<region>) request to O(iam_endpoint), which must find exactly one project.
    type: str
  endpoint:
    description:
      - Full URL of the DCS API endpoint, for clouds or networks where the default does not apply
        (for example Open Telekom Cloud or a private cloud). The region is then only a label, and
        without a region O(project_id) must be known.
      - If not set, E(HUAWEICLOUD_SDK_REGION_DCS_<REGION>) (the region upper-cased with dashes turned
        into underscores, as in the official SDK) is used, else V(https://dcs.<region>.myhuaweicloud.com).
        An empty string is an error, not the default.
      - Must be an C(http) or C(https) URL with a host and an optional port, and no user name, password,
        query or fragment (not even an empty C(?) or C(#)). A path, if any, may only hold non-empty segments
        of letters, digits, C(-), C(.), C(_) and C(~), without C(.) or C(..) segments or percent-encoding,
        so that the path sent is the path signed.
      - A host name with non-ASCII characters must be given in its ASCII (punycode, C(xn--)) form.
      - An C(http) URL works but gives a warning, since signed requests (and the security token) then
        travel unencrypted.
    type: str
  iam_endpoint:
    description:
      - URL of the IAM endpoint used for project ID discovery, with the same rules as O(endpoint).
      - If not set, E(HUAWEICLOUD_SDK_IAM_ENDPOINT), then C(iam_endpoint) in the credentials file,
        else V(https://iam.<region>.myhuaweicloud.com).
      - Only used when the project ID must be discovered; the credentials file is not read for it otherwise.
    type: str
  access_key:
    description:
      - Access key ID (AK) of the Huawei Cloud credentials.
      - Credentials come from the first of these sources that sets any of them, and that source must
        set both the access key and the secret key (halves from different sources are not combined).
      - 1. The options O(access_key), O(secret_key), O(security_token).
      - 2. The environment variables E(HUAWEICLOUD_SDK_AK), E(HUAWEICLOUD_SDK_SK),
        E(HUAWEICLOUD_SDK_SECURITY_TOKEN) (official SDKs).
      - 3. E(CLOUD_SDK_AK), E(CLOUD_SDK_SK) (the API reference's sample code).
      - 4. E(HW_ACCESS_KEY), E(HW_SECRET_KEY), E(HW_SECURITY_TOKEN) (Terraform provider).
      - 5. The C([basic]) section of the official SDKs' credentials file (keys C(ak), C(sk),
        C(security_token), C(project_id), C(iam_endpoint)) at C(~/.huaweicloud/credentials) on the host
        that runs the module, or at the path in E(HUAWEICLOUD_SDK_CREDENTIALS_FILE).
      - An environment variable set to an empty string counts as unset.
      - The credentials file is read only when a value is needed from it (no earlier source gave the
        credentials, or the project ID, or the IAM endpoint for discovery). It must be a regular file
        of at most 64 KiB in UTF-8 (a byte order mark is accepted); a FIFO, a directory or a device is
        an error. A file that group or others can access gives a warning with the C(chmod 600) that fixes it.
    type: str
    aliases: [ak]
  secret_key:
    description:
      - Secret access key (SK) that goes with O(access_key). Never logged or returned.
      - See O(access_key) for the other sources and their precedence.
    type: str
    aliases: [sk]
  security_token:
    description:
      - Security token of temporary credentials (from IAM's temporary access key API or an agency).
        Sent, signed, as the C(X-Security-Token) header. Never logged or returned.
      - Must come from the same source as O(access_key) and O(secret_key).
    type: str
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the endpoints.
      - Setting this to V(false) emits a warning; prefer O(ca_path) for a private CA.
    type: bool
    default: true
  ca_path:
    description:
      - PEM bundle of CA certificates to verify the endpoints with, instead of the system's.
      - Without it, E(REQUESTS_CA_BUNDLE), then E(CURL_CA_BUNDLE) is honoured. Whichever names the bundle,
        it must be an existing, readable regular file, or the task fails before any request.
      - Ignored when O(validate_certs=false).
      - The standard proxy variables E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) (in upper
        or lower case) apply to every request.
    type: path
  api_timeout:
    description:
      - Seconds one HTTP request may take in all (connecting, sending, and receiving the headers and the
        whole body, however slowly they arrive).
      - A finite number greater than 0 and at most V(3600).
      - Never longer than the time left before the task's deadline (the module's C(wait_timeout), where
        it has one).
    type: float
    default: 30
  api_retries:
    description:
      - How many times a request that failed transiently is retried (HTTP 429, 500, 502, 503, 504,
        connection refused or reset, timeouts, an unusable answer body). HTTP 401 and other client
        errors are never retried.
      - A whole number from V(0) to V(20).
      - Waits between attempts use exponential backoff with full jitter and honour C(Retry-After).
      - While a module waits for something, its deadline bounds the retries instead.
      - If not set, the E(HWC_DCS_API_RETRIES) environment variable is used, else V(5).
    type: int
"""
