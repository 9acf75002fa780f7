# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Safe text for messages, warnings and results.

Private to this collection: this interface may change without notice.

Whatever a server or a user sends can reach a terminal or an AWX job page. ``clean()`` strips
escape sequences and control characters (a crafted ``fail_reason`` must not move the cursor or
forge a line of Ansible's output) and cuts the text to a documented length. ``show()`` renders
a user value unambiguously for an error message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The longest server-provided text (error_msg, fail_reason, a body excerpt) kept in a message,
# warning or result. Documented in the troubleshooting guide.
SERVER_TEXT_LIMIT = 500
BODY_EXCERPT = 200

# ANSI/VT100 escape sequences (CSI, OSC, two-character escapes), then any other control character
# (C0, DEL and C1), line breaks included: a server's text is always shown as one line.
_ESCAPE_RE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def clean(value, limit=SERVER_TEXT_LIMIT):
    """``value`` as one printable line of at most ``limit`` characters (plus a length note), or None."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = _ESCAPE_RE.sub("", text)
    text = " ".join(_CONTROL_RE.sub(" ", text).split())
    if len(text) > limit:
        text = "%s...(%d characters in all)" % (text[:limit], len(text))
    return text


def show(value, limit=80):
    """A bounded, unambiguous rendering of a user value for an error message (never for secrets)."""
    try:
        text = repr(value)
    except ValueError:  # an integer with more digits than Python converts to text
        text = "<a number too long to show>"
    if len(text) > limit:
        text = "%s...(%d characters)" % (text[:limit], len(text))
    return text


def clause(text):
    """A message as part of a longer sentence: without its closing full stop."""
    return (text or "").rstrip(". ")


def plural(count, word):
    """``'1 job'``, ``'2 jobs'``."""
    return "%d %s%s" % (count, word, "" if count == 1 else "s")
