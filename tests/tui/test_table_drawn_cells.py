"""The container table draws a cell again only when what it shows changed: a cycle that moves one
figure renders that cell (and the cells whose look the cursor changes), not every visible cell;
the screen shows the new figure, and a theme change draws every cell again in its colours."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.tui.widgets import container_table
from sutazai_tui.tui.widgets.container_cells import Shown, make_cells
from sutazai_tui.tui.widgets.container_table import COLUMNS, ContainerTable

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
NAMES = [f"c{i:02d}" for i in range(20)]


def _status(cpu: dict[str, float]) -> ContainersStatus:
    found = tuple(
        ContainerStats(name=name, id=name * 8, image="busybox", state="running", cpu_percent=value)
        for name, value in cpu.items()
    )
    return ContainersStatus(engine="unix:///x", state=State.OK, reason="ok", containers=found)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ContainerTable()


async def test_a_cycle_that_moves_one_figure_renders_that_cell_not_the_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[tuple[int, int]] = []
    stock = DataTable._render_cell

    def counting(self: DataTable[object], row: int, column: int, *args: object, **kwargs: object) -> object:
        if row >= 0:
            drawn.append((row, column))
        return stock(self, row, column, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(DataTable, "_render_cell", counting)
    app = _Host()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ContainerTable)
        cpu = {name: 1.0 for name in NAMES}
        table.show(_status(cpu), NOW)
        await pilot.pause()
        first = len(drawn)
        assert first >= len(NAMES) * len(COLUMNS)  # every visible cell drawn once

        drawn.clear()
        cpu["c07"] = 5.5  # as wide as "1.0%": the column keeps its width
        table.show(_status(cpu), NOW)
        await pilot.pause()
        cpu_column = [key for key, _ in COLUMNS].index("cpu")
        assert (7, cpu_column) in drawn
        assert len(drawn) == 1  # that cell alone, not 20 rows x 10 columns
        assert "5.5%" in app.export_screenshot()  # on screen, not just in the table's data


async def test_a_theme_change_draws_every_cell_again() -> None:
    app = _Host()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ContainerTable)
        table.show(_status({name: 2.0 for name in NAMES}), NOW)
        await pilot.pause()
        before = set(table._drawn_cells.keys())
        assert len(before) >= len(NAMES) * len(COLUMNS)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = set(table._drawn_cells.keys())
        # Forgotten on the style update, then drawn anew under the new theme's styles.
        assert len(after) >= len(NAMES) * len(COLUMNS) and after.isdisjoint(before)


async def test_a_cycle_that_changes_nothing_builds_no_row_and_one_figure_rebuilds_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _Host()
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.query_one(ContainerTable)
        built: list[str] = []

        def counting(row: Shown, variables: dict[str, str]) -> list[Text | str]:
            built.append(row.name)
            return make_cells(row, variables)

        monkeypatch.setattr(container_table, "make_cells", counting)
        cpu = {name: 1.0 for name in NAMES}
        table.show(_status(cpu), NOW)
        await pilot.pause()
        assert sorted(built) == NAMES
        built.clear()
        table.show(_status(cpu), NOW)  # new records, same figures
        await pilot.pause()
        assert built == []
        cpu["c03"] = 2.0
        table.show(_status(cpu), NOW)
        await pilot.pause()
        assert built == ["c03"]
        assert "2.0%" in app.export_screenshot()


async def test_a_figure_moved_in_a_scrolled_table_draws_its_line_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = [f"c{i:02d}" for i in range(40)]
    lines: list[int] = []
    stock = DataTable._render_line

    def counting(self: DataTable[object], y: int, *args: object) -> object:
        lines.append(y)
        return stock(self, y, *args)  # type: ignore[arg-type]

    app = _Host()
    async with app.run_test(size=(120, 14)) as pilot:
        table = app.query_one(ContainerTable)
        cpu = {name: 1.0 for name in names}
        table.show(_status(cpu), NOW)
        await pilot.pause()
        table.action_last_row()  # scrolled: the last rows on screen
        await pilot.pause()
        assert table.scroll_offset.y > 0
        monkeypatch.setattr(DataTable, "_render_line", counting)
        cpu["c37"] = 9.5
        table.show(_status(cpu), NOW)
        await pilot.pause()
        assert len(set(lines)) == 1  # c37's line, not every visible line
        assert "9.5%" in app.export_screenshot()
        lines.clear()
        cpu = {name: 10.0 + i for i, name in enumerate(names)}  # wider: the columns move
        table.show(_status(cpu), NOW)
        await pilot.pause()
        assert len(set(lines)) > 5  # the whole table drawn again
        assert "49.0%" in app.export_screenshot()
