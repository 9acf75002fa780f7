# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pure functions of the hwc.dcs benchmark: statistics, schedules, floors, request-log analysis,
result validation, target evaluation and the Markdown report.

Standard library only and free of I/O, so that ``tests/unit/benchmarks`` can check that a broken
measurement fails loudly instead of printing nonsense. ``benchmarks/bench.py`` does the measuring.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

SCHEMA = "hwc.dcs-benchmark/1"
MIN_REPETITIONS = 5
SCALING_SIZES = (1, 10, 100, 500)

# Every series the report needs; validation refuses a result without one of them.
REQUIRED_SERIES = {
    "per_request": ("collection", "sdk"),
    "cold_start": ("module_ansiballz", "sdk_script", "import_dcs_job_info", "import_ping"),
    "playbook": ("empty", "dcs_job_info", "uri"),
    "fanin": ("one_task", "loop_tasks", "uri_until"),
}

# The targets: name -> (description, comparison, limit). The client's CPU is compared with the SDK's as it is (both
# ride on requests); the fan-in's advantage is the controller's CPU (the jobs run in parallel whatever the playbook
# does, so wall time is set by the last job).
TARGETS = (
    ("per_request_cpu", "client CPU per request: collection / SDK (below the SDK's)", "<", 1.0),
    ("cold_start_wall", "cold start wall time: module (AnsiballZ) / SDK script", "<=", 0.7),
    ("playbook_per_task", "per task wall time: dcs_job_info / uri", "<=", 1.2),
    ("fanin_floor_gap", "fan-in one task: seconds over the floor (last end + wait_sleep)", "<=", 1.0),
    ("fanin_cpu_vs_loop", "fan-in controller CPU: one task / loop of waiting tasks", "<=", 0.2),
    ("fanin_repolls", "fan-in one task: polls of jobs already seen finished", "==", 0),
    ("detection_latency", "detection latency median, seconds (limit: wait_sleep + 0.5)", "<=", None),
)


class BenchmarkError(ValueError):
    """A measurement or a result that cannot be right."""


