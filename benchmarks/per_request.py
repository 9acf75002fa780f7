# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark 1, run in its own process by bench.py: client-side wall and CPU time per job query.

Usage: python per_request.py ARGS.json. ARGS.json has endpoint, region, project_id, access_key, secret_key,
job_id, count (requests per repetition), repetitions and clients (names below). The collection must be
importable (its ansible_collections tree on sys.path). Prints one JSON object: for each client, the
per-repetition wall and CPU seconds of ``count`` sequential requests.

The clients take turns, repetition by repetition, so that drift on the machine hits them alike.
"""

import gc
import json
import sys
import time


def _settings(args):
    from ansible_collections.hwc.dcs.plugins.module_utils._connection import ConnectionSettings

    return ConnectionSettings(
        region=args["region"], project_id=args["project_id"], endpoint=args["endpoint"], iam_endpoint=args["endpoint"],
        access_key=args["access_key"], secret_key=args["secret_key"], credential_source="benchmark")


def collection_client(args):
    """The collection's ApiClient.request(): signing, transport (budget, size limit), decoding, answer check."""
    from ansible_collections.hwc.dcs.plugins.module_utils._client import ApiClient
    from ansible_collections.hwc.dcs.plugins.module_utils._jobs import check_job_answer

    client = ApiClient(_settings(args))
    url = "%s/v2/%s/jobs/%s" % (args["endpoint"], args["project_id"], args["job_id"])
    validate = check_job_answer(args["job_id"])

    def query():
        body = client.request("GET", url, project_id=args["project_id"], validate=validate, label="poll")
        assert body["status"] == "SUCCESS", body
    return query


def collection_query_jobs(args):
    """The module's own path for one job: query_jobs() (thread pool, entry building) around request()."""
    from ansible_collections.hwc.dcs.plugins.module_utils._job_query import query_jobs
    from ansible_collections.hwc.dcs.plugins.module_utils._runner import Task
    from ansible_collections.hwc.dcs.plugins.module_utils._wait_options import WaitOptions

    task = Task({}, _settings(args))  # one task for the whole run, as one module run: the client and its connections are kept
    options = WaitOptions(wait=False, timeout=1800, sleep=5.0, fail_on_failure=True)

    def query():
        entries = query_jobs(task, [args["job_id"]], options)
        assert entries[0]["status"] == "SUCCESS", entries
    return query


def sdk_client(args):
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.region.region import Region
    from huaweicloudsdkdcs.v2 import DcsClient, ShowJobInfoRequest

    credentials = BasicCredentials(args["access_key"], args["secret_key"], args["project_id"])
    client = DcsClient.new_builder().with_credentials(credentials).with_region(
        Region(args["region"], args["endpoint"])).build()
    job_id = args["job_id"]

    def query():
        job = client.show_job_info(ShowJobInfoRequest(job_id=job_id))
        assert job.status == "SUCCESS", job
    return query


def prototype_http_client(args):
    """Not the collection: what its request() would cost on the standard library's http.client (kept-alive
    connection) with the collection's own signer instead of requests. Measured to size a proposed change."""
    import http.client
    from urllib.parse import urlsplit

    from ansible_collections.hwc.dcs.plugins.module_utils import _signer as signer

    endpoint = urlsplit(args["endpoint"])
    url = "%s/v2/%s/jobs/%s" % (args["endpoint"], args["project_id"], args["job_id"])
    path = urlsplit(url).path
    connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=30)
    base = {"Content-Type": "application/json", "User-Agent": "hwc.dcs-ansible-collection", "X-Project-Id": args["project_id"]}

    def query():
        headers = signer.sign("GET", url, dict(base), b"", args["access_key"], args["secret_key"])
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = json.loads(response.read())
        assert response.status == 200 and body["status"] == "SUCCESS", body
    return query


CLIENTS = {"collection": collection_client, "collection_query_jobs": collection_query_jobs, "sdk": sdk_client,
           "prototype_http_client": prototype_http_client}


def main(path):
    with open(path, encoding="utf-8") as handle:
        args = json.load(handle)
    count, repetitions = int(args["count"]), int(args["repetitions"])
    queries = dict((name, CLIENTS[name](args)) for name in args["clients"])
    for query in queries.values():  # warm up: imports done, connection open, caches filled
        for _warm in range(10):
            query()
    out = dict((name, dict(wall=[], cpu=[], requests=[])) for name in queries)
    for _rep in range(repetitions):
        for name, query in queries.items():
            gc.collect()
            wall0, cpu0 = time.perf_counter(), time.process_time()
            for _request in range(count):
                query()
            cpu1, wall1 = time.process_time(), time.perf_counter()
            out[name]["wall"].append(wall1 - wall0)
            out[name]["cpu"].append(cpu1 - cpu0)
            out[name]["requests"].append(count)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
