# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Probe a candidate interpreter: ``<python> interpreter.py [--venv]``.

Prints two lines: the interpreter's ``X.Y`` version and the path of the real interpreter to use
(the base interpreter when the candidate runs inside a virtualenv, so that a virtualenv made from it
does not depend on another one). With ``--venv``, exits non-zero unless ``venv`` and ``ensurepip``
import. Must run on every Python the tools may try (3.8 and newer).
"""

import importlib
import os
import sys


def real_interpreter(prefix, base_prefix, executable, base_executable):
    """The interpreter to build on: ``base_executable`` inside a virtualenv when it exists, else ``executable``."""
    if prefix != base_prefix and base_executable and os.path.exists(base_executable):
        return base_executable
    return executable


def main(argv):
    if "--venv" in argv:
        for name in ("venv", "ensurepip"):
            importlib.import_module(name)
    print("%d.%d" % sys.version_info[:2])
    print(real_interpreter(sys.prefix, sys.base_prefix, sys.executable, getattr(sys, "_base_executable", "")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
