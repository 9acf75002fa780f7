# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run a module's main() in slices, as the hwc.dcs action plugins do, and compare with one uninterrupted run.

``run_sliced(run, monkeypatch, **args)`` calls ``run(**args)`` (a ``module_caller``) with
``_HWC_DCS_SLICE_SECONDS`` set, hands each paused result's sealed state to the next call in
``_HWC_DCS_SLICE_STATE`` a moment later (the action plugin's time between slices, which the module must
count as part of its sleep and of ``elapsed``), and stops at the first result that did not pause. ``comparable(result)`` is a
result without what legitimately differs between two runs: the measured times and the raw output.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import contextlib
import json
import time

from ansible_collections.hwc.dcs.plugins.module_utils._seal import unseal
from ansible_collections.hwc.dcs.plugins.module_utils._slices import PAUSED_KEY, PROGRESS_KEY, SECONDS_VAR, STATE_VAR
from ansible_collections.hwc.dcs.tests.support.http_server import ScriptedServer
from ansible_collections.hwc.dcs.tests.unit.plugins.modules.module_runner import module_caller

SLICE = 0.3  # seconds: shorter than wait_sleep (0.5), so that waits pause between polls too, not only at changes
GAP = 0.1  # seconds between two slices: the action plugin's own time (printing, starting the module again)
MAX_SLICES = 200
# Measured times, the raw output, and what ansible-core before 2.19 echoes: the arguments, with each run's own server URL.
VOLATILE = ("elapsed", "seen_at", "_seconds", "_raw", "invocation", PROGRESS_KEY)


class Sliced:
    """The end of a sliced run: ``result`` (the last slice's result without ``_hwc_dcs_progress``), ``progress``
    (that key's value), ``slices`` (every slice's result, the paused ones first) and ``seconds`` (the whole loop)."""

    def __init__(self, result, progress, slices, seconds):
        self.result = result
        self.progress = progress
        self.slices = slices
        self.seconds = seconds

    @property
    def paused(self):
        return self.slices[:-1]


def run_sliced(run, monkeypatch, seconds=SLICE, gap=GAP, **args):
    """Run the module in slices of ``seconds``, ``gap`` seconds apart, until a slice does not pause. Returns a ``Sliced``."""
    monkeypatch.setenv(SECONDS_VAR, str(seconds))
    monkeypatch.delenv(STATE_VAR, raising=False)
    slices = []
    started = time.monotonic()
    try:
        while True:
            result = run(**args)
            slices.append(result)
            token = result.get(PAUSED_KEY)
            if token is None:
                break
            assert len(slices) < MAX_SLICES, "the module never stopped pausing"
            monkeypatch.setenv(STATE_VAR, token)
            time.sleep(gap)
    finally:
        monkeypatch.delenv(SECONDS_VAR, raising=False)
        monkeypatch.delenv(STATE_VAR, raising=False)
    total = time.monotonic() - started
    final = dict(slices[-1])
    progress = final.pop(PROGRESS_KEY, None)
    return Sliced(final, progress, slices, total)


def comparable(value):
    """``value`` (a result) without the keys whose values are measured times or raw output, at any depth."""
    if isinstance(value, dict):
        return dict((key, comparable(item)) for key, item in value.items() if key not in VOLATILE)
    if isinstance(value, list):
        return [comparable(item) for item in value]
    return value


def token_texts(sliced):
    """Every sealed state of a sliced run, as text and as the decoded bytes, and each paused result's own keys."""
    tokens = [result[PAUSED_KEY] for result in sliced.paused]
    return (tokens + [base64.urlsafe_b64decode(token.encode("ascii")).decode("latin-1") for token in tokens]
            + [json.dumps(paused_keys(result)) for result in sliced.paused])


def paused_keys(result):
    """A paused result's keys as the module made them (without ``run_module()``'s and ansible-core's additions)."""
    return dict((key, value) for key, value in result.items() if key not in ("_rc", "_raw", "_seconds", "invocation"))


def opened_states(sliced, secret):
    """Every sealed state of a sliced run, opened with ``secret`` (what the module would restore)."""
    return [unseal(result[PAUSED_KEY], secret) for result in sliced.paused]


def statuses_seen(sliced):
    """Per ID, the statuses the progress reports went through, in order, without repeats."""
    seen = {}
    for result in sliced.slices:
        for item in result[PROGRESS_KEY]["items"]:
            statuses = seen.setdefault(item["id"], [])
            if item["status"] is not None and (not statuses or statuses[-1] != item["status"]):
                statuses.append(item["status"])
    return seen


def poll_times(requests, path_part):
    """When the requests whose path contains ``path_part`` arrived, in seconds after the first of them."""
    times = [request.at for request in requests if path_part in request.path]
    return [at - times[0] for at in times]


def poll_gaps(requests, path_part):
    """Seconds between consecutive requests whose path contains ``path_part``."""
    times = poll_times(requests, path_part)
    return [later - earlier for earlier, later in zip(times, times[1:])]


class Servers:
    """Fresh ScriptedServers on demand, all shut down at the end (``with Servers() as servers: servers.open(fake)``)."""

    def __init__(self):
        self._stack = contextlib.ExitStack()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stack.close()

    def open(self, fake):
        return self._stack.enter_context(ScriptedServer(default=fake))


class Scenario:
    """One fake DCS behind its own server, and ``run(**args)``: the module's main() against that server."""

    def __init__(self, fake, server, run):
        self.fake = fake
        self.server = server
        self.run = run


class Harness:
    """Scenarios of one module with fresh state each: ``both(make_fake, **args)`` runs the same arguments once
    without slices and once in slices, each against its own ``make_fake()``."""

    def __init__(self, main, servers, monkeypatch, tmp_path, capsys, **defaults):
        self.main = main
        self.servers = servers
        self.monkeypatch = monkeypatch
        self.tmp_path = tmp_path
        self.capsys = capsys
        self.defaults = defaults

    def scenario(self, fake):
        server = self.servers.open(fake)
        return Scenario(fake, server, module_caller(self.main, server, self.monkeypatch, self.tmp_path, self.capsys, **self.defaults))

    def sliced(self, scenario, **args):
        return run_sliced(scenario.run, self.monkeypatch, **args)

    def both(self, make_fake, **args):
        """(plain result, its scenario, ``Sliced``, its scenario)."""
        plain_scenario = self.scenario(make_fake())
        plain = plain_scenario.run(**args)
        sliced_scenario = self.scenario(make_fake())
        return plain, plain_scenario, self.sliced(sliced_scenario, **args), sliced_scenario
