# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the progress overhead benchmark's logic (benchmarks/benchlib.py, bench.py helpers): parsing the
playbook's output and registered result, the overhead arithmetic, validation and the reports."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import sys

import pytest

from ansible_collections.hwc.dcs.benchmarks import bench, benchlib
from ansible_collections.hwc.dcs.tests.unit.benchmarks.test_benchlib import good_results

BenchmarkError = benchlib.BenchmarkError


def series(values):
    return benchlib.summarize(values)


def run_series(wall, cpu, elapsed, polls, lines):
    return dict(wall=series([wall]), cpu=series([cpu]), elapsed=series([elapsed]), polls=series([polls]),
                retries=series([0]), requests=series([polls]), other_requests=series([0]), lines=series([lines]))


def good_progress():
    """A consistent progress result document as bench.py writes it (benchmarks/results/progress.json)."""
    section = dict(
        default=run_series(303.1, 3.9, 302.6, 60, 11),
        none=run_series(303.0, 1.6, 302.5, 60, 0),
        interval_5=run_series(61.9, 6.5, 60.9, 13, 13),
        none_short=run_series(61.8, 1.5, 60.8, 13, 0),
        _waits=dict(long=300.0, short=60.0))
    section["_overhead"] = dict(
        default=benchlib.progress_overhead(section["default"], section["none"], 300.0),
        interval_5=benchlib.progress_overhead(section["interval_5"], section["none_short"], 60.0))
    return dict(schema=benchlib.SCHEMA, started_at="2026-01-01T00:00:00Z", machine=dict(cpus=2, cpu_model="CPU", ansible_core="2.21.5"),
                settings=dict(latency=0.05, progress_wait=300.0, progress_short_wait=60.0, progress_repetitions=1,
                              progress_mode="side by side"),
                progress=section)


# --- parsing ------------------------------------------------------------------------------------------------------


OUTPUT = """
PLAY [Wait on one job] *********************************************************

TASK [Wait for the job] ********************************************************
hwc.dcs [localhost]: job bench-progress-default is RUNNING; 0 of 1 job finished, 0s elapsed
hwc.dcs [localhost]: job bench-progress-default RUNNING for 30s; 0 of 1 job finished, 30s elapsed
hwc.dcs [web-1]: 0 of 1 job finished, 1m00s elapsed (details hidden by no_log)
ok: [localhost]
  msg: hwc.dcs [localhost]: quoted inside a result, not a line of its own
hwc.dcs: no host, not a progress line

PLAY RECAP *********************************************************************
localhost                  : ok=2    changed=1    unreachable=0    failed=0
"""


def test_progress_lines_are_the_lines_the_action_plugin_printed():
    found = benchlib.progress_lines(OUTPUT)
    assert found == [
        "hwc.dcs [localhost]: job bench-progress-default is RUNNING; 0 of 1 job finished, 0s elapsed",
        "hwc.dcs [localhost]: job bench-progress-default RUNNING for 30s; 0 of 1 job finished, 30s elapsed",
        "hwc.dcs [web-1]: 0 of 1 job finished, 1m00s elapsed (details hidden by no_log)",
    ]
    assert benchlib.progress_lines("") == []
    assert benchlib.progress_lines("TASK [Wait for the job]\nok: [localhost]\n") == []


def registered(**changed):
    result = dict(changed=False, elapsed=302.6, polls=60, retries=0, job=dict(job_id="j", status="SUCCESS"), jobs=[])
    result.update(changed)
    return json.dumps(result)


def test_registered_result_gives_elapsed_polls_and_retries():
    assert benchlib.registered_result(registered()) == dict(elapsed=302.6, polls=60, retries=0)


@pytest.mark.parametrize("text, message", [
    ("not json", "not a JSON object"),
    ("[1, 2]", "not a JSON object"),
    (registered(failed=True, msg="Timed out"), "failed: Timed out"),
    (registered(_hwc_dcs_paused="token"), "private keys _hwc_dcs_paused"),
    (registered(_hwc_dcs_progress={}), "private keys _hwc_dcs_progress"),
    (registered(elapsed=None), "elapsed is not a number"),
    (registered(polls=-1), "polls must be non-negative"),
    (registered(job=dict(status="RUNNING")), "ended 'RUNNING', not SUCCESS"),
    (registered(job=None), "ended None, not SUCCESS"),
])
def test_registered_result_refuses_what_cannot_be_a_finished_wait(text, message):
    with pytest.raises(BenchmarkError) as info:
        benchlib.registered_result(text)
    assert message in str(info.value)


