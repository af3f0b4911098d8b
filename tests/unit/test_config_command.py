"""`config check|show`: the file's path, each value's source, secrets masked, one line and exit 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sutazai_tui.cli.entry import main
from sutazai_tui.config.provenance import toml_lines
from sutazai_tui.config.uistate import picked_theme, read_ui_state, remember, ui_state_path

SECRET = "s3cret-token-value"


def rows(out: str) -> dict[str, tuple[str, str]]:
    """`config show`'s table as {setting: (source, value)}."""
    lines = out.splitlines()
    header = lines[1]
    source_at, value_at = header.index("SOURCE"), header.index("VALUE")
    return {
        line[:source_at].strip(): (line[source_at:value_at].strip(), line[value_at:].strip())
        for line in lines[2:]
    }


def test_show_names_flag_env_file_line_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('# mine\ninterval = 12\n\n[keymap]\nrestart = "R"\n')
    monkeypatch.setenv("SUTAZAI_TUI_TIMEOUT", "3")
    monkeypatch.setenv("SUTAZAI_TUI_KEYMAP__STOP", "X")
    argv = ["config", "show", "--config", str(cfg), "--base-url", "http://127.0.0.1:9", "--no-containers"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"config file: {cfg}"
    shown = rows(out)
    assert shown["interval"] == ("c.toml:2", "12.0")
    assert shown["timeout"] == ("env SUTAZAI_TUI_TIMEOUT", "3.0")
    assert shown["base_url"] == ("flag --base-url", '"http://127.0.0.1:9"')
    assert shown["containers"] == ("flag --no-containers", "false")
    assert shown["keymap"] == ("env SUTAZAI_TUI_KEYMAP__STOP over c.toml:4", '{"restart": "R", "stop": "X"}')
    assert shown["history_size"] == ("default", "240")
    assert set(shown) >= {"token", "targets", "fleet", "theme"}


def test_show_masks_every_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'on_state_change = ["/bin/page", "--key", "{SECRET}"]\n'
        f'[[endpoints]]\nname = "d"\nurl = "/x"\ntoken = "other-{SECRET}"\n'
    )
    monkeypatch.setenv("SUTAZAI_TUI_TOKEN", SECRET)
    assert main(["config", "show", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert SECRET not in out
    shown = rows(out)
    assert shown["token"] == ("env SUTAZAI_TUI_TOKEN", '"•••"')
    assert '"token": "•••"' in shown["endpoints"][1]
    assert shown["on_state_change"][1] == '["/bin/page", "--key", "•••"]'


def test_show_without_a_file_says_where_it_would_be(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    expected = Path(os.environ["XDG_CONFIG_HOME"]) / "sutazai-tui" / "config.toml"
    assert first == f"config file: {expected} (not found: defaults, env and flags only)"


def test_check_ok_prints_the_file_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('theme = "nord"\n[keymap]\nstop = "X"\n')
    assert main(["config", "check", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"config file: {cfg}"
    assert out[1].startswith("OK: the settings are valid")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("interval = [\n", "is not valid TOML"),
        ("intervl = 3\n", "unknown setting 'intervl'"),
        ('theme = "no-such-theme"\n', "not a Textual theme"),
        ('[keymap]\nno_such_binding = "X"\n', "unknown binding id 'no_such_binding'"),
    ],
)
def test_check_bad_settings_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, expected: str
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(toml)
    assert main(["config", "check", "--config", str(cfg)]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"config file: {cfg}\n"
    assert expected in captured.err and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("verb", ["check", "show"])
def test_a_missing_file_is_named_then_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    missing = tmp_path / "nope.toml"
    assert main(["config", verb, "--config", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == f"config file: {missing}\n"
    assert "does not exist" in captured.err and captured.err.count("\n") == 1


def test_toml_lines_finds_top_level_keys_and_tables_only() -> None:
    text = 'a = 1\n"b" = 2\nfleet.prometheus_url = "x"\n[keymap]\nstop = "X"\n[[targets]]\nname = "p"\n'
    assert toml_lines(text) == {"a": 1, "b": 2, "fleet": 3, "keymap": 4, "targets": 6}


def test_a_picked_theme_is_kept_private_and_shown_as_picked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = Path(os.environ["XDG_STATE_HOME"]) / "sutazai-tui"
    cfg = tmp_path / "c.toml"
    cfg.write_text('theme = "nord"\n')
    before = cfg.read_bytes()
    path = remember(state, "theme", "gruvbox")
    assert path == ui_state_path(state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(state.stat().st_mode) == 0o700
    assert main(["config", "show", "--config", str(cfg)]) == 0
    assert rows(capsys.readouterr().out)["theme"] == (f"picked in the UI ({path})", '"gruvbox"')
    monkeypatch.setenv("SUTAZAI_TUI_THEME", "monokai")  # the env names this run's theme: it wins
    assert picked_theme(state, os.environ) is None
    assert main(["config", "show", "--config", str(cfg)]) == 0
    assert rows(capsys.readouterr().out)["theme"] == ("env SUTAZAI_TUI_THEME", '"monokai"')
    assert cfg.read_bytes() == before  # the config file is the user's: never rewritten


@pytest.mark.parametrize("content", [b"", b"{not json", b"[1, 2]", b'{"theme": 7}', b"\xff" * 70_000])
def test_a_broken_ui_state_file_is_ignored(tmp_path: Path, content: bytes) -> None:
    ui_state_path(tmp_path).write_bytes(content)
    assert read_ui_state(tmp_path) == {}
    remember(tmp_path, "theme", "nord")  # and a new pick replaces it
    assert read_ui_state(tmp_path) == {"theme": "nord"}
