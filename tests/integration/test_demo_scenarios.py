"""`--demo SCENARIO` plays another scenario, `--demo list` names them; `--demo audit` is still the
demo's audit log (issue 28 item 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sutazai_tui.cli import args as args_mod
from sutazai_tui.cli import entry
from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.answers import SCENARIOS
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.tui.launch import _prepare


def test_demo_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main(["--demo", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == list(SCENARIOS)
    assert any("hang → emergency → initializing → recovered" in line for line in out)


def test_demo_scenario_is_an_option_and_commands_stay_commands() -> None:
    assert args_mod.demo_scenario_argv(["--demo", "degraded"]) == ["--demo", "--demo-scenario", "degraded"]
    assert args_mod.demo_scenario_argv(["--demo", "audit"]) == ["--demo", "audit"]
    args = args_mod.build_parser().parse_args(args_mod.demo_scenario_argv(["--demo", "degraded"]))
    assert args.demo and args.demo_scenario == "degraded"


def test_an_unknown_scenario_is_named_with_where_to_find_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry.main(["--demo", "incidnet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["sutazai-tui: no demo scenario called 'incidnet': `sutazai-tui --demo list` names them"]
    parser = args_mod.build_parser()
    assert args_mod.unknown_scenario(parser, ["--demo", "check"]) is None  # a command stays a command
    assert args_mod.unknown_scenario(parser, ["--demo", "--read-only"]) is None


def test_the_demo_plays_the_scenario_asked_for(tmp_path: Path) -> None:
    got = _prepare(lambda: Settings(state_dir=tmp_path), True, None, None, "degraded")
    try:
        monitor = got.sessions[0].monitor
        assert got.demo and monitor is not None
        fleet = monitor.containers
        assert isinstance(fleet, SimulatedFleet) and fleet.backend is not None
        assert fleet.backend.scenario == "degraded"
    finally:
        for step in got.cleanup:
            step()
