"""Container actions from the TUI on a real Docker engine: keys, confirmation, engine, audit log.

The app builds its own Actions (the Docker engine's) on the first key, as the live app does. Its
monitored set is the test's unique container prefix, so nothing but this test's containers can
be touched; containers come from `tests.docker_support` (network none, removed at teardown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.source import DockerSource
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client
from tests.tui_support import run_cycle, wait_until

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
engine = pytest.mark.engine
# Exits at once on SIGTERM (PID 1 has no default handlers, so the trap is needed).
POLITE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]


def build(
    backend: SimulatedBackend, factory: ContainerFactory, tmp_path: Path, **overrides: Any
) -> SutazaiApp:
    """The live app (no Actions given) watching only this test's containers."""
    values: dict[str, Any] = {"containers": True, "container_prefix": factory.prefix, "interval": 60.0}
    values |= {"stop_timeout": 5, "audit_log": tmp_path / "audit.jsonl"} | overrides
    settings = settings_for(backend.url, tmp_path, **values)
    return make_app(
        settings, Session(settings, Monitor(settings, containers=DockerSource(prefix=factory.prefix)))
    )


def engine_status(client: Any, name: str) -> str:
    return str(client.api.inspect_container(name)["State"]["Status"])


def audit(settings: Settings) -> list[dict[str, Any]]:
    return read_audit(settings.audit_path)


def table_state(app: SutazaiApp, name: str) -> str | None:
    return next((c.state for c in app.query_one(ContainerTable).shown if c.name == name), None)


async def select(app: SutazaiApp, pilot: Pilot[int], name: str) -> None:
    await run_cycle(app, pilot)
    table = app.query_one(ContainerTable)
    table.move_cursor(row=[c.name for c in table.shown].index(name))
    await pilot.pause()


async def ask(app: SutazaiApp, pilot: Pilot[int], key: str) -> ConfirmScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), deadline_s=15)
    assert isinstance(app.screen, ConfirmScreen)
    return app.screen


@engine
async def test_cancel_leaves_it_running_then_x_y_stops_it(
    backend: SimulatedBackend, containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("web", POLITE)
    app = build(backend, containers, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, box.name)
        screen = await ask(app, pilot, "x")
        assert (screen.view.brief.id, screen.view.brief.state) == (box.id, "running")
        await pilot.press("n")
        await wait_until(pilot, lambda: len(audit(app.shown.settings)) == 1, deadline_s=10)
        assert audit(app.shown.settings)[0]["result"] == "cancelled"
        assert engine_status(docker_client, box.name) == "running"

        await ask(app, pilot, "x")
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, box.name) == "exited", deadline_s=20)
        assert engine_status(docker_client, box.name) == "exited"
        line = audit(app.shown.settings)[-1]
        assert (line["action"], line["container"], line["container_id"]) == ("stop", box.name, box.id)
        assert (line["state_before"], line["state_after"], line["result"]) == ("running", "exited", "done")
        assert line["engine"].startswith("unix://") and line["via"] == "key x"


@engine
async def test_bang_stops_the_primary_not_the_selected(
    backend: SimulatedBackend, containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    primary, other = containers.run("core", POLITE), containers.run("side", POLITE)
    app = build(backend, containers, tmp_path, primary_service=primary.name)
    async with app.run_test(size=(80, 24)) as pilot:
        await select(app, pilot, other.name)
        screen = await ask(app, pilot, "exclamation_mark")
        assert screen.view.emergency and screen.view.brief.name == primary.name
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, primary.name) == "exited", deadline_s=20)
        assert engine_status(docker_client, primary.name) == "exited"
        assert engine_status(docker_client, other.name) == "running"
        line = audit(app.shown.settings)[-1]
        assert (line["container_id"], line["state_after"], line["via"]) == (primary.id, "exited", "key !")


@engine
async def test_y_after_a_name_swap_acts_on_nothing(
    backend: SimulatedBackend, containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    a, b = containers.run("a", POLITE), containers.run("b", POLITE)
    parked = containers.name("parked")
    app = build(backend, containers, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, a.name)
        screen = await ask(app, pilot, "x")
        assert screen.view.brief.id == a.id
        # Between the dialog and `y`, the names change hands on the engine.
        docker_client.api.rename(a.id, parked)
        docker_client.api.rename(b.id, a.name)
        docker_client.api.rename(a.id, b.name)
        await pilot.press("y")
        await wait_until(pilot, lambda: len(audit(app.shown.settings)) == 1, deadline_s=15)
        said = f"{a.name} changed since you confirmed (id {a.id[:12]}… → {b.id[:12]}…): not acting"
        [line] = audit(app.shown.settings)
        assert (line["result"], line["container_id"], line["message"]) == ("refused", a.id, said)
        assert engine_status(docker_client, b.id) == "running"  # B, now called A, still runs
        assert engine_status(docker_client, a.id) == "running"
