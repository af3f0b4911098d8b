"""The container table: worst first, filterable by name, with a cursor that actions will target."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from sutazai_tui import fmt
from sutazai_tui.models import ContainersStatus, ContainerStats, State, container_state
from sutazai_tui.widgets.palette import STATE_VARIABLE, rich_style

COLUMNS = (
    ("name", "NAME"),
    ("state", "STATE"),
    ("health", "HEALTH"),
    ("restarts", "RST"),
    ("cpu", "CPU"),
    ("mem", "MEM used/limit"),
    ("docker", "DOCKER"),
    ("up", "UP"),
    ("net", "NET rx/tx"),
    ("block", "BLOCK r/w"),
)
_HEALTH_VARIABLE = {"healthy": "success", "starting": "warning", "unhealthy": "error"}


def worst_first(containers: tuple[ContainerStats, ...] | list[ContainerStats]) -> list[ContainerStats]:
    """Containers ordered by badness (DOWN first), then by name."""
    return sorted(containers, key=lambda c: (-container_state(c).rank, c.name))


def _pair(a: int | None, b: int | None) -> str:
    return fmt.DASH if a is None and b is None else f"{fmt.size(a)}/{fmt.size(b)}"


class ContainerTable(DataTable[Text | str]):
    """Renders `ContainersStatus`; `selected_container` is what the cursor is on."""

    def __init__(self) -> None:
        super().__init__(id="containers", cursor_type="row", zebra_stripes=False)
        self._status: ContainersStatus | None = None
        self._now: datetime | None = None
        self._filter = ""
        self._shown: list[ContainerStats] = []
        # The container the operator put the cursor on; until then the cursor stays on the worst.
        self._pinned: str | None = None
        self._rebuilding = False
        self._pending: dict[str, str] = {}
        self._down_since: datetime | None = None
        self.border_title = "containers"

    def on_mount(self) -> None:
        """Columns, keyed so cells can be found by name."""
        for key, label in COLUMNS:
            self.add_column(label, key=key)

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

    def show(self, status: ContainersStatus | None, now: datetime, enabled: bool = True) -> None:
        """Render one cycle's containers (rebuilds the rows; the cursor stays on the same name)."""
        down = status is not None and status.state is State.DOWN
        if down and self._down_since is None:
            self._down_since = (status.checked_at if status else None) or now
        elif not down:
            self._down_since = None
        self._status, self._now = status, now
        self._title(enabled)
        self._rebuild()

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
        self.border_subtitle = f"filter: {text}" if text else ""
        self._rebuild()

    def _title(self, enabled: bool) -> None:
        status = self._status
        if not enabled:
            self.border_title = "containers: off (--no-containers)"
        elif status is None:
            self.border_title = "containers: waiting for the engine"
        elif status.state is State.DOWN:
            # Since when, so an operator can tell a blip from an outage at a glance.
            since = fmt.local_time(self._down_since) if self._down_since else "?"
            self.border_title = f"containers DOWN since {since}: {status.reason}"
        elif not status.containers:
            self.border_title = f"containers (0) on {status.engine}: {status.reason}"
        else:
            self.border_title = f"containers ({len(status.containers)}) on {status.engine}"

    def watch_cursor_coordinate(self, old_coordinate: Coordinate, new_coordinate: Coordinate) -> None:
        """A cursor the operator moved pins that container, so re-sorting never moves the target."""
        super().watch_cursor_coordinate(old_coordinate, new_coordinate)
        if not self._rebuilding and 0 <= new_coordinate.row < len(self._shown):
            self._pinned = self._shown[new_coordinate.row].name

    def _rebuild(self) -> None:
        items = self._status.containers if self._status is not None else ()
        needle = self._filter.lower()
        self._rebuilding = True
        try:
            self._shown = [c for c in worst_first(items) if needle in c.name.lower()]
            self.clear()
            variables = self.app.theme_variables
            for c in self._shown:
                self.add_row(*self._cells(c, variables), key=c.name)
            names = [c.name for c in self._shown]
            if self._pinned in names:
                self.move_cursor(row=names.index(self._pinned), animate=False)
        finally:
            self._rebuilding = False

    def _cells(self, c: ContainerStats, variables: dict[str, str]) -> list[Text | str]:
        state = container_state(c)
        health = c.health or fmt.DASH
        warn = rich_style(variables, "warning") if c.restart_count else ""
        uptime = fmt.since(c.started_at, self._now) if c.state == "running" else fmt.DASH
        return [
            c.name,
            Text(state.value, style=rich_style(variables, STATE_VARIABLE[state], bold=True)),
            Text(health, style=rich_style(variables, _HEALTH_VARIABLE.get(health, "foreground-muted"))),
            Text(str(c.restart_count), style=warn, justify="right"),
            Text(fmt.percent(c.cpu_percent), justify="right"),
            Text(_pair(c.mem_used, c.mem_limit), justify="right"),
            self._pending.get(c.name) or c.pending_action or c.state,
            Text(uptime, justify="right"),
            Text(_pair(c.net_rx, c.net_tx), justify="right"),
            Text(_pair(c.blk_read, c.blk_write), justify="right"),
        ]
