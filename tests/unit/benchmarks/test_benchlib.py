# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the benchmark's own logic (benchmarks/benchlib.py, bench.py helpers): a broken
measurement must fail instead of printing nonsense."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import copy
import json
import types

import pytest

from ansible_collections.hwc.dcs.benchmarks import bench, benchlib

BenchmarkError = benchlib.BenchmarkError


def series(values, **extra):
    out = dict(benchlib.summarize(values))
    out.update(extra)
    return out


def good_results():
    """A small, consistent result document as bench.py writes it."""
    five = [1.0, 1.1, 1.2, 1.3, 1.4]
    results = dict(schema=benchlib.SCHEMA, started_at="2026-01-01T00:00:00Z", machine=dict(cpus=2),
                   settings=dict(latency=0.05, wait_sleep=2.0, repetitions=5, per_request_count=300, fanin_spread=20.0,
                                 fanin_jobs=50, scaling_base=2.0, scaling_spread=2.0),
                   duration_seconds=600.0)
    results["per_request"] = dict(
        collection=dict(wall_ms=series([52.0] * 5), cpu_ms=series([0.6] * 5), requests=series([300] * 5)),
        sdk=dict(wall_ms=series([53.0] * 5), cpu_ms=series([1.8] * 5), requests=series([300] * 5)),
        _ratios=dict(cpu_collection_over_sdk=0.33, wall_collection_over_sdk=0.98))
    results["cold_start"] = dict(
        module_ansiballz=dict(wall=series([0.25] * 5), cpu=series([0.2] * 5), rss_mb=series([33.0] * 5), requests=series([1] * 5)),
        sdk_script=dict(wall=series([0.40] * 5), cpu=series([0.3] * 5), rss_mb=series([44.0] * 5), requests=series([1] * 5)),
        import_dcs_job_info=dict(import_ms=series([95.0] * 5), modules=series([240] * 5)),
        import_ping=dict(import_ms=series([40.0] * 5), modules=series([120] * 5)),
        _ratios=dict(wall_module_over_sdk=0.625, cpu_module_over_sdk=0.66, import_module_over_ping=2.375))
    results["playbook"] = dict(
        empty=dict(wall=series([0.6] * 5), cpu=series([0.5] * 5)),
        dcs_job_info=dict(wall=series([4.9] * 5), cpu=series([4.4] * 5), requests=series([10] * 5),
                          per_task_wall=series([0.43] * 5), per_task_cpu=series([0.39] * 5)),
        uri=dict(wall=series([5.3] * 5), cpu=series([4.8] * 5), requests=series([10] * 5),
                 per_task_wall=series([0.47] * 5), per_task_cpu=series([0.43] * 5)),
        _ratios=dict(per_task_wall_dcs_over_uri=0.91, per_task_cpu_dcs_over_uri=0.9, playbook_wall_dcs_over_uri=0.92))
    fanin = {}
    for name, wall, requests in (("one_task", 21.5, 120), ("loop_tasks", 27.0, 50), ("uri_until", 26.0, 50)):
        fanin[name] = dict(wall=series([wall] * 5), floor=series([22.0] * 5), cpu=series([1.0] * 5),
                           requests=series([requests] * 5), repolls_total=series([0] * 5), playbook_wall=series([wall - 0.1] * 5))
    fanin["_ratios"] = dict(wall_one_over_loop=0.8, wall_one_over_uri=0.83, cpu_one_over_loop=0.05, cpu_one_over_uri=0.06,
                            one_task_seconds_over_floor=-0.5)
    results["fanin"] = fanin
    results["scaling"] = dict(
        (str(size), dict(wall=series([6.0] * 5), requests=series([3 * size] * 5), requests_per_job=series([3.0] * 5),
                         detection=series(five), cpu=series([0.4] * 5), rss_mb=series([38.0] * 5)))
        for size in benchlib.SCALING_SIZES)
    results["detection"] = benchlib.summarize(five * 4)
    return results


