# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cold-start baseline: one job query with the official SDK in a fresh process, as a user's script does it.

Usage: python sdk_query.py ARGS.json, where ARGS.json has endpoint, region, project_id, access_key,
secret_key and job_id. Prints the job as JSON.
"""

import json
import sys

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkdcs.v2 import DcsClient, ShowJobInfoRequest


def main(path):
    with open(path, encoding="utf-8") as handle:
        args = json.load(handle)
    credentials = BasicCredentials(args["access_key"], args["secret_key"], args["project_id"])
    client = DcsClient.new_builder().with_credentials(credentials).with_region(
        Region(args["region"], args["endpoint"])).build()
    job = client.show_job_info(ShowJobInfoRequest(job_id=args["job_id"])).to_json_object()
    print(json.dumps(job))


if __name__ == "__main__":
    main(sys.argv[1])
