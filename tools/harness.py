# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test harness behind ``make test``.

For one ansible-core release it:

1. finds a Python that the release supports (PATH first, then pyenv) and keeps a
   virtualenv ``.venv-<release>`` with the pinned ``tools/requirements-<release>.txt``
   (rebuilt only when that file or the interpreter changes);
2. ``ecosystem``: runs the ecosystem checks (tools/ecosystem_check.py);
   ``lint``: the code quality gates (ruff, yamllint) on the source tree;
3. ``build``: builds the collection tarball with ``ansible-galaxy collection build``, checks that
   it holds no development artefacts, and installs it under
   ``.build/<release>/ansible_collections/hwc/dcs``; checks that there are no sanity ignore files;
4. provides ansible-test's pip bootstrap script when it cannot be downloaded;
5. ``sanity``: runs ``ansible-test sanity --venv`` twice: from a checkout (a copy of the files git
   sees, placed at ``.build/<release>/checkout/ansible_collections/hwc/dcs``, as a contributor runs
   it), and in the installed tarball;
   ``units``: ``ansible-test units --venv`` in the installed tarball, and the tests of the tools
   (tests/unit/tools, not in the tarball) in the checkout copy;
   ``integration``: ``ansible-test integration --venv`` at -vvvv, and a scan of its output for secrets;
6. ``hostile``: the hostile-server suite (tests/hostile) with the release virtualenv's pytest in the
   installed tree;
   ``progress``: the live-progress suite (tests/progress: real ansible-playbook and ansible-runner runs
   against the emulator) the same way;
7. prints a closing ``N passed, N failed, N skipped`` line counted from the junit
   and JSON results, and exits non-zero when anything failed.

