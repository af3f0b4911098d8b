"""The fleet view: one row per deployment the exporters report to Prometheus, worst first.

Each refresh is one `PrometheusReader.rows()` (two PromQL queries, however many deployments);
`enter` opens the deployment under the cursor through `opener` (read-only: rebuilt from
Prometheus, no actions). Nothing here talks to a backend or a container engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from sutazai_tui.integrations.fleet import FleetRow
from sutazai_tui.models import State
from sutazai_tui.tui.literal import content, rich_text
from sutazai_tui.tui.screens.fleet_feed import FleetFeed, PrometheusPolling
from sutazai_tui.tui.widgets.state_style import STATE_VARIABLE, rich_style

_LEVEL_VARIABLE = {"OK": "success", "WARNING": "warning", "CRITICAL": "error", "UNKNOWN": "foreground-muted"}
Opener = Callable[[str], Screen[None]]


def age_text(seconds: float | None) -> str:
    """`12 s`, `3 min`, `2 h`; `—` when the deployment never reported a cycle."""
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s < 120:
        return f"{s} s"
    return f"{s // 60} min" if s < 7200 else f"{s // 3600} h"


class FleetScreen(PrometheusPolling):
    """The deployments table, refreshed every `interval` seconds from Prometheus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="fleet_open", priority=True),  # over the table's own enter
        Binding("r", "refresh", "Refresh", id="fleet_refresh"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]
    DEFAULT_CSS = """
    FleetScreen #fleet-status { height: 1; padding: 0 1; background: $panel; }
    FleetScreen DataTable { height: 1fr; }
    """

    def __init__(self, feed: FleetFeed, opener: Opener | None = None) -> None:
        super().__init__()
        self.feed = feed
        self.source = feed.source or feed.reader.url  # what the status line names
        self.opener = opener
        self.rows: list[FleetRow] = []

    def compose(self) -> ComposeResult:
        yield Static(content(f"fleet via {self.source} — asking…"), id="fleet-status")
        table: DataTable[Text | str] = DataTable(cursor_type="row", zebra_stripes=True)
        table.add_columns("DEPLOYMENT", "STATE", "VERDICT", "CRITICAL", "LAST CYCLE")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.start_polling()

    def action_refresh(self) -> None:
        """`r`: ask now rather than at the next interval."""
        self.refresh_from_prometheus()

    async def ask_prometheus(self) -> None:
        """Ask Prometheus once for the whole fleet; a failure keeps the last rows."""
        self.rows = await self.feed.reader.rows()

    def refreshed(self) -> None:
        """Show the rows and, after a failure, why they are the last answer."""
        table = self.query_one(DataTable)
        variables = self.app.theme_variables
        cursor = table.cursor_row
        table.clear()
        for row in self.rows:
            state_var = STATE_VARIABLE[row.state]
            table.add_row(
                rich_text(row.target),
                Text(row.state.value, style=rich_style(variables, state_var, bold=True)),
                rich_text(
                    row.verdict, style=rich_style(variables, _LEVEL_VARIABLE.get(row.verdict, "foreground"))
                ),
                Text(
                    str(row.critical), style=rich_style(variables, "error" if row.critical else "foreground")
                ),
                age_text(row.age_s),
                key=row.target,
            )
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        troubled = sum(r.state is not State.OK for r in self.rows)
        status = f"fleet via {self.source} — {len(self.rows)} deployments, {troubled} not OK"
        if self.error is not None:
            status = f"{status} — {self.error} (showing the last answer)"
        self.query_one("#fleet-status", Static).update(content(status, multiline=False))

    def selected(self) -> str | None:
        """The deployment under the cursor."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            return None
        return self.rows[min(table.cursor_row, len(self.rows) - 1)].target

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """`enter` on a row (the table has the key while it has focus)."""
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the deployment under the cursor, read-only."""
        target = self.selected()
        if target is None:
            self.notify("no deployment to open yet", severity="warning", markup=False)
        elif self.opener is None:
            self.notify("opening a deployment needs the Dashboard screen", severity="warning", markup=False)
        else:
            self.app.push_screen(self.opener(target))