# --- statistics ---------------------------------------------------------------------------------------------------


def test_median_of_odd_and_even_counts():
    assert benchlib.median([3, 1, 2]) == 2.0
    assert benchlib.median([4, 1, 3, 2]) == 2.5
    assert benchlib.median([0.0]) == 0.0


@pytest.mark.parametrize("values", [[], [1.0, -0.1], [float("nan")], [float("inf")], [True], ["1"], [None]])
def test_median_refuses_nonsense(values):
    with pytest.raises(BenchmarkError):
        benchlib.median(values)


def test_summarize_keeps_samples_and_extremes():
    stats = benchlib.summarize([3.0, 1.0, 2.0])
    assert stats == dict(median=2.0, min=1.0, max=3.0, n=3, samples=[3.0, 1.0, 2.0])


def test_ratio():
    assert benchlib.ratio(1.0, 4.0) == 0.25
    assert benchlib.ratio(0, 4.0) == 0.0
    for denominator in (0, 0.0, -1.0, float("nan")):
        with pytest.raises(BenchmarkError):
            benchlib.ratio(1.0, denominator)
    with pytest.raises(BenchmarkError):
        benchlib.ratio(-1.0, 2.0)


# --- schedules and the floor --------------------------------------------------------------------------------------


def test_spread_offsets_end_at_base_plus_spread():
    offsets = benchlib.spread_offsets(50, 20.0)
    assert len(offsets) == 50
    assert offsets[0] == pytest.approx(0.4)
    assert offsets[-1] == pytest.approx(20.0)
    assert offsets == sorted(offsets)
    assert benchlib.spread_offsets(1, 2.0, base=3.0) == [5.0]
    with pytest.raises(BenchmarkError):
        benchlib.spread_offsets(0, 20.0)
    with pytest.raises(BenchmarkError):
        benchlib.spread_offsets(5, -1.0)


def test_phase_offsets_cover_the_poll_cycle_evenly():
    phases = benchlib.phase_offsets(5, 2.0)
    assert phases == [0.2, 0.6, 1.0, 1.4, 1.8]
    assert all(0 <= p < 2.0 for p in phases)
    with pytest.raises(BenchmarkError):
        benchlib.phase_offsets(0, 2.0)
    with pytest.raises(BenchmarkError):
        benchlib.phase_offsets(5, 0)


def test_lifecycle_runs_then_succeeds():
    assert benchlib.lifecycle(3.5) == [[0.0, "RUNNING"], [3.5, "SUCCESS"]]
    with pytest.raises(BenchmarkError):
        benchlib.lifecycle(0)


def test_floor_is_last_end_plus_one_poll_interval():
    assert benchlib.floor_seconds([0.4, 20.0, 7.0], 2.0) == 22.0
    with pytest.raises(BenchmarkError):
        benchlib.floor_seconds([], 2.0)
    with pytest.raises(BenchmarkError):
        benchlib.floor_seconds([1.0], 0)
    with pytest.raises(BenchmarkError):
        benchlib.floor_seconds([-1.0], 2.0)


# --- request log analysis -----------------------------------------------------------------------------------------


def log_entry(path, when):
    return dict(path=path, time=when, status=200)


def test_job_polls_groups_job_queries_only():
    entries = [log_entry("/v2/p/jobs/a", 3.0), log_entry("/v2/p/jobs/b", 1.0), log_entry("/v2/p/jobs/a", 1.0),
               log_entry("/v3/projects", 0.5), log_entry("/v2/p/instances/x", 0.7)]
    assert benchlib.job_polls(entries) == {"a": [1.0, 3.0], "b": [1.0]}
    assert benchlib.job_polls([]) == {}


def test_repoll_report_clean_run():
    polls = {"a": [0.0, 2.0, 4.0], "b": [0.0, 2.0]}
    report = benchlib.repoll_report(polls, {"a": 3.0, "b": 1.0})
    assert report == dict(repolls=0, unseen=[], per_job={"a": 3, "b": 2})


