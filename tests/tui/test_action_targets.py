"""What a container key acts on: what the operator sees highlighted (findings, table, container screen).

Pilot over the simulated backend and fleet with the real policy and audit (tests/tui/test_action_keys.py's
`build`): the dialog that opens names the target; nothing opens where no container is meant; a
`serve` tab without --allow-actions refuses, audited `via: serve` with its address and tab id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Finding
from sutazai_tui.tui.controllers.actions import SERVE_OFF, SERVE_TAB_ENV
from sutazai_tui.tui.controllers.target import SELECT_FIRST
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from sutazai_tui.tui.screens.container import ContainerScreen
from sutazai_tui.tui.widgets.container_order import worst_first
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.findings import FindingsPanel
from tests.tui.test_action_keys import BACKEND, POSTGRES, REDIS, audit, build, notes, open_confirm, start
from tests.tui_support import wait_until


def finding(subject: str, title: str) -> Finding:
    return Finding(id="test", severity="critical", subject=subject, title=title, evidence="e", fix="f")


async def test_x_on_a_highlighted_finding_targets_its_container(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, _ = build(backend, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot, select=POSTGRES)  # the table's cursor is elsewhere on purpose
        app.dashboard.show_findings([finding(REDIS, f"{REDIS} exited with code 3")])
        panel = app.query_one(FindingsPanel)
        panel.focus()
        await pilot.pause()
        dialog = await open_confirm(app, pilot, "x")
        assert dialog.view.brief.name == REDIS and dialog.view.because is None
        await pilot.press("n")


async def test_an_endpoint_finding_acts_on_the_primary_container_and_says_so(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, settings = build(backend, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot, select=POSTGRES)
        endpoint = settings.all_endpoints()[0].name
        app.dashboard.show_findings([finding(endpoint, f"{endpoint} answers 503")])
        app.query_one(FindingsPanel).focus()
        await pilot.pause()
        dialog = await open_confirm(app, pilot, "x")
        assert dialog.view.brief.name == BACKEND == settings.primary_service
        assert dialog.view.because is not None and endpoint in dialog.view.because
        assert "primary container" in dialog.view.details().plain
        await pilot.press("n")


async def test_the_container_screen_acts_on_its_own_container(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, _ = build(backend, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot, select=REDIS)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen))
        table = app.dashboard.query_one(ContainerTable)
        table.move_cursor(row=[c.name for c in table.shown].index(POSTGRES))  # the table under it moves
        await pilot.pause()
        assert app.dashboard.selected_name() == POSTGRES
        dialog = await open_confirm(app, pilot, "x")
        assert dialog.view.brief.name == REDIS
        await pilot.press("n")
        await wait_until(
            pilot, lambda: any(line["result"] == "cancelled" for line in audit(app.shown.settings))
        )
        [cancelled] = audit(app.shown.settings)
        assert cancelled["container"] == REDIS and cancelled["container_id"]


async def test_where_no_container_is_meant_the_key_says_what_to_select(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, settings = build(backend, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        app.query_one(EventLog).focus()
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert f"stop: {SELECT_FIRST}" in notes(app)
        assert audit(settings) == []


async def test_the_cursor_starts_on_the_worst_and_stays_on_its_name_across_sorts(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, fleet, _ = build(backend, tmp_path)
    fleet.stop(POSTGRES)  # now the worst container, though not first by name
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        table = app.query_one(ContainerTable)
        worst = worst_first(table.shown)[0].name
        assert worst == POSTGRES and app.dashboard.selected_name() == POSTGRES
        for _ in range(3):
            await pilot.press("o")  # by name, state, health…: the rows move, the cursor stays on it
            assert app.dashboard.selected_name() == POSTGRES


async def test_a_serve_tab_without_allow_actions_refuses_and_audits_via_serve(
    backend: SimulatedBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        SERVE_TAB_ENV, json.dumps({"peer": "127.0.0.1:51234", "tab": "t-7f3a", "allow": False})
    )
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot, select=REDIS)
        for key in ("x", "R", "exclamation_mark"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
        await wait_until(pilot, lambda: len(audit(settings)) == 3)
        assert SERVE_OFF in notes(app)
    lines = audit(settings)
    assert {(line["result"], line["via"], line["peer"], line["tab"]) for line in lines} == {
        ("refused", "serve", "127.0.0.1:51234", "t-7f3a")
    }
    assert [line["action"] for line in lines] == ["stop", "restart", "emergency-stop"]
    assert fleet.inspect(REDIS).state == "running" and fleet.inspect(BACKEND).state == "running"
