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
        (for example Open Telekom Cloud or a private cloud). The region is then only a label.
      - If not set, E(HUAWEICLOUD_SDK_REGION_DCS_<REGION>) (the region upper-cased with dashes turned
        into underscores, as in the official SDK) is used, else V(https://dcs.<region>.myhuaweicloud.com).
      - Must be an C(http) or C(https) URL with a host and no user name, password, query or fragment.
    type: str
  iam_endpoint:
    description:
      - URL of the IAM endpoint used for project ID discovery.
      - If not set, E(HUAWEICLOUD_SDK_IAM_ENDPOINT), then C(iam_endpoint) in the credentials file,
        else V(https://iam.<region>.myhuaweicloud.com).
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
      - Without it, E(REQUESTS_CA_BUNDLE) is honoured. The standard proxy variables
        (E(HTTPS_PROXY), E(NO_PROXY)) apply to every request.
    type: path
  api_timeout:
    description:
      - Seconds one HTTP request (connect and read) may take.
      - Never longer than the time left before the task's deadline (see O(hwc.dcs.dcs_job_info#module:wait_timeout)).
    type: float
    default: 30
  api_retries:
    description:
      - How many times a request that failed transiently is retried (HTTP 429, 500, 502, 503, 504,
        connection refused or reset, timeouts, an unusable answer body). HTTP 401 and other client
        errors are never retried.
      - Waits between attempts use exponential backoff with full jitter and honour C(Retry-After).
      - While a module waits for something, its deadline bounds the retries instead.
      - If not set, the E(HWC_DCS_API_RETRIES) environment variable is used.
    type: int
    default: 5
"""
