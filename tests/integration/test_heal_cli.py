"""`sutazai-tui heal` as a process, before it polls: the policy it prints, and one-line refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def heal(tmp_path: Path, config: str, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "config.toml"
    path.write_text(f'state_dir = "{tmp_path / "state"}"\n{config}')
    argv = [sys.executable, "-m", "sutazai_tui", "heal", "--config", str(path), *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)


def test_explain_prints_every_finding_its_action_and_why_with_overrides(tmp_path: Path) -> None:
    done = heal(tmp_path, '[heal]\nactions = { "unhealthy" = "none" }\n', "--explain")
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()}
    assert rows["missing-env"] == "none" and rows["startup-hang"] == "restart"
    assert rows["unhealthy"] == "none"
    assert "set in the config ([heal] actions.unhealthy = 'none')" in done.stdout
    assert "a restart keeps the same env" in done.stdout


@pytest.mark.parametrize(
    ("config", "args", "words"),
    [
        ('[heal]\nactions = { "bogus" = "restart" }\n', (), "[heal] actions names unknown finding id bogus"),
        ("", ("--apply", "--read-only"), "heal --apply with read_only set"),
        (
            "[heal]\napply = true\n",
            ("--no-containers",),
            "heal --apply needs the containers",
        ),  # apply from config
        ("[heal]\ncycles = 0\n", (), "invalid setting 'heal.cycles'"),
    ],
)
def test_a_bad_start_is_one_line_and_exit_2(
    tmp_path: Path, config: str, args: tuple[str, ...], words: str
) -> None:
    done = heal(tmp_path, config, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("sutazai-tui: ") and words in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "state" / "heal").exists()  # refused before taking the lock


def test_dry_run_and_apply_exclude_each_other(tmp_path: Path) -> None:
    done = heal(tmp_path, "", "--dry-run", "--apply")
    assert done.returncode == 2 and "not allowed with argument" in done.stderr
