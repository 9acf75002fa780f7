# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DCS instances: their configured shape, their live state, and the operations that change it.

The configuration (``instances`` by instance ID, see the README) is the *spec*; ``InstanceStore`` keeps
a live ``InstanceState`` per spec: roles per group, parameter values, background tasks and the job of
the running operation. Operations (switchover, config change) start a job in the emulator's job table
whose clock starts when the operation is accepted; the state settles lazily: the first read after the
job's end applies its effect (roles swap, parameters apply) or, for a FAIL, leaves everything as it was.

Every method expects the caller to hold ``emulator.lock`` (an RLock); the handlers in ``api.py`` do.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import time
import uuid
from typing import Any, Dict, List, Optional, Tuple

# ---- error codes --------------------------------------------------------------------------------
# From the provider's busy list (huaweicloud/services/dcs/common.go operateErrorCode):
BUSY_SWITCHOVER = ("DCS.4026", "The current instance status does not support this operation.")
BUSY_CONFIG = ("DCS.4114", "The instance parameters are being modified. Try again later.")
NOT_RUNNING = ("DCS.4049", "The instance is not running.")
# Invented (no public document settles them); none is in the provider's busy list:
NO_INSTANCE = ("DCS.4010", "The instance does not exist.")
UNSUPPORTED = ("DCS.4601", "This instance type does not support the operation.")
NO_GROUP = ("DCS.4602", "The group does not exist.")
NO_NODE = ("DCS.4603", "The node does not exist in the group.")
ALREADY_MASTER = ("DCS.4604", "The node is already the master of its group.")
BAD_BODY = ("DCS.4605", "Invalid request body.")
UNKNOWN_PARAM = ("DCS.4606", "Unknown parameter.")
BAD_VALUE = ("DCS.4607", "Invalid parameter value.")
BAD_QUERY = ("DCS.4608", "Invalid query parameter.")

SWAP_MODES = ("ha", "ha_rw_split")
SWITCHOVER_MODES = ("cluster",)

# Job types and task names: masterStandbySwapJob is the real job type of async-swap; the others are invented.
OPERATIONS = {
    "swap": {"kind": "switchover", "job_type": "masterStandbySwapJob", "task": "MasterStandbySwap"},
    "cluster": {"kind": "switchover", "job_type": "clusterSwitchoverJob", "task": "ClusterSwitchover"},
    "config": {"kind": "config", "job_type": "modifyConfigJob", "task": "ModifyConfig"},
}

DEFAULT_CONFIGS = (
    ("timeout", "Interger", "0-7200", "0", False,
     "Close the connection after a client is idle for N seconds (0 to disable)."),
    ("maxmemory-policy", "Enum",
     "volatile-lru,allkeys-lru,volatile-random,allkeys-random,volatile-ttl,noeviction,volatile-lfu,allkeys-lfu",
     "volatile-lru", False, "How Redis selects what to remove when maxmemory is reached."),
    ("notify-keyspace-events", "String", "", "Ex", False, "Which keyspace events are notified to Pub/Sub clients."),
    ("hash-max-ziplist-entries", "Interger", "1-10000", "512", False,
     "Hashes with at most this many entries use the memory-efficient encoding."),
    ("latency-monitor-threshold", "Interger", "0-86400000", "0", False,
     "Operations taking at least this many milliseconds are logged by the latency monitor (0 to disable)."),
    ("appendfsync", "Enum", "no,always,everysec", "everysec", False, "How often the AOF is fsynced to disk."),
    ("appendonly", "Enum", "yes,no", "yes", True, "Whether to enable AOF persistence."),
)

# The fields of InstanceListInfo (huaweicloudsdkdcs v2): the list endpoint serves these only.
LIST_FIELDS = (
    "publicip_id", "vpc_name", "charging_mode", "vpc_id", "subnet_id", "security_group_id", "created_at",
    "updated_at", "enable_ssl", "max_memory", "used_memory", "publicip_address", "capacity", "capacity_minor",
    "order_id", "maintain_begin", "maintain_end", "engine", "engine_version", "service_upgrade",
    "no_password_access", "service_task_id", "ip", "access_user", "instance_id", "enable_publicip", "port",
    "user_id", "user_name", "domain_name", "readonly_domain_name", "name", "spec_code", "status", "tags",
    "enterprise_project_id", "description", "cpu_type", "az_codes", "features", "sub_status",
)
INTERNAL_KEYS = ("project_id", "groups", "configs", "job_seconds", "fail_next_switchover", "fail_next_config",
                 "tasks", "extra", "omit")