def test_repoll_report_counts_polls_of_finished_jobs():
    polls = {"a": [0.0, 2.0, 4.0, 6.0, 8.0]}
    assert benchlib.repoll_report(polls, {"a": 3.0})["repolls"] == 2


def test_repoll_report_finds_jobs_never_seen_finished():
    report = benchlib.repoll_report({"a": [0.0, 2.0]}, {"a": 3.0, "b": 1.0})
    assert report["unseen"] == ["a", "b"]


def test_repoll_report_tolerates_a_poll_at_the_boundary():
    # A poll 10 ms before the end may have seen RUNNING; the next one then sees SUCCESS: no re-poll.
    assert benchlib.repoll_report({"a": [2.99, 5.0]}, {"a": 3.0})["repolls"] == 0


def test_detection_latency():
    assert benchlib.detection_latency(12.5, ["10000", "11000"]) == pytest.approx(1.5)
    assert benchlib.detection_latency(10.99, ["11000"]) == 0.0  # clock granularity, not a negative latency
    with pytest.raises(BenchmarkError):
        benchlib.detection_latency(12.0, ["10000", None])
    with pytest.raises(BenchmarkError):
        benchlib.detection_latency(12.0, [])
    with pytest.raises(BenchmarkError):
        benchlib.detection_latency(9.0, ["11000"])


# --- validation ---------------------------------------------------------------------------------------------------


def test_good_results_validate():
    results = good_results()
    assert benchlib.validate(results) is results


def broken(mutate):
    results = good_results()
    mutate(results)
    with pytest.raises(BenchmarkError) as info:
        benchlib.validate(results)
    return str(info.value)


def test_validation_refuses_zero_requests():
    def zero(results):
        results["per_request"]["collection"]["requests"] = series([0] * 5)
    assert "per_request.collection" in broken(zero)

    def no_fanin_requests(results):
        results["fanin"]["uri_until"]["requests"] = series([0] * 5)
    assert "fanin.uri_until made no requests" in broken(no_fanin_requests)


def test_validation_refuses_negative_and_zero_times():
    def negative(results):
        results["cold_start"]["sdk_script"]["wall"]["samples"][2] = -0.3
    assert "must be non-negative" in broken(negative)

    def zero(results):
        results["playbook"]["uri"]["wall"] = series([0.0] * 5)
    assert "a real measurement takes time" in broken(zero)


def test_validation_refuses_missing_series_and_sections():
    def no_sdk(results):
        del results["per_request"]["sdk"]
    assert "per_request.sdk is missing" in broken(no_sdk)

    def no_scaling_size(results):
        del results["scaling"]["500"]
    assert "500 jobs is missing" in broken(no_scaling_size)

    def no_detection(results):
        del results["detection"]
    assert "detection is missing" in broken(no_detection)

    def no_fanin(results):
        del results["fanin"]
    assert "section fanin is missing" in broken(no_fanin)

    with pytest.raises(BenchmarkError):
        benchlib.validate({"schema": "something else"})


def test_validation_refuses_too_few_repetitions():
    def four(results):
        results["fanin"]["one_task"]["wall"] = series([21.0] * 4)
    assert "fewer than 5" in broken(four)


def test_validation_refuses_sublinear_or_shrinking_requests():
    def fewer_than_jobs(results):
        results["scaling"]["100"]["requests"] = series([50] * 5)
    assert "fewer than one per job" in broken(fewer_than_jobs)

    def shrinking(results):
        results["scaling"]["500"]["requests"] = series([200] * 5)
    assert broken(shrinking)


def test_validation_needs_the_repoll_count():
    def no_repolls(results):
        del results["fanin"]["one_task"]["repolls_total"]
    assert "re-poll" in broken(no_repolls)


