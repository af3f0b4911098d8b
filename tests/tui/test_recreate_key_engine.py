"""The `C` key on a real engine with a real compose project: the confirmation shows the command,
`y` recreates the container with the fixed .env, and a container compose did not make is refused
in one line without a dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.source import DockerSource
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from tests.compose_support import GOOD_ENV, ComposeProject, compose_project
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for
from tests.tui.test_action_keys_engine import ask, select
from tests.tui_support import wait_until

__all__ = ["compose_project", "containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine


def build(backend: SimulatedBackend, project: ComposeProject, tmp_path: Path) -> SutazaiApp:
    """The live app watching only this project's containers, acting through its compose CLI."""
    settings = settings_for(
        backend.url,
        tmp_path,
        containers=True,
        container_prefix=project.prefix,
        interval=60.0,
        protected=[],
        audit_log=tmp_path / "audit.jsonl",
        compose_cli=" ".join(project.cli),
    )
    return make_app(
        settings, Session(settings, Monitor(settings, containers=DockerSource(prefix=project.prefix)))
    )


async def test_c_shows_the_command_and_recreates(
    backend: SimulatedBackend,
    compose_project: ComposeProject,
    containers: ContainerFactory,
    docker_client: Any,
    tmp_path: Path,
) -> None:
    project, name = compose_project, compose_project.name("backend")
    project.write_env(JWT_SECRET=GOOD_ENV["JWT_SECRET"], JWT_SECRET_KEY=GOOD_ENV["JWT_SECRET_KEY"])
    project.up()
    old_id = docker_client.api.inspect_container(name)["Id"]
    project.write_env(**GOOD_ENV)
    plain = containers.run("plain", "sleep 300", name=project.prefix + "plain")
    app = build(backend, project, tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        await select(app, pilot, name)
        screen = await ask(app, pilot, "C")
        command = f"cd {project.dir} && {' '.join(project.cli)} -p {project.project} -f "
        assert screen.view.brief.command is not None and screen.view.brief.command.startswith(command)
        shown = screen.view.command()  # its own line under "runs", never wrapped
        assert shown is not None and shown.plain == f"$ {screen.view.brief.command}"
        assert screen.view.title == "Recreate container?"
        await pilot.press("y")
        audit = tmp_path / "audit.jsonl"
        await wait_until(
            pilot, lambda: [e["result"] for e in read_audit(audit)][-1:] == ["done"], deadline_s=60
        )
        line = read_audit(audit)[-1]
        assert (line["action"], line["via"], line["container_id"]) == ("recreate", "key C", old_id)
        new = docker_client.api.inspect_container(name)
        assert new["Id"] != old_id
        assert any(e.startswith("SECRET_KEY=") for e in new["Config"]["Env"])

        # Not made by compose: refused at once, one line, no dialog, audited.
        await select(app, pilot, plain.name)
        await pilot.press("C")
        await wait_until(pilot, lambda: read_audit(audit)[-1]["container"] == plain.name, deadline_s=15)
        assert not isinstance(app.screen, ConfirmScreen)
        assert read_audit(audit)[-1]["result"] == "refused"
        said = [n.message for n in app._notifications if plain.name in n.message]
        why = "cannot recreate: it has no compose labels (not started by compose)"
        assert said == [f"recreate {plain.name}: refused — {why}"]
    wait_for(
        lambda: docker_client.api.inspect_container(name)["State"]["Running"], 30, "the new backend running"
    )