CREATED_AT = "2025-01-01T12:00:00.000Z"
_INTEGER = re.compile(r"^-?[0-9]+$")


def timestamp(epoch: float) -> str:
    """``2020-06-17T07:38:42.503Z``, the format of the tasks' and the instance's times."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + ".%03dZ" % (int(epoch * 1000) % 1000)


def derived_id(instance_id: str, what: str) -> str:
    """A stable 32-hex-digit ID for a generated group or node."""
    return hashlib.sha256(("%s/%s" % (instance_id, what)).encode("utf-8")).hexdigest()[:32]


def fail_queue(value: Any) -> List[str]:
    """``fail_next_*`` as a list of fail reasons, one per coming operation: a string, a list of strings,
    ``{"fail_reason": str, "count": n}``, or null/empty for none."""
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [str(value.get("fail_reason") or "The operation failed.")] * int(value.get("count", 1))
    return [str(item) for item in value]


def generated_groups(instance_id: str, spec: Dict[str, Any]) -> List[Dict[str, Any]]:
    mode = spec.get("cache_mode", "ha")
    if mode == "cluster":
        shards, replicas = int(spec.get("sharding_count", 3)), int(spec.get("replica_count", 2))
    elif mode == "single":
        shards, replicas = 1, 1
    else:
        shards, replicas = 1, int(spec.get("replica_count", 2))
    azs = list(spec.get("az_codes") or ["cn-north-4a", "cn-north-4b"])
    groups = []
    for shard in range(shards):
        members = []
        for index in range(replicas):
            members.append({
                "node_id": derived_id(instance_id, "node-%d-%d" % (shard, index)),
                "role": "master" if index == 0 else "slave",
                "ip": "192.168.%d.%d" % (shard, 11 + index),
                "az_code": azs[index % len(azs)],
            })
        groups.append({"group_id": derived_id(instance_id, "group-%d" % shard), "group_name": "group-%d" % shard,
                       "replicas": members})
    return groups


def normalized_groups(instance_id: str, spec: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The spec's groups (or generated ones), every replica with all its keys."""
    groups = copy.deepcopy(spec.get("groups") or generated_groups(instance_id, spec))
    port = int(spec.get("port", 6379))
    for number, group in enumerate(groups):
        group.setdefault("group_id", derived_id(instance_id, "group-%d" % number))
        group.setdefault("group_name", "group-%d" % number)
        for index, replica in enumerate(group.setdefault("replicas", [])):
            replica.setdefault("node_id", derived_id(instance_id, "node-%d-%d" % (number, index)))
            replica.setdefault("role", "master" if index == 0 else "slave")
            replica.setdefault("ip", "192.168.%d.%d" % (number, 11 + index))
            replica.setdefault("port", port)
            replica.setdefault("az_code", "cn-north-4a")
            replica.setdefault("replication_id", derived_id(replica["node_id"], "replication"))
            replica.setdefault("logical_node_id", derived_id(replica["node_id"], "logical"))
            replica.setdefault("name", "%s-%s-%d" % (spec.get("name", "dcs"), group["group_name"], index))
            replica.setdefault("status", "Active")
            replica.setdefault("priority_weight", 100)
    return groups


def normalized_configs(spec: Dict[str, Any]) -> List[Dict[str, Any]]:
    if spec.get("configs") is not None:
        entries = copy.deepcopy(spec["configs"])
    else:
        entries = [{"param_name": name, "value_type": kind, "value_range": values, "default_value": default,
                    "need_restart": restart, "description": text}
                   for name, kind, values, default, restart, text in DEFAULT_CONFIGS]
    for number, entry in enumerate(entries, 1):
        entry.setdefault("param_id", str(number))
        entry.setdefault("value_type", "String")
        entry.setdefault("value_range", "")
        entry.setdefault("default_value", "")
        entry.setdefault("param_value", entry["default_value"])
        entry.setdefault("description", "")
        entry.setdefault("need_restart", False)
    return entries


def value_problem(entry: Dict[str, Any], value: str) -> Optional[str]:
    """Why ``value`` is not allowed for the parameter ``entry`` (by its value_type and value_range), or None."""
    kind, allowed = entry.get("value_type"), entry.get("value_range") or ""
    if kind == "Interger":
        if not _INTEGER.match(value):
            return "%s must be an integer, got %r" % (entry["param_name"], value)
        low, _sep, high = allowed.partition("-")
        if low and high and not int(low) <= int(value) <= int(high):
            return "%s must be in the range %s, got %s" % (entry["param_name"], allowed, value)
    elif kind == "Enum" and allowed and value not in allowed.split(","):
        return "%s must be one of %s, got %r" % (entry["param_name"], allowed, value)
    return None


