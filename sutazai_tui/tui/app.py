"""The Textual app: layout, keys, the polling worker, and the one path every snapshot takes.

Snapshots reach the widgets only through `show_snapshot`, whether they come from the live
Scheduler (as `SnapshotReady` messages), a replay, or a test. Widgets never call a source.
The heavy modules (httpx, psutil, the docker SDK) are imported after the first frame.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker, WorkerState

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainerStats, Event, Finding, Snapshot
from sutazai_tui.tui.app_actions import ACTIONS_BINDINGS, ActionsMixin
from sutazai_tui.tui.app_comfort import COMFORT_BINDINGS, ComfortMixin
from sutazai_tui.tui.app_recording import RECORDING_BINDINGS, RecordingMixin
from sutazai_tui.tui.app_targets import TARGETS_BINDINGS, TargetsMixin
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
    from sutazai_tui.core.monitor import Monitor, Scheduler

SPARK_CYCLES = 60
LIVE_ONLY_ACTIONS = frozenset(
    {"poll_now", "toggle_pause", "stop_container", "restart_container", "emergency_stop"}
)


def utc_now() -> datetime:
    """The wall clock; tests and replay pass their own."""
    return datetime.now(UTC)


def build_monitor(settings: Settings) -> tuple[Monitor, str | None]:
    """The live Monitor and why containers are off, if they failed; runs in a thread (slow imports)."""
    from sutazai_tui.core.monitor import Monitor
    from sutazai_tui.sources.factory import container_source

    try:
        return Monitor(settings, containers=container_source(settings)), None
    except Exception as exc:  # a bad engine address must not stop the endpoint panels
        return Monitor(settings), f"containers off: {type(exc).__name__}: {exc}"


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
        self.settings = settings
        self.monitor = monitor
        self.replay = replay
        self.poll = poll and not replay
        self.demo = demo
        self.clock = clock
        self.config_path = config_path
        self.actions = actions  # None: the Docker engine's, built on the first action
        self.history = monitor.history if monitor else History(settings.history_size, settings.interval)
        self.scheduler: Scheduler | None = None
        self.snapshot: Snapshot | None = None
        self.paused = False
        self._panels: dict[str, EndpointPanel] = {}
        self._latencies: dict[str, tuple[float | None, ...]] = {}
        self._poll_worker: Worker[None] | None = None
        self.comfort_setup()  # [keymap] and theme: a bad one is a ConfigError before anything draws
        self.targets_setup()  # [[targets]]: show the first; a no-op without them

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
        if not self.targets_start():  # [[targets]]: one poll worker per target instead
            self._poll_worker = self.poll_loop()

    @work(exclusive=True, exit_on_error=False, group="poll")
    async def poll_loop(self) -> None:
        """The Scheduler on the app's loop; each snapshot comes back as a `SnapshotReady` message."""
        if self.monitor is None:
            built, problem = await asyncio.to_thread(build_monitor, self.settings)
            self.monitor, self.history = built, built.history
            if problem:
                self.notify(problem, severity="warning", timeout=10)
        monitor = self.monitor
        from sutazai_tui.core.monitor import Scheduler

        self.scheduler = Scheduler(monitor, self._post_snapshot, self._post_cycle_start)
        if self.paused:
            self.scheduler.pause()
        await self.scheduler.run()

    async def _post_snapshot(self, snapshot: Snapshot, events: list[Event]) -> None:
        # Diagnosis reads the whole history (~15 ms at 240 snapshots x 30 containers): a thread,
        # not the UI loop. The scheduler awaits this before the next cycle, so history is quiet.
        from sutazai_tui.diagnosis.run import diagnose

        findings = await asyncio.to_thread(diagnose, self.history, self.settings)
        await self.record_cycle(snapshot, events, findings)
        self.post_message(SnapshotReady(snapshot, tuple(events), tuple(findings)))

    def _post_cycle_start(self) -> None:
        self.post_message(CycleStarted())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A crashed poll loop must be visible, not silent."""
        if event.worker is self._poll_worker and event.state is WorkerState.ERROR:
            self.notify(f"polling stopped: {event.worker.error}", severity="error", timeout=30)

    async def on_unmount(self) -> None:
        """Release the monitor's connections."""
        if self.monitor is not None:
            await self.monitor.close()

    @on(SnapshotReady)
    def _snapshot_ready(self, message: SnapshotReady) -> None:
        if not self.is_running:
            return  # a cycle that ended while the app shuts down: its widgets are gone
        self.show_snapshot(message.snapshot, message.events)
        self.show_findings(message.findings)
        self.comfort_alert(message.events)  # bell, notification, on_state_change hook

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
        events = self.history.add(snapshot)
        self.show_snapshot(snapshot, events)
        return events

    def add_event(self, event: Event) -> None:
        """Log an event that no snapshot caused (an operator action, a note)."""
        self.history.note(event)
        self.query_one(EventLog).show(self.history.events)
        self.record_event(event)

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
        sched = self.scheduler
        to_next = sched.seconds_to_next() if sched is not None else None
        containers = self.snapshot.containers if self.snapshot is not None else None
        engine = containers.engine if containers else self.settings.docker_host or "local socket"
        view = HeaderView(
            target=self.snapshot.target if self.replay and self.snapshot else self.settings.base_url,
            engine=engine if self.settings.containers or containers else "off",
            snapshot=self.snapshot,
            countdown=shown_countdown(to_next) if to_next is not None else None,
            polling=sched is not None and sched.in_flight,
            paused=self.paused,
            read_only=self.settings.read_only,
            replay=self.replay,
            demo=self.demo,
            stale_reason=self.history.stale_reason(now),
            replay_position=self.replay_position(),
            recording=self.recording_badge(),
            recording_ok=self.recording_ok,
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
        if self.scheduler is None:
            self.notify("replay: nothing to poll" if self.replay else "polling is starting…")
        elif not self.scheduler.poll_now():
            self.notify("poll already running — your request joins it", severity="warning")
        self._refresh_header(self.clock())

    def action_toggle_pause(self) -> None:
        """Stop or restart polling (a cycle in flight still finishes)."""
        self.paused = not self.paused
        if self.scheduler is not None:
            if self.paused:
                self.scheduler.pause()
            else:
                self.scheduler.resume()
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