def test_validation_lists_every_problem_at_once():
    def two(results):
        del results["per_request"]["sdk"]
        results["scaling"]["1"]["wall"] = series([0.0] * 5)
    message = broken(two)
    assert "per_request.sdk" in message and "scaling.1.wall" in message


# --- targets and report -------------------------------------------------------------------------------------------


def test_targets_from_results():
    rows = bench.derive_targets(good_results())
    by_name = dict((row["name"], row) for row in rows)
    assert set(by_name) == set(name for name, _d, _c, _l in benchlib.TARGETS)
    assert by_name["per_request_cpu"]["met"] is True
    assert by_name["cold_start_wall"]["met"] is True
    assert by_name["fanin_floor_gap"]["value"] == 0.0  # under the floor counts as within it
    assert by_name["fanin_cpu_vs_loop"]["value"] == 0.05  # controller CPU, not the wall time ratio (0.8)
    assert by_name["fanin_cpu_vs_loop"]["met"] is True
    assert by_name["detection_latency"]["limit"] == 2.5
    assert by_name["detection_latency"]["met"] is True


def test_targets_refuse_missing_or_nonsense_values():
    values = dict(per_request_cpu=0.3, cold_start_wall=0.6, playbook_per_task=1.0, fanin_floor_gap=0.2, fanin_cpu_vs_loop=0.1,
                  fanin_repolls=0, detection_latency=1.0)
    assert all(row["met"] for row in benchlib.evaluate_targets(values, 2.0))
    for name in values:
        partial = dict(values)
        del partial[name]
        with pytest.raises(BenchmarkError):
            benchlib.evaluate_targets(partial, 2.0)
    with pytest.raises(BenchmarkError):
        benchlib.evaluate_targets(dict(values, per_request_cpu=float("nan")), 2.0)
    assert not [r for r in benchlib.evaluate_targets(dict(values, fanin_repolls=3), 2.0) if r["name"] == "fanin_repolls"][0]["met"]


def test_per_request_target_is_strictly_below_the_sdk():
    values = dict(per_request_cpu=0.3, cold_start_wall=0.6, playbook_per_task=1.0, fanin_floor_gap=0.2, fanin_cpu_vs_loop=0.1,
                  fanin_repolls=0, detection_latency=1.0)

    def met(**changed):
        rows = benchlib.evaluate_targets(dict(values, **changed), 2.0)
        return dict((row["name"], row["met"]) for row in rows)

    assert met(per_request_cpu=0.99)["per_request_cpu"] is True
    assert met(per_request_cpu=1.0)["per_request_cpu"] is False  # as costly as the SDK is not below it
    assert met(per_request_cpu=1.2)["per_request_cpu"] is False
    assert met(fanin_cpu_vs_loop=0.2)["fanin_cpu_vs_loop"] is True
    assert met(fanin_cpu_vs_loop=0.21)["fanin_cpu_vs_loop"] is False


def test_fanin_target_ignores_the_wall_time_ratio():
    results = good_results()
    results["fanin"]["_ratios"].update(wall_one_over_loop=0.1, cpu_one_over_loop=0.6)
    row = [r for r in bench.derive_targets(results) if r["name"] == "fanin_cpu_vs_loop"][0]
    assert row["value"] == 0.6 and row["met"] is False
    assert "controller CPU" in row["description"]


def test_validation_needs_the_import_times():
    def without_ping(results):
        del results["cold_start"]["import_ping"]
    assert "cold_start.import_ping" in broken(without_ping)

    def zero_import(results):
        results["cold_start"]["import_dcs_job_info"]["import_ms"] = series([0.0] * 5)
    assert "import_dcs_job_info.import_ms" in broken(zero_import)


