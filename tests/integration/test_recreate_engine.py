"""The recreate action on a real engine with a real compose project (tests/compose_support.py).

Done: a fixed .env reaches the new container (the env names the engine reports change), audited
`started` then `done`, compose's output captured. Refused, each in one line: no compose labels,
compose files not on this host, no compose CLI, read-only, protected without the typed name, not
monitored. Bounded: a compose CLI that never finishes is stopped at `recreate_timeout`.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.engine import compose_labels as compose_mod
from tests.compose_support import GOOD_ENV, ComposeProject, compose_project
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for

__all__ = ["compose_project", "containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine


def settings_for(project: ComposeProject, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "container_prefix": project.prefix,
        "state_dir": tmp_path / "state",
        "protected": [],
        "compose_cli": " ".join(project.cli),
        "stop_timeout": 2,
    }
    return Settings(**(values | overrides))


def env_names(client: Any, name: str) -> set[str]:
    return {e.split("=", 1)[0] for e in client.api.inspect_container(name)["Config"]["Env"] or ()}


def test_recreate_picks_up_the_fixed_env(
    compose_project: ComposeProject, docker_client: Any, tmp_path: Path
) -> None:
    project, backend = compose_project, compose_project.name("backend")
    project.write_env(JWT_SECRET=GOOD_ENV["JWT_SECRET"])
    project.up()
    old_id = docker_client.api.inspect_container(backend)["Id"]
    assert "SECRET_KEY" not in env_names(docker_client, backend)
    project.write_env(**GOOD_ENV)
    settings = settings_for(project, tmp_path)
    actions = Actions(settings)
    brief = actions.describe(backend, "recreate")
    assert brief.refusal is None and brief.command is not None
    assert brief.command.startswith(f"cd {project.dir} && {' '.join(project.cli)} -p {project.project} -f ")
    assert brief.command.endswith("up -d --force-recreate --no-deps backend")

    result = actions.recreate(backend, via="test")

    assert result.result == "done", result.message
    assert result.container_id == old_id and result.command == brief.command
    new = docker_client.api.inspect_container(backend)
    assert new["Id"] != old_id and result.message.startswith(f"recreated: new container {new['Id'][:12]}")
    assert {"SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY"} <= env_names(docker_client, backend)
    assert result.output and "backend" in result.output  # compose's own words, e.g. "Recreating …"
    # --no-deps: the dependencies were left alone.
    assert docker_client.api.inspect_container(project.name("redis"))["RestartCount"] == 0
    wait_for(lambda: docker_client.api.inspect_container(backend)["State"]["Running"], 30, "backend running")
    lines = [e for e in read_audit(settings.audit_path) if e["container"] == backend]
    assert [e["result"] for e in lines] == ["started", "done"]
    assert lines[0]["command"] == brief.command and lines[1]["output"] == result.output
    text = settings.audit_path.read_text()
    assert GOOD_ENV["SECRET_KEY"] not in text and GOOD_ENV["JWT_SECRET"] not in text


def test_refusals_each_one_line(
    compose_project: ComposeProject,
    containers: ContainerFactory,
    docker_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project, backend = compose_project, compose_project.name("backend")
    project.write_env(**GOOD_ENV)
    project.up()
    settings = settings_for(project, tmp_path)

    def refused(actions: Actions, name: str, typed: str | None = None) -> str:
        result = actions.recreate(name, typed=typed)
        assert result.result == "refused" and "\n" not in result.message
        return result.message

    # No compose labels: a plain `docker run` container under the same prefix.
    plain = containers.run("plain", "sleep 300", name=project.prefix + "plain")
    message = refused(Actions(settings), plain.name)
    assert message == "cannot recreate: it has no compose labels (not started by compose)"
    # Read-only, protected, not monitored: the same rules as stop/restart.
    assert refused(Actions(settings_for(project, tmp_path, read_only=True)), backend).startswith("read-only")
    guarded = Actions(settings_for(project, tmp_path, protected=[backend]))
    assert refused(guarded, backend) == f"{backend} is protected: type its name to confirm"
    assert "not a monitored container" in refused(
        Actions(settings_for(project, tmp_path, container_prefix="x-")), backend
    )
    # No compose CLI on this machine (an empty PATH, no plugin dir).
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty"))
    monkeypatch.setattr(compose_mod, "PLUGIN_DIRS", ())
    compose_mod.detect_cli.cache_clear()
    try:
        message = refused(Actions(settings_for(project, tmp_path, compose_cli="")), backend)
    finally:
        compose_mod.detect_cli.cache_clear()
        monkeypatch.undo()
    assert message.startswith("cannot recreate: no compose CLI installed")
    # The compose files are not on this host (the deployment lives elsewhere).
    shutil.move(project.dir / "docker-compose.yml", project.dir / "moved.yml")
    message = refused(Actions(settings), backend)
    assert (
        message == f"cannot recreate: its compose file {project.dir}/docker-compose.yml is not on this host"
    )
    # Nothing above touched the container; every refusal is audited.
    assert docker_client.api.inspect_container(backend)["RestartCount"] == 0
    assert [e["result"] for e in read_audit(settings.audit_path)] == ["refused"] * 6


def test_a_compose_that_never_finishes_is_stopped(
    compose_project: ComposeProject, docker_client: Any, tmp_path: Path
) -> None:
    project, backend = compose_project, compose_project.name("backend")
    project.write_env(**GOOD_ENV)
    project.up()
    old_id = docker_client.api.inspect_container(backend)["Id"]
    # Stands in for a compose stuck on a hung engine: it prints, then never exits.
    hung = tmp_path / "hung-compose"
    hung.write_text("#!/bin/sh\necho 'Recreating backend ...'\nexec sleep 613\n")
    hung.chmod(hung.stat().st_mode | stat.S_IXUSR)
    settings = settings_for(project, tmp_path, compose_cli=str(hung), recreate_timeout=5)

    result = Actions(settings).recreate(backend)

    assert result.result == "failed" and "did not finish within 5s (recreate_timeout)" in result.message
    assert docker_client.api.inspect_container(backend)["Id"] == old_id
    assert [e["result"] for e in read_audit(settings.audit_path)] == ["started", "failed"]
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p) == "sleep\x00613\x00"]


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""