It needs only the standard library of Python 3.8 or newer.
"""

import argparse
import base64
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)

from devlib import collection  # noqa: E402  pylint: disable=wrong-import-position
from devlib.console import ToolError, fail, log  # noqa: E402  pylint: disable=wrong-import-position
from devlib.interpreters import find_python  # noqa: E402  pylint: disable=wrong-import-position
from devlib.venvs import ensure_venv  # noqa: E402  pylint: disable=wrong-import-position

ROOT = os.path.dirname(TOOLS)
PROBES = os.path.join(TOOLS, "probes")

# ansible-core release -> controller Pythons to try, in order of preference, and
# the extra Python versions to run the unit tests on (modules support 3.8+;
# ansible-core 2.16 still runs target-side unit tests on 3.8, 2.21 no longer does).
RELEASES = {
    "2.16": {"pythons": ["3.11"], "extra_units": ["3.8"]},
    "2.21": {"pythons": ["3.12", "3.13"], "extra_units": []},
}
DEFAULT_RELEASE = "2.21"
STAGES = ("ecosystem", "lint", "build", "sanity", "units", "integration", "hostile", "progress")
# Stages that need the installed tarball.
NEEDS_TREE = {"build", "sanity", "units", "integration", "hostile", "progress"}
# Unit tests of the tools: they test tools/, which the tarball leaves out, so they run in the checkout copy.
TOOLS_UNITS = "tools"
# ansible-test keeps its --venv controller virtualenvs here; kept when a tree is rebuilt.
DELEGATION = os.path.join("tests", "output", ".tmp", "delegation")

GET_PIP_URL = "https://ci-files.testing.ansible.com/ansible-test/get-pip-%s.py"
GET_PIP_CACHE = "~/.ansible/test/cache/get_pip_%s.py"
WHEEL_MARKER = "WHEEL = ()  # HWC-DCS-WHEEL"


# --- the release's virtualenv ---------------------------------------------------------------------------------------


def release_venv(release):
    """The virtualenv ``.venv-<release>`` (a devlib.venvs.VirtualEnv), created or refreshed when needed."""
    return ensure_venv(os.path.join(ROOT, ".venv-%s" % release), os.path.join(TOOLS, "requirements-%s.txt" % release),
                       RELEASES[release]["pythons"], "ansible-core %s" % release, required=("ansible-test", "pytest"),
                       root=ROOT)


# --- ansible-test pip bootstrap -------------------------------------------------------------------------------------


def bootstrap_pip_versions(python, python_versions):
    """The pip versions ansible-test bootstraps its --venv virtualenvs with, for these Python versions."""
    out = subprocess.check_output([python, os.path.join(PROBES, "ansible_test_pip.py")] + list(python_versions),
                                  universal_newlines=True)
    return json.loads(out)


def download_works(url):
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status == 200
    except Exception:  # noqa: BLE001  pylint: disable=broad-except  # any failure means ansible-test's own download fails too
        return False


def offline_get_pip(wheel_path):
    """The text of an offline get-pip.py embedding the pip wheel at ``wheel_path`` (tools/probes/get_pip_offline.py)."""
    with open(wheel_path, "rb") as handle:
        blob = handle.read()
    with open(os.path.join(PROBES, "get_pip_offline.py"), encoding="utf-8") as handle:
        template = handle.read()
    if template.count(WHEEL_MARKER) != 1:
        raise ToolError("tools/probes/get_pip_offline.py has no single %r line" % WHEEL_MARKER)
    encoded = base64.b85encode(blob).decode("ascii")
    data = "\n".join('    "%s"' % encoded[index:index + 100] for index in range(0, len(encoded), 100))
    header = "# Generated by hwc.dcs tools/harness.py from %s (sha256 %s).\n" % (
        os.path.basename(wheel_path), hashlib.sha256(blob).hexdigest())
    line = template[template.index(WHEEL_MARKER):].split("\n", 1)[0]
    return header + template.replace(line, "WHEEL = (\n%s\n)" % data)


def provide_get_pip(venv, python_versions):
    """Make ansible-test's pip bootstrap work offline: idempotent, and only when the download cannot work."""
    for pip_version in bootstrap_pip_versions(venv.python, python_versions):
        cache_path = os.path.expanduser(GET_PIP_CACHE % pip_version.replace(".", "_"))
        if os.path.exists(cache_path) and os.path.getsize(cache_path):
            log("pip %s bootstrap script present: %s" % (pip_version, cache_path))
            continue
        url = GET_PIP_URL % pip_version
        if download_works(url):
            log("pip %s bootstrap script is downloadable; ansible-test will fetch it itself" % pip_version)
            continue
        log("Cannot download %s; generating an equivalent from the pip %s wheel into %s" % (url, pip_version, cache_path))
        tmp = os.path.join(ROOT, ".build", "get-pip-%s" % pip_version)
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.check_call([venv.python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                               "--no-deps", "--only-binary", ":all:", "-d", tmp, "pip==%s" % pip_version])
        wheels = glob.glob(os.path.join(tmp, "pip-%s-*.whl" % pip_version))
        if len(wheels) != 1:
            raise ToolError("could not obtain the pip %s wheel (found %r)" % (pip_version, wheels))
        os.makedirs(os.path.dirname(cache_path), exist_ok=True)
        partial = cache_path + ".hwc-dcs"
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(offline_get_pip(wheels[0]))
        os.replace(partial, cache_path)
        shutil.rmtree(tmp, ignore_errors=True)


# --- running and counting -------------------------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.rows = []  # (stage, passed, failed, skipped, seconds, status)

    def add(self, stage, passed, failed, skipped, seconds, status=None):
        self.rows.append((stage, passed, failed, skipped, seconds, status))

    def add_status(self, stage, status, seconds):
        """One check that passes when ``status`` is 0."""
        self.add(stage, int(status == 0), int(status != 0), 0, seconds, status)

    def totals(self):
        return tuple(sum(row[index] for row in self.rows) for index in (1, 2, 3))


