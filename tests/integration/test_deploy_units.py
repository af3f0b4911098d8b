"""deploy/: every systemd unit passes `systemd-analyze verify` and keeps the house rules; the compose
snippet merges into a SutazAI stack with `docker-compose config`. Every command they run parses."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sutazai_tui.cli.args import build_parser

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
SNIPPET = ROOT / "deploy" / "compose" / "docker-compose.sutazai-tui.yml"
# ExecStart's program, wherever the unit says it is installed.
PROGRAM = re.compile(r"^(ExecStart=[-@+!:]*)(\S*/)?sutazai-tui\b", re.MULTILINE)
# A stand-in for the SutazAI stack's compose file: its backend on its own network.
STACK = """\
version: "2.4"
services:
  backend:
    image: sutazai-test/busybox:latest
    container_name: sutazai-backend
    networks: [sutazai-network]
networks:
  sutazai-network: {}
"""


def directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", ";")):
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def installed_program() -> str:
    beside = Path(sys.executable).with_name("sutazai-tui")
    found = str(beside) if beside.exists() else shutil.which("sutazai-tui")
    if found is None:
        pytest.skip("the sutazai-tui script is not installed (pip install -e .)")
    return found


def test_there_are_units() -> None:
    assert any(u.name == "sutazai-tui-exporter.service" for u in UNITS)


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_keeps_the_house_rules(unit: Path) -> None:
    found = directives(unit)
    user = found.get("User", [""])[0]
    assert user and user != "root", "a dedicated user, never root"
    groups = found.get("SupplementaryGroups", [""])[0].split()
    assert "docker" in groups, "the docker group, to read the engine"
    assert found.get("ProtectSystem") == ["strict"]
    assert found.get("StateDirectory", [""])[0].startswith("sutazai-tui"), "state under StateDirectory="
    assert found.get("NoNewPrivileges") == ["yes"]
    assert found.get("ProtectHome") == ["yes"]
    assert found.get("CapabilityBoundingSet") == [""], "no capabilities"
    sysusers = (ROOT / "deploy" / "systemd" / "sutazai-tui.sysusers").read_text()
    assert re.search(rf"^u {re.escape(user)} ", sysusers, re.MULTILINE), "sutazai-tui.sysusers creates it"


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_runs_a_command_line_the_parser_accepts(unit: Path) -> None:
    argv = shlex.split(directives(unit)["ExecStart"][0].lstrip("-@+!:"))
    assert Path(argv[0]).name == "sutazai-tui"
    build_parser().parse_args(argv[1:])  # a wrong flag exits 2 here


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None,
    reason="systemd-analyze is missing (scripts/test.sh installs systemd)",
)
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_analyze_verify_passes(unit: Path, tmp_path: Path) -> None:
    # The unit as installed: its program where this test's is, its man page findable (Documentation=).
    copy = tmp_path / unit.name
    copy.write_text(PROGRAM.sub(lambda m: m.group(1) + installed_program(), unit.read_text()))
    man1 = tmp_path / "man" / "man1"
    man1.mkdir(parents=True)
    shutil.copy(ROOT / "man" / "sutazai-tui.1", man1)
    proc = subprocess.run(
        ["systemd-analyze", "verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "MANPATH": str(tmp_path / "man")},
        check=False,
    )
    problems = proc.stdout + proc.stderr
    assert proc.returncode == 0 and unit.name not in problems, problems  # unknown keys only warn


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="docker-compose is missing (scripts/test.sh installs it)"
)
def test_compose_snippet_merges_into_the_stack(tmp_path: Path) -> None:
    stack = tmp_path / "docker-compose.yml"
    stack.write_text(STACK)
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "SUTAZAI_TUI_SRC": str(ROOT),
        "SUTAZAI_NETWORK": "sutazai-network",
        "DOCKER_GID": "998",
    }
    proc = subprocess.run(
        ["docker-compose", "-p", "sutazai-tcfg", "-f", str(stack), "-f", str(SNIPPET), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    merged = yaml.safe_load(proc.stdout)
    assert set(merged["services"]) == {"backend", "sutazai-tui-exporter"}
    exporter = merged["services"]["sutazai-tui-exporter"]
    assert exporter["environment"]["SUTAZAI_TUI_BASE_URL"] == "http://sutazai-backend:8000"
    assert list(exporter["networks"]) == ["sutazai-network"]  # beside the backend
    assert exporter["ports"] == ["127.0.0.1:9810:9810/tcp"]  # published on loopback only
    assert exporter["group_add"] == ["998"] and exporter["user"] == "10001:10001"
    assert exporter["read_only"] is True and exporter["cap_drop"] == ["ALL"]
    assert exporter["environment"]["SUTAZAI_TUI_TOKEN"] is None  # from the shell, never a file
    build_parser().parse_args(exporter["command"])
    dockerfile = (ROOT / exporter["build"]["dockerfile"]).read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    build_parser().parse_args(yaml.safe_load(cmd.group(1)))


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is missing")
def test_compose_snippet_says_what_is_missing(tmp_path: Path) -> None:
    stack = tmp_path / "docker-compose.yml"
    stack.write_text(STACK)
    proc = subprocess.run(
        ["docker-compose", "-p", "sutazai-tcfg", "-f", str(stack), "-f", str(SNIPPET), "config"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
        check=False,
    )
    assert proc.returncode != 0 and "set SUTAZAI_TUI_SRC" in proc.stderr
