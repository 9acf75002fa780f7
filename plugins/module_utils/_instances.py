# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DCS instances: URLs, reads, the facts a change window checks, and the status rules.

Private to this collection: this interface may change without notice.

Shapes follow the official SDK's models (``huaweicloudsdkdcs`` v2: ``ShowInstanceResponse``,
``ListInstancesResponse``, ``ShowNodesInformationResponse``); the rules follow the Terraform
provider (``huaweicloud/services/dcs/common.go``): an instance is ready when its status is
``RUNNING`` and it has no ``task``; ``CREATEFAILED``, ``ERROR`` and ``FROZEN`` never become ready;
the error codes in ``BUSY_ERROR_CODES`` mean "busy with another operation, try again".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
from urllib.parse import quote

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ApiError
from ansible_collections.hwc.dcs.plugins.module_utils._text import clean

READY_STATUS = "RUNNING"
FAILED_STATUSES = ("CREATEFAILED", "ERROR", "FROZEN")

# HTTP 400 answers that mean the instance is busy with another operation (provider: operateErrorCode).
BUSY_ERROR_CODES = dict((code, "instance busy") for code in (
    "DCS.4026", "DCS.4049", "DCS.4096", "DCS.4097", "DCS.4111", "DCS.4113", "DCS.4114", "DCS.4115", "DCS.4116",
    "DCS.4117", "DCS.4118", "DCS.4120", "DCS.4121", "DCS.4231", "DCS.4975", "CBC.99003651"))

# cache_mode values: which switchover an instance type supports.
MASTER_STANDBY_MODES = ("ha", "ha_rw_split")
CLUSTER_MODES = ("cluster",)

# The facts a change window checks, as ShowInstanceResponse names them.
TEXT_FACTS = ("instance_id", "name", "status", "sub_status", "engine", "engine_version", "cache_mode", "spec_code",
              "capacity_minor", "ip", "domain_name", "readonly_domain_name", "maintain_begin", "maintain_end",
              "created_at", "description")
NUMBER_FACTS = ("capacity", "max_memory", "used_memory", "port", "replica_count", "sharding_count")
LIST_FACTS = ("az_codes", "available_zones")
PAGE = 100
MAX_PAGES = 50


def instance_url(task, project_id, instance_id, *more):
    """``{endpoint}/v2/{project_id}/instances/{instance_id}/...``"""
    return task.dcs_url(project_id, "instances", instance_id, *more)


def busy_policy(task):
    """The client's retry policy, with the instance-busy answers retried too."""
    return task.client.policy.with_error_codes(BUSY_ERROR_CODES)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value).strip())
        except (TypeError, ValueError):
            return None
    if not math.isfinite(value) or abs(value) > 1e15:  # nan, inf or absurd
        return None
    return int(value) if float(value).is_integer() else value


def facts(raw):
    """The instance facts of a ShowInstanceResponse or InstanceListInfo body, checked and cleaned."""
    result = dict((name, clean(raw.get(name)) if isinstance(raw.get(name), (str, int, float)) else None)
                  for name in TEXT_FACTS)
    result.update((name, _number(raw.get(name))) for name in NUMBER_FACTS)
    result.update((name, [clean(v, 64) for v in raw.get(name) if isinstance(v, str)] if isinstance(raw.get(name), list) else [])
                  for name in LIST_FACTS)
    task = raw.get("task")
    result["task"] = clean(task if isinstance(task, str) else (task.get("name") if isinstance(task, dict) else None))
    result["ready"] = is_ready(result)
    return result


def is_ready(instance):
    """RUNNING and no operation in progress."""
    return instance.get("status") == READY_STATUS and not instance.get("task")


def _check_instance(instance_id):
    def validate(body):
        if body.get("instance_id") != instance_id:
            raise ValueError("the API answered for instance %s instead of %s" % (clean(body.get("instance_id"), 80), instance_id))
        if not isinstance(body.get("status"), str):
            raise ValueError("the answer has no status")
    return validate


def get_instance(task, instance_id, deadline, label="instance"):
    """The facts of one instance (``GET /v2/{project_id}/instances/{instance_id}``)."""
    project_id = task.project.get(deadline)
    try:
        body = task.client.request("GET", instance_url(task, project_id, instance_id), project_id=project_id,
                                   deadline=deadline, max_retries=task.settings.api_retries,
                                   validate=_check_instance(instance_id), label=label)
    except ApiError as error:
        if error.status_code == 404 and not (error.error_code or "").startswith("APIGW"):
            raise error.derive(message="Instance %s was not found in project %s (region %s, endpoint %s). %s" % (
                instance_id, project_id, task.settings.region or "not set", task.settings.endpoint, error.message)) from error
        raise
    return facts(body)


def _check_list(body):
    if not isinstance(body.get("instances"), list):
        raise ValueError("no 'instances' list")


def list_instances(task, deadline, name=None, status=None):
    """The facts of every instance that matches, page by page (``GET /v2/{project_id}/instances``)."""
    project_id = task.project.get(deadline)
    found = []
    for page in range(MAX_PAGES):
        query = "offset=%d&limit=%d" % (page * PAGE, PAGE)
        if name:
            query += "&name=%s" % quote(name, safe="")
        if status:
            query += "&status=%s" % quote(status, safe="")
        url = "%s?%s" % (task.dcs_url(project_id, "instances"), query)
        body = task.client.request("GET", url, project_id=project_id, deadline=deadline,
                                   max_retries=task.settings.api_retries, validate=_check_list, label="instance")
        batch = [facts(item) for item in body["instances"] if isinstance(item, dict)]
        found.extend(batch)
        total = _number(body.get("instance_num"))
        if len(batch) < PAGE or (total is not None and len(found) >= total):
            break
    return found


def _check_nodes(body):
    if not isinstance(body.get("nodes"), list):
        raise ValueError("no 'nodes' list")


def _node(raw):
    role = raw.get("node_type")  # master / slave / proxy: the master/standby role (node_role is redis-server/proxy)
    return dict(node_id=clean(raw.get("node_id"), 128), name=clean(raw.get("name"), 128),
                group_id=clean(raw.get("group_id"), 128), group_name=clean(raw.get("group_name"), 128),
                role=clean(role, 32), ip=clean(raw.get("node_ip"), 64), port=_number(raw.get("node_port")),
                az_code=clean(raw.get("az_code"), 64), status=clean(raw.get("status"), 32))


def get_layout(task, instance_id, deadline):
    """The instance's nodes and their groups (shards), with which node is master in each
    (``GET /v2/{project_id}/instances/{instance_id}/logical-nodes``)."""
    project_id = task.project.get(deadline)
    body = task.client.request("GET", instance_url(task, project_id, instance_id, "logical-nodes"), project_id=project_id,
                               deadline=deadline, max_retries=task.settings.api_retries, validate=_check_nodes, label="instance")
    nodes = [_node(raw) for raw in body["nodes"] if isinstance(raw, dict)]
    groups = {}
    for node in nodes:
        if node["role"] not in ("master", "slave"):
            continue
        group = groups.setdefault(node["group_id"], dict(group_id=node["group_id"], group_name=node["group_name"],
                                                         master_node_id=None, node_ids=[]))
        group["node_ids"].append(node["node_id"])
        if node["role"] == "master":
            group["master_node_id"] = node["node_id"]
    return dict(nodes=nodes, groups=sorted(groups.values(), key=lambda g: (g["group_name"] or "", g["group_id"] or "")))