def run_logged(command, cwd, env, log_path, echo=True):
    """Run ``command`` streaming its output to the terminal (unless not ``echo``) and to ``log_path``.

    Returns (status, output). Without ``echo``, the last lines are shown when the command fails.
    """
    print("$ %s%s" % (" ".join(command), "" if echo else "  (output in %s)" % log_path), flush=True)
    output = []
    with open(log_path, "w", encoding="utf-8") as log_file:
        with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, universal_newlines=True, errors="replace", bufsize=1) as process:
            for line in process.stdout:
                if echo:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                log_file.write(line)
                output.append(line)
            status = process.wait()
    if not echo:
        lines = [line for line in output if not line.startswith("<")]  # skip -vvvv connection chatter
        sys.stdout.write("".join(lines[-150:] if status else lines[-5:]))
    return status, "".join(output)


def count_junit(paths):
    """(passed, failed, skipped) test cases in junit XML files; a file that does not parse counts as one failure."""
    passed = failed = skipped = 0
    for path in paths:
        try:
            tree = ET.parse(path)
        except ET.ParseError:
            failed += 1
            continue
        for case in tree.iter("testcase"):
            tags = {child.tag for child in case}
            if tags & {"failure", "error"}:
                failed += 1
            elif "skipped" in tags:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def collect_output(tree, stage_dir):
    """Move ansible-test's results out of the tree into ``stage_dir`` so each stage is counted on its own."""
    output = os.path.join(tree, "tests", "output")
    shutil.rmtree(stage_dir, ignore_errors=True)
    os.makedirs(stage_dir)
    for kind in ("junit", "data", "bot"):
        source = os.path.join(output, kind)
        if os.path.isdir(source):
            shutil.move(source, os.path.join(stage_dir, kind))
    return stage_dir


def unit_groups(tree):
    """Directories under tests/unit (under tests/unit/plugins, each plugin type) that hold test files."""
    unit = os.path.join(tree, "tests", "unit")
    groups = []
    for top in sorted(os.listdir(unit)) if os.path.isdir(unit) else []:
        path = os.path.join(unit, top)
        if not os.path.isdir(path):
            continue
        children = [os.path.join(top, name) for name in sorted(os.listdir(path))] if top == "plugins" else [top]
        for group in children:
            found = [name for _top, _dirs, files in os.walk(os.path.join(unit, group)) for name in files
                     if name.startswith("test_") and name.endswith(".py")]
            if found:
                groups.append(group)
    return groups


def integration_targets(tree):
    targets_dir = os.path.join(tree, "tests", "integration", "targets")
    if not os.path.isdir(targets_dir):
        return []
    targets = []
    for name in sorted(os.listdir(targets_dir)):
        path = os.path.join(targets_dir, name)
        aliases = os.path.join(path, "aliases")
        if not os.path.isdir(path) or name.startswith(("setup_", "prepare_")):
            continue
        if os.path.exists(aliases):
            with open(aliases, encoding="utf-8") as handle:
                if re.search(r"^\s*(disabled|hidden|unsupported)\s*$", handle.read(), re.M):
                    continue
        targets.append(name)
    return targets


def sanity_ignore_entries(root):
    """Every entry of tests/sanity/ignore-*.txt (none is allowed: each sanity test must pass as it is)."""
    entries = []
    for path in sorted(glob.glob(os.path.join(root, "tests", "sanity", "ignore-*.txt"))):
        with open(path, encoding="utf-8") as handle:
            entries.extend("%s: %s" % (os.path.relpath(path, root), line.strip()) for line in handle
                           if line.strip() and not line.lstrip().startswith("#"))
    return entries


def stage_slug(stage):
    return stage.replace(" ", "-").replace("/", "-")


# --- one run of the harness -----------------------------------------------------------------------------------------