def _check_number(value, what, allow_zero=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BenchmarkError("%s is not a number: %r" % (what, value))
    if math.isnan(value) or math.isinf(value):
        raise BenchmarkError("%s is not finite: %r" % (what, value))
    if value < 0 or (value == 0 and not allow_zero):
        raise BenchmarkError("%s must be %s, got %r" % (what, "non-negative" if allow_zero else "positive", value))
    return value


def median(values, what="samples"):
    """The median of finite, non-negative numbers; refuses an empty list."""
    values = list(values)
    if not values:
        raise BenchmarkError("no %s to take the median of" % what)
    for index, value in enumerate(values):
        _check_number(value, "%s[%d]" % (what, index))
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def summarize(values, what="samples"):
    """Median, min, max and count of the repetitions of one series."""
    values = list(values)
    return dict(median=median(values, what), min=float(min(values)), max=float(max(values)), n=len(values),
                samples=[round(float(v), 6) for v in values])


def ratio(numerator, denominator, what="ratio"):
    """numerator / denominator, refusing a zero, negative or non-finite denominator."""
    _check_number(numerator, "%s numerator" % what)
    _check_number(denominator, "%s denominator" % what, allow_zero=False)
    return numerator / float(denominator)


def spread_offsets(count, spread, base=0.0):
    """Seconds after the start at which each of ``count`` jobs ends: evenly spread up to base + spread.

    Job k (0-based) ends at base + spread * (k + 1) / count, so the last one ends at base + spread.
    """
    if count < 1:
        raise BenchmarkError("a schedule needs at least one job, got %r" % (count,))
    _check_number(spread, "spread")
    _check_number(base, "base")
    return [round(base + spread * (k + 1) / float(count), 6) for k in range(count)]


def phase_offsets(repetitions, period):
    """Evenly spread phases in [0, period): repetition r is shifted by period * (r + 0.5) / repetitions.

    A job's end falls at a different point of the poll cycle in each repetition, so the detection
    latency's median covers the whole cycle instead of one lucky or unlucky phase.
    """
    if repetitions < 1:
        raise BenchmarkError("need at least one repetition")
    _check_number(period, "period", allow_zero=False)
    return [round(period * (r + 0.5) / repetitions, 6) for r in range(repetitions)]


def lifecycle(end_offset, running_at=0.0):
    """The emulator lifecycle of a job that runs and succeeds ``end_offset`` seconds after its first query."""
    _check_number(end_offset, "end offset", allow_zero=False)
    return [[running_at, "RUNNING"], [end_offset, "SUCCESS"]]


def floor_seconds(end_offsets, wait_sleep):
    """The physical floor of waiting: the last job's end plus one poll interval."""
    ends = list(end_offsets)
    if not ends:
        raise BenchmarkError("no job end times for the floor")
    for index, value in enumerate(ends):
        _check_number(value, "end offset[%d]" % index)
    _check_number(wait_sleep, "wait_sleep", allow_zero=False)
    return max(ends) + wait_sleep


def job_polls(log_entries, prefix="/v2/"):
    """{job_id: sorted request times} from the emulator's request log (job queries only)."""
    polls = {}
    for entry in log_entries:
        path = entry.get("path") or ""
        if not path.startswith(prefix) or "/jobs/" not in path:
            continue
        job_id = path.rsplit("/", 1)[-1]
        polls.setdefault(job_id, []).append(float(entry["time"]))
    for times in polls.values():
        times.sort()
    return polls


def repoll_report(polls, ends, margin=0.05):
    """Check from the request log that no job is polled again once a poll has seen it finished.

    ``polls``: {job_id: request arrival times}; ``ends``: {job_id: absolute time the job turned terminal}.
    A poll that arrives ``margin`` seconds or more after the end certainly sees the terminal status; only
    one such poll per job is allowed. Returns dict(repolls=N, unseen=[jobs never polled after their end],
    per_job={job_id: polls}).
    """
    repolls = 0
    unseen = []
    per_job = {}
    for job_id, end in sorted(ends.items()):
        times = polls.get(job_id, [])
        per_job[job_id] = len(times)
        after = [t for t in times if t >= end + margin]
        repolls += max(0, len(after) - 1)
        if not any(t >= end - margin for t in times):
            unseen.append(job_id)
    return dict(repolls=repolls, unseen=unseen, per_job=per_job)


def detection_latency(returned_at, end_times_ms):
    """Seconds from the last job turning terminal (its ``end_time``, ms since the epoch) to the module's return."""
    ends = [float(e) / 1000.0 for e in end_times_ms if e not in (None, "")]
    if not ends or len(ends) != len(list(end_times_ms)):
        raise BenchmarkError("a job has no end_time: it did not finish")
    latency = returned_at - max(ends)
    if latency < -0.05:
        raise BenchmarkError("the module returned %.3f s before the last job ended: clocks disagree" % -latency)
    return max(0.0, latency)


def _series_problems(name, series, min_reps, positive=("wall",)):
    problems = []
    if not isinstance(series, dict):
        return ["%s is missing" % name]
    for key, stats in series.items():
        if not isinstance(stats, dict) or "median" not in stats:
            continue
        where = "%s.%s" % (name, key)
        samples = stats.get("samples") or []
        if stats.get("n", 0) < min_reps or len(samples) < min_reps:
            problems.append("%s has %d repetitions, fewer than %d" % (where, len(samples), min_reps))
        for value in samples:
            try:
                _check_number(value, where)
            except BenchmarkError as error:
                problems.append(str(error))
        if any(key.startswith(p) for p in positive) and not stats["median"] > 0:
            problems.append("%s median is %r; a real measurement takes time" % (where, stats["median"]))
    return problems


def validate(results, min_reps=MIN_REPETITIONS):
    """Raise BenchmarkError listing every reason the results cannot be right; return them when they can."""
    problems = []
    if not isinstance(results, dict) or results.get("schema") != SCHEMA:
        raise BenchmarkError("not a %s result" % SCHEMA)
    for section, variants in REQUIRED_SERIES.items():
        data = results.get(section)
        if not isinstance(data, dict):
            problems.append("section %s is missing" % section)
            continue
        for variant in variants:
            series = data.get(variant)
            if not isinstance(series, dict):
                problems.append("series %s.%s is missing" % (section, variant))
                continue
            problems.extend(_series_problems("%s.%s" % (section, variant), series, min_reps,
                                             positive=("wall", "cpu", "requests", "import")))
            if section in ("per_request", "fanin") or (section == "playbook" and variant != "empty"):
                requests = series.get("requests", {}).get("median") if isinstance(series.get("requests"), dict) else None
                if not requests or requests <= 0:
                    problems.append("%s.%s made no requests: the measurement did not reach the emulator" % (section, variant))
    one_task = (results.get("fanin") or {}).get("one_task")
    if isinstance(one_task, dict) and not isinstance(one_task.get("repolls_total"), dict):
        problems.append("fanin.one_task has no re-poll count from the request log")
    scaling = results.get("scaling")
    if not isinstance(scaling, dict):
        problems.append("section scaling is missing")
    else:
        previous = 0
        for size in SCALING_SIZES:
            series = scaling.get(str(size))
            if not isinstance(series, dict):
                problems.append("scaling series for %d jobs is missing" % size)
                continue
            problems.extend(_series_problems("scaling.%d" % size, series, min_reps, positive=("wall", "requests", "rss")))
            requests = (series.get("requests") or {}).get("median", 0)
            if requests < size:
                problems.append("scaling.%d made %r requests, fewer than one per job" % (size, requests))
            if requests < previous:
                problems.append("scaling.%d made fewer requests than a smaller size" % size)
            previous = requests
    floor = (results.get("machine") or {}).get("launcher_rss_mb")
    if floor:
        for section in ("cold_start", "scaling"):
            for variant, series in (results.get(section) or {}).items():
                rss = series.get("rss_mb") if isinstance(series, dict) else None
                if isinstance(rss, dict) and rss.get("min", 0) <= floor:
                    problems.append("%s.%s peak RSS %.1f MB is not above the launcher's own %.1f MB: it was not measured"
                                    % (section, variant, rss["min"], floor))
    detection = results.get("detection")
    if not isinstance(detection, dict) or not detection.get("samples"):
        problems.append("section detection is missing")
    elif len(detection["samples"]) < min_reps:
        problems.append("detection has %d samples, fewer than %d" % (len(detection["samples"]), min_reps))
    if problems:
        raise BenchmarkError("the benchmark results cannot be right:\n  - " + "\n  - ".join(problems))
    return results


def _met(value, comparison, limit):
    if comparison == "<":
        return value < limit
    if comparison == "<=":
        return value <= limit
    if comparison == "==":
        return value == limit
    raise BenchmarkError("unknown comparison %r" % comparison)


def evaluate_targets(values, wait_sleep):
    """[{name, description, value, comparison, limit, met}] for the issue's targets, from derived values."""
    rows = []
    for name, description, comparison, limit in TARGETS:
        if name == "detection_latency":
            limit = wait_sleep + 0.5
        if name not in values:
            raise BenchmarkError("no value for target %s" % name)
        value = values[name]
        _check_number(value, name)
        rows.append(dict(name=name, description=description, value=round(value, 4), comparison=comparison,
                         limit=limit, met=bool(_met(value, comparison, limit))))
    return rows


def _fmt(value, unit=""):
    if value is None:
        return "-"
    if isinstance(value, float):
        text = "%.3f" % value if abs(value) < 100 else "%.1f" % value
    else:
        text = str(value)
    return text + unit


def render_markdown(results):
    """The Markdown report: machine, settings, one table per benchmark, targets."""
    out = []
    machine = results.get("machine", {})
    settings = results.get("settings", {})
    out.append("# hwc.dcs benchmark results")
    out.append("")
    out.append("Run %s on %s (%s CPUs, Python %s, ansible-core %s, huaweicloudsdkdcs %s); emulator latency %s s "
               "per request, wait_sleep %s s, %s repetitions (medians). The run took %s s." % (
                   results.get("started_at", "?"), machine.get("cpu_model", "?"), machine.get("cpus", "?"),
                   machine.get("python", "?"), machine.get("ansible_core", "?"), machine.get("sdk", "?"),
                   settings.get("latency"), settings.get("wait_sleep"), settings.get("repetitions"),
                   _fmt(results.get("duration_seconds"))))
    out.append("")
    out.append("## Targets")
    out.append("")
    out.append("| target | measured | limit | met |")
    out.append("|---|---|---|---|")
    for row in results.get("targets", []):
        met = "yes" if row["met"] else "**no**"
        out.append("| %s | %s | %s %s | %s |" % (row["description"], _fmt(row["value"]), row["comparison"], _fmt(row["limit"]), met))
    out.append("")
    for title, section, columns in (
        ("1. Per request, client side (%s requests per repetition)" % settings.get("per_request_count"), "per_request",
         (("wall_ms", "wall ms/request"), ("cpu_ms", "CPU ms/request"), ("requests", "requests"))),
        ("2. Cold start (fresh process, one query) and import time (fresh interpreter)", "cold_start",
         (("wall", "wall s"), ("cpu", "CPU s"), ("rss_mb", "peak RSS MB"), ("import_ms", "import ms"),
          ("modules", "modules imported"))),
        ("3. Whole playbook (10 tasks)", "playbook",
         (("wall", "wall s"), ("per_task_wall", "wall s/task over empty"), ("cpu", "controller CPU s"),
          ("per_task_cpu", "CPU s/task over empty"), ("requests", "job requests"))),
        ("4. Fan-in (50 jobs ending over %s s)" % settings.get("fanin_spread"), "fanin",
         (("wall", "wall s from job start"), ("floor", "floor s"), ("playbook_wall", "playbook wall s"), ("cpu", "controller CPU s"),
          ("requests", "job requests"), ("repolls_total", "re-polls of finished jobs"))),
    ):
        data = results.get(section) or {}
        out.append("## " + title)
        out.append("")
        out.append("| variant | " + " | ".join(label for _key, label in columns) + " |")
        out.append("|---|" + "---|" * len(columns))
        for variant, series in data.items():
            if not isinstance(series, dict) or variant.startswith("_"):
                continue
            cells = []
            for key, _label in columns:
                stats = series.get(key)
                cells.append(_fmt(stats.get("median")) if isinstance(stats, dict) else _fmt(stats))
            out.append("| %s | %s |" % (variant, " | ".join(cells)))
        for key, value in sorted((data.get("_ratios") or {}).items()):
            out.append("")
            out.append("- ratio %s: **%s**" % (key, _fmt(value)))
        out.append("")
    scaling = results.get("scaling") or {}
    out.append("## 6./7. Scaling, memory and detection latency (one task, wait)")
    out.append("")
    out.append("| jobs | wall s | job requests | requests/job | detection s | CPU s | peak RSS MB |")
    out.append("|---|---|---|---|---|---|---|")
    for size in SCALING_SIZES:
        series = scaling.get(str(size)) or {}
        cells = [_fmt((series.get(k) or {}).get("median")) for k in ("wall", "requests", "requests_per_job", "detection", "cpu", "rss_mb")]
        out.append("| %d | %s |" % (size, " | ".join(cells)))
    detection = results.get("detection") or {}
    out.append("")
    out.append("Detection latency over all scaling runs: median %s s (n=%s, max %s s)." % (
        _fmt(detection.get("median")), detection.get("n"), _fmt(detection.get("max"))))
    out.append("")
    return "\n".join(out)


RST_BEGIN = ".. BEGIN GENERATED RESULTS (benchmarks/bench.py --update-docs)"
RST_END = ".. END GENERATED RESULTS"


def _rst_table(header, rows):
    out = [".. list-table::", "  :header-rows: 1", ""]
    for row in [header] + rows:
        out.append("  * - " + str(row[0]))
        out.extend("    - " + str(cell) for cell in row[1:])
    out.append("")
    return out


def _med(series, key):
    stats = (series or {}).get(key)
    return _fmt(stats.get("median")) if isinstance(stats, dict) else "-"


def render_rst(results):
    """The results block of docs/docsite/rst/guide_benchmarks.rst (between RST_BEGIN and RST_END)."""
    machine, settings = results.get("machine", {}), results.get("settings", {})
    out = [RST_BEGIN, ""]
    out.append("Run of %s on %s (%s CPUs, Linux %s), Python %s, ansible-core %s, huaweicloudsdkdcs %s, requests %s; "
               "emulator latency %s s per request, ``wait_sleep`` %s s. The measurements took %s s (building the virtualenv not included)." % (
                   results.get("started_at"), machine.get("cpu_model"), machine.get("cpus"), machine.get("kernel"),
                   machine.get("python"), machine.get("ansible_core"), machine.get("sdk"), machine.get("requests"),
                   settings.get("latency"), settings.get("wait_sleep"), _fmt(results.get("duration_seconds"))))
    out.append("")
    out.append("Targets")
    out.append("^^^^^^^")
    out.append("")
    out.extend(_rst_table(["Target", "Measured", "Limit", "Met"], [
        [row["description"], _fmt(row["value"]), "%s %s" % (row["comparison"], _fmt(row["limit"])),
         "yes" if row["met"] else "**no**"] for row in results.get("targets", [])]))
    per_request = results.get("per_request") or {}
    out.extend(["Per request (client side)", "^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Client", "Wall ms per request", "CPU ms per request"], [
        [name, _med(per_request.get(name), "wall_ms"), _med(per_request.get(name), "cpu_ms")]
        for name in ("collection", "sdk", "prototype_http_client") if name in per_request]))
    cold = results.get("cold_start") or {}
    out.extend(["Cold start (one query in a fresh process)", "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Variant", "Wall s", "CPU s", "Peak RSS MB"], [
        [name, _med(cold.get(name), "wall"), _med(cold.get(name), "cpu"), _med(cold.get(name), "rss_mb")]
        for name in ("module_ansiballz", "sdk_script", "module_python_m", "ping_ansiballz") if name in cold]))
    out.extend(["Import time (one module in a fresh interpreter)", "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Module", "Import ms", "Modules imported"], [
        [label, _med(cold.get(name), "import_ms"), _med(cold.get(name), "modules")]
        for name, label in (("import_dcs_job_info", "hwc.dcs.dcs_job_info"), ("import_ping", "ansible.builtin.ping")) if name in cold]))
    playbook = results.get("playbook") or {}
    out.extend(["Whole playbook (10 tasks)", "^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Playbook", "Wall s", "Controller CPU s", "Wall s per task", "CPU s per task"], [
        [name, _med(playbook.get(name), "wall"), _med(playbook.get(name), "cpu"), _med(playbook.get(name), "per_task_wall"),
         _med(playbook.get(name), "per_task_cpu")] for name in ("empty", "dcs_job_info", "uri") if name in playbook]))
    fanin = results.get("fanin") or {}
    out.extend(["Fan-in (%s jobs ending over %s s)" % (settings.get("fanin_jobs"), settings.get("fanin_spread")),
                "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Variant", "Wall s from job start", "Floor s", "Controller CPU s", "Job requests",
                           "Polls of finished jobs"], [
        [name, _med(fanin.get(name), "wall"), _med(fanin.get(name), "floor"), _med(fanin.get(name), "cpu"),
         _med(fanin.get(name), "requests"), _med(fanin.get(name), "repolls_total")]
        for name in ("one_task", "loop_tasks", "uri_until") if name in fanin]))
    scaling = results.get("scaling") or {}
    out.extend(["Scaling, detection latency and memory (one waiting task)", "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^", ""])
    out.extend(_rst_table(["Jobs", "Wall s", "Job requests", "Requests per job", "Detection s", "CPU s", "Peak RSS MB"], [
        [size] + [_med(scaling.get(str(size)), k) for k in ("wall", "requests", "requests_per_job", "detection", "cpu", "rss_mb")]
        for size in SCALING_SIZES]))
    detection = results.get("detection") or {}
    out.append("Detection latency over all %s scaling runs: median %s s, maximum %s s." % (
        detection.get("n"), _fmt(detection.get("median")), _fmt(detection.get("max"))))
    out.extend(["", RST_END])
    return "\n".join(out)


