"""Redactor rules: what a hostile backend echoes back must not put a credential on screen or in a file.

Each test pins one rule with a value that is NOT a configured secret where the rule is about the
pattern, so the pattern rule is what has to hold (a configured secret is masked by another rule).
"""

from __future__ import annotations

from sutazai_tui.util.redact import MASK, Redactor, is_secret_name, mask_url_credentials

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


def test_control_characters_become_visible_stand_ins_and_tabs_stay() -> None:
    # util/clean.py: an escape is shown, inert; a one-line field gets no line break.
    cleaned = Redactor().clean("ok\x1b[31mred\x00nul\x07bell\x7fdel\rcr\nline\ttab\u202e", 1000)
    assert cleaned == "ok␛[31mred␀nul␇bell␡del␤cr␤line\ttab\\u202e"
    assert Redactor().clean("  \x1b padded  ") == "␛ padded"


def test_a_multi_line_field_keeps_its_lines() -> None:
    assert Redactor().clean("a\nb\x1b", 1000, multiline=True) == "a\nb␛"
    assert Redactor(["hunter22"]).clean(" hunter22\nx ", multiline=True) == f"{MASK}\nx"


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


LOG = Redactor().clean_log


def test_secret_named_assignments_are_masked_in_every_form() -> None:
    assert LOG("password=hunter2") == f"password={MASK}"
    assert LOG("password=XsecretX") == f"password={MASK}"  # only a quote is kept around the mask
    assert LOG("token=tok123 next") == f"token={MASK} next"
    assert LOG("login ok passwd=x9y8z7, pwd: abc123") == f"login ok passwd={MASK}, pwd: {MASK}"
    assert LOG("DB_PASSWORD = 's3 cret'") == f"DB_PASSWORD = '{MASK}'"
    assert LOG('{"api_key": "AKIA12345", "user": "bob"}') == f'{{"api_key": "{MASK}", "user": "bob"}}'
    # No value set is nothing to hide: `config show` prints `"token": null`.
    for unset in ("null", "None", "true", "false", '""', "''"):
        assert LOG(f'{{"token": {unset}}}') == f'{{"token": {unset}}}', unset
    assert LOG('{"token": "nullx"}') == f'{{"token": "{MASK}"}}'
    assert LOG("JWT_SECRET_KEY=abc;OTHER=1") == f"JWT_SECRET_KEY={MASK};OTHER=1"
    assert LOG("aws_access_key: AKIAXYZ") == f"aws_access_key: {MASK}"
    assert LOG("apikey=zzz") == f"apikey={MASK}" and LOG("key=zzz") == f"key={MASK}"
    assert LOG("credentials=u:p private_key=---BEGIN") == f"credentials={MASK} private_key={MASK}"


def test_names_that_only_contain_a_secret_word_inside_another_word_are_kept() -> None:
    # `keyboard=1`: "key" is not where the name ends; `mode=dind` names no secret.
    assert LOG("keyboard=us mode=dind") == "keyboard=us mode=dind"
    assert LOG("the password is required") == "the password is required"


def test_url_passwords_and_pydantic_input_values_are_masked() -> None:
    assert LOG("redis://user:hunter2@redis:6379/0") == f"redis://user:{MASK}@redis:6379/0"
    said = "jwt_secret\n  Field required [type=missing, input_value='eyJhbGciOi', input_type=str]"
    assert (
        LOG(said, 1000) == f"jwt_secret␤  Field required [type=missing, input_value={MASK}, input_type=str]"
    )
    assert LOG("input_value={'a': 'b'}, x") == f"input_value={MASK}, x"
    assert LOG("input_value=['a'] x") == f"input_value={MASK} x"
    assert LOG('input_value="q w" x') == f"input_value={MASK} x"
    assert LOG("input_value=plain x") == f"input_value={MASK} x"


def test_clean_log_masks_known_values_bearer_tokens_and_cuts() -> None:
    redactor = Redactor(["tok-SECRET-1234"])
    assert redactor.clean_log("got tok-SECRET-1234 and Bearer abcdefgh") == f"got {MASK} and Bearer {MASK}"
    # A known value is masked whole before the assignment rule sees it.
    assert redactor.clean_log("x=tok-SECRET-1234") == f"x={MASK}"
    assert redactor.clean_log("y" * 301) == "y" * 299 + "…"
    assert redactor.clean_log("y" * 20, 10) == "y" * 9 + "…"
    assert redactor.clean_log("\x1b]52;c;QQ==\x07") == "␛]52;c;QQ==␇"


def test_secret_names_and_url_credentials_helpers() -> None:
    for name in ("JWT_SECRET", "DB_PASSWORD", "PASSWD", "MYSQL_PWD", "API_TOKEN", "OPENAI_API_KEY", "KEY"):
        assert is_secret_name(name), name
    for name in ("PRIVATE_PEM", "GOOGLE_CREDENTIALS", "apikey", "SIGNING_KEY"):
        assert is_secret_name(name), name
    for name in ("MODE", "HOSTNAME", "PATH", "KEYBOARD"):
        assert not is_secret_name(name), name
    assert mask_url_credentials("a postgres://u:p4ss@db/x b") == f"a postgres://u:{MASK}@db/x b"
    assert mask_url_credentials("http://host:8080/path") == "http://host:8080/path"


def test_with_secrets_adds_to_the_known_values() -> None:
    redactor = Redactor(["first-secret"]).with_secrets(["second-secret", "xy"])
    assert redactor.clean("first-secret second-secret xy") == f"{MASK} {MASK} xy"
