"""The demo can be studied (issue 28 item 4): `p` stops the simulation's clock with the polling, so
the backend and its logs stay at the paused moment; the incident replays on a loop; the header says
the scenario, where in it and which play-through."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import BACKEND, SimulatedFleet
from sutazai_tui.tui import factory
from sutazai_tui.tui.screens.finding import FindingScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.conftest import ANSWER_TIMEOUT, settings_for
from tests.tui_support import run_cycle, wait_until


async def test_p_pauses_the_simulation_and_the_header_says_where_it_is() -> None:
    now = [1000.0]
    backend = SimulatedBackend(
        "incident", phase_seconds=10.0, rate_limit=False, clock=lambda: now[0], loop=True
    )
    await backend.start()
    try:
        settings = settings_for(backend.url, containers=True, timeout=ANSWER_TIMEOUT, interval=60.0)
        app = factory.make_app(settings, demo_session(settings, SimulatedFleet(backend)), demo=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await run_cycle(app, pilot)
            header = app.query_one(HeaderBar)
            await wait_until(pilot, lambda: "incident 1/4 hang, loop 1, next in 10 s" in header.plain)
            await pilot.press("p")
            assert app.shown.paused and backend.paused
            now[0] += 25.0  # the operator reads for 25 s: the incident does not move on
            assert backend.phase == answers.HANG
            await wait_until(pilot, lambda: "incident 1/4 hang, loop 1, next in 10 s" in header.plain)
            await pilot.press("p")
            assert not backend.paused and backend.phase == answers.HANG  # on from where it stood
            now[0] += 10.0
            assert backend.phase == answers.EMERGENCY
            await run_cycle(app, pilot)
            await wait_until(pilot, lambda: "incident 2/4 emergency, loop 1" in header.plain)
            now[0] += 30.0  # initializing, recovered, then the incident again
            assert backend.phase == answers.HANG
            await run_cycle(app, pilot)
            await wait_until(pilot, lambda: "incident 1/4 hang, loop 2, next in 10 s" in header.plain)
    finally:
        await backend.stop()


async def test_the_logs_read_while_paused_are_the_paused_moments() -> None:
    now = [1000.0]
    wall = [datetime(2026, 12, 7, 12, 0, tzinfo=UTC)]
    backend = SimulatedBackend(
        "incident", phase_seconds=10.0, rate_limit=False, clock=lambda: now[0], loop=True
    )
    await backend.start()
    try:
        settings = settings_for(backend.url, containers=True, timeout=ANSWER_TIMEOUT, interval=60.0)
        fleet = SimulatedFleet(backend, clock=lambda: wall[0])
        app = factory.make_app(settings, demo_session(settings, fleet), demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await run_cycle(app, pilot)  # the hang
            now[0] += 12.0  # emergency: the backend logs a line a second
            wall[0] += timedelta(seconds=12)
            await run_cycle(app, pilot)
            await pilot.press("p")
            paused_at = wall[0]
            # At 80 columns the badges and the cycle's time come first; the scenario's place after.
            header = app.query_one(HeaderBar)
            await wait_until(pilot, lambda: "PAUSED" in header.plain)
            line = header.plain
            cycle = re.search(r"#\d+ \d\d:\d\d:\d\d", line)
            assert cycle is not None and line.index("PAUSED") < cycle.start() < line.index("incident 2/4")
            now[0] += 90.0  # a minute and a half of reading: the incident would have looped
            wall[0] += timedelta(seconds=90)
            table = app.query_one(ContainerTable)
            table.move_cursor(row=[c.name for c in table.shown].index(BACKEND))
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.fetches >= 1)
            logs = app.screen
            assert isinstance(logs, LogsScreen)
            assert "Backend started in emergency mode" in logs.text
            # The start-up lines came out in the paused second, nothing of the 90 s after it.
            assert max(line.ts_ns for line in logs.lines) < (paused_at.timestamp() + 1) * 1e9
            assert backend.phase == answers.EMERGENCY
    finally:
        await backend.stop()


async def test_the_demos_fix_files_are_kept_apart_from_the_real_ones(tmp_path: Path) -> None:
    backend = SimulatedBackend("incident", rate_limit=False)
    backend.forced_phase = answers.HANG  # missing env: a fix with commands
    await backend.start()
    try:
        settings = settings_for(backend.url, tmp_path, containers=True, timeout=ANSWER_TIMEOUT, interval=60.0)
        app = factory.make_app(settings, demo_session(settings, SimulatedFleet(backend)), demo=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await run_cycle(app, pilot)
            await wait_until(pilot, lambda: bool(app.shown.findings))
            finding = next(f for f in app.shown.findings if f.id == "missing-env")
            app.dashboard.open_finding(finding)
            await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
            await pilot.press("c")
            written = settings.state_dir / "demo" / "fixes" / "missing-env-sutazai-backend.sh"
            await wait_until(pilot, lambda: written.exists())
            assert not (settings.state_dir / "fixes").exists()  # nothing of the demo among the real fixes
    finally:
        await backend.stop()
