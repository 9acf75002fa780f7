# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Virtualenvs kept in step with a pinned requirements file.

A virtualenv is rebuilt only when its requirements file or its interpreter changed: it holds a stamp
file with the SHA-256 of the requirements and the interpreter's path.
"""

import collections
import hashlib
import os
import shutil
import subprocess

from .console import ToolError, log
from .interpreters import find_python, missing_message

STAMP_NAME = ".hwc-dcs-stamp"

VirtualEnv = collections.namedtuple("VirtualEnv", "path version interpreter bindir python")
"""``path`` of the virtualenv, ``version`` ("3.12") and ``interpreter`` it was made with, its ``bindir`` and ``python``."""


def requirements_digest(path):
    """SHA-256 (hex) of a requirements file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def stamp_text(digest, interpreter):
    """The stamp of a virtualenv made with ``interpreter`` from requirements whose digest is ``digest``."""
    return "%s %s\n" % (digest, interpreter)


def read_stamp(venv):
    """The stamp a virtualenv holds, or None."""
    try:
        with open(os.path.join(venv, STAMP_NAME), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def is_current(venv, stamp, required=("python",)):
    """True when ``venv`` holds ``stamp`` and every one of the ``required`` programs in its bin directory."""
    bindir = os.path.join(venv, "bin")
    return read_stamp(venv) == stamp and all(os.path.exists(os.path.join(bindir, name)) for name in required)


def ensure_venv(venv, requirements, versions, purpose, required=("python",), root=None):
    """Create or reuse the virtualenv ``venv`` with the pinned ``requirements``; return a :class:`VirtualEnv`.

    ``versions``: the Python versions to make it with, in order of preference; ``purpose`` names the tool in
    messages ("ansible-core 2.21"); ``required``: programs the virtualenv must hold to be reused.
    Raises :class:`ToolError` when no interpreter is found.
    """
    found = find_python(versions)
    if not found:
        raise ToolError(missing_message(list(versions), purpose))
    version, interpreter = found
    bindir = os.path.join(venv, "bin")
    result = VirtualEnv(venv, version, interpreter, bindir, os.path.join(bindir, "python"))
    stamp = stamp_text(requirements_digest(requirements), interpreter)
    name = os.path.relpath(venv, root) if root else venv
    if is_current(venv, stamp, required):
        log("Reusing %s (Python %s, requirements unchanged)" % (name, version))
        return result
    log("Creating %s with Python %s (%s) from %s" % (name, version, interpreter,
                                                     os.path.relpath(requirements, root) if root else requirements))
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.check_call([interpreter, "-m", "venv", venv])
    subprocess.check_call([result.python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-warn-script-location", "-r", requirements])
    with open(os.path.join(venv, STAMP_NAME), "w", encoding="utf-8") as handle:
        handle.write(stamp)
    return result
