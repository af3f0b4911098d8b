"""A DataTable that draws a cell again only when what it shows changed (or where, or how).

DataTable's own render cache keys on its update count, which any `update_cell` bumps: a cycle that
moves a few figures made every visible cell render again, most of the container table's CPU per
cycle. This cache keys on the cell's look, position, width and style instead; a style update
(theme, CSS) or anything that clears DataTable's caches clears it too.
"""

from __future__ import annotations

from rich.style import Style as RichStyle
from rich.text import Text
from textual._types import SegmentLines
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import CursorType

DRAWN_CELLS = 1200  # cells kept drawn, by what they show: a 160x48 screen shows < 500


def _drawn_as(cell: object) -> object:
    """Everything of a cell that its rendering depends on (a Text's spans too)."""
    if isinstance(cell, Text):
        return (cell.plain, str(cell.style), cell.justify, cell.overflow, cell.no_wrap, tuple(cell.spans))
    return cell


class CellCachedTable(DataTable[Text | str]):
    """DataTable with the cell cache above; otherwise DataTable as it is."""

    def __init__(
        self, *, id: str | None = None, cursor_type: CursorType = "cell", zebra_stripes: bool = False
    ) -> None:
        super().__init__(id=id, cursor_type=cursor_type, zebra_stripes=zebra_stripes)
        self._drawn_cells: LRUCache[tuple[object, ...], SegmentLines] = LRUCache(DRAWN_CELLS)

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: RichStyle,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> SegmentLines:
        """A cell drawn again only when what it shows (or where, or how) changed. DataTable's own
        cache keys on its update count, which any `update_cell` bumps: each cycle's few changed
        figures made every visible cell render again, most of the table's CPU per cycle."""
        if row_index < 0 or column_index < 0:  # the header (relabelled only on a rebuild)
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key, column_key = (
            self._row_locations.get_key(row_index),
            self._column_locations.get_key(column_index),
        )
        value = self._data.get(row_key, {}).get(column_key) if row_key and column_key else None
        key: tuple[object, ...] = (
            row_index,
            column_index,
            _drawn_as(value),
            base_style,
            width,
            cursor,
            hover,
        )
        key += (self._show_hover_cursor, self._pseudo_class_state)
        lines = self._drawn_cells.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._drawn_cells[key] = lines
        return lines

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._drawn_cells.clear()

    def notify_style_update(self) -> None:
        """A theme or CSS change: every cell is drawn again."""
        super().notify_style_update()
        if hasattr(self, "_drawn_cells"):  # Textual may call this during __init__
            self._drawn_cells.clear()