def replace_block(text, block, begin_marker=RST_BEGIN, end_marker=RST_END):
    """``text`` with the generated block between ``begin_marker`` and ``end_marker`` replaced by ``block``."""
    begin, end = text.find(begin_marker), text.find(end_marker)
    if begin < 0 or end < begin:
        raise BenchmarkError("the page has no %r ... %r block" % (begin_marker, end_marker))
    return text[:begin] + block + text[end + len(end_marker):]


# --- progress overhead (benchmark 8) ----------------------------------------------------------------------------

# name -> (progress_interval the task sets, None: unset, that is the default; the wait it measures; its baseline).
# The baselines run the same wait with progress_interval 0: one uninterrupted module run, no line printed.
PROGRESS_VARIANTS = (
    ("default", None, "long", "none"),
    ("none", 0, "long", None),
    ("interval_5", 5, "short", "none_short"),
    ("none_short", 0, "short", None),
)
PROGRESS_DEFAULT_INTERVAL = 30
PROGRESS_TARGET_PERCENT = 2.0
PROGRESS_LINE_PREFIX = "hwc.dcs ["
PROGRESS_RST_BEGIN = ".. BEGIN GENERATED PROGRESS RESULTS (benchmarks/bench.py --update-docs)"
PROGRESS_RST_END = ".. END GENERATED PROGRESS RESULTS"


