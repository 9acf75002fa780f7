# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the developer tools talk: progress lines and fatal errors."""

import sys


class ToolError(Exception):
    """A fatal problem of a developer tool (no interpreter, a build that made no tarball, ...)."""


def log(message, stream=None):
    """Print one progress line, ``==> message``, at once."""
    print("==> %s" % message, file=stream or sys.stdout, flush=True)


def fail(message):
    """Print ``ERROR: message`` on stderr and exit with status 2."""
    print("ERROR: %s" % message, file=sys.stderr, flush=True)
    sys.exit(2)
