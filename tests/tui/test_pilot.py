"""The TUI driven by Pilot against the simulated backend over real HTTP on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Event, Finding, State
from sutazai_tui.tui import factory
from sutazai_tui.tui.screens.help import HelpScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.filter_bar import FilterBar
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.conftest import settings_for
from tests.tui_support import make_app, panel_states, run_cycle, wait_until


async def test_incident_phases_show_in_the_panels_and_table(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.RECOVERED
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        backend.forced_phase = answers.HANG
        await run_cycle(app, pilot)
        states = panel_states(app)
        assert {s for s, _ in states.values()} == {State.DOWN}
        assert all("no answer" in reason for _, reason in states.values()), states
        table = app.query_one(ContainerTable)
        assert table.shown[0].name == "sutazai-backend"  # worst first
        assert table.shown[0].state == "restarting"
        selected = app.dashboard.selected_container()  # no key pressed yet: the cursor stays on the worst
        assert selected is not None and selected.name == "sutazai-backend"

        backend.forced_phase = answers.EMERGENCY
        await run_cycle(app, pilot)
        states = panel_states(app)
        assert states["emergency"][0] is State.EMERGENCY
        assert states["health"][0] is State.DEGRADED
        assert states["mcp"][0] is State.DOWN
        assert "EMERGENCY" in app.export_screenshot()

        backend.forced_phase = answers.RECOVERED
        await run_cycle(app, pilot)
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        log = app.query_one(EventLog).query_one("#events-body")
        assert "EMERGENCY → OK" in str(log.render())


async def test_live_app_builds_its_own_monitor_after_the_first_frame(backend: SimulatedBackend) -> None:
    app = factory.make_app(settings_for(backend.url))  # no session given: the live path
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.dashboard.snapshot is None
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        assert app.shown.monitor is not None and app.shown.history is app.shown.monitor.history
        assert {s for s, _ in panel_states(app).values()} == {State.OK}
        assert "containers: off" in str(app.query_one(ContainerTable).border_title)


async def test_first_frame_and_keys_do_not_wait_for_a_hung_backend(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.HANG
    app = make_app(backend, timeout=30.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.shown.scheduler is not None and app.shown.scheduler.in_flight)
        assert app.dashboard.snapshot is None
        assert {s for s, _ in panel_states(app).values()} == {State.UNKNOWN}
        assert "waiting for the first poll" in app.query_one(HeaderBar).plain
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert app.shown.scheduler.in_flight  # the help opened while the poll still hangs


async def test_poll_now_during_a_cycle_is_coalesced(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.HANG
    app = make_app(backend, timeout=1.5)
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        # three endpoints and the two detailed-health paths being found by trying
        await wait_until(pilot, lambda: sum(backend.requests.values()) == 5)
        assert app.shown.scheduler is not None and app.shown.scheduler.in_flight
        await pilot.press("r", "r")
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        await pilot.pause()
        assert sum(backend.requests.values()) == 5  # one cycle's five requests, no second cycle
        assert app.shown.scheduler.cycles == 1
        assert app.shown.scheduler.coalesced == 2
        assert any("poll already running" in n for n in notes)


async def test_pause_stops_cycles_and_resume_restarts_them(backend: SimulatedBackend) -> None:
    app = make_app(backend, interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.shown.scheduler is not None and app.shown.scheduler.cycles >= 2)
        await pilot.press("p")
        assert app.shown.scheduler is not None
        await wait_until(pilot, lambda: not app.shown.scheduler.in_flight)  # type: ignore[union-attr]
        frozen = app.shown.scheduler.cycles
        await pilot.pause(1.0)  # five intervals of watching for a cycle that must not come
        assert app.shown.scheduler.cycles == frozen
        assert "PAUSED" in app.query_one(HeaderBar).plain
        await pilot.press("p")
        await wait_until(pilot, lambda: app.shown.scheduler.cycles > frozen)  # type: ignore[union-attr]


async def test_stale_shows_when_data_is_older_than_two_intervals(backend: SimulatedBackend) -> None:
    app = make_app(backend, interval=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        await pilot.press("p")
        await wait_until(pilot, lambda: {s for s, _ in panel_states(app).values()} == {State.STALE})
        header = app.query_one(HeaderBar).plain
        assert "STALE" in header and "last poll" in header


async def test_slash_filters_the_table_by_name(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ContainerTable)
        await wait_until(pilot, lambda: len(table.shown) == 8)
        await pilot.press("slash")
        assert app.query_one(FilterBar).has_focus
        await pilot.press(*"redis")
        assert [c.name for c in table.shown] == ["sutazai-redis"]
        await pilot.press("enter")
        assert not app.query_one(FilterBar).display
        assert table.has_focus and table.name_filter == "redis"
        await pilot.press("slash", "escape")
        assert len(table.shown) == 8


async def test_help_lists_keys_and_where_files_go(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for needle in (
            "Poll now",
            "Pause / resume",
            "Filter",
            str(app.shown.settings.audit_path),
            "config file",
        ):
            assert needle in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_selected_container_follows_the_cursor_across_cycles(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(ContainerTable)
        await run_cycle(app, pilot)
        assert app.dashboard.selected_container() == table.shown[0]
        await pilot.press("down", "down")
        chosen = app.dashboard.selected_container()
        assert chosen is not None and chosen.name == table.shown[2].name
        await run_cycle(app, pilot)
        again = app.dashboard.selected_container()
        assert again is not None and again.name == chosen.name
        table.set_pending(chosen.name, "stopping…")  # what the actions work will show
        row = table.get_row(chosen.name)
        assert "stopping…" in [str(cell) for cell in row]
        table.set_pending(chosen.name, None)
        assert "stopping…" not in [str(cell) for cell in table.get_row(chosen.name)]


async def test_findings_panel_is_worst_first_and_hidden_when_empty(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.query_one(FindingsPanel)
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)  # the live cycle's own (none)
        assert not panel.display
        warn = Finding(id="w", severity="warning", subject="redis", title="slow", evidence="e", fix="f")
        crit = Finding(
            id="c", severity="critical", subject="sutazai-backend", title="hang", evidence="e", fix="f"
        )
        app.dashboard.show_findings([warn, crit])
        await pilot.pause()
        assert panel.display and [f.id for f in panel.findings] == ["c", "w"]
        assert "CRITICAL" in panel.text
        app.dashboard.show_findings([])
        assert not panel.display


async def test_live_findings_name_the_incidents_causes(backend: SimulatedBackend) -> None:
    backend.forced_phase = "emergency"  # the fleet's backend has JWT_SECRET but no JWT_SECRET_KEY
    # emergency-build rests on the backend's log, read in the same cycle: a deadline that a loaded
    # machine can meet, so the one cycle of this test carries both findings.
    app = make_app(backend, timeout=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.query_one(FindingsPanel)
        expected = {"emergency-build", "missing-env"}  # the build needs JWT_SECRET_KEY too (issue 27)
        await wait_until(pilot, lambda: expected <= {f.id for f in panel.findings})
        assert "JWT_SECRET_KEY" in panel.text


@pytest.mark.parametrize("size", [(80, 24), (200, 60)])
async def test_actions_can_log_events(backend: SimulatedBackend, size: tuple[int, int]) -> None:
    app = make_app(backend)
    async with app.run_test(size=size) as pilot:
        note = Event(at=datetime.now(UTC), kind="action", subject="container:sutazai-backend", reason="stop")
        app.dashboard.add_event(note)
        await pilot.pause()
        assert "sutazai-backend ACTION stop" in str(app.query_one("#events-body").render())
