# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of tools/devlib, the developer tools' library: interpreter choice, virtualenv stamps, tarball checks,
the checkout copy. tools/ is not in the built tarball: `make test` runs these in its copy of the checkout."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import tarfile

import pytest

try:
    from ansible_collections.hwc.dcs.tools.devlib import collection, interpreters, venvs
except ImportError:  # run directly from a checkout
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools"))
    from devlib import collection, interpreters, venvs  # type: ignore[no-redef]


# --- interpreters -------------------------------------------------------------------------------------------------


def test_version_key_orders_patch_releases_numerically():
    paths = ["/p/versions/3.12.9/bin/python3.12", "/p/versions/3.12.10/bin/python3.12", "/p/versions/3.12.1/bin/python3.12"]
    assert sorted(paths, key=interpreters.version_key, reverse=True)[0].endswith("3.12.10/bin/python3.12")
    assert interpreters.version_key("/usr/bin/python3.12") == (0, 0, 0)


def test_candidates_are_path_then_pyenv_newest_first_then_system_without_repeats():
    installed = {
        "/r1/versions/3.12.*/bin/python3.12": ["/r1/versions/3.12.1/bin/python3.12", "/r1/versions/3.12.10/bin/python3.12"],
        "/r2/versions/3.12.*/bin/python3.12": ["/r2/versions/3.12.4/bin/python3.12"],
    }
    on_path = {"python3.12": "/usr/bin/python3.12", "python3": "/opt/bin/python3"}
    found = interpreters.candidate_paths("3.12", ["/r1", "/r2"], which=on_path.get, globber=lambda pattern: installed.get(pattern, []))
    assert found == ["/usr/bin/python3.12", "/r1/versions/3.12.10/bin/python3.12", "/r1/versions/3.12.1/bin/python3.12",
                     "/r2/versions/3.12.4/bin/python3.12", "/usr/local/bin/python3.12", "/opt/bin/python3"]


def test_candidates_skip_what_is_not_on_path():
    found = interpreters.candidate_paths("3.11", [], which=lambda name: None, globber=lambda pattern: [])
    assert found == ["/usr/local/bin/python3.11", "/usr/bin/python3.11"]


def test_probe_output_must_name_the_wanted_version():
    assert interpreters.parse_probe("3.12\n/x/python3.12\n", "3.12") == "/x/python3.12"
    assert interpreters.parse_probe("3.11\n/x/python3.11\n", "3.12") is None  # a shim that runs another version
    assert interpreters.parse_probe("3.12\n", "3.12") is None
    assert interpreters.parse_probe("", "3.12") is None


def test_the_running_interpreter_is_found_by_its_probe():
    version = "%d.%d" % sys.version_info[:2]
    real = interpreters.probe(sys.executable, version, need_venv=False)
    assert real and os.path.exists(real)
    assert interpreters.probe(sys.executable, "2.7", need_venv=False) is None
    assert interpreters.probe("/nonexistent/python", version) is None


def test_unique_keeps_first_occurrences_and_drops_empty_entries():
    assert interpreters.unique(["a", "", None, "b", "a", "c", "b"]) == ["a", "b", "c"]


def test_missing_message_says_what_to_install():
    message = interpreters.missing_message(["3.12", "3.13"], "ansible-core 2.21")
    assert "ansible-core 2.21 needs Python 3.12 or 3.13" in message and "pyenv install 3.12" in message


# --- virtualenv stamps --------------------------------------------------------------------------------------------