class InstanceState:
    """One instance's live state, built from its spec."""

    def __init__(self, instance_id: str, spec: Dict[str, Any]):
        self.instance_id = instance_id
        self.spec = copy.deepcopy(spec)
        self.groups = normalized_groups(instance_id, spec)
        self.configs = normalized_configs(spec)
        self.status = spec.get("status", "RUNNING")
        self.config_status = "SUCCESS"
        self.config_time = CREATED_AT
        self.tasks: List[Dict[str, Any]] = copy.deepcopy(spec.get("tasks") or [])
        self.pending: Optional[Dict[str, Any]] = None
        self.fail_next = {"switchover": fail_queue(spec.get("fail_next_switchover")),
                          "config": fail_queue(spec.get("fail_next_config"))}
        self.job_seconds = spec.get("job_seconds")

    @property
    def cache_mode(self) -> str:
        return self.spec.get("cache_mode", "ha")

    def find_group(self, group_id: str) -> Optional[Dict[str, Any]]:
        return next((g for g in self.groups if g["group_id"] == group_id), None)

    def config_entry(self, name: str) -> Optional[Dict[str, Any]]:
        return next((c for c in self.configs if c["param_name"] == name), None)

    def masters(self) -> Dict[str, Optional[str]]:
        return {g["group_id"]: next((r["node_id"] for r in g["replicas"] if r["role"] == "master"), None)
                for g in self.groups}

    def make_master(self, node_id: str) -> bool:
        """Make ``node_id`` its group's master (the old master becomes a slave); False if no such node."""
        for group in self.groups:
            if any(r["node_id"] == node_id for r in group["replicas"]):
                for replica in group["replicas"]:
                    replica["role"] = "master" if replica["node_id"] == node_id else "slave"
                return True
        return False

    # ---- answers ------------------------------------------------------------------------------
    def body(self) -> Dict[str, Any]:
        """The ShowInstanceResponse body."""
        spec, mode = self.spec, self.cache_mode
        capacity = spec.get("capacity", 2)
        replicas = max([len(g["replicas"]) for g in self.groups] or [1])
        name = spec.get("name", "dcs-%s" % self.instance_id[:8])
        body: Dict[str, Any] = {
            "instance_id": self.instance_id, "name": name, "status": self.status, "sub_status": None,
            "engine": "Redis", "engine_version": "6.0",
            "spec_code": "redis.%s.xu1.large.%s%d" % ("cluster" if mode == "cluster" else mode, "r2." if mode == "cluster" else "", capacity),
            "capacity": capacity, "capacity_minor": "", "max_memory": int(capacity) * 1024, "used_memory": 3,
            "ip": "192.168.0.10", "port": 6379,
            "domain_name": "redis-%s.dcs.huaweicloud.com" % self.instance_id[:8],
            "readonly_domain_name": "redis-%s-readonly.dcs.huaweicloud.com" % self.instance_id[:8] if mode != "cluster" else None,
            "az_codes": ["cn-north-4a", "cn-north-4b"] if mode != "single" else ["cn-north-4a"],
            "available_zones": ["ae04cf9d61544df3806a3feeb401b204"],
            "cache_mode": mode, "replica_count": replicas,
            "sharding_count": len(self.groups) if mode == "cluster" else 1,
            "enable_ssl": False, "maintain_begin": "18:00:00", "maintain_end": "19:00:00",
            "created_at": CREATED_AT, "launched_at": CREATED_AT, "update_at": CREATED_AT, "updated_at": CREATED_AT,
            "description": "", "charging_mode": 0, "product_type": "generic", "cpu_type": "x86_64",
            "storage_type": "DRAM", "db_number": 256 if mode != "cluster" else 1, "enterprise_project_id": "0",
            "enterprise_project_name": "default", "vpc_id": "1f3f8e8b-3d2c-4c9e-9b36-vpc000000001", "vpc_name": "vpc-dcs",
            "subnet_id": "6d2c4e5a-1b2a-4f3e-8d9c-subnet000001", "subnet_name": "subnet-dcs", "subnet_cidr": "192.168.0.0/24",
            "security_group_id": "", "security_group_name": "", "user_id": "u0000000000000000000000000000001",
            "user_name": "hwc-dcs", "order_id": "", "access_user": "", "no_password_access": "false",
            "enable_publicip": False, "publicip_id": "", "publicip_address": "", "service_upgrade": False,
            "service_task_id": "", "transparent_client_ip_enable": False, "support_slow_log_flag": "true",
            "tags": [], "features": None,
        }
        body.update({k: copy.deepcopy(v) for k, v in spec.items() if k not in INTERNAL_KEYS})
        body["status"] = self.status
        if self.pending is not None:
            body["task"] = {"id": self.pending["task"]["id"], "name": self.pending["task"]["name"],
                            "status": "RUNNING", "job_id": self.pending["job_id"]}
        return body

    def list_body(self) -> Dict[str, Any]:
        full = self.body()
        return {k: full.get(k) for k in LIST_FIELDS}

    def nodes(self) -> List[Dict[str, Any]]:
        return [{
            "logical_node_id": r["logical_node_id"], "name": r["name"], "status": r["status"], "az_code": r["az_code"],
            "node_role": "redis-server", "node_type": r["role"], "node_ip": r["ip"], "node_port": str(r["port"]),
            "node_id": r["node_id"], "priority_weight": r["priority_weight"], "is_access": True,
            "group_id": g["group_id"], "group_name": g["group_name"], "is_remove_ip": False,
            "replication_id": r["replication_id"], "dimensions": [],
        } for g in self.groups for r in g["replicas"]]

    def group_list(self) -> List[Dict[str, Any]]:
        return [{"group_id": g["group_id"], "group_name": g["group_name"], "replication_list": [{
            "replication_role": r["role"], "replication_ip": r["ip"], "is_replication": False,
            "replication_id": r["replication_id"], "node_id": r["node_id"], "status": "ACTIVE",
            "az_code": r["az_code"], "dimensions": [],
        } for r in g["replicas"]]} for g in self.groups]

    def admin_view(self) -> Dict[str, Any]:
        masters = self.masters()
        first = masters[self.groups[0]["group_id"]] if self.groups else None
        return {
            "instance_id": self.instance_id, "name": self.spec.get("name"), "cache_mode": self.cache_mode,
            "status": self.status, "master": first, "masters": masters, "groups": copy.deepcopy(self.groups),
            "configs": {c["param_name"]: c["param_value"] for c in self.configs}, "config_status": self.config_status,
            "busy": None if self.pending is None else {k: v for k, v in self.pending.items() if k != "task"},
            "tasks": copy.deepcopy(self.tasks), "fail_next_switchover": list(self.fail_next["switchover"]),
            "fail_next_config": list(self.fail_next["config"]), "job_seconds": self.job_seconds,
        }


