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

SYSTEMD = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
UNIT = SYSTEMD / "sutazai-tui-heal.service"
TEMPLATE = SYSTEMD / "sutazai-tui-heal@.service"  # one per [[targets]] entry: sutazai-tui-heal@prod
INSTALLED = "/opt/sutazai-tui/bin/sutazai-tui"


def settings(unit: Path = UNIT) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if line.strip() and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize(("unit", "name"), [(UNIT, UNIT.name), (TEMPLATE, "sutazai-tui-heal@prod.service")])
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path, unit: Path, name: str) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze missing: apt-get install systemd")
    local = Path(sys.executable).with_name("sutazai-tui")
    assert local.exists(), local
    (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(local)))
    copy = tmp_path / name  # a template is verified as an instance of it
    if copy.name != unit.name:
        copy.symlink_to(tmp_path / unit.name)
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


def test_the_template_is_the_unit_with_the_instance_as_its_target() -> None:
    unit, template = settings(), settings(TEMPLATE)
    assert shlex.split(template["ExecStart"][0]) == [*shlex.split(unit["ExecStart"][0]), "--target", "%i"]
    same = {k: v for k, v in unit.items() if k not in ("ExecStart", "Description", "EnvironmentFile")}
    assert {k: template[k] for k in same} == same  # the same confinement, key by key
    assert template["EnvironmentFile"] == [*unit["EnvironmentFile"], "-/etc/sutazai-tui/heal-%i.env"]
