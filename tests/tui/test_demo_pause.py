"""The demo can be studied (issue 28 item 4): `p` stops the simulation's clock with the polling, so
the backend and its logs stay at the paused moment; the header says the scenario and where in it."""

from __future__ import annotations

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.tui import factory
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.conftest import settings_for
from tests.tui_support import run_cycle, wait_until


async def test_p_pauses_the_simulation_and_the_header_says_where_it_is() -> None:
    now = [1000.0]
    backend = SimulatedBackend("incident", phase_seconds=10.0, rate_limit=False, clock=lambda: now[0])
    await backend.start()
    try:
        settings = settings_for(backend.url, containers=True, timeout=0.5, interval=60.0)
        app = factory.make_app(settings, demo_session(settings, SimulatedFleet(backend)), demo=True)
        async with app.run_test(size=(100, 30)) as pilot:
            await run_cycle(app, pilot)
            header = app.query_one(HeaderBar)
            await wait_until(pilot, lambda: "incident 1/4 hang, next in 10 s" in header.plain)
            await pilot.press("p")
            assert app.shown.paused and backend.paused
            now[0] += 25.0  # the operator reads for 25 s: the incident does not move on
            assert backend.phase == answers.HANG
            await wait_until(pilot, lambda: "incident 1/4 hang, next in 10 s" in header.plain)
            await pilot.press("p")
            assert not backend.paused and backend.phase == answers.HANG  # on from where it stood
            now[0] += 10.0
            assert backend.phase == answers.EMERGENCY
            await run_cycle(app, pilot)
            await wait_until(pilot, lambda: "incident 2/4 emergency" in header.plain)
    finally:
        await backend.stop()
