"""Our own folders (state, runtime, audit) must be the user's alone, else one line and exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sutazai_tui.cli.entry import main
from sutazai_tui.config.private import first_unsafe, own_paths
from sutazai_tui.config.settings import Settings


def test_fresh_or_private_folders_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    settings = Settings(state_dir=tmp_path / "state")
    assert first_unsafe(settings) is None  # nothing exists yet: made 0700 when needed
    (tmp_path / "state").mkdir(mode=0o700)
    assert first_unsafe(settings) is None
    assert [what for _, what in own_paths(settings)] == [
        "state folder",
        "runtime folder",
        "budget folder",
        "audit folder",
        "audit log",
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_a_state_folder_owned_by_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    os.chown(state, 65534, 65534)
    monkeypatch.setenv("SUTAZAI_TUI_STATE_DIR", str(state))
    assert main(["audit"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"sutazai-tui: refusing state folder {state}: owned by uid 65534, not you (uid 0) — "
        f"remove it, or `chown 0 {state}` if it is really yours\n"
    )


def test_a_group_writable_runtime_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "run" / "sutazai-tui"
    runtime.mkdir(parents=True)
    os.chmod(runtime, 0o770)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    problem = first_unsafe(Settings(state_dir=tmp_path / "state"))
    why = f"writable by group or others (mode 770) — `chmod 700 {runtime}`"
    assert problem == f"refusing runtime folder {runtime}: {why}"


def test_a_symlinked_audit_log_is_refused(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir(mode=0o700)
    (tmp_path / "elsewhere").write_text("")
    link = tmp_path / "state" / "audit.jsonl"
    link.symlink_to(tmp_path / "elsewhere")
    problem = first_unsafe(Settings(state_dir=tmp_path / "state"))
    assert problem is not None and problem.startswith(f"refusing audit log {link}: it is a symlink")
