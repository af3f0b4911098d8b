"""util/clean.py, the boundary for outside text: nothing dangerous survives, printable text is kept.

Properties over arbitrary text (hypothesis), then one example per rule, so a mutant that changes
one stand-in or one range fails a test that names it.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from sutazai_tui.util.clean import BIDI, NEWLINE, clean, clean_line, clean_tree, decode, is_clean

# What must never reach a terminal from outside: C0 but tab, DEL, C1, bidi controls, line/paragraph
# separators, lone surrogates; in a one-line field, any line break too.
DANGER = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}\u2028\u2029\ud800-\udfff]")
BREAKS = re.compile("[\n\r]")
# Printable text: no category C (controls, format, surrogates…), no line/paragraph separators.
printable = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp"), blacklist_characters="\\"),
)


@given(st.text())
def test_nothing_dangerous_survives_in_a_one_line_field(text: str) -> None:
    cleaned = clean(text)
    assert not DANGER.search(cleaned) and not BREAKS.search(cleaned)


@given(st.text())
def test_nothing_dangerous_survives_in_a_multi_line_field_and_only_lf_breaks_stay(text: str) -> None:
    cleaned = clean(text, multiline=True)
    assert not DANGER.search(cleaned) and "\r" not in cleaned


@given(st.text())
def test_cleaning_twice_is_cleaning_once(text: str) -> None:
    once = clean(text)
    assert clean(once) == once and is_clean(once)
    multi = clean(text, multiline=True)
    assert clean(multi, multiline=True) == multi and is_clean(multi, multiline=True)


@given(printable)
def test_printable_text_is_unchanged(text: str) -> None:
    assert clean(text) == text and clean(text, multiline=True) == text and is_clean(text)


@given(st.lists(printable, min_size=1))
def test_lines_of_printable_text_keep_their_breaks_in_a_multi_line_field(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert clean(text, multiline=True) == text
    assert clean(text) == NEWLINE.join(lines)


@given(st.binary())
def test_any_bytes_decode_to_clean_text(raw: bytes) -> None:
    assert not DANGER.search(decode(raw)) and not BREAKS.search(decode(raw))


def test_each_c0_control_becomes_its_control_picture_and_tab_stays() -> None:
    assert clean("\x00") == "␀" and clean("\x07") == "␇" and clean("\x1b") == "␛" and clean("\x1f") == "␟"
    assert clean("\x08") == "␈" and clean("\x0b") == "␋" and clean("\x0c") == "␌"
    assert clean("\x7f") == "␡"
    assert clean("a\tb") == "a\tb" and clean("a\tb", multiline=True) == "a\tb"


def test_the_escape_sequences_of_the_incident_are_shown_inert() -> None:
    osc52 = "\x1b]52;c;UFdORUQ=\x07"
    assert clean(osc52) == "␛]52;c;UFdORUQ=␇"
    assert clean("\x1b]0;pwned\x07\x1b[2J") == "␛]0;pwned␇␛[2J"


def test_c1_controls_and_bidi_characters_are_shown_as_their_escape() -> None:
    assert clean("\x9b31m") == "\\x9b31m" and clean("\x80") == "\\x80" and clean("\x9f") == "\\x9f"
    assert clean("\x9d") == "\\x9d"
    assert clean("abc\u202edef") == "abc\\u202edef"
    assert clean("\u2066x\u2069") == "\\u2066x\\u2069"
    assert clean("\u061c\u200e\u200f") == "\\u061c\\u200e\\u200f"
    assert clean("\u202a\u202b\u202c\u202d") == "\\u202a\\u202b\\u202c\\u202d"
    assert clean("\u2067\u2068") == "\\u2067\\u2068"


def test_characters_next_to_the_ranges_are_left_alone() -> None:
    # The edges of each range: just outside is printable and must pass as it is.
    for char in (" ", "~", "\xa0", "é", "\u2029x"[1], "\u202f", "\u2065", "\u206a", "\u200d", "\u2027"):
        assert clean(char) == char, repr(char)


def test_a_lone_surrogate_becomes_the_replacement_character() -> None:
    assert clean("a\udcffb") == "a\ufffdb" and clean("\ud800") == "\ufffd" and clean("\udfff") == "\ufffd"


def test_line_breaks_are_one_stand_in_in_a_one_line_field() -> None:
    assert clean("ok\nNEWLINE-INJECTED SUTAZAI OK - fake") == f"ok{NEWLINE}NEWLINE-INJECTED SUTAZAI OK - fake"
    assert clean("a\r\nb") == f"a{NEWLINE}b" and clean("a\rb") == f"a{NEWLINE}b"
    assert clean("a\u2028b\u2029c\x85d") == f"a{NEWLINE}b{NEWLINE}c{NEWLINE}d"
    assert clean("a\n\nb") == f"a{NEWLINE}{NEWLINE}b"


def test_a_multi_line_field_keeps_its_lines_as_lf() -> None:
    assert clean("a\r\nb\rc\nd\u2028e", multiline=True) == "a\nb\nc\nd\ne"
    assert clean("a\n\x1b[2Jb", multiline=True) == "a\n␛[2Jb"
    assert clean("\n", multiline=True) == "\n"


def test_clean_line_cuts_to_its_limit_with_an_ellipsis() -> None:
    assert clean_line("x" * 10, 10) == "x" * 10
    assert clean_line("x" * 11, 10) == "x" * 9 + "…"
    assert clean_line("x" * 5000) == "x" * 5000  # no limit: whole
    assert clean_line("a\nb", 10) == f"a{NEWLINE}b"


def test_decode_replaces_invalid_utf8_and_cleans() -> None:
    assert decode(b"ok \xff\xfe \x1b[1m") == "ok \ufffd\ufffd ␛[1m"
    assert decode(b"a\nb") == f"a{NEWLINE}b" and decode(b"a\nb", multiline=True) == "a\nb"


def test_clean_tree_cleans_every_string_keys_too_and_keeps_other_values() -> None:
    tree = {"k\x1b": ["v\u202e", ("t\n",), 3, None, 1.5, True], "n": {"x\x07": "y"}}
    assert clean_tree(tree) == {
        "k␛": ["v\\u202e", [f"t{NEWLINE}"], 3, None, 1.5, True],
        "n": {"x␇": "y"},
    }
    assert clean_tree({"a": "1\n2"}, multiline=True) == {"a": "1\n2"}
    assert clean_tree([{"a": "1\n2"}], multiline=True) == [{"a": "1\n2"}]
    assert clean_tree(("1\n2",), multiline=True) == ["1\n2"]
    assert clean_tree({"1\n2": 0}, multiline=True) == {"1\n2": 0}


def test_is_clean_is_strict_about_line_breaks_unless_the_field_is_multi_line() -> None:
    assert not is_clean("a\nb") and is_clean("a\nb", multiline=True)
    assert not is_clean("\x1b", multiline=True) and is_clean("a\tb")
