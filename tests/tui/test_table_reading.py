"""The container table's "reading" state: the first cycle's list on screen before its inspects,
every column not read yet saying so ("…"), never OK or 0; the cycle's own answer replaces it."""

from __future__ import annotations

import asyncio

from rich.text import Text

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.base import Listed
from sutazai_tui.sources.engine.listrow import listing
from sutazai_tui.tui import factory
from sutazai_tui.tui.widgets.container_cells import READING
from sutazai_tui.tui.widgets.container_table import COLUMNS, ContainerTable
from sutazai_tui.tui.widgets.findings import FindingsPanel
from tests.conftest import settings_for
from tests.tui_support import wait_until

ROWS = [
    {
        "Id": "a" * 64,
        "Names": ["/sutazai-api"],
        "Image": "sutazai/api",
        "State": "running",
        "Status": "Up 1 hour",
    },
    {
        "Id": "b" * 64,
        "Names": ["/sutazai-db"],
        "Image": "postgres",
        "State": "exited",
        "Status": "Exited (1) 1 s ago",
    },
]


class GatedFleet:
    """The first poll gives its early answers, then waits until the test lets its inspects end."""

    engine = "fake://gated"

    def __init__(self) -> None:
        self.inspected = asyncio.Event()

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        if listed is not None:
            listed(listing(self.engine, ROWS))
            await asyncio.sleep(0)
            listed(listing(self.engine, ROWS, {"a" * 64: {"cpu_percent": 42.0, "mem_used": 1 << 20}}))
        await self.inspected.wait()
        api = ContainerStats(
            name="sutazai-api", id="a" * 64, state="running", cpu_percent=41.0, restart_count=2
        )
        db = ContainerStats(name="sutazai-db", id="b" * 64, state="exited", exit_code=1)
        return ContainersStatus(
            engine=self.engine, state=State.OK, reason="2 containers", containers=(api, db)
        )

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        del window
        return None

    async def close(self) -> None:
        return None


def cells(table: ContainerTable, name: str) -> dict[str, str]:
    row = table.get_row(name)
    return {
        key: cell.plain if isinstance(cell, Text) else str(cell)
        for (key, _), cell in zip(COLUMNS, row, strict=True)
    }


async def test_the_list_shows_before_the_inspects_and_says_what_is_still_read(
    backend: SimulatedBackend,
) -> None:
    settings = settings_for(backend.url, containers=True, interval=3600.0)
    fleet = GatedFleet()
    session = Session(settings, Monitor(settings, containers=fleet))
    app = factory.make_app(settings, session)
    async with app.run_test(size=(160, 30)) as pilot:
        table = app.query_one(ContainerTable)
        await wait_until(
            pilot, lambda: len(table.shown) == 2 and cells(table, "sutazai-api")["cpu"] != READING
        )
        api, db = cells(table, "sutazai-api"), cells(table, "sutazai-db")
        # What the list says is shown; the rest is being read, not OK and not zero.
        assert (api["name"], api["docker"], db["docker"]) == ("sutazai-api", "running", "exited")
        assert api["state"] == db["state"] == READING
        assert api["restarts"] == db["restarts"] == READING and api["up"] == READING
        assert api["cpu"] == "42.0%" and db["cpu"] == READING and db["mem"] == READING  # first figures
        assert "reading each container" in str(table.border_title)
        assert app.dashboard.snapshot is None and session.snapshot is None  # no cycle from it
        assert not app.query_one(FindingsPanel).findings  # nothing judged
        screen = app.export_screenshot().replace("&#160;", " ")
        assert " OK " not in screen.split("containers", 1)[1]  # no row claims OK while reading
        fleet.inspected.set()
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        await pilot.pause()
        api, db = cells(table, "sutazai-api"), cells(table, "sutazai-db")
        assert api["state"] == "OK" and api["restarts"] == "2" and api["cpu"] == "41.0%"
        assert db["state"].startswith("DOWN") and READING not in "".join(db.values())
        assert "reading" not in str(table.border_title)


async def test_a_list_is_drawn_at_its_widths_in_the_first_frame_after_it_is_shown(
    backend: SimulatedBackend,
) -> None:
    """DataTable measures new rows when idle and keys the lines it drew on its update count: a
    frame drawn before that idle kept a NAME column as wide as its header until the next rebuild
    (5 s later). The table measures its rows as it adds them."""
    settings = settings_for(backend.url, containers=True, interval=3600.0)
    session = Session(settings, Monitor(settings, containers=GatedFleet()))
    app = factory.make_app(settings, session, poll=False)
    async with app.run_test(size=(160, 30)) as pilot:
        table = app.query_one(ContainerTable)
        await pilot.pause()
        table.show(listing("fake://gated", ROWS), app.clock(), reading=True)
        assert "sutazai-api" in table.render_line(1).text  # drawn now, before any idle
        await pilot.pause()
        assert "sutazai-api" in table.render_line(1).text
