# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as the tools see it: its tarball (built, checked, installed) and its checkout's files."""

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tarfile

from .console import ToolError

NAMESPACE, NAME = "hwc", "dcs"

# What may never be in the built tarball (matched against each member's path inside the collection).
FORBIDDEN = re.compile(
    r"(^|/)(\.venv[^/]*|\.build|\.git|\.cache|\.ci|\.hypothesis|\.pytest_cache|\.ruff_cache|\.mypy_cache|"
    r"__pycache__|tools)(/|$)|"
    r"^tests/output(/|$)|^benchmarks/results/.+|\.pyc$|\.tar\.gz$|^Makefile$"
)
# What the tarball must hold.
REQUIRED = ("MANIFEST.json", "FILES.json", "meta/runtime.yml", "plugins/module_utils/_signer.py")
# Never copied with a checkout: generated, ignored by git, or the tools' own scratch space.
NOT_IN_CHECKOUT = re.compile(r"(^|/)(\.git|\.build|\.venv[^/]*|__pycache__|\.pytest_cache|\.ruff_cache|\.mypy_cache|"
                             r"\.hypothesis|\.cache)(/|$)|^tests/output(/|$)|\.pyc$")


def member_names(tarball):
    """The member paths of a collection tarball, without a leading ``./``."""
    with tarfile.open(tarball) as archive:
        return [member.name[2:] if member.name.startswith("./") else member.name for member in archive.getmembers()]


def tarball_problems(names):
    """(development artefacts included, required files missing) among the member ``names``; both empty when clean."""
    bad = sorted(name for name in names if FORBIDDEN.search(name))
    missing = [name for name in REQUIRED if name not in names]
    return bad, missing


def check_tarball(tarball):
    """(development artefacts included, required files missing) of a built tarball."""
    return tarball_problems(member_names(tarball))


def collection_tree(install_root):
    """Where ``ansible-galaxy collection install -p install_root`` puts this collection."""
    return os.path.join(install_root, "ansible_collections", NAMESPACE, NAME)


@contextlib.contextmanager
def preserved(tree, relpaths, stash):
    """Move ``relpaths`` (relative to ``tree``) into ``stash`` for the duration of the block, then put them back.

    For ansible-test's ``--venv`` virtualenvs (tests/output/.tmp/delegation): a rebuilt tree keeps them, so
    that a second run does not create and fill them again.
    """
    kept = []
    for index, relpath in enumerate(relpaths):
        source = os.path.join(tree, relpath)
        if os.path.isdir(source):
            target = os.path.join(stash, str(index))
            shutil.rmtree(target, ignore_errors=True)
            os.makedirs(stash, exist_ok=True)
            shutil.move(source, target)
            kept.append((target, source))
    try:
        yield
    finally:
        for target, source in kept:
            if os.path.isdir(target) and not os.path.exists(source):
                os.makedirs(os.path.dirname(source), exist_ok=True)
                shutil.move(target, source)


def _galaxy(bindir, args, env, cwd):
    proc = subprocess.run([os.path.join(bindir, "ansible-galaxy"), "collection"] + args, env=env, cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                          universal_newlines=True, errors="replace", check=False)
    if proc.returncode:
        raise ToolError("ansible-galaxy collection %s exited with %d:\n%s" % (args[0], proc.returncode, proc.stdout[-3000:]))
    return proc.stdout


def build_and_install(bindir, source, dist, install_root, env, keep=(), no_deps=False):
    """Build the collection in ``source`` into ``dist`` and install it under ``install_root``; return (tarball, tree).

    ``bindir`` holds ``ansible-galaxy``. Both directories start empty, except the paths ``keep`` (relative to the
    installed tree), which survive the reinstall.
    """
    tree = collection_tree(install_root)
    with preserved(tree, keep, os.path.join(install_root, ".kept")):
        shutil.rmtree(dist, ignore_errors=True)
        shutil.rmtree(os.path.join(install_root, "ansible_collections"), ignore_errors=True)
        os.makedirs(dist)
        os.makedirs(install_root, exist_ok=True)
        _galaxy(bindir, ["build", "--force", "--output-path", dist, source], env, source)
        tarballs = glob.glob(os.path.join(dist, "%s-%s-*.tar.gz" % (NAMESPACE, NAME)))
        if len(tarballs) != 1:
            raise ToolError("expected one tarball in %s, found %r" % (dist, tarballs))
        _galaxy(bindir, ["install", "--force"] + (["--no-deps"] if no_deps else []) + ["-p", install_root, tarballs[0]],
                env, install_root)
    return tarballs[0], tree


def checkout_files(root):
    """The files of the checkout in ``root`` that ansible-test sees there: tracked or untracked but not ignored
    by git, and present; without git, every file outside the generated directories."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
        names = sorted(set(name for name in out.decode("utf-8", "surrogateescape").split("\0") if name))
    except (OSError, subprocess.CalledProcessError):
        names = sorted(os.path.relpath(os.path.join(top, name), root)
                       for top, _dirs, files in os.walk(root) for name in files)
    return [name for name in names if not NOT_IN_CHECKOUT.search(name) and os.path.lexists(os.path.join(root, name))]


def copy_checkout(root, install_root, keep=()):
    """Copy the checkout in ``root`` to ``install_root``/ansible_collections/hwc/dcs, where ansible-test needs a
    collection to be; return that tree. The paths ``keep`` (relative to the tree) survive from the last copy."""
    tree = collection_tree(install_root)
    with preserved(tree, keep, os.path.join(install_root, ".kept")):
        shutil.rmtree(os.path.join(install_root, "ansible_collections"), ignore_errors=True)
        for name in checkout_files(root):
            target = os.path.join(tree, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(os.path.join(root, name), target, follow_symlinks=False)
    return tree
