"""deploy/systemd/sutazai-tui-heal.service: systemd accepts it, and it keeps heal confined.

`systemd-analyze verify` needs the ExecStart binary to exist, so it checks a copy pointing at this
venv's `sutazai-tui`; it exits 0 even for unknown keys, so its output must be empty too.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sutazai_tui.cli.args import build_parser

UNIT = Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "sutazai-tui-heal.service"
INSTALLED = "/opt/sutazai-tui/bin/sutazai-tui"


def settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if line.strip() and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze missing: apt-get install systemd")
    local = Path(sys.executable).with_name("sutazai-tui")
    assert local.exists(), local
    copy = tmp_path / UNIT.name
    copy.write_text(UNIT.read_text().replace(INSTALLED, str(local)))
    proc = subprocess.run(
        [analyze, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (proc.returncode, proc.stdout + proc.stderr) == (0, "")


def test_the_unit_runs_heal_confined_as_its_own_user_in_the_docker_group() -> None:
    unit = settings()
    assert unit["User"] == ["sutazai-tui"] and unit["SupplementaryGroups"] == ["docker"]
    assert unit["ProtectSystem"] == ["strict"] and unit["StateDirectory"] == ["sutazai-tui"]
    assert unit["ReadOnlyPaths"] == ["-/etc/sutazai-tui"] and unit["NoNewPrivileges"] == ["yes"]
    assert unit["CapabilityBoundingSet"] == [""]
    assert "SUTAZAI_TUI_STATE_DIR=%S/sutazai-tui" in unit["Environment"][0]
    assert "1" in unit["RestartPreventExitStatus"][0].split()  # another heal holds the lock


def test_its_command_line_is_heal_and_a_dry_run_unless_the_config_says_apply() -> None:
    argv = shlex.split(settings()["ExecStart"][0])
    assert argv[0] == INSTALLED
    args = build_parser().parse_args(argv[1:])
    assert (args.command, args.apply, args.config) == ("heal", False, Path("/etc/sutazai-tui/config.toml"))
