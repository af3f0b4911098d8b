"""`[[targets]]`: config, `check --target`, and the TUI with one monitor per target (real HTTP)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from sutazai_tui.cli.check import run_checks, worst
from sutazai_tui.cli.entry import main
from sutazai_tui.config.settings import ConfigError, Settings, load_settings
from sutazai_tui.config.targets import TargetConfig
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import State
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.help import screen_keys
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.conftest import ANSWER_TIMEOUT
from tests.hostile import HostileServer
from tests.targets_support import two_backends, two_target_settings

__all__ = ["two_backends"]  # a fixture, used by name
from tests.tui_support import panel_states, wait_until


def write_config(tmp_path: Path, *targets: tuple[str, str], extra: str = "") -> Path:
    """A config file with one `[[targets]]` table per (name, url)."""
    text = f"containers = false\ntimeout = {ANSWER_TIMEOUT}\nlatency_threshold = {ANSWER_TIMEOUT}\n" + extra
    for name, url in targets:
        text += f'\n[[targets]]\nname = "{name}"\nbase_url = "{url}"\n'
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_for_target_has_its_own_url_token_recording_and_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROD_TOKEN", "tok-prod")
    base = Settings(
        state_dir=tmp_path,
        record=tmp_path / "rec.jsonl",
        token="top-level-token",
        targets=[
            TargetConfig(name="prod", base_url="http://127.0.0.1:1/", token_env="PROD_TOKEN"),
            TargetConfig(name="staging", base_url="http://127.0.0.1:2", token_env="NOT_SET_ANYWHERE"),
            TargetConfig(
                name="dev", base_url="http://127.0.0.1:3", container_prefix="dev-", containers=False
            ),
        ],
    )
    prod, staging, dev = (base.for_target(t) for t in base.targets)
    assert prod.base_url == "http://127.0.0.1:1" and prod.targets == []
    assert prod.token is not None and prod.token.get_secret_value() == "tok-prod"
    assert staging.token is None  # a missing env var: no token, and never another target's
    assert dev.token is None and dev.container_prefix == "dev-" and dev.containers is False
    assert prod.record == tmp_path / "rec.prod.jsonl"
    assert staging.record == tmp_path / "rec.staging.jsonl"
    assert prod.audit_path == tmp_path / "audit-prod.jsonl"
    assert dev.audit_path == tmp_path / "audit-dev.jsonl"


def test_duplicate_target_names_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, ("prod", "http://127.0.0.1:1"), ("prod", "http://127.0.0.1:2"))
    with pytest.raises(ConfigError, match="target names must be unique; repeated: prod"):
        load_settings(path)
    assert main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "repeated: prod" in err


def test_check_every_target_exits_with_the_worst(
    tmp_path: Path,
    two_backends: tuple[SimulatedBackend, SimulatedBackend],
    capsys: pytest.CaptureFixture[str],
) -> None:
    prod, staging = two_backends
    path = write_config(tmp_path, ("prod", prod.url), ("staging", staging.url))
    assert main(["check", "--config", str(path)]) == 2
    out = capsys.readouterr().out
    assert "== target prod ==" in out and "== target staging ==" in out
    assert prod.url in out and staging.url in out
    assert main(["check", "--config", str(path), "--target", "prod"]) == 0
    assert "== target prod ==" in capsys.readouterr().out
    assert main(["check", "--config", str(path), "--json", "--target", "prod", "--target", "staging"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["targets"]["prod"]["status"] == "OK"
    assert doc["targets"]["staging"]["status"] == "CRITICAL"
    assert main(["check", "--config", str(path), "--target", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown target 'nope'" in err and "prod, staging" in err


def test_worst_ranks_critical_over_unknown_over_warning() -> None:
    assert worst([0, 1, 2, 3]) == 2
    assert worst([0, 3, 1]) == 3
    assert worst([0, 1]) == 1


async def test_token_env_reaches_its_own_target_only(
    tmp_path: Path, hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("A_TOKEN", "secret-a")
    endpoint = {"name": "auth", "url": "/echo-auth", "kind": "health"}
    settings = Settings(
        containers=False,
        default_endpoints=False,
        endpoints=[endpoint],
        state_dir=tmp_path,
        token="top-level",
        targets=[
            TargetConfig(name="a", base_url=hostile.url, token_env="A_TOKEN"),
            TargetConfig(name="b", base_url=hostile.url),
        ],
    )
    seen = len(hostile.auth_seen)
    assert await run_checks(settings, ["a"], out=io.StringIO()) == 0
    assert hostile.auth_seen[seen:] == ["Bearer secret-a"]
    await run_checks(settings, ["b"], out=io.StringIO())
    assert hostile.auth_seen[seen + 1 :] == [""]  # neither a's token nor the top-level one


async def test_tui_shows_one_target_and_switches_with_number_keys(
    tmp_path: Path, two_backends: tuple[SimulatedBackend, SimulatedBackend]
) -> None:
    prod, staging = two_backends
    settings = two_target_settings(tmp_path, prod, staging)
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        header = app.query_one(HeaderBar)
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        assert app.shown.settings.base_url == prod.url
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        # staging's cycle lands in its own history without repainting prod; its tab is marked.
        await wait_until(pilot, lambda: "2 staging!" in header.plain)
        assert "[1 prod]" in header.plain
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        # Each monitor asked its own backend, once per cycle.
        assert prod.requests["/health"] == 1 and staging.requests["/health"] == 1
        # Each target records into its own file; keys and palette entries name the targets.
        assert (tmp_path / "rec.prod.jsonl").is_file() and (tmp_path / "rec.staging.jsonl").is_file()
        assert not (tmp_path / "rec.jsonl").exists()
        assert ("2", "Show target 2 ([[targets]] order)") in screen_keys(app.screen)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Switch to prod" in titles and "Switch to staging" in titles

        await pilot.press("2")
        assert app.shown.settings.base_url == staging.url and "[2 staging!]" in header.plain
        assert {s for s, _ in panel_states(app).values()} == {State.DOWN}
        await pilot.press("r")  # polls the shown target only
        await wait_until(pilot, lambda: staging.requests["/health"] == 2)
        assert prod.requests["/health"] == 1

        await pilot.press("1")
        assert app.shown.settings.base_url == prod.url and "[1 prod]" in header.plain
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        await pilot.press("3")  # no third target: nothing happens
        assert app.shown.settings.base_url == prod.url


async def test_without_targets_the_number_keys_are_inert(tmp_path: Path, backend: SimulatedBackend) -> None:
    app = make_app(Settings(base_url=backend.url, containers=False, state_dir=tmp_path), poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1")
        assert "1" not in app.screen.active_bindings  # without [[targets]] the number keys do not exist
        assert "[1" not in app.query_one(HeaderBar).plain
