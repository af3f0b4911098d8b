"""The container table updates its rows in place when a cycle keeps their order: the cells that
changed are changed, the cursor stays, and a new order or row set rebuilds it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.style import Style as RichStyle
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets.data_table import ColumnKey, RowKey

from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.tui.literal import rich_text
from sutazai_tui.tui.widgets import container_cells
from sutazai_tui.tui.widgets.cached_table import CellCachedTable
from sutazai_tui.tui.widgets.container_table import ContainerTable

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _status(cpu: dict[str, float | None], state: str = "running") -> ContainersStatus:
    found = tuple(
        ContainerStats(name=name, id=name * 4, image="busybox", state=state, cpu_percent=value)
        for name, value in cpu.items()
    )
    return ContainersStatus(engine="unix:///x", state=State.OK, reason="ok", containers=found)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield ContainerTable()


async def test_a_cycle_that_keeps_the_order_changes_only_its_cells_and_keeps_the_cursor() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        table = app.query_one(ContainerTable)
        table.show(_status({"a": None, "b": None, "c": None}), NOW)
        await pilot.pause()
        table.focus()
        await pilot.press("j")
        assert table.selected_container() is not None and table.selected_container().name == "b"
        rows_before = dict(table.rows)
        table.show(_status({"a": 1.0, "b": 42.5, "c": None}), NOW)
        await pilot.pause()
        assert all(table.rows[k] is row for k, row in rows_before.items())  # updated, not re-added
        assert str(table.get_cell(RowKey("b"), ColumnKey("cpu"))) == "42.5%"
        assert str(table.get_cell(RowKey("c"), ColumnKey("cpu"))) == "—"
        assert table.cursor_row == 1 and table.selected_container().name == "b"
        assert table.selected_container().cpu_percent == 42.5  # the target is this cycle's record


async def test_a_state_change_restyles_the_cell_and_a_new_row_rebuilds() -> None:
    app = _Host()
    async with app.run_test() as pilot:
        table = app.query_one(ContainerTable)
        table.show(_status({"a": None}), NOW)
        await pilot.pause()
        before = table.get_cell(RowKey("a"), ColumnKey("state"))
        table.show(_status({"a": None}, state="paused"), NOW)
        await pilot.pause()
        after = table.get_cell(RowKey("a"), ColumnKey("state"))
        assert str(after) != str(before) and after.style != before.style
        table.show(_status({"a": None, "b": 3.0}), NOW)
        await pilot.pause()
        assert [c.name for c in table.shown] == ["a", "b"] and table.row_count == 2
        assert str(table.get_cell(RowKey("b"), ColumnKey("cpu"))) == "3.0%"


@pytest.mark.slow  # 15 repaints of 100 rows at 120x60: ~10 s alone, CPU all the way
async def test_the_render_caches_stay_bounded_over_many_changing_cycles() -> None:
    app = _Host()
    async with app.run_test(size=(120, 60)) as pilot:
        table = app.query_one(ContainerTable)
        names = [f"c{i:03d}" for i in range(100)]
        for k in range(15):  # every cycle changes every CPU cell: each repaint is a new cache entry
            table.show(_status({n: float(k + i) for i, n in enumerate(names)}), NOW)
            await pilot.pause()
        assert 0 < len(table._cell_render_cache) <= 1000
        assert len(table._line_cache) <= 200


async def test_an_unchanged_row_is_not_made_again_and_a_new_theme_remakes_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[str] = []  # the names of the rows whose cells were made (the real function, counted)

    def counted(text: str, style: str | RichStyle = "") -> Text:
        if text in "abc":
            made.append(text)
        return rich_text(text, style=style)

    monkeypatch.setattr(container_cells, "rich_text", counted)
    app = _Host()
    async with app.run_test() as pilot:
        table = app.query_one(ContainerTable)
        table.show(_status({"a": 1.0, "b": 2.0}), NOW)
        await pilot.pause()
        health_before = table.get_cell(RowKey("a"), ColumnKey("health"))
        made.clear()
        table.show(_status({"a": 1.0, "b": 3.0}), NOW)
        await pilot.pause()
        assert made == ["b"]  # a's container did not change: its cells were not made again
        assert str(table.get_cell(RowKey("b"), ColumnKey("cpu"))) == "3.0%"
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        made.clear()
        table.show(_status({"a": 1.0, "b": 3.0}), NOW)
        await pilot.pause()
        assert sorted(made) == ["a", "b"]  # a new theme: every row made again in its colours
        health = table.get_cell(RowKey("a"), ColumnKey("health"))  # "—" in the muted colour
        assert str(health) == "—" and health.style != health_before.style


async def test_a_cycle_of_changed_cells_asks_for_one_repaint_a_changed_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _Host()
    async with app.run_test() as pilot:
        table = app.query_one(ContainerTable)
        table.show(_status({"a": 1.0, "b": 2.0, "c": 3.0, "d": 7.0}), NOW)
        await pilot.pause()
        whole: list[int] = []  # whole-table repaints that reached the widget (the real method, counted)
        rows: list[Region] = []  # repaints of a region: a row's lines
        real = CellCachedTable.refresh

        def counted(self: CellCachedTable, *regions: Region, **kwargs: bool) -> CellCachedTable:
            if regions:
                rows.extend(regions)
            else:
                whole.append(1)
            return real(self, *regions, **kwargs)

        monkeypatch.setattr(CellCachedTable, "refresh", counted)
        table.show(_status({"a": 4.0, "b": 5.0, "c": 6.0, "d": 7.0}), NOW)  # three cells change
        monkeypatch.undo()
        await pilot.pause()
        assert whole == [] and len(rows) == 3 and all(r.height == 1 for r in rows)  # d: not drawn
        assert [str(table.get_cell(RowKey(k), ColumnKey("cpu"))) for k in "abc"] == ["4.0%", "5.0%", "6.0%"]
        screen = app.export_screenshot()
        assert all(f in screen for f in ("4.0%", "5.0%", "6.0%", "7.0%"))