def progress_lines(output):
    """The progress lines in ansible-playbook's output: those that begin with ``hwc.dcs [HOST]: ``."""
    return [line.rstrip() for line in output.splitlines() if line.startswith(PROGRESS_LINE_PREFIX) and "]: " in line]


def registered_result(text, what="the registered result"):
    """The task result the progress playbook wrote (JSON): its ``elapsed``, ``polls`` and ``retries``, checked."""
    try:
        result = json.loads(text)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        raise BenchmarkError("%s is not a JSON object: %r" % (what, text[:200]))
    if result.get("failed"):
        raise BenchmarkError("%s failed: %s" % (what, result.get("msg")))
    leaked = [key for key in result if key.startswith("_hwc_dcs_")]
    if leaked:
        raise BenchmarkError("%s carries the private keys %s" % (what, ", ".join(sorted(leaked))))
    out = {}
    for key in ("elapsed", "polls", "retries"):
        out[key] = _check_number(result.get(key), "%s %s" % (what, key))
    job = result.get("job") if isinstance(result.get("job"), dict) else {}
    if job.get("status") != "SUCCESS":
        raise BenchmarkError("%s: the job ended %r, not SUCCESS" % (what, job.get("status")))
    return out


def progress_overhead(run, baseline, wait_seconds):
    """What progress costs over the uninterrupted baseline (medians of both series), in seconds and requests,
    and as a percentage: wall, CPU and the module's ``elapsed`` of the wait, requests of the baseline's requests.

    ``met`` is True when wall, CPU and requests each stay below PROGRESS_TARGET_PERCENT (a negative overhead is
    below it).
    """
    _check_number(wait_seconds, "wait seconds", allow_zero=False)
    out = {}
    for key, unit in (("wall", "s"), ("cpu", "s"), ("elapsed", "s"), ("requests", "")):
        for name, series in (("run", run), ("baseline", baseline)):
            if not isinstance(series.get(key), dict) or "median" not in series[key]:
                raise BenchmarkError("the %s has no %s series" % (name, key))
        difference = run[key]["median"] - baseline[key]["median"]
        whole = wait_seconds if unit else baseline[key]["median"]
        _check_number(whole, "the baseline's %s" % key, allow_zero=False)
        out[key] = round(difference, 6)
        out[key + "_pct"] = round(100.0 * difference / whole, 6)
    out["wait"] = float(wait_seconds)
    out["limit_pct"] = PROGRESS_TARGET_PERCENT
    out["met"] = bool(all(out[key + "_pct"] < PROGRESS_TARGET_PERCENT for key in ("wall", "cpu", "requests")))
    return out