def test_markdown_report_has_every_table():
    results = good_results()
    results["fanin"]["_ratios"]["cpu_one_over_loop"] = 0.5
    results["targets"] = bench.derive_targets(results)
    text = benchlib.render_markdown(results)
    for needle in ("## Targets", "| collection |", "| module_ansiballz |", "| dcs_job_info |", "| one_task |", "| 500 |",
                   "| import_dcs_job_info |", "| import_ping |", "ratio cpu_collection_over_sdk", "ratio import_module_over_ping",
                   "**no**"):
        assert needle in text
    json.dumps(results)  # the document stays JSON


def test_rst_results_show_both_import_times():
    results = good_results()
    results["targets"] = bench.derive_targets(results)
    text = benchlib.render_rst(results)
    assert "Import time (one module in a fresh interpreter)" in text
    block = text[text.index("Import time"):]
    assert "hwc.dcs.dcs_job_info" in block and "ansible.builtin.ping" in block and "95.000" in block and "40.000" in block
    assert "fan-in controller CPU: one task / loop of waiting tasks" in text


# --- bench.py helpers ---------------------------------------------------------------------------------------------


def test_payload_rewrites_only_the_module_arguments(tmp_path):
    params = {"ANSIBLE_MODULE_ARGS": {"job_id": "old", "_ansible_check_mode": False, "_ansible_tmpdir": "/t"}}
    fake = types.SimpleNamespace(work=str(tmp_path), payload_lines=[
        "def _ansiballz_main(params):", "    pass", "_ansiballz_main(", "params=%r," % json.dumps(params), ")"])
    path = bench.Bench.payload(fake, "x", {"job_ids": ["a", "b"], "wait": True})
    with open(path) as handle:
        lines = handle.read().split("\n")
    assert lines[:3] == fake.payload_lines[:3] and lines[4] == ")"
    written = json.loads(ast.literal_eval(lines[3][len("params="):].rstrip(",")))
    assert written == {"ANSIBLE_MODULE_ARGS": {"job_ids": ["a", "b"], "wait": True, "_ansible_check_mode": False,
                                               "_ansible_tmpdir": "/t"}}


def test_arguments_default_to_the_issue_settings():
    args = bench.parse_args([])
    assert args.latency == pytest.approx(0.05)
    assert args.reps >= benchlib.MIN_REPETITIONS and args.fanin_reps >= benchlib.MIN_REPETITIONS
    assert args.cold_reps >= benchlib.MIN_REPETITIONS
    assert args.requests == 300 and args.fanin_jobs == 50 and args.fanin_spread == 20.0
    assert args.only == {"per_request", "cold_start", "playbook", "fanin", "scaling", "progress"}


def test_good_results_are_not_shared_between_tests():
    first = good_results()
    second = copy.deepcopy(first)
    first["scaling"]["1"]["wall"]["median"] = 0
    assert second["scaling"]["1"]["wall"]["median"] == 6.0


def test_rst_block_is_generated_and_replaced():
    results = good_results()
    results["fanin"]["_ratios"]["cpu_one_over_loop"] = 0.5  # one target not met
    results["targets"] = bench.derive_targets(results)
    block = benchlib.render_rst(results)
    assert block.startswith(benchlib.RST_BEGIN) and block.endswith(benchlib.RST_END)
    assert ".. list-table::" in block and "  * - module_ansiballz" in block and "**no**" in block
    page = "Title\n\n%s\nSTALE-CONTENT\n%s\n\nAfter.\n" % (benchlib.RST_BEGIN, benchlib.RST_END)
    updated = benchlib.replace_block(page, block)
    assert updated.startswith("Title\n\n") and updated.endswith("\n\nAfter.\n") and "STALE-CONTENT" not in updated
    with pytest.raises(BenchmarkError):
        benchlib.replace_block("no markers", block)


def test_validation_refuses_peak_rss_at_the_launchers_floor():
    def clamped(results):
        results["machine"]["launcher_rss_mb"] = 38.0
    assert "scaling.500 peak RSS 38.0 MB is not above" in broken(clamped)
    results = good_results()
    results["machine"]["launcher_rss_mb"] = 12.0
    benchlib.validate(results)
