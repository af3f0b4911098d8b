"""Compose labels → the recreate command: v2 plugin, v1 binary, several files, working dir, no labels,
one-off containers refused; and the CLI lookup over real files on PATH and in a plugin dir.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sutazai_tui.models import ComposeLabels, ContainerStats
from sutazai_tui.sources.engine import compose_labels as compose
from sutazai_tui.sources.engine.compose_labels import V1, V2, RecreatePlan, missing_on_host, recreate_plan

P = "com.docker.compose."


def labels(**extra: str) -> dict[str, str]:
    """The labels compose v2 writes on a service container (keys given without the prefix)."""
    base = {
        "project": "sutazai",
        "service": "backend",
        "project.config_files": "/srv/sutazai/docker/docker-compose.yml",
        "project.working_dir": "/srv/sutazai/docker",
        "oneoff": "False",
        "version": "2.24.0",
    }
    base.update({k.replace("__", "."): v for k, v in extra.items()})
    return {P + k: v for k, v in base.items() if v != "-"}


def plan_for(found: dict[str, str], cli: tuple[str, ...] = V2) -> RecreatePlan | str:
    return recreate_plan(ComposeLabels.from_labels(found), cli)


def test_v2_plugin_command_runs_from_the_working_dir() -> None:
    plan = plan_for(labels())
    assert isinstance(plan, RecreatePlan)
    assert plan.argv == (
        "docker", "compose", "-p", "sutazai", "-f", "/srv/sutazai/docker/docker-compose.yml",
        "up", "-d", "--force-recreate", "--no-deps", "backend",
    )  # fmt: skip
    assert plan.cwd == "/srv/sutazai/docker"
    assert plan.command == (
        "cd /srv/sutazai/docker && docker compose -p sutazai -f /srv/sutazai/docker/docker-compose.yml "
        "up -d --force-recreate --no-deps backend"
    )


def test_v1_binary_with_relative_files_as_v1_writes_them() -> None:
    # docker-compose 1.29 records the files as given on its command line, relative to its cwd.
    found = labels(project__config_files="docker-compose.yml", version="1.29.2")
    plan = plan_for(found, V1)
    assert isinstance(plan, RecreatePlan)
    assert plan.argv[:5] == ("docker-compose", "-p", "sutazai", "-f", "docker-compose.yml")
    assert plan.files == ("/srv/sutazai/docker/docker-compose.yml",)
    assert plan.command.startswith(
        "cd /srv/sutazai/docker && docker-compose -p sutazai -f docker-compose.yml up"
    )


def test_several_files_keep_their_order() -> None:
    found = labels(project__config_files="docker-compose.yml,docker-compose.override.yml, /etc/x/prod.yml")
    plan = plan_for(found)
    assert isinstance(plan, RecreatePlan)
    f_args = [plan.argv[i + 1] for i, a in enumerate(plan.argv) if a == "-f"]
    assert f_args == ["docker-compose.yml", "docker-compose.override.yml", "/etc/x/prod.yml"]
    assert plan.files[-1] == "/etc/x/prod.yml"  # absolute stays absolute


def test_odd_paths_are_quoted_in_the_printed_command() -> None:
    found = labels(project__working_dir="/srv/my stack", project__config_files="/srv/my stack/c.yml")
    plan = plan_for(found)
    assert isinstance(plan, RecreatePlan)
    assert plan.command.startswith(
        "cd '/srv/my stack' && docker compose -p sutazai -f '/srv/my stack/c.yml' "
    )
    assert "/srv/my stack/c.yml" in plan.argv  # argv, no shell: unquoted


def test_no_working_dir_absolute_files_need_no_cd_relative_ones_are_refused() -> None:
    plan = plan_for(labels(project__working_dir="-"))
    assert isinstance(plan, RecreatePlan) and plan.cwd == "" and plan.command.startswith("docker compose -p")
    refused = plan_for(labels(project__working_dir="-", project__config_files="docker-compose.yml"))
    assert refused == compose.NO_FILES


def test_no_labels_and_one_off_are_refused() -> None:
    assert ComposeLabels.from_labels({}) is None
    assert ComposeLabels.from_labels({P + "project": "sutazai"}) is None  # no service: not compose's
    assert recreate_plan(None, V2) == compose.NO_LABELS
    assert plan_for(labels(oneoff="True")) == compose.ONE_OFF
    stats = ContainerStats(name="sutazai-backend", id="x", labels=labels())
    assert stats.compose is not None and stats.compose.service == "backend" and not stats.compose.oneoff


def test_files_missing_on_this_host(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    here = plan_for(labels(project__working_dir=str(tmp_path), project__config_files="docker-compose.yml"))
    assert isinstance(here, RecreatePlan) and missing_on_host(here) is None
    gone = plan_for(labels(project__working_dir=str(tmp_path), project__config_files="prod.yml"))
    assert isinstance(gone, RecreatePlan)
    assert missing_on_host(gone) == f"its compose file {tmp_path}/prod.yml is not on this host"
    elsewhere = plan_for(labels())
    assert isinstance(elsewhere, RecreatePlan)
    assert missing_on_host(elsewhere) == "its compose working dir /srv/sutazai/docker is not on this host"


def _executable(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


def test_cli_lookup_prefers_the_v2_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir, config = tmp_path / "bin", tmp_path / "dockercfg"
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    monkeypatch.setattr(compose, "PLUGIN_DIRS", ())
    compose.detect_cli.cache_clear()
    try:
        assert compose.detect_cli() is None
        assert compose.shown_cli("") == V2  # nothing installed: the printed command names v2
        _executable(bin_dir / "docker-compose")
        compose.detect_cli.cache_clear()
        assert compose.detect_cli() == V1  # only v1
        _executable(bin_dir / "docker")
        _executable(config / "cli-plugins" / "docker-compose")
        compose.detect_cli.cache_clear()
        assert compose.detect_cli() == V2  # the plugin wins
        assert compose.cli_from("/opt/compose/bin/docker-compose") == ("/opt/compose/bin/docker-compose",)
    finally:
        compose.detect_cli.cache_clear()
    assert os.environ["PATH"] == str(bin_dir)