def validate_progress(results, min_reps=1):
    """Raise BenchmarkError listing every reason the progress section cannot be right; return the results."""
    if not isinstance(results, dict) or results.get("schema") != SCHEMA:
        raise BenchmarkError("not a %s result" % SCHEMA)
    section = results.get("progress")
    if not isinstance(section, dict):
        raise BenchmarkError("the benchmark results cannot be right:\n  - section progress is missing")
    problems = []
    waits = section.get("_waits") or {}
    for name, interval, which, baseline in PROGRESS_VARIANTS:
        series = section.get(name)
        if series is None and which == "short" and "interval_5" not in section and "none_short" not in section:
            continue  # the short pair was skipped (--progress-short-wait 0)
        if not isinstance(series, dict):
            problems.append("series progress.%s is missing" % name)
            continue
        where = "progress.%s" % name
        problems.extend(_series_problems(where, series, min_reps, positive=("wall", "cpu", "requests", "elapsed", "polls")))
        wait = waits.get(which)
        try:
            _check_number(wait, "the %s wait" % which, allow_zero=False)
        except BenchmarkError as error:
            problems.append(str(error))
            continue
        stats = dict((key, (series.get(key) or {}).get("samples") or []) for key in ("requests", "polls", "elapsed", "lines"))
        if stats["requests"] != stats["polls"]:
            problems.append("%s: the emulator saw %r job requests, the module reports %r polls" % (where, stats["requests"], stats["polls"]))
        if any(value < wait - 0.1 for value in stats["elapsed"]):
            problems.append("%s: the module's elapsed %r is shorter than the %g s the job ran" % (where, stats["elapsed"], wait))
        if interval == 0 and any(stats["lines"]):
            problems.append("%s printed progress lines with progress_interval 0: %r" % (where, stats["lines"]))
        if interval != 0 and not all(stats["lines"]):
            problems.append("%s printed no progress line during a %g s wait" % (where, wait))
        if baseline is not None and not isinstance((section.get("_overhead") or {}).get(name), dict):
            problems.append("progress._overhead.%s is missing" % name)
    if problems:
        raise BenchmarkError("the benchmark results cannot be right:\n  - " + "\n  - ".join(problems))
    return results