def test_requirements_digest_changes_with_any_byte(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("ansible-core==2.21.5\n")
    first = venvs.requirements_digest(str(path))
    assert first == venvs.requirements_digest(str(path)) and len(first) == 64
    path.write_text("ansible-core==2.21.6\n")
    assert venvs.requirements_digest(str(path)) != first


def test_a_virtualenv_is_current_only_with_the_same_stamp_and_its_programs(tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    stamp = venvs.stamp_text("abc", "/usr/bin/python3.12")
    assert not venvs.is_current(str(venv), stamp)  # no stamp yet
    (venv / venvs.STAMP_NAME).write_text(stamp)
    assert venvs.is_current(str(venv), stamp)
    assert not venvs.is_current(str(venv), venvs.stamp_text("abc", "/usr/bin/python3.13"))  # another interpreter
    assert not venvs.is_current(str(venv), venvs.stamp_text("abd", "/usr/bin/python3.12"))  # other requirements
    assert not venvs.is_current(str(venv), stamp, required=("python", "ansible-test"))  # a program is missing


# --- the tarball ----------------------------------------------------------------------------------------------------


REQUIRED = list(collection.REQUIRED)


@pytest.mark.parametrize("name", [
    "tools/harness.py", "tests/unit/tools/test_devlib.py", ".venv-2.21/bin/python", "plugins/__pycache__/x.pyc",
    "tests/output/junit/x.xml", "benchmarks/results/latest.json", "Makefile", ".ci/run", "old.tar.gz", ".git/HEAD",
])
def test_development_artefacts_are_refused(name):
    bad, missing = collection.tarball_problems(REQUIRED + [name])
    assert bad == [name] and missing == []


@pytest.mark.parametrize("name", [
    "plugins/modules/dcs_job_info.py", "tests/hostile/test_slow.py", "tests/unit/plugins/modules/test_x.py",
    "benchmarks/bench.py", "docs/docsite/rst/guide_benchmarks.rst", "plugins/module_utils/_tools.py",
])
def test_collection_content_is_accepted(name):
    assert collection.tarball_problems(REQUIRED + [name]) == ([], [])


def test_missing_required_files_are_named():
    bad, missing = collection.tarball_problems(["MANIFEST.json", "plugins/module_utils/_signer.py"])
    assert bad == [] and missing == ["FILES.json", "meta/runtime.yml"]


def test_check_tarball_reads_member_names_without_dot_slash(tmp_path):
    source = tmp_path / "src"
    for name in REQUIRED + ["tools/harness.py"]:
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x")
    tarball = str(tmp_path / "hwc-dcs-0.1.0.tar.gz")
    with tarfile.open(tarball, "w:gz") as archive:
        for name in REQUIRED + ["tools/harness.py"]:
            archive.add(str(source / name), arcname="./" + name)
    assert collection.check_tarball(tarball) == (["tools/harness.py"], [])


# --- the checkout copy ----------------------------------------------------------------------------------------------


def _git(root, *args):
    subprocess.run(["git", "-C", str(root)] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_checkout_files_are_what_git_sees(tmp_path):
    root = tmp_path / "repo"
    (root / "plugins").mkdir(parents=True)
    (root / "plugins" / "a.py").write_text("a")
    (root / "gone.py").write_text("g")
    (root / ".gitignore").write_text("/.build/\n")
    (root / ".build").mkdir()
    (root / ".build" / "x").write_text("x")
    try:
        _git(root, "init", "-q")
        _git(root, "add", "-A")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    (root / "gone.py").unlink()  # deleted, not yet committed
    (root / "new.py").write_text("n")  # untracked, not ignored
    assert collection.checkout_files(str(root)) == [".gitignore", "new.py", "plugins/a.py"]


def test_copy_checkout_keeps_the_delegation_virtualenvs(tmp_path):
    root = tmp_path / "plain"  # not a git checkout: every file outside the generated directories
    (root / "plugins").mkdir(parents=True)
    (root / "plugins" / "a.py").write_text("a")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "a.pyc").write_text("c")
    dest = tmp_path / "checkout"
    tree = collection.copy_checkout(str(root), str(dest), keep=("tests/output/.tmp/delegation",))
    assert tree == os.path.join(str(dest), "ansible_collections", "hwc", "dcs")
    assert os.path.exists(os.path.join(tree, "plugins", "a.py")) and not os.path.exists(os.path.join(tree, "__pycache__"))
    delegation = os.path.join(tree, "tests", "output", ".tmp", "delegation")
    os.makedirs(delegation)
    with open(os.path.join(delegation, "marker"), "w") as handle:
        handle.write("venv")
    (root / "plugins" / "a.py").write_text("changed")
    tree = collection.copy_checkout(str(root), str(dest), keep=("tests/output/.tmp/delegation",))
    assert os.path.exists(os.path.join(delegation, "marker"))
    with open(os.path.join(tree, "plugins", "a.py")) as handle:
        assert handle.read() == "changed"
