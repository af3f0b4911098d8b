"""Redactor rules: what a hostile backend echoes back must not put a credential on screen or in a file.

Each test pins one rule with a value that is NOT a configured secret where the rule is about the
pattern, so the pattern rule is what has to hold (a configured secret is masked by another rule).
"""

from __future__ import annotations

from sutazai_tui.util.redact import MASK, Redactor

UNKNOWN = "eyJhbGciOiJIUzI1NiJ9.payload-not-configured"


def test_a_bearer_credential_that_is_not_configured_is_masked_and_the_word_kept() -> None:
    cleaned = Redactor().clean(f"echo: Authorization: Bearer {UNKNOWN} rejected")
    assert cleaned == f"echo: Authorization: Bearer {MASK} rejected"
    assert "payload" not in cleaned


def test_the_bearer_pattern_is_case_blind_and_keeps_its_spacing() -> None:
    assert Redactor().clean("bearer  abcd1234") == f"bearer  {MASK}"
    assert Redactor().clean("BEARER\tabcd1234") == f"BEARER\t{MASK}"


def test_short_words_after_bearer_are_prose_not_credentials() -> None:
    # Three characters is below the credential pattern's minimum: "Bearer abc" is left as it is.
    assert Redactor().clean("Bearer abc") == "Bearer abc"
    assert Redactor().clean("Bearer abcd") == f"Bearer {MASK}"


def test_a_configured_secret_is_masked_wherever_it_stands() -> None:
    redactor = Redactor(["s3cr3t-token"])
    assert redactor.clean("token=s3cr3t-token;again s3cr3t-token") == f"token={MASK};again {MASK}"


def test_the_longest_secret_wins_when_one_contains_another() -> None:
    redactor = Redactor(["abcd", "abcdefgh"])
    assert redactor.clean("x abcdefgh y abcd") == f"x {MASK} y {MASK}"
    assert "efgh" not in redactor.clean("abcdefgh")
    # By length, not by spelling: "cdef" sorts after "abcdefgh" but must be replaced after it.
    assert Redactor(["cdef", "abcdefgh"]).clean("abcdefgh") == MASK


def test_secrets_shorter_than_four_characters_are_ignored() -> None:
    # A one-letter "secret" would mask every such letter on screen; it is not a credential.
    redactor = Redactor(["abc", "a"])
    assert redactor.clean("a cab abc") == "a cab abc"
    assert Redactor(["abcd"]).clean("abcd") == MASK


def test_control_characters_become_spaces_but_newlines_and_tabs_stay() -> None:
    cleaned = Redactor().clean("ok\x1b[31mred\x00nul\x07bell\x7fdel\rcr\nline\ttab", 1000)
    assert cleaned == "ok [31mred nul bell del cr\nline\ttab"
    assert Redactor().clean("\x1b\x00 padded \x7f") == "padded"


def test_long_lines_are_cut_to_the_limit_with_an_ellipsis() -> None:
    redactor = Redactor()
    assert redactor.clean("x" * 300) == "x" * 300  # exactly the default limit: untouched
    cut = redactor.clean("x" * 301)
    assert len(cut) == 300 and cut == "x" * 299 + "…"
    assert redactor.clean("abcdef", 4) == "abc…"
    assert redactor.clean("abcd", 4) == "abcd"


def test_a_secret_across_the_cut_is_masked_before_cutting() -> None:
    # Masking first: a cut in the middle of a secret must not leave its first half visible.
    redactor = Redactor(["0123456789abcdef"])
    cleaned = redactor.clean("k=" + "0123456789abcdef", 8)
    assert "0123" not in cleaned and cleaned.startswith("k=" + MASK)


def test_clean_optional_keeps_absence_and_cleans_the_rest() -> None:
    redactor = Redactor(["s3cr3t-token"])
    assert redactor.clean_optional(None) is None
    assert redactor.clean_optional("a s3cr3t-token b") == f"a {MASK} b"
    assert redactor.clean_optional("y" * 20, 10) == "y" * 9 + "…"
    assert redactor.clean_optional("") == ""
    assert redactor.clean_optional("z" * 300) == "z" * 300  # the same default limit as clean
    assert redactor.clean_optional("z" * 301) == "z" * 299 + "…"