# --- the overhead -------------------------------------------------------------------------------------------------


def test_overhead_in_seconds_and_percent_of_the_wait():
    overhead = benchlib.progress_overhead(run_series(303.6, 4.6, 303.1, 60, 11), run_series(303.0, 1.6, 302.5, 60, 0), 300.0)
    assert overhead["wall"] == pytest.approx(0.6) and overhead["wall_pct"] == pytest.approx(0.2)
    assert overhead["cpu"] == pytest.approx(3.0) and overhead["cpu_pct"] == pytest.approx(1.0)
    assert overhead["elapsed"] == pytest.approx(0.6) and overhead["elapsed_pct"] == pytest.approx(0.2)
    assert overhead["requests"] == 0 and overhead["requests_pct"] == 0
    assert overhead["wait"] == 300.0 and overhead["limit_pct"] == 2.0
    assert overhead["met"] is True


def test_request_overhead_is_a_share_of_the_uninterrupted_runs_requests():
    overhead = benchlib.progress_overhead(run_series(303.0, 1.6, 302.5, 66, 11), run_series(303.0, 1.6, 302.5, 60, 0), 300.0)
    assert overhead["requests"] == 6 and overhead["requests_pct"] == pytest.approx(10.0)
    assert overhead["met"] is False  # 6 more requests than 60 is 10 %


def test_overhead_target_is_strictly_below_two_percent_of_each_measure():
    base = run_series(300.0, 1.0, 300.0, 60, 0)
    assert benchlib.progress_overhead(run_series(305.99, 1.0, 300.0, 60, 9), base, 300.0)["met"] is True
    assert benchlib.progress_overhead(run_series(306.0, 1.0, 300.0, 60, 9), base, 300.0)["met"] is False  # 2 % is not below 2 %
    assert benchlib.progress_overhead(run_series(300.0, 7.5, 300.0, 60, 9), base, 300.0)["met"] is False  # CPU alone
    assert benchlib.progress_overhead(run_series(300.0, 1.0, 300.0, 62, 9), base, 300.0)["met"] is False  # requests alone
    faster = benchlib.progress_overhead(run_series(299.0, 1.0, 299.5, 60, 9), base, 300.0)
    assert faster["wall"] == pytest.approx(-1.0) and faster["met"] is True  # ending earlier is no overhead


def test_overhead_refuses_nonsense():
    good = run_series(300.0, 1.0, 300.0, 60, 0)
    with pytest.raises(BenchmarkError):
        benchlib.progress_overhead(good, good, 0)
    with pytest.raises(BenchmarkError):
        benchlib.progress_overhead(good, run_series(300.0, 1.0, 300.0, 0, 0), 300.0)  # a baseline without requests
    missing = dict(good)
    del missing["cpu"]
    with pytest.raises(BenchmarkError) as info:
        benchlib.progress_overhead(missing, good, 300.0)
    assert "no cpu series" in str(info.value)


# --- validation and target ----------------------------------------------------------------------------------------


def test_good_progress_results_validate():
    results = good_progress()
    assert benchlib.validate_progress(results) is results


def broken(mutate):
    results = good_progress()
    mutate(results)
    with pytest.raises(BenchmarkError) as info:
        benchlib.validate_progress(results)
    return str(info.value)


def test_validation_refuses_polls_the_emulator_did_not_see():
    def more_requests(results):
        results["progress"]["default"]["requests"] = series([70])
    assert "the emulator saw [70.0] job requests, the module reports [60.0] polls" in broken(more_requests)


def test_validation_refuses_lines_without_progress_and_silence_with_it():
    def lines_when_off(results):
        results["progress"]["none"]["lines"] = series([2])
    assert "progress.none printed progress lines with progress_interval 0" in broken(lines_when_off)

    def silent(results):
        results["progress"]["default"]["lines"] = series([0])
    assert "progress.default printed no progress line during a 300 s wait" in broken(silent)


def test_validation_refuses_a_wait_shorter_than_the_job():
    def short(results):
        results["progress"]["interval_5"]["elapsed"] = series([30.0])
    assert "shorter than the 60 s the job ran" in broken(short)