class Harness:
    """The state of one ``make test`` run: the release, its virtualenv, the trees, the environment and the results."""

    def __init__(self, release, extra_units=True):
        self.release = release
        self.extra_units = extra_units
        self.venv = release_venv(release)
        self.results = Results()
        self.build = os.path.join(ROOT, ".build", release)
        self.results_dir = os.path.join(self.build, "results")
        os.makedirs(self.results_dir, exist_ok=True)
        self.env = dict(os.environ, ANSIBLE_NOCOLOR="1", PATH=os.pathsep.join([self.venv.bindir, os.environ.get("PATH", os.defpath)]))
        self.env.pop("PYTHONPATH", None)
        self.tree = None  # the installed tarball
        self.checkout = None  # the checkout copy, made on demand
        self.unit_versions = []

    def log_path(self, stage):
        return os.path.join(self.results_dir, "%s.log" % stage_slug(stage))

    def timed(self, stage, command, cwd, env=None, echo=True):
        """Run ``command`` logged; return (status, output, seconds)."""
        begin = time.time()
        status, output = run_logged(command, cwd, env or self.env, self.log_path(stage), echo=echo)
        return status, output, time.time() - begin

    # -- stages ---------------------------------------------------------------------------------------------------

    def ecosystem(self):
        """Galaxy, AWX and docs checks (tools/ecosystem_check.py, its own virtualenv); counted per check."""
        log("Ecosystem checks (tools/ecosystem_check.py)")
        status, output, seconds = self.timed("ecosystem", [sys.executable, os.path.join(TOOLS, "ecosystem_check.py")], ROOT)
        match = re.search(r"^ecosystem checks: (\d+) ok, (\d+) failing", output, re.M)
        passed, failed = (int(match.group(1)), int(match.group(2))) if match else (int(status == 0), int(status != 0))
        if status != 0 and failed == 0:
            failed = 1
        self.results.add("ecosystem checks", passed, failed, 0, seconds, status)

    def lint(self):
        for name, command in (
            ("ruff", [os.path.join(self.venv.bindir, "ruff"), "check", "--no-cache", "."]),
            ("yamllint", [os.path.join(self.venv.bindir, "yamllint"), "--strict", "."]),
        ):
            log("Lint: %s" % name)
            status, _output, seconds = self.timed(name, command, ROOT)
            self.results.add_status("lint %s" % name, status, seconds)

    def build_tree(self):
        """Build, check and install the tarball; check that no sanity test is ignored."""
        log("Building and installing the collection tarball")
        begin = time.time()
        tarball, self.tree = collection.build_and_install(self.venv.bindir, ROOT, os.path.join(self.build, "dist"), self.build,
                                                          self.env, keep=(DELEGATION,))
        bad, missing = collection.check_tarball(tarball)
        for name in bad:
            print("tarball: development artefact included: %s (add it to build_ignore in galaxy.yml)" % name)
        for name in missing:
            print("tarball: expected file missing: %s" % name)
        self.results.add("tarball %s" % os.path.basename(tarball), int(not bad and not missing), int(bool(bad or missing)), 0,
                         time.time() - begin)
        ignored = sanity_ignore_entries(ROOT)
        for entry in ignored:
            print("sanity ignore entry (not allowed): %s" % entry)
        self.results.add("no sanity ignore entries", int(not ignored), int(bool(ignored)), 0, 0)

    def checkout_tree(self):
        """The checkout copy at .build/<release>/checkout/ansible_collections/hwc/dcs, made once per run."""
        if self.checkout is None:
            log("Copying the checkout to .build/%s/checkout/ansible_collections/hwc/dcs" % self.release)
            self.checkout = collection.copy_checkout(ROOT, os.path.join(self.build, "checkout"), keep=(DELEGATION,))
        return self.checkout

    def prepare_ansible_test(self):
        """Real interpreters on PATH for ansible-test, and its pip bootstrap script."""
        # ansible-test looks interpreters up by name (python3.X) on PATH; pyenv shims only work for the selected
        # version, so give it a directory of real interpreters to find first.
        version = self.venv.version
        wanted = [version] + (list(RELEASES[self.release]["extra_units"]) if self.extra_units else [])
        pybin = os.path.join(self.build, "bin")
        shutil.rmtree(pybin, ignore_errors=True)
        os.makedirs(pybin)
        for item in wanted:
            found = (version, self.venv.interpreter) if item == version else find_python([item])
            if not found:
                log("NOTE: Python %s not found; skipping the extra unit test run on it" % item)
                continue
            os.symlink(found[1], os.path.join(pybin, "python%s" % item))
            self.unit_versions.append(item)
        self.env["PATH"] = os.pathsep.join([self.venv.bindir, pybin, os.environ.get("PATH", os.defpath)])
        provide_get_pip(self.venv, self.unit_versions)

    def ansible_test(self, stage, args, tree, echo=True):
        """Run ``ansible-test ARGS`` in ``tree`` and count its results; return (status, output, stage directory)."""
        log("ansible-test %s (ansible-core %s)" % (stage, self.release))
        # The trees live inside this git checkout, where .build/ is ignored: without this, ansible-test walks up to
        # the checkout's .git, asks git for the files and finds none ("All targets skipped").
        env = dict(self.env, ANSIBLE_TEST_CONTENT_ROOT=tree)
        command = [os.path.join(self.venv.bindir, "ansible-test")] + args + ["--color", "no"]
        status, output, seconds = self.timed(stage, command, tree, env=env, echo=echo)
        stage_dir = collect_output(tree, os.path.join(self.results_dir, stage_slug(stage)))
        if stage == "integration":
            passed, skipped = 0, 0
            for path in glob.glob(os.path.join(stage_dir, "data", "integration-*.json")):
                with open(path, encoding="utf-8") as handle:
                    passed += len(json.load(handle).get("targets", {}))
            match = re.search(r"The (\d+) integration test\(s\) listed below \(out of (\d+)\) failed", output)
            failed = int(match.group(1)) if match else 0
        else:
            passed, failed, skipped = count_junit(sorted(glob.glob(os.path.join(stage_dir, "junit", "*.xml"))))
        if status != 0 and failed == 0:
            failed = 1  # the run broke down before reporting a test failure (setup, install, crash)
        self.results.add("ansible-test %s" % stage, passed, failed, skipped, seconds, status)
        return status, output, stage_dir

    def sanity(self):
        """ansible-test sanity from a checkout (what a contributor runs first) and in the installed tarball."""
        common = ["sanity", "--venv", "--python", self.venv.version, "--junit"]
        self.ansible_test("sanity from checkout", common, self.checkout_tree())
        self.ansible_test("sanity", common, self.tree)

    def units(self):
        # One ansible-test run per group of tests: ansible-test stops at the first failing pytest run, and
        # the other groups' results would then be missing from the count.
        version = self.venv.version
        for item in self.unit_versions:
            for group in unit_groups(self.tree):
                if group == TOOLS_UNITS or (item != version and not group.startswith(("plugins/modules", "plugins/module_utils"))):
                    continue  # controller-side tests (emulator, benchmarks) run on the controller Python only
                self.ansible_test("units-%s %s" % (item, group), ["units", "--venv", "--python", item, "tests/unit/%s/" % group],
                                  self.tree)
        checkout = self.checkout_tree()
        if os.path.isdir(os.path.join(checkout, "tests", "unit", TOOLS_UNITS)):
            self.ansible_test("units-%s %s from checkout" % (version, TOOLS_UNITS),
                              ["units", "--venv", "--python", version, "tests/unit/%s/" % TOOLS_UNITS], checkout)

    def integration(self):
        if not integration_targets(self.tree):
            log("No integration targets yet; skipping ansible-test integration")
            return
        # -vvvv: ansible-test passes it to ansible-playbook, and the secret scan below reads all of it.
        self.ansible_test("integration", ["integration", "--venv", "--python", self.venv.version, "--continue-on-error", "-vvvv"],
                          self.tree, echo=False)
        # Every integration scenario ran at -vvvv: no test secret may appear in its output.
        status, _output, seconds = self.timed("secret-scan", [sys.executable, os.path.join(TOOLS, "secret_scan.py"),
                                                              self.log_path("integration"),
                                                              os.path.join(self.tree, "tests", "integration", "targets")], ROOT)
        self.results.add_status("secret scan of the -vvvv integration output", status, seconds)

    def hostile(self):
        """The hostile-server suite (tests/hostile) with the release's pytest and ansible-playbook, in the installed tree."""
        # Each case's measured time and peak memory go to the report (docs/docsite/rst/guide_testing_offline.rst).
        self.playbook_suite("hostile", "Hostile-server suite", {"HOSTILE_REPORT": self.report_path("hostile")})

    def progress(self):
        """The live-progress suite (tests/progress) with the release's pytest, ansible-playbook and ansible-runner."""
        env = {"PROGRESS_REPORT": self.report_path("progress")}
        # The delegated host of the suite runs the module on another Python: the other release's, when it is there.
        for other in sorted(set(RELEASES) - {self.release}):
            python = os.path.join(ROOT, ".venv-%s" % other, "bin", "python")
            if os.path.exists(python):
                env.setdefault("PROGRESS_OTHER_PYTHON", python)
        self.playbook_suite("progress", "Live-progress suite", env)

    def report_path(self, name):
        return os.path.join(os.path.abspath(self.results_dir), "%s-report.json" % name)

    def playbook_suite(self, name, title, extra_env):
        """Run the pytest suite tests/<name> (real ansible-playbook runs) in the installed tree and count its junit."""
        if not os.path.isdir(os.path.join(self.tree, "tests", name)):
            self.results.add("%s: tests/%s missing from the tarball" % (name, name), 0, 1, 0, 0)
            return
        log("%s (tests/%s, ansible-core %s)" % (title, name, self.release))
        junit = os.path.join(self.results_dir, "%s.xml" % name)
        if os.path.exists(junit):
            os.unlink(junit)
        # PATH starts with the release virtualenv's bin: ansible-playbook is the release's.
        env = dict(self.env, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(self.build), **extra_env)
        status, _output, seconds = self.timed(name, [self.venv.python, "-m", "pytest", "tests/%s" % name, "-p", "no:cacheprovider",
                                                     "--junitxml=%s" % junit], self.tree, env=env)
        passed, failed, skipped = count_junit([junit]) if os.path.exists(junit) else (0, 0, 0)
        if status != 0 and failed == 0:
            failed = 1  # collection error, no test collected, or a crash
        self.results.add("pytest tests/%s" % name, passed, failed, skipped, seconds, status)

    # -- the whole run -----------------------------------------------------------------------------------------------

    def run(self, stages):
        if "ecosystem" in stages and os.path.exists(os.path.join(TOOLS, "ecosystem_check.py")):
            self.ecosystem()
        if "lint" in stages:
            self.lint()
        if stages & NEEDS_TREE:
            self.build_tree()
        if stages & {"sanity", "units", "integration"}:
            self.prepare_ansible_test()
        for name, step in (("sanity", self.sanity), ("units", self.units), ("integration", self.integration),
                           ("hostile", self.hostile), ("progress", self.progress)):
            if name in stages:
                step()

    def summary(self, started):
        """Print the table of stages and the closing ``N passed, N failed, N skipped`` line; return the failures."""
        print()
        print("Summary for ansible-core %s on Python %s (%.0f s):" % (self.release, self.venv.version, time.time() - started))
        for stage, passed, failed, skipped, seconds, status in self.results.rows:
            print("  %-48s %5d passed %3d failed %3d skipped %6.0f s%s" % (
                stage, passed, failed, skipped, seconds, "" if not status else "  (exit %s)" % status))
        passed, failed, skipped = self.results.totals()
        print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
        return failed


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ansible-core", default=DEFAULT_RELEASE, choices=sorted(RELEASES))
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of %s" % ",".join(STAGES))
    parser.add_argument("--no-extra-units", action="store_true", help="run the unit tests on the controller Python only")
    args = parser.parse_args(argv)
    args.stages = set(name.strip() for name in args.stages.split(",") if name.strip())
    unknown = sorted(args.stages - set(STAGES))
    if unknown:
        parser.error("unknown stage(s): %s" % ", ".join(unknown))
    return args


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    try:
        harness = Harness(args.ansible_core, extra_units=not args.no_extra_units)
        harness.run(args.stages)
        return 1 if harness.summary(started) else 0
    except (ToolError, subprocess.CalledProcessError) as error:
        fail(str(error))
    return 2


if __name__ == "__main__":
    sys.exit(main())
