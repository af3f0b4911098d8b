"""Notifications stay clear of the container table and the event log, go soon, keep paths whole."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable
from textual.widgets._toast import Toast

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.controllers.records import PATH_NOTIFICATION_S
from sutazai_tui.tui.widgets.event_log import EventLog
from tests.tui_support import make_app, run_cycle, wait_until


def toasts(app: SutazaiApp) -> list[Toast]:
    return list(app.screen.query(Toast))


def written(app: SutazaiApp) -> str | None:
    found = [n.message for n in app._notifications if n.message.startswith("snapshot written to\n")]
    return found[-1] if found else None


async def test_at_80x24_a_toast_covers_neither_the_table_nor_the_events(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    backend.forced_phase = answers.HANG
    app = make_app(backend, snapshot_dir=tmp_path / "s")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: written(app) is not None and len(toasts(app)) > 0)
        await pilot.pause()
        table = app.screen.query_one("#containers", DataTable).region
        events = app.screen.query_one(EventLog).region
        assert table.height > 0 and events.height > 0
        for toast in toasts(app):
            assert toast.region.height > 0
            assert not toast.region.overlaps(table), (toast.region, table)
            assert not toast.region.overlaps(events), (toast.region, events)


async def test_a_written_path_is_alone_on_its_line_and_whole(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app = make_app(backend, snapshot_dir=tmp_path / "s")
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: written(app) is not None and len(toasts(app)) > 0)
        await pilot.pause()
        message = written(app)
        assert message is not None
        path = message.split("\n")[1]
        assert Path(path).parent == tmp_path / "s"
        (toast,) = toasts(app)
        # border-left 1 + padding 1 each side: the path fits on one row of the toast
        assert toast.region.width >= len(path) + 3
        (note,) = [n for n in app._notifications if n.message == message]
        assert note.timeout == PATH_NOTIFICATION_S


async def test_routine_notifications_go_sooner_than_textuals_default(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await run_cycle(app, pilot)
        app.notify("routine")
        await wait_until(pilot, lambda: any(n.message == "routine" for n in app._notifications))
        (note,) = [n for n in app._notifications if n.message == "routine"]
        assert note.timeout < 5  # Textual's default NOTIFICATION_TIMEOUT
