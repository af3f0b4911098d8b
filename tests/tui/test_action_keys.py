"""Container actions in the TUI, driven by Pilot on the simulated backend and fleet.

The app gets an `Actions` over `FleetBackend(fleet)`: the real policy and a real audit log in
tmp, only the engine is simulated. Each test asserts on the fleet (what happened), the audit log
(what was recorded), the table, the event log and the notifications (what the operator saw).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.demo import answers
from sutazai_tui.demo.actions import FleetBackend
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.controllers.actions import READ_ONLY
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.conftest import ANSWER_TIMEOUT, settings_for
from tests.tui_support import run_cycle, wait_until

REDIS, BACKEND, POSTGRES = "sutazai-redis", "sutazai-backend", "sutazai-postgres"


class SlowFleetBackend(FleetBackend):
    """Holds a stop until the test lets it go, so a second action can arrive while one runs."""

    def __init__(self, fleet: SimulatedFleet) -> None:
        super().__init__(fleet)
        self.entered, self.release = threading.Event(), threading.Event()

    def stop(self, ref: str, timeout: int) -> None:
        self.entered.set()
        self.release.wait(10)
        super().stop(ref, timeout)


def build(
    backend: SimulatedBackend, tmp_path: Path, *, slow: bool = False, replay: bool = False, **overrides: Any
) -> tuple[SutazaiApp, SimulatedFleet, Settings]:
    """The app over the simulated fleet, with Actions on that fleet auditing to tmp."""
    backend.forced_phase = answers.RECOVERED
    values: dict[str, Any] = {
        "containers": True,
        "timeout": ANSWER_TIMEOUT,
        "interval": 60.0,
        "audit_log": tmp_path / "audit.jsonl",
    }
    settings = settings_for(backend.url, tmp_path, **values | overrides)
    fleet = SimulatedFleet(backend)
    engine = SlowFleetBackend(fleet) if slow else FleetBackend(fleet)
    actions = Actions(settings, engine)
    app = make_app(settings, demo_session(settings, fleet, actions=actions), replay=replay)
    return app, fleet, settings


async def start(app: SutazaiApp, pilot: Pilot[int], select: str | None = None) -> None:
    """One cycle on screen, then the cursor on `select` (pinned, as if moved by the operator)."""
    await run_cycle(app, pilot)
    if select is not None:
        table = app.query_one(ContainerTable)
        table.move_cursor(row=[c.name for c in table.shown].index(select))
        await pilot.pause()
        assert app.dashboard.selected_name() == select


async def open_confirm(app: SutazaiApp, pilot: Pilot[int], key: str) -> ConfirmScreen:
    await pilot.press(key)
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    assert isinstance(app.screen, ConfirmScreen)
    return app.screen


def audit(settings: Settings) -> list[dict[str, Any]]:
    return read_audit(settings.audit_path)


def notes(app: SutazaiApp) -> list[str]:
    return [n.message for n in app._notifications]


def table_state(app: SutazaiApp, name: str) -> str:
    return next(c.state for c in app.query_one(ContainerTable).shown if c.name == name)


def action_events(app: SutazaiApp) -> list[str]:
    return [e.reason for e in app.shown.history.events if e.kind == "action"]


async def test_x_asks_with_cancel_focused_then_y_stops(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        screen = await open_confirm(app, pilot, "x")
        assert isinstance(screen.focused, Button) and screen.focused.id == "confirm-cancel"
        shown = str(screen.query_one("#confirm-details", Static).render())
        brief = fleet.inspect(REDIS)
        assert REDIS in shown and brief.id[:12] in shown and "redis:7-alpine" in shown
        assert "running, up 6h" in shown
        assert audit(settings) == []  # asking is not acting
        assert app.shown.scheduler is not None
        cycles = app.shown.scheduler.cycles

        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, REDIS) == "exited")
        assert fleet.inspect(REDIS).state == "exited"
        line = audit(settings)[-1]
        assert (line["action"], line["container"], line["result"]) == ("stop", REDIS, "done")
        assert (line["state_before"], line["state_after"], line["via"]) == ("running", "exited", "key x")
        assert line["container_id"] == brief.id
        assert action_events(app) == [f"stop {REDIS}: done — stopped (exit 0)"]
        assert f"stop {REDIS}: done — stopped (exit 0)" in notes(app)
        assert app.shown.scheduler.cycles == cycles  # the containers were re-polled; no cycle was started


async def test_n_and_escape_cancel_and_are_audited(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        for key in ("n", "escape"):
            await open_confirm(app, pilot, "x")
            want = len(audit(settings)) + 1
            await pilot.press(key)
            await wait_until(pilot, lambda want=want: len(audit(settings)) == want)
            assert not isinstance(app.screen, ConfirmScreen)
        assert [line["result"] for line in audit(settings)] == ["cancelled", "cancelled"]
        assert fleet.inspect(REDIS).state == "running"
        assert table_state(app, REDIS) == "running"


async def test_enter_on_the_first_focus_cancels(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        await open_confirm(app, pilot, "x")
        await pilot.press("enter")  # a stray Enter hits Cancel
        await wait_until(pilot, lambda: len(audit(settings)) == 1)
        assert audit(settings)[0]["result"] == "cancelled"
        assert fleet.inspect(REDIS).state == "running"


async def test_shift_r_restarts(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        screen = await open_confirm(app, pilot, "R")
        assert "Restart" in str(screen.query_one("#confirm-effect", Static).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(audit(settings)))
        line = audit(settings)[-1]
        assert (line["action"], line["result"], line["state_after"]) == ("restart", "done", "running")
        assert fleet.inspect(REDIS).restart_count == 1
        await wait_until(pilot, lambda: "restart" in " ".join(action_events(app)))


async def test_bang_stops_the_primary_wherever_the_cursor_is(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        screen = await open_confirm(app, pilot, "exclamation_mark")
        assert screen.view.brief.name == BACKEND and screen.view.emergency
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, BACKEND) == "exited")
        assert fleet.inspect(REDIS).state == "running"
        last = audit(settings)[-1]
        assert (last["container"], last["via"], last["action"]) == (BACKEND, "key !", "emergency-stop")
        assert any(reason.startswith(f"emergency-stop {BACKEND}: done") for reason in action_events(app))


async def test_protected_needs_its_name_typed(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=POSTGRES)
        screen = await open_confirm(app, pilot, "x")
        ok = screen.query_one("#confirm-ok", Button)
        assert ok.disabled
        typed = screen.query_one("#confirm-typed", Input)
        assert screen.focused is typed  # focus starts in the name field
        hint = screen.query_one("#confirm-hint", Static)
        assert "type its name, then enter to stop" in str(hint.render())
        await pilot.press("n", "y")  # letters are the name: neither cancels nor confirms
        assert app.screen is screen and typed.value == "ny" and ok.disabled
        await pilot.press("backspace", "backspace")
        await pilot.press(*"sutazai-postgre", "enter")  # a wrong name is not confirmable
        assert app.screen is screen and ok.disabled and fleet.inspect(POSTGRES).state == "running"
        assert "exactly" in str(hint.render())
        await pilot.press("s")
        assert not ok.disabled
        await pilot.press("enter")
        await wait_until(pilot, lambda: table_state(app, POSTGRES) == "exited")
        line = audit(settings)[-1]
        assert (line["container"], line["result"]) == (POSTGRES, "done")
        # The core checks the typed name again, whatever the screen did.
        refused = (
            app.shown.actions_made.restart(POSTGRES, typed="postgres") if app.shown.actions_made else None
        )
        assert refused is not None and refused.result == "refused" and "protected" in refused.message


async def test_read_only_keys_say_why_and_the_core_refuses(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        footer = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert not footer & {"stop", "restart", "emergency_stop"} and "logs" in footer  # only keys that act
        for key in ("x", "R", "exclamation_mark"):
            await pilot.press(key)
            assert not isinstance(app.screen, ConfirmScreen)
        await wait_until(pilot, lambda: len(audit(settings)) == 3)
        assert notes(app).count(READ_ONLY) == 3
        assert [(line["action"], line["result"]) for line in audit(settings)] == [
            ("stop", "refused"),
            ("restart", "refused"),
            ("emergency-stop", "refused"),
        ]
        assert all("read-only" in line["error"] for line in audit(settings))
        assert fleet.inspect(REDIS).state == fleet.inspect(BACKEND).state == "running"
        assert fleet.inspect(REDIS).restart_count == 0
        assert len(action_events(app)) == 3


async def test_replay_disables_actions(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path, replay=True)
    async with app.run_test(size=(80, 24)) as pilot:
        snapshot = await app.shown.monitor.cycle() if app.shown.monitor else None
        assert snapshot is not None
        app.dashboard.feed_snapshot(snapshot)
        await pilot.press("x", "exclamation_mark")
        # Live-only keys are hidden and inert in replay (the header says REPLAY).
        assert notes(app) == []
        shown = {b.binding.action for b in app.active_bindings.values()}
        assert not shown & {"stop_container", "restart_container", "emergency_stop"}
        assert not hasattr(app.screen, "action_stop_container")  # replay has no live keys at all
        assert not isinstance(app.screen, ConfirmScreen)
        assert audit(settings) == [] and fleet.inspect(BACKEND).state == "running"


async def test_second_action_on_a_busy_container_is_refused(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, settings = build(backend, tmp_path, slow=True)
    assert app.shown.actions_made is not None and isinstance(app.shown.actions_made.backend, SlowFleetBackend)
    engine = app.shown.actions_made.backend
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        await open_confirm(app, pilot, "x")
        await pilot.press("y")
        await wait_until(pilot, engine.entered.is_set)
        row = app.query_one(ContainerTable).get_row(REDIS)
        assert "stopping…" in [str(cell) for cell in row]
        await pilot.press("R")
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("already running" in n for n in notes(app))
        assert app.shown.actions_made.stop(REDIS).result == "refused"  # the core refuses it too
        engine.release.set()
        await wait_until(pilot, lambda: table_state(app, REDIS) == "exited")
        assert "stopping…" not in [str(cell) for cell in app.query_one(ContainerTable).get_row(REDIS)]
        assert [line["result"] for line in audit(settings)] == ["started", "refused", "done"]


async def test_palette_offers_kill_and_it_asks_first(backend: SimulatedBackend, tmp_path: Path) -> None:
    app, fleet, settings = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Stop selected container", "Restart selected container", f"Emergency stop {BACKEND}"):
            assert title in titles
        assert "Kill selected container" in titles
        assert not [b for b in app.active_bindings.values() if "kill" in b.binding.action]  # no key kills
        await pilot.press("ctrl+p", *"kill selected", "enter")  # through the real palette
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, ConfirmScreen) and app.screen.view.brief.name == REDIS
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(audit(settings)))
        line = audit(settings)[-1]
        assert (line["action"], line["result"], line["via"]) == ("kill", "done", "palette")
        assert fleet.inspect(REDIS).state == "exited"


async def test_a_cycle_polled_before_the_action_does_not_undo_the_re_poll(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    # The hung cycle must outlast the confirmation and the re-poll, even on a loaded machine.
    app, fleet, _ = build(backend, tmp_path, timeout=6.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=REDIS)
        assert app.shown.scheduler is not None and app.dashboard.snapshot is not None
        backend.forced_phase = answers.HANG  # the next cycle waits the whole timeout
        await open_confirm(app, pilot, "x")
        polls, cycle = fleet._polls, app.dashboard.snapshot.cycle
        app.shown.scheduler.poll_now()
        await wait_until(pilot, lambda: fleet._polls > polls)  # it saw redis running, and hangs on
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, REDIS) == "exited")
        assert app.shown.scheduler.in_flight
        await wait_until(
            pilot, lambda: app.dashboard.snapshot is not None and app.dashboard.snapshot.cycle > cycle
        )
        stale = app.shown.history.latest.containers if app.shown.history.latest else None
        assert stale is not None and stale.containers  # the cycle itself saw redis still running:
        assert next(c.state for c in stale.containers if c.name == REDIS) == "running"
        assert table_state(app, REDIS) == "exited"  # ... but the table keeps the re-polled truth
