"""Settings precedence and one-line errors through the real command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sutazai_tui.cli.entry import main
from sutazai_tui.config.settings import ConfigError, load_settings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_precedence_flags_over_env_over_file_over_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write(tmp_path / "c.toml", "interval = 12\ntimeout = 3\nlatency_threshold = 2\n")
    assert load_settings().interval == 30
    assert load_settings(cfg).interval == 12
    monkeypatch.setenv("SUTAZAI_TUI_INTERVAL", "7")
    s = load_settings(cfg, interval="3")
    assert (s.interval, s.timeout, s.latency_threshold) == (3, 3, 2)
    assert load_settings(cfg).interval == 7


def test_default_config_file_is_read_from_xdg(tmp_path: Path) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "sutazai-tui"
    folder.mkdir(parents=True)
    write(folder / "config.toml", 'base_url = "http://127.0.0.1:9999"\n')
    assert load_settings().base_url == "http://127.0.0.1:9999"


def test_extra_endpoints_from_the_file(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "c.toml",
        '[[endpoints]]\nname = "detailed"\nurl = "/api/v1/health/detailed"\n'
        'kind = "health"\ntoken = "t0ken-value"\n',
    )
    s = load_settings(cfg)
    names = [e.name for e in s.all_endpoints()]
    assert names == ["health", "emergency", "mcp", "detailed"]
    assert s.endpoint_url(s.all_endpoints()[-1]) == "http://localhost:10010/api/v1/health/detailed"


def test_nothing_is_created_by_loading(tmp_path: Path) -> None:
    s = load_settings()
    assert not s.state_dir.exists()


@pytest.mark.parametrize(
    ("toml", "flags", "expected"),
    [
        ("interval = [\n", [], "is not valid TOML"),
        ("intervl = 3\n", [], "unknown setting 'intervl'"),
        ('interval = "soon"\n', [], "invalid setting 'interval'"),
        ("", ["--interval", "-5"], "fix flag --interval"),
        ("", ["--base-url", "localhost:10010"], "is not an http(s) URL"),
        ('[[endpoints]]\nname = "a"\nurl = "/x"\n[[endpoints]]\nname = "a"\nurl = "/y"\n', [], "repeated: a"),
    ],
)
def test_bad_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, flags: list[str], expected: str
) -> None:
    cfg = write(tmp_path / "c.toml", toml)
    code = main(["check", "--config", str(cfg), "--no-containers", *flags])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("toml", "flags"),
    [
        ("", ["--base-url", "http://ops:s3cretpw@127.0.0.1:9"]),
        ("", ["--base-url", "ftp://ops:s3cretpw@127.0.0.1:9"]),
        ('[[endpoints]]\nname = "a"\nurl = "https://ops:s3cretpw@example.test/x"\n', []),
        ('[[targets]]\nname = "a"\nbase_url = "http://ops:s3cretpw@127.0.0.1:9"\n', []),
    ],
)
def test_a_url_with_a_password_is_refused_without_showing_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, flags: list[str]
) -> None:
    # It would reach the header, check's output, recordings and logs with the URL.
    cfg = write(tmp_path / "c.toml", toml)
    assert main(["check", "--config", str(cfg), "--no-containers", *flags]) == 2
    err = capsys.readouterr().err
    assert "s3cretpw" not in err and err.count("\n") == 1
    assert "has a user or password in it" in err or "is not an http(s) URL" in err


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings(tmp_path)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(binary)


def test_a_bad_token_value_is_never_echoed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path / "c.toml", "token = 12345678\n")
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg)
    assert "12345678" not in str(exc.value)


def test_env_tables_lists_and_nested_keys_merge_with_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = write(
        tmp_path / "c.toml", '[keymap]\nrestart = "R"\n[fleet]\nprometheus_url = "http://127.0.0.1:1"\n'
    )
    monkeypatch.setenv("SUTAZAI_TUI_KEYMAP__STOP", "X")  # one key of a table, beside the file's
    monkeypatch.setenv("SUTAZAI_TUI_FLEET__PROMETHEUS_URL", "http://127.0.0.1:9090")  # env wins
    monkeypatch.setenv("SUTAZAI_TUI_PROTECTED", '["sutazai-a", "sutazai-b"]')  # a list is JSON
    monkeypatch.setenv("sutazai_tui_timeout", "3")  # names match whatever their case
    monkeypatch.setenv("SUTAZAI_TUI_NOT_A_SETTING", "1")  # scripts' own variables are ignored
    s = load_settings(cfg)
    assert s.keymap == {"restart": "R", "stop": "X"}
    assert s.fleet.prometheus_url == "http://127.0.0.1:9090"
    assert s.protected == ["sutazai-a", "sutazai-b"]
    assert s.timeout == 3


def test_env_that_is_not_json_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUTAZAI_TUI_PROTECTED", "sutazai-a,sutazai-b")
    code = main(["check", "--no-containers"])
    err = capsys.readouterr().err
    assert code == 2
    assert "env SUTAZAI_TUI_PROTECTED is not valid JSON" in err
    assert err.count("\n") == 1 and "Traceback" not in err
