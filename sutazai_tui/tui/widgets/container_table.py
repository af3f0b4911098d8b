"""The container table: the primary backend's row on top, then worst first (or by any column),
filterable by name and state, with a cursor that actions target.

A row's STATE is the worse of the engine's view and the findings about the container (with the
worst finding's id): a running container with a critical finding is not OK. The order and the
findings' weight are computed in container_order.py; this module draws them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import ClassVar, Self

from rich.cells import cell_len
from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets.data_table import ColumnKey, RowKey

from sutazai_tui.models import ContainersStatus, ContainerStats, Finding, State, container_state
from sutazai_tui.tui.literal import content
from sutazai_tui.tui.widgets.cached_table import CellCachedTable
from sutazai_tui.tui.widgets.container_cells import PALETTE, Shown, make_cells, pair, reading_shown
from sutazai_tui.tui.widgets.container_order import SORT_ORDER, finding_state, flagged_by, sort_containers
from sutazai_tui.util import fmt

# Left to right by what an incident needs: at 80 columns the Docker state (exited, restarting) stays
# on screen and the figures (MEM, I/O) are what scrolls off.
COLUMNS = (
    ("name", "NAME"),
    ("state", "STATE"),
    ("docker", "DOCKER"),
    ("health", "HEALTH"),
    ("restarts", "RST"),
    ("cpu", "CPU"),
    ("mem", "MEM used/limit"),
    ("up", "UP"),
    ("net", "NET rx/tx"),
    ("block", "BLOCK r/w"),
)
_CACHE_SIZES = {"_cell_render_cache": 64, "_row_render_cache": 200, "_line_cache": 200}
_CACHE_SIZES["_row_renderable_cache"] = 200


def _look(cell: Text | str) -> object:
    """What a cell shows: its text, style and alignment (Text's == ignores its style)."""
    return (cell.plain, str(cell.style), cell.justify) if isinstance(cell, Text) else cell


class ContainerTable(CellCachedTable):
    """Renders `ContainersStatus`; `selected_container` is what the cursor is on."""

    # vi and k9s habits beside the arrows; enter (DataTable's select) opens the container.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "first_row", "First", show=False, id="table.first"),
        Binding("G", "last_row", "Last", show=False, id="table.last"),
    ]

    _deferred: bool | None = None  # while a cycle's cells are written: whether a repaint was asked

    def __init__(self) -> None:
        super().__init__(id="containers", cursor_type="row", zebra_stripes=False)
        self._status: ContainersStatus | None = None
        self._now: datetime | None = None
        self._filter = ""
        self._sort: str | None = None
        self._reverse = False
        self._troubled_only = False
        self._shown: list[ContainerStats] = []
        # The container the cursor is on, by name: the worst one at first, then whichever the
        # operator moves it to; re-sorts and new cycles never move it off that name.
        self._pinned: str | None = None
        self._chosen = False  # whether the operator put it there (else it is on the worst)
        self._rebuilding = False
        self._pending: dict[str, str] = {}
        self._down_since: datetime | None = None
        self._enabled = True
        self._reading = False  # the rows are the first cycle's list, its inspects still running
        self._findings: tuple[Finding, ...] = ()
        self._primary: str | None = None
        self._flagged: dict[str, Finding] = {}  # name -> the worst finding about it
        self.border_title = "containers"
        # What the rows show now, by name in order, and the header it was drawn under: a cycle
        # that keeps both updates only the cells that changed (a full rebuild re-measures all).
        self._drawn: dict[str, list[Text | str]] = {}
        self._rows: dict[str, tuple[object, list[Text | str]]] = {}  # by name: what it showed, cells
        self._drawn_header: tuple[str | None, bool] | None = None
        self._title_text: str | None = None  # the border title's text as last set
        # DataTable's render caches key on its update count, so each cycle's entries are new and
        # the old ones stay until evicted: at its defaults (10000 cells, 1000 lines) they held
        # ~17 MiB after 60 cycles of 100 rows; at these ~4 MiB. Cells: the cache in front of it
        # (cached_table.py) answers every cell it has drawn, so DataTable's holds only the header's
        # and each new drawing, read once (1000 of them held ~1 MiB that was never read again).
        for cache, size in _CACHE_SIZES.items():
            if (found := getattr(self, cache, None)) is not None:
                found.maxsize = size

    def on_mount(self) -> None:
        """Columns, keyed so cells can be found by name."""
        for key, label in COLUMNS:  # Text, not str: a str label is parsed as markup (rich's emoji table)
            self.add_column(Text(label), key=key)

    @property
    def shown(self) -> list[ContainerStats]:
        """The rows on screen, top to bottom (after sorting and filtering)."""
        return list(self._shown)

    @property
    def name_filter(self) -> str:
        """The text a container name must contain to be listed."""
        return self._filter

    def selected_container(self) -> ContainerStats | None:
        """The container under the cursor, the target of actions; None when the table is empty."""
        if not self._shown or not 0 <= self.cursor_row < len(self._shown):
            return None
        return self._shown[self.cursor_row]

    def show(
        self, status: ContainersStatus | None, now: datetime, enabled: bool = True, reading: bool = False
    ) -> None:
        """Render one cycle's containers (rebuilds the rows; the cursor stays on the same name).
        `reading`: the first cycle's early answer (Session.cycles' `on_listed`): STATE, RST, UP and
        any figure not read yet say READING until the cycle's own answer replaces it."""
        self._reading = reading
        down = status is not None and status.state is State.DOWN
        if down and self._down_since is None:
            self._down_since = (status.checked_at if status else None) or now
        elif not down:
            self._down_since = None
        self._status, self._now = status, now
        self._enabled = enabled
        self._flagged = self._flags()
        self._rebuild()

    def show_findings(self, findings: Sequence[Finding], primary: str | None) -> None:
        """Let the findings about each container count in its row's STATE; `primary` goes on top."""
        moved = primary != self._primary
        self._findings, self._primary = tuple(findings), primary
        flagged = self._flags()
        if flagged != self._flagged or moved:
            self._flagged = flagged
            self._rebuild()

    def _flags(self) -> dict[str, Finding]:
        containers = self._status.containers if self._status is not None else ()
        return flagged_by(containers, self._findings, self._primary or "")

    def row_state(self, c: ContainerStats) -> State:
        """The row's STATE: the worse of the engine's view and the findings about the container."""
        if self._reading:
            return State.UNKNOWN  # nothing judged yet: no order by trouble, never OK
        state = container_state(c)
        finding = self._flagged.get(c.name)
        said = finding_state(finding) if finding is not None else None
        return said if said is not None and said.rank > state.rank else state

    def set_pending(self, name: str, text: str | None) -> None:
        """Mark a container with an action in progress ("stopping…") until cleared with None."""
        if text:
            self._pending[name] = text
        else:
            self._pending.pop(name, None)
        self._rebuild()

    def set_filter(self, text: str) -> None:
        """List only containers whose name contains `text` (case-insensitive)."""
        if text == self._filter:
            return
        self._filter = text
        self._rebuild()

    @property
    def sort_column(self) -> str | None:
        """The column rows are sorted by; None means worst first."""
        return self._sort

    @property
    def troubled_only(self) -> bool:
        """Whether only containers that are not OK are listed."""
        return self._troubled_only

    def cycle_sort(self, step: int = 1) -> None:
        """Sort by the next column (after the last, worst first again); the order resets to natural."""
        self._sort = SORT_ORDER[(SORT_ORDER.index(self._sort) + step) % len(SORT_ORDER)]
        self._reverse = False
        self._rebuild()

    def toggle_sort_reverse(self) -> None:
        """Reverse the current order."""
        self._reverse = not self._reverse
        self._rebuild()

    def toggle_troubled_only(self) -> None:
        """List only containers whose state is not OK, or all again."""
        self._troubled_only = not self._troubled_only
        self._rebuild()

    def _subtitle(self) -> str:
        parts = []
        if self._filter:
            parts.append(f"filter: {self._filter}")
        if self._sort is not None or self._reverse:
            parts.append(f"sort: {self._sort or 'worst'} {'▲' if self._reverse else '▼'}")
        if self._troubled_only:
            parts.append("not-OK only")
        return " · ".join(parts)

    def _title(self, enabled: bool) -> None:
        status = self._status
        self._enabled = enabled
        if not enabled:
            title = "containers: off (--no-containers)"
        elif status is None:
            title = "containers: waiting for the engine"
        elif status.state is State.DOWN:
            # Since when, so an operator can tell a blip from an outage at a glance.
            since = fmt.local_time(self._down_since) if self._down_since else "?"
            title = f"containers DOWN since {since}: {status.reason}"
        elif not status.containers:
            title = f"containers (0) on {status.engine}: {status.reason}"
        else:
            # What the table shows, out of how many, and why: `containers 2/8 · filter: agent · …`.
            total = len(status.containers)
            title = " · ".join([f"containers {len(self._shown)}/{total}", *filter(None, [self._subtitle()])])
            if not self._shown:
                title += " — no container matches"
            if self._reading:
                title += " · reading each container…"
        if title != self._title_text:  # setting it repaints the whole table, even to the same text
            self._title_text = title
            self.border_title = content(title)

    def _columns(self) -> None:
        # The sorted column's header carries the arrow (worst-first marks STATE); relabelled by
        # re-adding the columns, as the rows are re-added each rebuild anyway.
        marked, arrow = self._sort or "state", " ▲" if self._reverse else " ▼"
        self.clear(columns=True)
        for key, label in COLUMNS:
            self.add_column(Text(label + arrow if key == marked else label), key=key)

    def _edge_keys(self) -> None:
        # A replay's g/G go to its first/last cycle: skip, so the key reaches the screen.
        if not getattr(self.screen, "TABLE_EDGE_KEYS", True):
            raise SkipAction()

    def action_first_row(self) -> None:
        """The cursor to the top row."""
        self._edge_keys()
        if self._shown:
            self.move_cursor(row=0, animate=False)

    def action_last_row(self) -> None:
        """The cursor to the bottom row."""
        self._edge_keys()
        if self._shown:
            self.move_cursor(row=len(self._shown) - 1, animate=False)

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        """A cursor the operator moved pins that container, so re-sorting never moves the target."""
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if not self._rebuilding and 0 <= new_coordinate.row < len(self._shown):
            self._pinned, self._chosen = self._shown[new_coordinate.row].name, True

    def _rebuild(self) -> None:
        items = self._status.containers if self._status is not None else ()
        needle = self._filter.lower()
        self._rebuilding = True
        try:
            if not self._chosen and items:
                # Until the operator moves it, the cursor is on the worst container, and stays on
                # that name across re-sorts while it is in trouble; it moves on only from a healthy
                # one (nothing to act on there) to a container that is now worse.
                pinned = next((c for c in items if c.name == self._pinned), None)
                if pinned is None or self.row_state(pinned) is State.OK:
                    self._pinned = None
            ordered = sort_containers(items, self._sort, self._reverse, self.row_state, self._primary)
            if not self._chosen and items and self._pinned is None:  # the first worst row as shown
                worst = max(self.row_state(c).rank for c in ordered)
                self._pinned = next(c.name for c in ordered if self.row_state(c).rank == worst)
            self._shown = [
                c
                for c in ordered
                if needle in c.name.lower() and not (self._troubled_only and self.row_state(c) is State.OK)
            ]
            self._title(self._enabled)
            variables = self.app.theme_variables
            palette = tuple(variables.get(name) for name in PALETTE)
            rows = {c.name: self._row(c, variables, palette) for c in self._shown}
            self._rows = {name: self._rows[name] for name in rows}
            if (self._sort, self._reverse) == self._drawn_header and list(rows) == list(self._drawn):
                self._update_cells(rows)
            else:
                self._columns()
                for name, cells in rows.items():
                    self.add_row(*cells, key=name)
                # Measured now, not when idle: a frame drawn meanwhile is at the old widths.
                new_rows, self._new_rows, self._require_update_dimensions = self._new_rows, set(), False
                self._update_dimensions(new_rows)
                self._drawn_header = (self._sort, self._reverse)
            self._drawn = rows
            names = list(rows)
            if self._pinned in names:
                self.move_cursor(row=names.index(self._pinned), animate=False)
        finally:
            self._rebuilding = False

    def _update_cells(self, rows: dict[str, list[Text | str]]) -> None:
        """Same rows in the same order: change only the cells whose text or style changed."""
        self._deferred = False
        changed: list[int] = []  # the rows whose lines are drawn again
        grew = False
        try:
            for index, (name, cells) in enumerate(rows.items()):
                if cells is self._drawn[name]:  # the same cells as drawn (see _row)
                    continue
                for (key, _), new, old in zip(COLUMNS, cells, self._drawn[name], strict=True):
                    if _look(new) != _look(old):
                        width = new.cell_len if isinstance(new, Text) else cell_len(new)
                        # A column grows for a wider value (cheap); it never shrinks until a rebuild.
                        grow = width > self.columns[ColumnKey(key)].content_width
                        grew = grew or grow
                        self.update_cell(name, key, new, update_width=grow)
                        if not changed or changed[-1] != index:
                            changed.append(index)
        finally:
            asked, self._deferred = self._deferred, None
            if asked and (grew or len(changed) > self.size.height):
                self.refresh()  # columns moved (or most rows changed): the whole table
            elif asked:
                for index in changed:  # only these rows' lines: the others' stay drawn
                    self.refresh_row(index)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures new rows when idle, but keys the lines it drew on its update count,
        not on the widths: lines drawn before that (a list shown while the loop was busy) kept
        their 4-column NAME until the next rebuild, 5 s later. New widths draw every line again."""
        super()._update_dimensions(new_rows)
        self._update_count += 1
        self.refresh()

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        """One whole repaint for a cycle's cells: update_cell asks for one per cell (~80 us each,
        ~1700 cells a cycle at 500 busy containers), and a whole repaint is the same however often."""
        if self._deferred is not None and not regions and repaint and not layout and not recompose:
            self._deferred = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _row(
        self, c: ContainerStats, variables: dict[str, str], palette: tuple[str | None, ...]
    ) -> list[Text | str]:
        """The row's cells, made again only when what they show changed: most rows keep theirs
        from cycle to cycle, and the unchanged ones are then skipped by identity. The cells are
        made from `shown` alone, so the key cannot miss a field they read."""
        shown = self._shown_of(c)
        held = self._rows.get(c.name)
        if held is not None and held[0] == (shown, palette):
            return held[1]
        cells = make_cells(shown, variables)
        self._rows[c.name] = ((shown, palette), cells)
        return cells

    def _shown_of(self, c: ContainerStats) -> Shown:
        """What the row says of `c`, as words and numbers (before any colour)."""
        finding = self._flagged.get(c.name)
        if self._reading:
            return reading_shown(c, self._pending.get(c.name) or c.state)
        return Shown(
            name=c.name,
            state=self.row_state(c),
            finding=finding.id if finding else None,
            docker=self._pending.get(c.name) or c.pending_action or c.state,
            health=c.health or fmt.DASH,
            restarts=c.restart_count,
            cpu=fmt.percent(c.cpu_percent),
            mem=pair(c.mem_used, c.mem_limit),
            up=fmt.since(c.started_at, self._now) if c.state == "running" else fmt.DASH,
            net=pair(c.net_rx, c.net_tx),
            block=pair(c.blk_read, c.blk_write),
        )
