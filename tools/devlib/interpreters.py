# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find a Python interpreter of a wanted ``X.Y`` version: PATH first, then pyenv, then /usr/local and /usr."""

import glob
import os
import re
import shutil
import subprocess

PROBE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "probes", "interpreter.py")
SYSTEM_PREFIXES = ("/usr/local", "/usr")


def pyenv_roots(environ=None, which=shutil.which):
    """pyenv's version roots, without duplicates: $PYENV_ROOT, ~/.pyenv and what ``pyenv root`` says."""
    environ = os.environ if environ is None else environ
    roots = [environ.get("PYENV_ROOT", ""), os.path.expanduser("~/.pyenv")]
    if which("pyenv"):
        try:
            roots.append(subprocess.check_output(["pyenv", "root"], universal_newlines=True, stderr=subprocess.DEVNULL).strip())
        except (OSError, subprocess.CalledProcessError):
            pass
    return unique(roots)


def unique(items):
    """``items`` without empty entries and repeats, first occurrence kept."""
    seen = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


def version_key(path):
    """Sort key of a pyenv interpreter path by its patch version: .../versions/3.12.10/bin/python3.12 -> (3, 12, 10)."""
    match = re.search(r"/versions/(\d+)\.(\d+)\.(\d+)(?:/|$)", path)
    return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)


def candidate_paths(version, roots, which=shutil.which, globber=glob.glob):
    """Where to look for Python ``version`` ("3.12"), in order: PATH, pyenv (newest patch first), /usr/local, /usr, python3."""
    name = "python%s" % version
    found = [which(name)]
    for root in roots:
        found.extend(sorted(globber(os.path.join(root, "versions", "%s.*" % version, "bin", name)), key=version_key, reverse=True))
    found.extend(os.path.join(prefix, "bin", name) for prefix in SYSTEM_PREFIXES)
    found.append(which("python3"))  # whatever version it is: the probe tells
    return unique(found)


def parse_probe(output, version):
    """The real interpreter path from the probe's output when it reports ``version``, else None."""
    lines = output.split("\n")
    if len(lines) >= 2 and lines[0].strip() == version and lines[1].strip():
        return lines[1].strip()
    return None


def probe(path, version, need_venv=True):
    """Run the probe with ``path``; the interpreter to use if it is a working Python ``version``, else None."""
    if not os.access(path, os.X_OK):
        return None
    command = [path, PROBE] + (["--venv"] if need_venv else [])
    try:
        # PYENV_VERSION makes a pyenv shim run the wanted version instead of the globally selected one.
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                              timeout=60, env=dict(os.environ, PYENV_VERSION=version), check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_probe(proc.stdout, version) if proc.returncode == 0 else None


def find_python(versions, need_venv=True):
    """(version, path) of the first working interpreter of ``versions`` (in order of preference), or None.

    With ``need_venv``, the interpreter must have the ``venv`` and ``ensurepip`` modules.
    """
    roots = pyenv_roots()
    for version in versions:
        for path in candidate_paths(version, roots):
            real = probe(path, version, need_venv)
            if real:
                return version, real
    return None


def missing_message(versions, purpose):
    """What to tell the user when no interpreter of ``versions`` was found for ``purpose``."""
    first = versions[0]
    return ("%s needs Python %s (with the venv and ensurepip modules), and none was found on PATH, in pyenv (%s) or in "
            "/usr/bin and /usr/local/bin. Install one, for example `pyenv install %s` or `apt-get install python%s "
            "python%s-venv`, and run again." % (purpose, " or ".join(versions), ", ".join(pyenv_roots()) or "not installed",
                                                first, first, first))
