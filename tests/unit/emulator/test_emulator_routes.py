# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The emulator's route table: pattern matching, and a new endpoint as one entry and one handler."""

from __future__ import annotations

import json

import pytest

from ansible_collections.hwc.dcs.tests.emulator.dcs_emu import api
from ansible_collections.hwc.dcs.tests.emulator.dcs_emu.routing import Reply, Route, find_route
from ansible_collections.hwc.dcs.tests.support.constants import OTHER_PROJECT, PROJECT
from ansible_collections.hwc.dcs.tests.support.emulator import sdk_sign
from ansible_collections.hwc.dcs.tests.support.http_server import raw_request

pytest.importorskip("huaweicloudsdkcore")


def _noop(_emulator, _request):
    return Reply(204)


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/v2/p1/jobs/j1", {"project_id": "p1", "job_id": "j1"}),
    ("GET", "/v2/p1/jobs/j1/", {"project_id": "p1", "job_id": "j1"}),
    ("GET", "/v2/p%201/jobs/a%2Fb", {"project_id": "p 1", "job_id": "a/b"}),
    ("GET", "/v2/p1/jobs/j1/x", None),
    ("GET", "/v2//jobs/j1", None),
    ("GET", "/v2/p1/jobs", None),
    ("POST", "/v2/p1/jobs/j1", None),
])
def test_pattern_parameters_are_one_decoded_segment(method, path, expected):
    route = Route("GET", "/v2/{project_id}/jobs/{job_id}", _noop, name="job")
    assert route.match(method, path) == expected
    assert route.parameters == ["project_id", "job_id"]


def test_first_matching_route_wins_and_no_match_is_none():
    table = (Route("GET", "/v2/{project_id}/instances/{instance_id}", _noop, name="one"),
             Route("GET", "/v2/{project_id}/instances/batch", _noop, name="never"),
             Route("PUT", "/v2/{project_id}/instances/{instance_id}", _noop, name="update"))
    assert find_route(table, "GET", "/v2/p/instances/batch")[0].name == "one"
    route, params = find_route(table, "PUT", "/v2/p/instances/i")
    assert route.name == "update" and params == {"project_id": "p", "instance_id": "i"}
    assert find_route(table, "DELETE", "/v2/p/instances/i") == (None, {})


def test_exact_routes_can_refuse_a_trailing_slash():
    route = Route("GET", "/_emulator/health", _noop, trailing_slash=False)
    assert route.match("GET", "/_emulator/health") == {}
    assert route.match("GET", "/_emulator/health/") is None


def rename_instance(emulator, request):
    """A new endpoint's handler: PUT /v2/{project_id}/instances/{instance_id} with a JSON body."""
    return Reply(200, {"instance_id": request.params["instance_id"], "name": json.loads(request.body)["name"],
                       "route_seen_by_handler": emulator.routes[-1].name})


@pytest.fixture
def extended(make_emulator):
    emu = make_emulator()
    emu.routes = api.ROUTES + (Route("PUT", "/v2/{project_id}/instances/{instance_id}", rename_instance, name="instance"),)
    return emu


def put(emu, project, body, header_project=PROJECT):
    path = "/v2/%s/instances/i-1" % project
    data = json.dumps(body).encode("utf-8")
    target, headers = sdk_sign(emu.url, path, method="PUT", project_id=header_project, body=data)
    return raw_request(emu.url, "PUT", target, headers, body=data)


def test_a_new_endpoint_is_one_entry_and_one_handler(extended):
    answer = put(extended, PROJECT, {"name": "cache-2"})
    assert answer.status == 200, answer.body
    assert answer.json() == {"instance_id": "i-1", "name": "cache-2", "route_seen_by_handler": "instance"}
    entry = extended.requests[-1]
    assert entry["route"] == "instance" and entry["method"] == "PUT" and entry["status"] == 200


def test_a_new_endpoint_gets_the_gateway_checks(extended):
    assert put(extended, OTHER_PROJECT, {"name": "x"}).json()["error_code"] == "APIGW.0302"  # project scope
    path = "/v2/%s/instances/i-1" % PROJECT
    target, headers = sdk_sign(extended.url, path, method="PUT", body=b'{"name": "a"}')
    denied = raw_request(extended.url, "PUT", target, headers, body=b'{"name": "b"}')  # body not the signed one
    assert denied.status == 401 and denied.json()["error_code"] == "APIGW.0301"
    extended.set_faults({"/v2/*/instances/*": [{"kind": "503"}]})
    assert put(extended, PROJECT, {"name": "x"}).status == 503
    assert raw_request(extended.url, "DELETE", path).json()["error_code"] == "APIGW.0101"  # no DELETE route