class InstanceStore:
    """The live instances of one emulator, and the operations accepted on them."""

    def __init__(self, emulator: Any):
        self.emulator = emulator
        self.states: Dict[str, InstanceState] = {}
        self.operations: List[Dict[str, Any]] = []
        self.load()

    def load(self, instance_id: Optional[str] = None) -> None:
        """(Re)build the state of one instance, or of all, from the configured specs; drops their operation jobs."""
        specs = self.emulator.config.get("instances") or {}
        ids = [instance_id] if instance_id is not None else list(specs) + [i for i in self.states if i not in specs]
        for key in ids:
            self._drop_jobs(key)
            self.states.pop(key, None)
            if key in specs:
                self.states[key] = InstanceState(key, specs[key])

    def reset(self, instance_id: Optional[str] = None) -> None:
        self.load(instance_id)
        if instance_id is None:
            self.operations = []

    def _drop_jobs(self, instance_id: str) -> None:
        jobs = self.emulator.config.get("jobs") or {}
        for job_id in [j for j, job in jobs.items() if job.get("started_by") and job.get("instance_id") == instance_id]:
            del jobs[job_id]
            self.emulator.forget_job_clock(job_id)

    def get(self, instance_id: str, project_id: Optional[str]) -> Optional[InstanceState]:
        """The settled state of ``instance_id`` if it belongs to ``project_id`` (None: any project)."""
        state = self.states.get(instance_id)
        if state is None or project_id is not None and state.spec.get("project_id") not in (None, project_id):
            return None
        self.settle(state)
        return state

    def visible(self, project_id: str) -> List[InstanceState]:
        """The project's instances, in the configuration's order."""
        order = list(self.emulator.config.get("instances") or {})
        return [s for s in (self.get(i, project_id) for i in order) if s is not None]

    # ---- operations ---------------------------------------------------------------------------
    def settle(self, state: InstanceState) -> None:
        """Apply the running operation's effect once its job has ended."""
        pending = state.pending
        if pending is None or time.monotonic() < pending["ends_at"]:
            return
        state.pending = None
        failed = pending["fail_reason"] is not None
        pending["task"]["status"] = "FAIL" if failed else "SUCCESS"
        pending["task"]["updated_at"] = timestamp(pending["end_epoch"])
        if pending["kind"] == "config":
            state.config_status = "FAILURE" if failed else "SUCCESS"
            state.config_time = timestamp(pending["end_epoch"])
            if not failed:
                for name, value in pending["values"].items():
                    state.config_entry(name)["param_value"] = value
        elif not failed:
            state.make_master(pending["new_master"])

    def busy(self, state: InstanceState) -> Optional[Tuple[str, str]]:
        """The busy error of a mutating request on ``state`` (running job or status not RUNNING), or None."""
        if state.pending is not None:
            return BUSY_CONFIG if state.pending["kind"] == "config" else BUSY_SWITCHOVER
        if state.status != "RUNNING":
            return NOT_RUNNING
        return None

    def start(self, state: InstanceState, operation: str, project_id: str, request: Any,
              params: Dict[str, Any], **effect: Any) -> str:
        """Accept an operation: start its job and its task, mark the instance busy; returns the job ID."""
        spec = OPERATIONS[operation]
        kind = spec["kind"]
        emulator = self.emulator
        seconds = float(state.job_seconds if state.job_seconds is not None
                        else emulator.config.get("instance_job_seconds", 1.5))
        queue = state.fail_next[kind]
        fail_reason = queue.pop(0) if queue else None
        job_id = "ff8080" + uuid.uuid4().hex[:26]
        terminal = "FAIL" if fail_reason is not None else "SUCCESS"
        lifecycle = [[0, "INIT"], [seconds / 5.0, "RUNNING"], [seconds, terminal]] if seconds > 0 else [[0, terminal]]
        mono, epoch = time.monotonic(), emulator.now()
        emulator.config["jobs"][job_id] = {
            "project_id": project_id, "job_type": spec["job_type"], "lifecycle": lifecycle, "fail_reason": fail_reason,
            "instance_id": state.instance_id, "started_by": request.path,
        }
        emulator.start_job_clock(job_id, mono, epoch)
        task = {
            "id": uuid.uuid4().hex, "name": spec["task"], "details": {}, "user_name": "hwc-dcs",
            "user_id": "u0000000000000000000000000000001",
            "params": json.dumps(dict(params, job_id=job_id), sort_keys=True), "status": "RUNNING",
            "created_at": timestamp(epoch), "updated_at": None, "enable_show": False, "job_id": job_id,
        }
        state.tasks.insert(0, task)
        state.pending = dict(effect, job_id=job_id, kind=kind, operation=operation, fail_reason=fail_reason,
                             ends_at=mono + seconds, end_epoch=epoch + seconds, task=task)
        if kind == "config":
            state.config_status = "UPDATING"
        self.operations.append({"time": epoch, "operation": kind, "job_type": spec["job_type"],
                                "instance_id": state.instance_id, "job_id": job_id,
                                "request_id": request.request_id, "path": request.path})
        if request.entry is not None:
            request.entry.update(accepted=True, job_id=job_id)
        return job_id

    def operation_counts(self) -> Dict[str, int]:
        counts = {"switchover": 0, "config": 0}
        for operation in self.operations:
            counts[operation["operation"]] = counts.get(operation["operation"], 0) + 1
        return counts

    def update(self, instance_id: str, changes: Dict[str, Any]) -> Optional[InstanceState]:
        """Admin changes to a live instance: status, fail_next_switchover, fail_next_config, job_seconds,
        master (a node ID), param_values ({name: value}), config_status."""
        state = self.states.get(instance_id)
        if state is None:
            return None
        self.settle(state)
        if "status" in changes:
            state.status = changes["status"]
        for kind in ("switchover", "config"):
            if "fail_next_" + kind in changes:
                state.fail_next[kind] = fail_queue(changes["fail_next_" + kind])
        if "job_seconds" in changes:
            state.job_seconds = changes["job_seconds"]
        if changes.get("master"):
            state.make_master(changes["master"])
        for name, value in (changes.get("param_values") or {}).items():
            entry = state.config_entry(name)
            if entry is not None:
                entry["param_value"] = str(value)
        if "config_status" in changes:
            state.config_status = changes["config_status"]
        return state