def test_validation_refuses_missing_series_and_overheads():
    def no_baseline(results):
        del results["progress"]["none"]
    assert "series progress.none is missing" in broken(no_baseline)

    def no_overhead(results):
        del results["progress"]["_overhead"]["default"]
    assert "progress._overhead.default is missing" in broken(no_overhead)

    def zero_wall(results):
        results["progress"]["default"]["wall"] = series([0.0])
    assert "progress.default.wall median is 0.0" in broken(zero_wall)

    def no_section(results):
        del results["progress"]
    assert "section progress is missing" in broken(no_section)

    with pytest.raises(BenchmarkError):
        benchlib.validate_progress(dict(schema="other", progress={}))


def test_validation_accepts_a_run_without_the_short_pair_only_as_a_pair():
    def skipped(results):
        for name in ("interval_5", "none_short"):
            del results["progress"][name]
        del results["progress"]["_overhead"]["interval_5"]
        del results["progress"]["_waits"]["short"]
    results = good_progress()
    skipped(results)
    benchlib.validate_progress(results)

    def half(results):
        del results["progress"]["none_short"]
    assert "series progress.none_short is missing" in broken(half)


def test_target_is_the_largest_overhead_at_the_default_interval():
    results = good_progress()
    row = benchlib.progress_target(results)
    overhead = results["progress"]["_overhead"]["default"]
    assert row["name"] == "progress_overhead" and row["comparison"] == "<" and row["limit"] == 2.0
    assert row["value"] == pytest.approx(max(overhead["wall_pct"], overhead["cpu_pct"], overhead["requests_pct"]), abs=1e-4)
    assert row["value"] == pytest.approx(100 * (3.9 - 1.6) / 300.0, abs=1e-4)  # the CPU: 2.3 s of 300 s
    assert row["met"] is True
    results["progress"]["_overhead"]["default"] = benchlib.progress_overhead(
        run_series(303.0, 9.0, 302.5, 60, 11), results["progress"]["none"], 300.0)
    assert benchlib.progress_target(results)["met"] is False


def test_progress_results_document_carries_its_target():
    results = good_progress()
    results["step_seconds"] = dict(progress=372.5)
    document = bench.progress_results(results)
    assert document["duration_seconds"] == 372.5
    assert [row["name"] for row in document["targets"]] == ["progress_overhead"]
    assert set(document) == {"schema", "started_at", "machine", "settings", "progress", "duration_seconds", "targets"}
    json.dumps(document)


def test_complete_run_targets_include_progress_when_it_ran():
    results = good_results()
    assert "progress_overhead" not in [row["name"] for row in bench.derive_targets(results)]
    results["progress"] = good_progress()["progress"]
    assert bench.derive_targets(results)[-1]["name"] == "progress_overhead"


# --- reports ------------------------------------------------------------------------------------------------------


def test_markdown_report_shows_every_variant_and_overhead():
    results = good_progress()
    results["progress"]["_overhead"]["interval_5"]["met"] = False
    text = benchlib.render_progress_markdown(results)
    assert "| default | unset (default 30 s) | 300 | 303.10 | 3.90 | 302.60 | 60 | 60 | 11 |" in text
    assert "| none | 0 | 300 | 303 | 1.60 | 302.50 | 60 | 60 | 0 |" in text
    assert "| interval_5 | 5 | 60 |" in text and "| none_short | 0 | 60 |" in text
    assert "| default over none | 300 | +0.10 s (+0.03 %) | +2.30 s (+0.77 %) | +0 (+0.00 %) | +0.10 s (+0.03 %) | yes |" in text
    assert "| interval_5 over none_short | 60 |" in text and "**no**" in text
    assert "side by side" in text


def test_rst_block_is_generated_and_replaced_next_to_the_main_block():
    results = good_progress()
    block = benchlib.render_progress_rst(results)
    assert block.startswith(benchlib.PROGRESS_RST_BEGIN) and block.endswith(benchlib.PROGRESS_RST_END)
    assert "  * - default over none" in block and "    - +2.30 s (+0.77 %)" in block
    page = "Title\n\n%s\nMAIN\n%s\n\nMiddle.\n\n%s\nSTALE\n%s\n" % (
        benchlib.RST_BEGIN, benchlib.RST_END, benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)
    updated = benchlib.replace_block(page, block, benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)
    assert "STALE" not in updated and "\nMAIN\n" in updated and updated.endswith(benchlib.PROGRESS_RST_END + "\n")
    assert benchlib.replace_block(page, "NEW") == "Title\n\nNEW\n\nMiddle.\n\n%s\nSTALE\n%s\n" % (
        benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)
    with pytest.raises(BenchmarkError):
        benchlib.replace_block("no markers", block, benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)


