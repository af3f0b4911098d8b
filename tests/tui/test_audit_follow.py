"""Other processes' actions appear as ACTION lines (issue 28 item 9): the monitor follows the
audit log; its own actions are not shown twice."""

from __future__ import annotations

from pathlib import Path

from sutazai_tui.actions.policy import Actions
from sutazai_tui.demo.actions import FleetBackend
from sutazai_tui.demo.backend import SimulatedBackend
from tests.tui.test_action_keys import POSTGRES, REDIS, action_events, build, open_confirm, start
from tests.tui_support import run_cycle, wait_until


async def test_an_act_from_a_shell_shows_as_an_action_line(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=POSTGRES)
        shell = Actions(settings, FleetBackend(fleet))  # `sutazai-tui act stop sutazai-redis --yes`
        assert shell.stop(REDIS, via="cli act").result == "done"
        await run_cycle(app, pilot)
        await wait_until(pilot, lambda: any("(via cli act)" in e for e in action_events(app)))
        [line] = [e for e in action_events(app) if "via cli act" in e]
        assert line.startswith(f"stop {REDIS}: done — ")
        # The monitor's own action: one line, not a second from the audit log.
        await start(app, pilot, select=REDIS)
        await open_confirm(app, pilot, "R")  # stopped: R starts it
        await pilot.press("y")
        await wait_until(pilot, lambda: any(e.startswith(f"start {REDIS}: done") for e in action_events(app)))
        await run_cycle(app, pilot)
        await run_cycle(app, pilot)
        assert len([e for e in action_events(app) if e.startswith(f"start {REDIS}")]) == 1
