# -*- coding: utf-8 -*-
# Copyright (c) hwc.dcs contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""_text: server and user text made safe for a terminal, cut to a documented length."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import pytest

from ansible_collections.hwc.dcs.plugins.module_utils._text import SERVER_TEXT_LIMIT, clean, plural, show

ESC = "\x1b"


@pytest.mark.parametrize("raw, expected", [
    ("a\x1b[31mred\x1b[0m b", "ared b"),  # SGR colours (CSI)
    ("\x1b[2J\x1b[1;1Hcleared", "cleared"),  # clear screen, cursor home
    ("up\x1b[1Aline", "upline"),  # cursor up: could overwrite an earlier line
    ("a\x1b]0;window title\x07b", "ab"),  # OSC ended by BEL
    ("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ b", "alink b"),  # OSC 8 hyperlink ended by ST
    ("a\x1bNb", "ab"),  # SS2 (two-character escape)
    ("x\x1b", "x"),  # a lone ESC at the end
])
def test_clean_strips_escape_sequences(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("PLAY RECAP\r\nlocalhost : ok=1 failed=0", "PLAY RECAP localhost : ok=1 failed=0"),
    ("a\rb", "a b"),
    ("a\nb", "a b"),
    ("a\tb", "a b"),
    ("a\x00b", "a b"),
    ("a\x7fb", "a b"),
    ("a\x85b", "a b"),  # C1 NEL
    ("a\x9b2Jb", "a 2Jb"),  # C1 CSI: the introducer goes, what is left is harmless text
    ("a\u2028b\u2029c", "a b c"),  # Unicode line and paragraph separators
    ("  many   spaces \n\n here  ", "many spaces here"),
])
def test_clean_makes_one_printable_line(raw, expected):
    assert clean(raw) == expected


@pytest.mark.parametrize("raw", ["a\x1bcb", "a\x1b7b\x1b8", "a\x1b(0b", "\x1b[?1049h", "\x1b]52;c;AAAA"])
def test_clean_never_leaves_an_escape_character(raw):
    # Escapes outside the recognised families (ESC c, ESC 7/8, charset designation) lose their ESC
    # at least, so what is left is inert text.
    text = clean(raw)
    assert ESC not in text and "\x07" not in text


def test_clean_result_never_holds_control_characters():
    raw = "".join(chr(code) for code in range(0, 0xA0)) + "\u2028\u2029end"
    text = clean(raw, limit=10000)
    assert text.endswith("end")
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text)
    assert "\u2028" not in text and "\u2029" not in text


def test_clean_cuts_long_text_with_a_length_note():
    text = clean("x" * 600)
    assert text == "x" * SERVER_TEXT_LIMIT + "...(600 characters in all)"
    assert SERVER_TEXT_LIMIT == 500


def test_clean_counts_the_length_after_stripping():
    # 500 visible characters with escapes in between are not cut.
    raw = "\x1b[31m" + "y" * 500 + "\x1b[0m"
    assert clean(raw) == "y" * 500


def test_clean_custom_limit():
    assert clean("abcdefgh", limit=3) == "abc...(8 characters in all)"
    assert clean("abc", limit=3) == "abc"


def test_clean_none_and_non_strings():
    assert clean(None) is None
    assert clean(12) == "12"
    assert clean(1.5) == "1.5"
    assert clean("   ") == ""


def test_clean_keeps_printable_unicode():
    assert clean("Switchover 失败: noeud déjà") == "Switchover 失败: noeud déjà"


def test_show_is_unambiguous_and_bounded():
    assert show("abc") == "'abc'"
    assert show(None) == "None"
    assert show("a\nb") == "'a\\nb'"
    assert show(ESC) == "'\\x1b'"
    long_text = show("a" * 100)
    assert long_text.startswith("'" + "a" * 79) and long_text.endswith("...(102 characters)")
    assert len(long_text) < 110


def test_show_custom_limit():
    assert show("abcdef", limit=4) == "'abc...(8 characters)"


def test_show_integer_too_long_to_convert():
    digits_limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    if not digits_limit:
        pytest.skip("this Python converts integers of any length to text")
    text = show(10 ** (digits_limit + 10))
    assert "number too long" in text and len(text) <= 80 + 30


def test_plural():
    assert plural(1, "job") == "1 job"
    assert plural(0, "job") == "0 jobs"
    assert plural(2, "job") == "2 jobs"