def progress_target(results):
    """The target row (as evaluate_targets returns them) of the progress overhead at the default interval."""
    overhead = results["progress"]["_overhead"]["default"]
    value = max(overhead["wall_pct"], overhead["cpu_pct"], overhead["requests_pct"])
    return dict(name="progress_overhead", description="progress at the default interval (30 s): largest overhead of wall, "
                "controller CPU and requests, %% of the wait (requests: %% of the uninterrupted run's)",
                value=round(value, 4), comparison="<", limit=PROGRESS_TARGET_PERCENT, met=bool(overhead["met"]))


_PROGRESS_COLUMNS = (("wall", "wall s"), ("cpu", "controller CPU s"), ("elapsed", "module elapsed s"), ("polls", "module polls"),
                     ("requests", "job requests (emulator)"), ("lines", "progress lines"))


def _progress_label(name):
    interval = dict((n, i) for n, i, _w, _b in PROGRESS_VARIANTS)[name]
    return "unset (default %d s)" % PROGRESS_DEFAULT_INTERVAL if interval is None else "%d" % interval


def _number(value):
    """A count as an integer, a time with two decimals, a missing value as '-'."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "-"
    return "%d" % value if float(value).is_integer() else "%.2f" % value


def _progress_rows(section):
    waits = section.get("_waits") or {}
    rows = []
    for name, _interval, which, _baseline in PROGRESS_VARIANTS:
        series = section.get(name)
        if isinstance(series, dict):
            rows.append([name, _progress_label(name), _number(waits.get(which))] +
                        [_number((series.get(key) or {}).get("median")) for key, _label in _PROGRESS_COLUMNS])
    return rows


def _overhead_rows(section):
    waits = section.get("_waits") or {}
    rows = []
    for name, _interval, which, baseline in PROGRESS_VARIANTS:
        overhead = (section.get("_overhead") or {}).get(name)
        if baseline is None or not isinstance(overhead, dict):
            continue
        rows.append(["%s over %s" % (name, baseline), _number(waits.get(which)),
                     "%+.2f s (%+.2f %%)" % (overhead["wall"], overhead["wall_pct"]),
                     "%+.2f s (%+.2f %%)" % (overhead["cpu"], overhead["cpu_pct"]),
                     "%+d (%+.2f %%)" % (round(overhead["requests"]), overhead["requests_pct"]),
                     "%+.2f s (%+.2f %%)" % (overhead["elapsed"], overhead["elapsed_pct"]),
                     "yes" if overhead["met"] else "**no**"])
    return rows


_OVERHEAD_HEADER = ["Progress over none", "Wait s", "Wall", "Controller CPU", "Job requests", "Module elapsed", "Below 2 %"]


def _progress_intro(results):
    settings, machine = results.get("settings", {}), results.get("machine", {})
    return ("Run of %s on %s (%s CPUs), ansible-core %s; emulator latency %s s per request, ``wait_sleep`` 5 s (the "
            "default), %s repetition(s) (medians); the runs of each wait ran %s." % (
                results.get("started_at"), machine.get("cpu_model"), machine.get("cpus"), machine.get("ansible_core"),
                settings.get("latency"), settings.get("progress_repetitions"), settings.get("progress_mode")))


def render_progress_markdown(results):
    """The Markdown report of the progress overhead (benchmarks/results/progress.md)."""
    section = results.get("progress") or {}
    out = ["# hwc.dcs benchmark: progress overhead", "", _progress_intro(results).replace("``", "`"), ""]
    out.append("| variant | progress_interval | wait s | " + " | ".join(label for _key, label in _PROGRESS_COLUMNS) + " |")
    out.append("|---|---|---|" + "---|" * len(_PROGRESS_COLUMNS))
    out.extend("| %s |" % " | ".join(row) for row in _progress_rows(section))
    out.append("")
    out.append("| %s |" % " | ".join(_OVERHEAD_HEADER))
    out.append("|---|---|---|---|---|---|---|")
    out.extend("| %s |" % " | ".join(row) for row in _overhead_rows(section))
    out.append("")
    out.append("Percentages: wall, CPU and elapsed of the wait; requests of the uninterrupted run's requests.")
    out.append("")
    return "\n".join(out)


def render_progress_rst(results):
    """The progress block of docs/docsite/rst/guide_benchmarks.rst (between PROGRESS_RST_BEGIN and PROGRESS_RST_END)."""
    section = results.get("progress") or {}
    out = [PROGRESS_RST_BEGIN, "", _progress_intro(results), ""]
    out.extend(_rst_table(["Variant", "progress_interval", "Wait s"] + [label[0].upper() + label[1:] for _key, label in _PROGRESS_COLUMNS],
                          _progress_rows(section)))
    out.extend(_rst_table(_OVERHEAD_HEADER, _overhead_rows(section)))
    out.append("Percentages: wall, CPU and elapsed of the wait; job requests of the uninterrupted run's requests.")
    out.extend(["", PROGRESS_RST_END])
    return "\n".join(out)
