"""The Dashboard: one session's snapshot on screen — header, endpoint panels, findings, containers,
host and events — and the keys every view of it has (snapshot, filter, help).

Snapshots reach the widgets only through `show_snapshot`, whether they come from a live session
(LiveScreen), a recording (ReplayScreen) or a test. Widgets never call a source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.notifications import Notification
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static

from sutazai_tui.diagnosis.lifetimes import CLEARED_KEPT, FindingTimes, Lifetime, is_about, key_of
from sutazai_tui.models import ContainerStats, Event, Finding, Snapshot
from sutazai_tui.session.session import Session
from sutazai_tui.tui.controllers.records import RecordsController
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel, panel_view
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.filter_bar import FilterBar
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar, HeaderView
from sutazai_tui.tui.widgets.host_panel import HostPanel
from sutazai_tui.tui.widgets.keys_footer import KeysFooter
from sutazai_tui.tui.widgets.notice_bar import NoticeBar

if TYPE_CHECKING:
    from sutazai_tui.util.redact import Redactor

SPARK_CYCLES = 60
MIN_SIZE = (80, 24)  # the layout's floor (app.tcss)
# Bindings every view has; each screen lists them in its own BINDINGS, in footer order.
SNAPSHOT = Binding("s", "snapshot", "Snap", tooltip="Snapshot: SVG screenshot + JSON state", id="snapshot")
TABLE = [
    Binding(
        "o",
        "sort_next",
        "Sort",
        show=False,
        tooltip="Sort by the next column: worst, name, state, health, restarts, cpu, mem, …",
        id="sort",
    ),
    Binding("O", "sort_reverse", "Reverse sort", show=False, tooltip="Reverse the sort", id="sort_reverse"),
    Binding("v", "only_troubled", "Only not OK", show=False, tooltip="Only not-OK rows", id="only_troubled"),
]
FILTER = Binding(
    "slash", "filter", "Filter", key_display="/", tooltip="Filter containers by name", id="filter"
)
HELP = Binding("question_mark", "help", "Help", key_display="?", tooltip="This help", id="help")


class Dashboard(Screen[None]):
    """Renders snapshots of `session`; LiveScreen and ReplayScreen say where they come from."""

    TICK_S: ClassVar[float] = 1.0  # staleness and countdown checks; a repaint only on a change

    def __init__(
        self,
        session: Session,
        *,
        clock: Callable[[], datetime],
        config_path: Path | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        self.clock = clock
        self.config_path = config_path
        self.demo = demo
        self.snapshot: Snapshot | None = None  # the one on screen
        self.records = RecordsController(self.notify)
        self._panels: dict[str, EndpointPanel] = {}
        self._latencies: dict[str, tuple[float | None, ...]] = {}
        self._finding_times: dict[int, FindingTimes] = {}  # per session (id): the findings' stories

    def compose(self) -> ComposeResult:
        """Header, endpoint panels, findings, containers beside host and events, footer."""
        yield HeaderBar()
        yield Static(id="too-small")
        with Horizontal(id="endpoints"):
            for endpoint in self.session.settings.all_endpoints():
                yield self._panels.setdefault(endpoint.name, EndpointPanel(endpoint.name))
        yield FindingsPanel()
        with Horizontal(id="main"):
            with Vertical(id="table-box"):
                yield FilterBar()
                yield ContainerTable()
            with Vertical(id="side"):
                yield HostPanel()
                yield EventLog()
        yield NoticeBar()
        yield KeysFooter(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        """Focus the table, paint the header, check staleness once a second, then `mounted`."""
        # The only on_mount of the Dashboards: Textual calls every class's on_mount in the MRO,
        # so subclasses hook in through `mounted` instead of overriding it.
        self.query_one(ContainerTable).focus()
        self.refresh_header()
        self.set_interval(self.TICK_S, self._tick)
        self.mounted()

    def on_resize(self, event: Resize) -> None:
        """Below 80x24 one line says so, and what still fits (the layout's floor is 80x24)."""
        width, height = event.size
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        line = self.query_one("#too-small", Static)
        line.display = small
        if small:
            floor = f"{MIN_SIZE[0]}x{MIN_SIZE[1]}"
            line.update(f"terminal {width}x{height} is below {floor}: keys and table work, panels are cut")

    def mounted(self) -> None:
        """What a Dashboard does once its widgets are on screen (LiveScreen: poll; replay: frame 0)."""

    def commands(self) -> Iterable[SystemCommand]:
        """This screen's palette entries (the App adds Textual's own)."""
        source = self.report_source()
        hint = self.records.report_hint(source)
        yield SystemCommand("Write incident report", hint, self.action_write_report)
        yield SystemCommand("Sort by next column", "Cycle the container table's sort", self.action_sort_next)
        yield SystemCommand("Reverse sort", "Flip the container table's order", self.action_sort_reverse)
        yield SystemCommand("Only not OK", "Toggle: troubled containers only", self.action_only_troubled)

    # -- rendering ---------------------------------------------------------------------------

    def show_snapshot(self, snapshot: Snapshot, events: Sequence[Event] = ()) -> None:
        """Render a snapshot that is already in the session's history (live, replay, tests)."""
        del events  # the event log shows the history's events, these among them
        self.snapshot = snapshot
        now = self.clock()
        history = self.session.history
        for endpoint in snapshot.endpoints:
            if endpoint.name not in self._panels:
                self._panels[endpoint.name] = panel = EndpointPanel(endpoint.name)
                self.query_one("#endpoints").mount(panel)
        self._latencies = {n: tuple(history.latencies(n, SPARK_CYCLES)) for n in self._panels}
        self._render_panels(now)
        self.query_one(ContainerTable).show(
            snapshot.containers, now, enabled=self.session.settings.containers
        )
        host_error = next((e for e in snapshot.errors if e.startswith("host")), None)
        self.query_one(HostPanel).show(snapshot.host, host_error)
        self.query_one(EventLog).show(history.events)
        self.refresh_header(now)

    def feed_snapshot(self, snapshot: Snapshot) -> list[Event]:
        """Add a snapshot from outside a poll loop (tests, the replay) to the history and show it."""
        events = self.session.feed(snapshot)
        self.show_snapshot(snapshot, events)
        return events

    def add_event(self, event: Event) -> None:
        """Log an event that no snapshot caused (an operator action, a note); record it."""
        self.session.history.note(event)
        self.query_one(EventLog).show(self.session.history.events)
        self.run_worker(self.session.record_event(event), group="recording", exit_on_error=False)

    @property
    def finding_times(self) -> FindingTimes:
        """The shown session's findings over the cycles: since when, cleared when, returned."""
        return self._finding_times.setdefault(id(self.session), FindingTimes(CLEARED_KEPT))

    def show_notices(self, notifications: Iterable[Notification]) -> None:
        """The live notifications, on the notice lines (this screen shows no toasts)."""
        # Once a second: query_one is answered from Textual's cache, a query walks the whole DOM.
        bar = self.query_one_optional(NoticeBar)
        if bar is not None:
            bar.show_notices(notifications)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show diagnoses worst first (the panel hides itself when there are none)."""
        self.finding_times.observe(findings, self.clock())
        self.query_one(FindingsPanel).show_findings(findings)
        self.query_one(ContainerTable).show_findings(findings, self.session.settings.primary_service)

    def selected_container(self) -> ContainerStats | None:
        """The container under the table's cursor: the target of container actions."""
        return self.query_one(ContainerTable).selected_container()

    def act_for(self, action: str, name: str) -> None:
        """A key of the container screen showing `name` (LiveScreen aims it at `name`)."""
        getattr(self, f"action_{action}")()

    def header_view(self, now: datetime) -> HeaderView:
        """What the header shows; LiveScreen and ReplayScreen add their part."""
        settings, snap = self.session.settings, self.snapshot
        containers = snap.containers if snap is not None else None
        engine = containers.engine if containers else settings.docker_host or "local socket"
        return HeaderView(
            target=settings.base_url,
            engine=engine if settings.containers or containers else "off",
            snapshot=snap,
            read_only=settings.read_only,
            demo=self.demo,
            stale_reason=self.session.history.stale_reason(now),
        )

    def refresh_header(self, now: datetime | None = None) -> None:
        """Repaint the header if what it shows changed."""
        self.query_one(HeaderBar).show(self.header_view(now or self.clock()))

    def _render_panels(self, now: datetime) -> None:
        snap = self.snapshot
        for name, panel in self._panels.items():
            status = snap.endpoint(name) if snap is not None else None
            panel.show(panel_view(status, self.session.history, self._latencies.get(name, ()), now))

    def show_blank(self) -> None:
        """Nothing polled yet for this session: blank panels rather than another target's data."""
        now = self.clock()
        self.snapshot, self._latencies = None, {}
        self._rebuild_panels()
        self._render_panels(now)
        self.query_one(ContainerTable).show(None, now, enabled=self.session.settings.containers)
        self.query_one(HostPanel).show(None)
        self.query_one(EventLog).show(self.session.history.events)
        self.refresh_header(now)

    def _rebuild_panels(self) -> None:
        # All targets share the endpoint list today; rebuild only if a target's differs.
        names = [e.name for e in self.session.settings.all_endpoints()]
        if list(self._panels) == names:
            return
        for panel in self._panels.values():
            panel.remove()
        self._panels.clear()
        box = self.query_one("#endpoints")
        for name in names:
            self._panels[name] = panel = EndpointPanel(name)
            box.mount(panel)

    def _tick(self) -> None:
        # Once a second: countdown and staleness; widgets repaint only if what they show changed.
        if not self.is_attached or not self.app.is_running:
            return  # shutting down: the screen's widgets are already gone, the timer not yet
        now = self.clock()
        self._render_panels(now)
        self.refresh_header(now)
        self.show_notices(self.app._notifications)  # an expired one goes even if no toast said so

    # -- keys every view has -----------------------------------------------------------------

    def action_snapshot(self) -> None:
        """Write screen.svg and state.json into a new bundle folder (in a thread)."""
        if self.snapshot is None:
            self.notify("nothing to snapshot yet: no cycle has been shown", severity="warning", markup=False)
            return
        svg = self.app.export_screenshot(
            title="sutazai-tui DEMO snapshot" if self.demo else "sutazai-tui snapshot"
        )
        findings = self.query_one(FindingsPanel).findings
        bundle = self.records.write_bundle(
            self.session.settings,
            self.snapshot,
            tuple(self.session.history.events),
            findings,
            svg,
            self.bundle_redactor(),
        )
        self.run_worker(bundle, group="snapshot", exit_on_error=False)

    def bundle_redactor(self) -> Redactor | None:
        """What scrubs secrets from a bundle; a replay has none to scrub (the recording was)."""
        return self.session.redactor

    def report_source(self) -> Path | None:
        """The recording a report is written from: this session's `--record` file."""
        return self.session.settings.record

    def action_write_report(self) -> None:
        """Write the Markdown report of this session's recording next to it (in a thread)."""
        report = self.records.write_report(self.report_source(), self.session.settings)
        self.run_worker(report, group="report", exit_on_error=False)

    def action_sort_next(self) -> None:
        """Sort the table by the next column (worst-first comes round again)."""
        self.query_one(ContainerTable).cycle_sort()

    def action_sort_reverse(self) -> None:
        """Reverse the table's order."""
        self.query_one(ContainerTable).toggle_sort_reverse()

    def action_only_troubled(self) -> None:
        """List only containers that are not OK (or all again)."""
        self.query_one(ContainerTable).toggle_troubled_only()

    def action_filter(self) -> None:
        """Open the name filter above the container table."""
        self.query_one(FilterBar).open()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(ContainerTable).set_filter(event.value)

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.query_one(ContainerTable).focus()

    @on(OptionList.OptionSelected, "#findings")
    def _finding_chosen(self, event: OptionList.OptionSelected) -> None:
        panel = self.query_one(FindingsPanel)
        if 0 <= event.option_index < len(panel.findings):
            self.open_finding(panel.findings[event.option_index])

    def open_finding(self, finding: Finding) -> None:
        """The finding screen: evidence and fix in full; `c` writes its commands under fixes/ (the
        demo's under demo/fixes/, apart from the real ones like its audit log and snapshots)."""
        from sutazai_tui.tui.screens.finding import FindingScreen  # imported when first opened

        state = self.session.settings.state_dir
        key, fixes = key_of(finding), (state / "demo" if self.demo else state) / "fixes"
        self.app.push_screen(
            FindingScreen(finding, lambda: self.finding_times.get(key), lambda: self.clock(), fixes)
        )

    @on(EndpointPanel.Chosen)
    def _panel_chosen(self, event: EndpointPanel.Chosen) -> None:
        """A panel's enter: the worst finding about that endpoint (findings are worst first), else
        one notice line with the endpoint's state and its whole reason."""
        name = event.endpoint_name
        about = [f for f in self.query_one(FindingsPanel).findings if f.subject == name]
        if about:
            self.open_finding(about[0])
            return
        view = self._panels[name].view
        self.notify(f"{name}: {view.state.value}, no finding about it — {view.reason}", markup=False)

    @on(DataTable.RowSelected, "#containers")
    def _container_chosen(self) -> None:
        self.open_container()

    def stories_about(self, name: str) -> list[Lifetime]:
        """The findings about container `name` (the primary's: the endpoints' too), held or cleared."""
        snap, primary = self.snapshot, self.session.settings.primary_service
        listed = [c.name for c in snap.containers.containers] if snap and snap.containers else []
        return [x for x in self.finding_times.all() if is_about(x.finding.subject, name, primary, listed)]

    def open_container(self) -> None:
        """The selected container's screen: state, probe, findings, keys to logs and actions."""
        chosen = self.selected_container()
        if chosen is None:
            return
        name = chosen.name

        def read() -> tuple[ContainerStats | None, list[Lifetime]]:
            snap = self.snapshot
            return (snap.container(name) if snap else None), self.stories_about(name)

        def act(action: str) -> None:
            self.act_for(action, name)

        def can(action: str) -> bool:  # read-only: the footer offers no action that acts
            acting = action.endswith("_container") and self.session.settings.read_only
            return hasattr(self, f"action_{action}") and not acting

        # The probe is read where logs are (a live session that polls); a replay has no engine.
        details = self.session.details() if can("logs") and self.session.monitor is not None else None
        from sutazai_tui.tui.screens.container import ContainerScreen  # imported when first opened

        self.app.push_screen(ContainerScreen(name, read, self.clock, act, can, details))

    def action_help(self) -> None:
        """Keys, the config file in use and where files go."""
        from sutazai_tui.tui.screens.help import HelpScreen, grouped_keys, help_places

        self.app.push_screen(
            HelpScreen(grouped_keys(self), help_places(self.session.settings, self.config_path))
        )
