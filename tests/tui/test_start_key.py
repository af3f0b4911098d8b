"""The restart key on a stopped container says Start and starts it, confirmed and audited (issue 28
item 9); the stop dialog says how it starts again."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from tests.tui.test_action_keys import REDIS, audit, build, open_confirm, start, table_state
from tests.tui.test_notifications import screen_rows
from tests.tui_support import wait_until


def restart_word(app: SutazaiApp) -> str:
    bindings = app.screen.active_bindings.values()
    return next(b.binding.description for b in bindings if b.binding.id == "restart")


async def test_r_on_an_exited_container_says_start_and_starts_it(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        assert restart_word(app) == "Restart"
        screen = await open_confirm(app, pilot, "x")
        assert "until started (R on it here)" in str(screen.query_one("#confirm-effect", Static).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, REDIS) == "exited")
        # Said with the re-poll after the stop, not a cycle later (the interval here is 60 s).
        await wait_until(pilot, lambda: restart_word(app) == "Start")
        assert "R Start" in screen_rows(app)[-1]  # the footer says what the key does here
        screen = await open_confirm(app, pilot, "R")
        assert isinstance(screen, ConfirmScreen) and screen.view.verb == "Start"
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, REDIS) == "running")
        assert [(e["action"], e["result"]) for e in audit(settings) if e["result"] != "started"][-1] == (
            "start",
            "done",
        )
        await wait_until(pilot, lambda: restart_word(app) == "Restart")
