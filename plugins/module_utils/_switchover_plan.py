# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pre-checks of a switchover and its plan: what, if anything, to send.

Private to this collection: this interface may change without notice.

``make_plan()`` reads nothing and sends nothing: it takes the instance facts and layout that
``_instances.get_instance()`` / ``get_layout()`` returned and the user's ``node_id`` / ``group_id``,
and either returns a ``Plan`` or raises ``ValidationError`` saying why the switchover cannot be
sent (nothing has been sent at that point). The rules come from the official SDK
(``huaweicloudsdkdcs`` v2 ``ChangeMasterStandbyAsyncRequest``, ``ExecuteClusterSwitchoverRequest``,
``NodesInfoResp``) and the Terraform provider (``huaweicloud/services/dcs/common.go``
``refreshDcsInstanceState``; ``resource_huaweicloud_dcs_master_standby_switch.go``,
``resource_huaweicloud_dcs_cluster_replica_switch.go``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hwc.dcs.plugins.module_utils._errors import ValidationError
from ansible_collections.hwc.dcs.plugins.module_utils._instances import CLUSTER_MODES, MASTER_STANDBY_MODES, is_ready
from ansible_collections.hwc.dcs.plugins.module_utils._text import show

SWAP = "async-swap"  # PUT /v2/{project_id}/instances/{instance_id}/async-swap
SWITCHOVER = "async-switchover"  # POST /v2/{project_id}/instance/{id}/groups/{group_id}/replications/{node_id}/async-switchover
ACTIVE = "Active"  # NodesInfoResp.status of a node that serves


class Plan:
    """What the task does: ``operation`` (SWAP, SWITCHOVER or None for nothing to do), the group and
    node it targets, and the master of each group before and (predicted) after."""

    def __init__(self, operation, group_id, node_id, before, after):
        self.operation = operation
        self.group_id = group_id
        self.node_id = node_id
        self.before = before
        self.after = after

    @property
    def changes(self):
        return self.operation is not None


def masters(layout):
    """``{group_id: master_node_id}`` of a layout (``_instances.get_layout()``)."""
    return dict((group["group_id"] or "", group["master_node_id"]) for group in layout["groups"])


def _refuse(instance, why):
    return ValidationError("Instance %s (%s): %s Nothing was sent." % (instance["instance_id"], show(instance.get("name")), why))


def check_instance(instance):
    """The instance is ready and of a type that has a switchover; returns 'ha' or 'cluster'."""
    if not is_ready(instance):
        raise _refuse(instance, "it is not ready for a switchover: status %s%s (a switchover needs status RUNNING and no "
                      "operation in progress). Wait for it with hwc.dcs.dcs_instance_info and wait_for_status=RUNNING."
                      % (show(instance.get("status")), ", operation in progress %s" % show(instance["task"]) if instance.get("task") else ""))
    mode = instance.get("cache_mode")
    if mode in MASTER_STANDBY_MODES:
        return "ha"
    if mode in CLUSTER_MODES:
        return "cluster"
    raise _refuse(instance, "its type (cache_mode %s) has no switchover: master/standby instances (ha, ha_rw_split) are "
                  "switched with async-swap and Redis Cluster instances (cluster) per shard with async-switchover; "
                  "single-node and proxy cluster instances have no standby to switch to." % show(mode))


def _find_node(instance, layout, node_id):
    for node in layout["nodes"]:
        if node["node_id"] == node_id:
            return node
    known = ", ".join("%s (%s, group %s)" % (n["node_id"], n["role"], n["group_id"]) for n in layout["nodes"]
                      if n["role"] in ("master", "slave")) or "none"
    raise _refuse(instance, "it has no node %s. Its nodes: %s." % (show(node_id), known))


def _find_group(instance, layout, group_id):
    for group in layout["groups"]:
        if group["group_id"] == group_id:
            return group
    known = ", ".join("%s (%s)" % (g["group_id"], g["group_name"]) for g in layout["groups"]) or "none"
    raise _refuse(instance, "it has no group (shard) %s. Its groups: %s." % (show(group_id), known))


def _check_standby(instance, node):
    if node["role"] != "slave":
        raise _refuse(instance, "node %s is a %s node, not a replica: only a replica (node_type slave) can become master."
                      % (node["node_id"], show(node["role"])))
    if node["status"] and node["status"] != ACTIVE:
        raise _refuse(instance, "replica %s is %s, not %s: promoting it could leave the shard without a serving master."
                      % (node["node_id"], show(node["status"]), ACTIVE))


def _declarative(instance, kind, layout, node_id, group_id):
    """The plan for 'node_id should be master'."""
    node = _find_node(instance, layout, node_id)
    if group_id is not None and node["group_id"] != group_id:
        raise _refuse(instance, "node %s belongs to group %s, not to group %s." % (node_id, show(node["group_id"]), show(group_id)))
    group = _find_group(instance, layout, node["group_id"])
    before = masters(layout)
    if group["master_node_id"] == node_id:
        return Plan(None, node["group_id"], node_id, before, before)
    _check_standby(instance, node)
    after = dict(before)
    after[node["group_id"] or ""] = node_id
    if kind == "cluster":
        return Plan(SWITCHOVER, node["group_id"], node_id, before, after)
    standbys = [n for n in layout["nodes"] if n["group_id"] == node["group_id"] and n["role"] == "slave"]
    if len(standbys) > 1:
        raise _refuse(instance, "it has %d replicas (%s) and async-swap does not let the caller choose which one becomes "
                      "master, so node %s cannot be promoted on purpose. Use the switch-now form (no node_id) and check "
                      "the result, or the console." % (len(standbys), ", ".join(n["node_id"] for n in standbys), node_id))
    return Plan(SWAP, node["group_id"], node_id, before, after)


def _switch_now(instance, layout, group_id):
    """The plan for 'switch a master/standby instance now'."""
    if group_id is not None:
        _find_group(instance, layout, group_id)
    before = masters(layout)
    nodes = [n for n in layout["nodes"] if n["role"] in ("master", "slave")]
    standbys = [n for n in nodes if n["role"] == "slave" and (not n["status"] or n["status"] == ACTIVE)]
    if nodes and not standbys:
        raise _refuse(instance, "it has no %s replica to switch to (nodes: %s)." % (ACTIVE, ", ".join(
            "%s (%s, %s)" % (n["node_id"], n["role"], n["status"]) for n in nodes)))
    after = dict(before)
    if len(standbys) == 1 and len(before) == 1:
        after[list(before)[0]] = standbys[0]["node_id"]
    else:
        after = dict((group, None) for group in before)  # the API picks the replica: not predictable
    return Plan(SWAP, standbys[0]["group_id"] if standbys else group_id, None, before, after)


def make_plan(instance, layout, node_id=None, group_id=None):
    """The plan for this instance and layout, or ValidationError (nothing sent)."""
    kind = check_instance(instance)
    if kind == "cluster" and (node_id is None or group_id is None):
        raise _refuse(instance, "it is a Redis Cluster instance: name the shard and the replica that should become its "
                      "master with both group_id and node_id (hwc.dcs.dcs_instance_info lists them).")
    if node_id is not None:
        return _declarative(instance, kind, layout, node_id, group_id)
    return _switch_now(instance, layout, group_id)