def test_update_docs_writes_only_the_blocks_the_results_have(tmp_path, monkeypatch):
    page = tmp_path / "guide_benchmarks.rst"
    original = "T\n\n%s\nMAIN\n%s\n\n%s\nSTALE\n%s\n" % (
        benchlib.RST_BEGIN, benchlib.RST_END, benchlib.PROGRESS_RST_BEGIN, benchlib.PROGRESS_RST_END)
    page.write_text(original)
    monkeypatch.setattr(bench, "DOCS_PAGE", str(page))
    monkeypatch.setattr(bench, "log", lambda message: None)
    bench.update_docs(good_progress())
    text = page.read_text()
    assert "\nMAIN\n" in text and "STALE" not in text and "default over none" in text
    page.write_text(original)
    with pytest.raises(bench.benchlib.BenchmarkError):  # bench.py imports benchlib by path: its own class
        bench.update_docs(dict(schema=benchlib.SCHEMA))
    assert page.read_text() == original


# --- arguments ----------------------------------------------------------------------------------------------------


def test_progress_is_a_step_of_the_default_run_with_the_issue_settings():
    args = bench.parse_args([])
    assert "progress" in args.only
    assert args.progress_wait == 300.0 and args.progress_short_wait == 60.0 and args.progress_reps == 1
    assert args.progress_sequential is False
    assert bench.parse_args(["--only", "progress", "--progress-sequential"]).only == {"progress"}


@pytest.mark.parametrize("argv", [["--only", "progres"], ["--progress-wait", "0"], ["--progress-short-wait", "-1"],
                                  ["--progress-reps", "0"]])
def test_arguments_refuse_unknown_steps_and_nonsense_waits(argv, capsys):
    with pytest.raises(SystemExit):
        bench.parse_args(argv)
    assert "error" in capsys.readouterr().err


# --- what main() writes -------------------------------------------------------------------------------------------


class FakeLauncher:
    def __init__(self, python):
        self.python = python

    def own_rss_mb(self):
        return 12.0

    def stop(self):
        pass


def run_main(monkeypatch, tmp_path, results, argv):
    class FakeBench:
        def __init__(self, args):
            self.args = args

        def run(self):
            return results

    plotted = []
    monkeypatch.setattr(bench, "ensure_venv", lambda: sys.executable)
    monkeypatch.setattr(bench, "VENV", sys.prefix)
    monkeypatch.setattr(bench, "Launcher", FakeLauncher)
    monkeypatch.setattr(bench, "Bench", FakeBench)
    monkeypatch.setattr(bench, "plot", lambda data, path: plotted.append(path))
    monkeypatch.setattr(bench, "log", lambda message: None)
    assert bench.main(argv + ["--output", str(tmp_path)]) == 0
    return plotted


def test_main_writes_progress_alone_as_progress_files(monkeypatch, tmp_path, capsys):
    results = good_progress()
    results.update(step_seconds=dict(progress=372.5), duration_seconds=380.0)
    run_main(monkeypatch, tmp_path, results, ["--only", "progress"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["partial.json", "progress.json", "progress.md"]
    document = json.loads((tmp_path / "progress.json").read_text())
    assert document["targets"][0]["name"] == "progress_overhead" and document["duration_seconds"] == 372.5
    assert "| default over none | 300 |" in (tmp_path / "progress.md").read_text()
    assert "progress overhead" in capsys.readouterr().out


def test_main_writes_a_complete_run_with_progress_as_latest_and_progress(monkeypatch, tmp_path):
    results = good_results()
    results.update(progress=good_progress()["progress"], step_seconds=dict(progress=372.5))
    results["settings"].update(good_progress()["settings"])
    results["machine"].update(good_progress()["machine"])
    plotted = run_main(monkeypatch, tmp_path, results, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json", "latest.md", "progress.json", "progress.md"]
    assert plotted == [str(tmp_path / "latest.png")]
    latest = json.loads((tmp_path / "latest.json").read_text())
    assert latest["targets"][-1]["name"] == "progress_overhead"
    assert "progress at the default interval" in (tmp_path / "latest.md").read_text()


def test_main_refuses_a_broken_progress_measurement(monkeypatch, tmp_path):
    results = good_progress()
    results["progress"]["none"]["lines"] = series([3])
    with pytest.raises(bench.benchlib.BenchmarkError):
        run_main(monkeypatch, tmp_path, results, ["--only", "progress"])
    assert not (tmp_path / "progress.json").exists()
