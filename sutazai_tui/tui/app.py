"""The Textual app: layout, keys, the polling worker, and the one path every snapshot takes.

Snapshots reach the widgets only through `show_snapshot`, whether they come from the live
Scheduler (as `SnapshotReady` messages), a replay, or a test. Widgets never call a source.
The heavy modules (httpx, psutil, the docker SDK) are imported after the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainerStats, Event, Finding, Snapshot
from sutazai_tui.session.session import Cycle, Session, Severity, sessions_for
from sutazai_tui.tui.app_actions import ACTIONS_BINDINGS, ActionsMixin
from sutazai_tui.tui.app_comfort import COMFORT_BINDINGS, ComfortMixin
from sutazai_tui.tui.app_recording import RECORDING_BINDINGS, RecordingMixin
from sutazai_tui.tui.app_targets import POLL_GROUP, TARGETS_BINDINGS, TargetsMixin
from sutazai_tui.tui.messages import CycleStarted, SnapshotReady
from sutazai_tui.tui.screens.help import HelpScreen, app_keys, help_places
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel, panel_view
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.filter_bar import FilterBar
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar, HeaderView, shown_countdown
from sutazai_tui.tui.widgets.host_panel import HostPanel

if TYPE_CHECKING:
    from sutazai_tui.actions.policy import Actions
    from sutazai_tui.core.monitor import Monitor

SPARK_CYCLES = 60
LIVE_ONLY_ACTIONS = frozenset(
    {"poll_now", "toggle_pause", "stop_container", "restart_container", "emergency_stop"}
)


def utc_now() -> datetime:
    """The wall clock; tests and replay pass their own."""
    return datetime.now(UTC)


class SutazaiApp(TargetsMixin, ActionsMixin, RecordingMixin, ComfortMixin, App[int]):
    """The monitor's screen.

    `monitor=None` builds the live Monitor after the first frame. `replay=True` or `poll=False`
    start no poll loop: snapshots then come in through `feed_snapshot` (replay, tests).
    """

    CSS_PATH = "app.tcss"
    TICK_S: ClassVar[float] = 1.0  # staleness and countdown checks; a repaint only on a change
    TITLE = "sutazai-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # noqa: RUF012 (Textual's own ClassVar)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        # Footer order is binding order: what an operator reaches for first comes first.
        Binding("r", "poll_now", "Poll", tooltip="Poll now (joins a cycle already running)", id="poll_now"),
        Binding("p", "toggle_pause", "Pause", tooltip="Pause / resume polling", id="pause"),
        *ACTIONS_BINDINGS,
        *RECORDING_BINDINGS,
        *COMFORT_BINDINGS,
        *TARGETS_BINDINGS,
        Binding(
            "slash", "filter", "Filter", key_display="/", tooltip="Filter containers by name", id="filter"
        ),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="This help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="quit_ctrl_c"),
    ]

    def __init__(
        self,
        settings: Settings,
        monitor: Monitor | None = None,
        *,
        replay: bool = False,
        poll: bool = True,
        demo: bool = False,
        clock: Callable[[], datetime] = utc_now,
        config_path: Path | None = None,
        actions: Actions | None = None,
    ) -> None:
        super().__init__()
        self.replay = replay
        self.poll = poll and not replay
        self.demo = demo
        self.clock = clock
        self.config_path = config_path
        self.sessions = sessions_for(settings, monitor, actions, self._problem, live=self.poll and not demo)
        self.shown = self.sessions[0]  # the session on screen; the others poll in the background
        self.snapshot: Snapshot | None = None  # the one on screen (a replay frame in replay)
        self._panels: dict[str, EndpointPanel] = {}
        self._latencies: dict[str, tuple[float | None, ...]] = {}
        self.comfort_setup()  # [keymap] and theme: a bad one is a ConfigError before anything draws

    @property
    def settings(self) -> Settings:
        """The shown session's settings."""
        return self.shown.settings

    @property
    def history(self) -> History:
        """The shown session's history (the replayed one in replay)."""
        return self.shown.history

    def compose(self) -> ComposeResult:
        """Header, endpoint panels, findings, containers beside host and events, footer."""
        yield HeaderBar()
        with Horizontal(id="endpoints"):
            for endpoint in self.settings.all_endpoints():
                yield self._panels.setdefault(endpoint.name, EndpointPanel(endpoint.name))
        yield FindingsPanel()
        with Horizontal(id="main"):
            with Vertical(id="table-box"):
                yield FilterBar()
                yield ContainerTable()
            with Vertical(id="side"):
                yield HostPanel()
                yield EventLog()
        yield Footer(compact=True, show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In replay, live-only keys (poll, pause, container actions) are hidden and inert."""
        if self.replay and action in LIVE_ONLY_ACTIONS:
            return False
        return super().check_action(action, parameters)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own palette entries plus each mixin's."""
        yield from super().get_system_commands(screen)
        yield from self.actions_commands()
        yield from self.recording_commands()
        yield from self.comfort_commands()
        yield from self.targets_commands()

    def on_mount(self) -> None:
        """Paint first; start polling only after the first frame is on screen."""
        self.query_one(ContainerTable).focus()
        self._refresh_header(self.clock())
        self.set_interval(self.TICK_S, self._tick)
        if self.poll:
            self.call_after_refresh(self._start_polling)

    def _start_polling(self) -> None:
        # One worker per session, all through the same loop (Session.run); a cycle comes back here
        # as a SnapshotReady message.
        for session in self.sessions:
            self.run_worker(
                session.run(self._post_cycle, self._post_cycle_start),
                name=session.name,
                group=POLL_GROUP,
                exit_on_error=False,
            )

    def _post_cycle(self, cycle: Cycle) -> None:
        self.post_message(SnapshotReady(cycle))

    def _post_cycle_start(self) -> None:
        self.post_message(CycleStarted())

    def _problem(self, session: Session, text: str, severity: Severity) -> None:
        prefix = f"{session.name}: " if session.key else ""
        if self.is_running:
            self.notify(prefix + text, severity=severity, timeout=30 if severity == "error" else 10)
        else:
            self.log.error(prefix + text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A crashed poll loop must be visible, not silent."""
        if event.worker.group == POLL_GROUP and event.state is WorkerState.ERROR:
            where = f" {event.worker.name}" if self.shown.key else ""
            self.notify(f"polling{where} stopped: {event.worker.error}", severity="error", timeout=30)

    async def on_unmount(self) -> None:
        """Release every session's connections, recordings and action backends."""
        for session in self.sessions:
            await session.close()

    @on(SnapshotReady)
    def _snapshot_ready(self, message: SnapshotReady) -> None:
        if not self.is_running:
            return  # a cycle that ended while the app shuts down: its widgets are gone
        cycle = message.cycle
        if cycle.session is self.shown:
            self.show_snapshot(cycle.snapshot, cycle.events)
            self.show_findings(cycle.findings)
            self.comfort_alert(cycle.events)  # bell, notification, on_state_change hook
            return
        # Background: alert with the target's name in the subject; repaint only the header tabs.
        name = cycle.session.name
        self.comfort_alert(
            [
                e.model_copy(update={"subject": f"{name}/{e.subject.removeprefix('container:')}"})
                for e in cycle.events
            ]
        )
        self._refresh_header(self.clock())

    @on(CycleStarted)
    def _cycle_started(self) -> None:
        self._refresh_header(self.clock())

    def show_snapshot(self, snapshot: Snapshot, events: Sequence[Event] = ()) -> None:
        """Render a snapshot that is already in `self.history` (live, replay and tests all land here)."""
        self.snapshot = snapshot
        now = self.clock()
        for endpoint in snapshot.endpoints:
            if endpoint.name not in self._panels:
                self._panels[endpoint.name] = panel = EndpointPanel(endpoint.name)
                self.query_one("#endpoints").mount(panel)
        self._latencies = {n: tuple(self.history.latencies(n, SPARK_CYCLES)) for n in self._panels}
        self._render_panels(now)
        self.query_one(ContainerTable).show(snapshot.containers, now, enabled=self.settings.containers)
        host_error = next((e for e in snapshot.errors if e.startswith("host")), None)
        self.query_one(HostPanel).show(snapshot.host, host_error)
        self.query_one(EventLog).show(self.history.events)
        self._refresh_header(now)

    def feed_snapshot(self, snapshot: Snapshot) -> list[Event]:
        """Add a snapshot from a source without a Monitor (replay, tests) to the history and show it."""
        events = self.shown.feed(snapshot)
        self.show_snapshot(snapshot, events)
        return events

    def add_event(self, event: Event) -> None:
        """Log an event that no snapshot caused (an operator action, a note)."""
        self.history.note(event)
        self.query_one(EventLog).show(self.history.events)
        self.run_worker(self.shown.record_event(event), group="recording", exit_on_error=False)

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show diagnoses worst first (the panel hides itself when there are none)."""
        self.query_one(FindingsPanel).show_findings(findings)

    def selected_container(self) -> ContainerStats | None:
        """The container under the table's cursor: the target of container actions."""
        return self.query_one(ContainerTable).selected_container()

    def _render_panels(self, now: datetime) -> None:
        snap = self.snapshot
        for name, panel in self._panels.items():
            status = snap.endpoint(name) if snap is not None else None
            panel.show(panel_view(status, self.history, self._latencies.get(name, ()), now))

    def _refresh_header(self, now: datetime) -> None:
        to_next = self.shown.seconds_to_next()
        containers = self.snapshot.containers if self.snapshot is not None else None
        engine = containers.engine if containers else self.settings.docker_host or "local socket"
        view = HeaderView(
            target=self.snapshot.target if self.replay and self.snapshot else self.settings.base_url,
            engine=engine if self.settings.containers or containers else "off",
            snapshot=self.snapshot,
            countdown=shown_countdown(to_next) if to_next is not None else None,
            polling=self.shown.polling,
            paused=self.shown.paused,
            read_only=self.settings.read_only,
            replay=self.replay,
            demo=self.demo,
            stale_reason=self.history.stale_reason(now),
            replay_position=self.replay_position(),
            recording=self.recording_badge(),
            recording_ok=self.shown.recording_ok,
            tabs=self.target_tabs(),
        )
        self.query_one(HeaderBar).show(view)

    def _tick(self) -> None:
        # Once a second: countdown and staleness; widgets repaint only if what they show changed.
        if not self.is_running:
            return  # shutting down: the screen's widgets are already gone, the timer not yet
        now = self.clock()
        self._render_panels(now)
        self._refresh_header(now)

    def action_poll_now(self) -> None:
        """Poll now; a cycle already running absorbs the request (never two in flight)."""
        started = self.shown.poll_now()
        if started is None:
            self.notify("replay: nothing to poll" if self.replay else "polling is starting…")
        elif not started:
            self.notify("poll already running — your request joins it", severity="warning")
        self._refresh_header(self.clock())

    def action_toggle_pause(self) -> None:
        """Stop or restart polling (a cycle in flight still finishes)."""
        self.shown.set_paused(not self.shown.paused)
        self._refresh_header(self.clock())

    def action_filter(self) -> None:
        """Open the name filter above the container table."""
        self.query_one(FilterBar).open()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.query_one(ContainerTable).set_filter(event.value)

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.query_one(ContainerTable).focus()

    def action_help(self) -> None:
        """Keys, the config file in use and where files go."""
        self.push_screen(HelpScreen(app_keys(self), help_places(self.settings, self.config_path)))
