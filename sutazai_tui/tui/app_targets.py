"""Several deployments in one app (`[[targets]]`): one Monitor and Scheduler per target, one shown.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `TARGETS_BINDINGS`, its palette
entries come from `targets_commands`. Without `[[targets]]` (or with an injected monitor, a replay
or the demo) it does nothing and the app is the single-target monitor it always was.

Every target polls on its own worker; switching only swaps what the screen reads (settings,
monitor, history, scheduler, snapshot, recorder, actions) and repaints from that target's latest
snapshot. A background target's cycle updates its own history, findings and recording and may
alert, but never repaints the shown one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.events import Unmount
from textual.message import Message
from textual.worker import Worker, WorkerState

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.models import Event, Finding, Snapshot
from sutazai_tui.records.recorder import Recorder, RecorderError
from sutazai_tui.tui.messages import CycleStarted
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.header import TargetTab
from sutazai_tui.tui.widgets.host_panel import HostPanel

if TYPE_CHECKING:
    from sutazai_tui.actions.policy import Actions
    from sutazai_tui.core.monitor import Monitor, Scheduler
    from sutazai_tui.models import ContainersStatus
    from sutazai_tui.sources.details import ContainerDetails

TARGET_KEYS = 9
POLL_GROUP = "poll-targets"


def _target_binding(key: int) -> Binding:
    # Hidden from the footer (it has no room for nine), listed in help; inert without [[targets]].
    tip = f"Show target {key} ([[targets]] order)"
    return Binding(
        str(key), f"switch_target({key})", f"Target {key}", show=False, tooltip=tip, id=f"target.{key}"
    )


TARGETS_BINDINGS: list[BindingType] = [_target_binding(k) for k in range(1, TARGET_KEYS + 1)]


@dataclass(eq=False)
class TargetState:
    """One target's live state; the shown one's fields are mirrored on the app while it is shown."""

    key: int
    name: str
    settings: Settings
    history: History
    monitor: Monitor | None = None
    scheduler: Scheduler | None = None
    snapshot: Snapshot | None = None
    findings: tuple[Finding, ...] = ()
    trouble: bool = False  # its latest verdict is not OK: the header marks its tab
    paused: bool = False
    recorder: Recorder | None = None
    recording_ok: bool = True
    actions: Actions | None = None
    details: ContainerDetails | None = None


class TargetSnapshot(Message):
    """A cycle of one target finished (posted from its poll worker)."""

    def __init__(
        self, state: TargetState, snapshot: Snapshot, events: Sequence[Event], findings: Sequence[Finding]
    ) -> None:
        super().__init__()
        self.state = state
        self.snapshot = snapshot
        self.events = tuple(events)
        self.findings = tuple(findings)


class TargetsMixin(App[int]):
    """Several targets, one shown at a time."""

    settings: Settings
    history: History
    monitor: Monitor | None
    scheduler: Scheduler | None
    snapshot: Snapshot | None
    actions: Actions | None
    replay: bool
    demo: bool
    poll: bool
    paused: bool
    recording_ok: bool
    _recorder: Recorder | None
    _details: ContainerDetails | None
    _repolled: ContainersStatus | None
    _panels: dict[str, EndpointPanel]
    _latencies: dict[str, tuple[float | None, ...]]
    clock: Callable[[], datetime]
    _targets: tuple[TargetState, ...] = ()
    _shown: TargetState | None = None

    if TYPE_CHECKING:

        def show_snapshot(self, snapshot: Snapshot, events: Sequence[Event] = ()) -> None: ...
        def show_findings(self, findings: Sequence[Finding]) -> None: ...
        def comfort_alert(self, events: Sequence[Event]) -> None: ...
        def _refresh_header(self, now: datetime) -> None: ...
        def _render_panels(self, now: datetime) -> None: ...
        async def record_cycle(
            self, snapshot: Snapshot, events: Sequence[Event], findings: Sequence[Finding]
        ) -> None: ...

    def targets_setup(self) -> None:
        """Split the settings per target and show the first; a no-op without `[[targets]]`."""
        live = self.poll and not self.replay and not self.demo and self.monitor is None
        if not self.settings.targets or not live:
            return
        states = []
        for key, target in enumerate(self.settings.targets, 1):
            own = self.settings.for_target(target)
            states.append(TargetState(key, target.name, own, History(own.history_size, own.interval)))
        self._targets = tuple(states)
        self._shown = first = states[0]
        self.settings, self.history = first.settings, first.history

    def targets_start(self) -> bool:
        """Start one poll worker per target; False without targets (the app's own loop runs then)."""
        for state in self._targets:
            self.run_worker(self._target_loop(state), name=state.name, group=POLL_GROUP, exit_on_error=False)
        return bool(self._targets)

    def target_tabs(self) -> tuple[TargetTab, ...]:
        """What the header shows of the targets (nothing without them)."""
        return tuple(TargetTab(t.key, t.name, t is self._shown, t.trouble) for t in self._targets)

    def targets_commands(self) -> Iterator[SystemCommand]:
        """Palette entries: one "Switch to <name>" per target."""
        for state in self._targets:
            key = f" (key {state.key})" if state.key <= TARGET_KEYS else ""
            yield SystemCommand(
                f"Switch to {state.name}",
                f"{state.settings.base_url}{key}",
                partial(self.switch_target, state),
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys 1-9 exist only for configured targets (hidden and inert otherwise)."""
        if action == "switch_target":
            return any(t.key == parameters[0] for t in self._targets)
        return super().check_action(action, parameters)

    def action_switch_target(self, key: int) -> None:
        """Show the target bound to this key."""
        for state in self._targets:
            if state.key == key:
                self.switch_target(state)

    def switch_target(self, state: TargetState) -> None:
        """Show `state`: swap what the screen reads, then repaint from its latest snapshot."""
        old = self._shown
        if old is None or state is old:
            return
        # Keep what the app created lazily for the old target (recorder, actions, log reader).
        old.recorder, old.recording_ok, old.paused = self._recorder, self.recording_ok, self.paused
        old.actions, old.details = self.actions, self._details
        self._shown = state
        self.settings, self.history, self.monitor = state.settings, state.history, state.monitor
        self.scheduler, self.snapshot, self.paused = state.scheduler, state.snapshot, state.paused
        self._recorder, self.recording_ok = state.recorder, state.recording_ok
        self.actions, self._details, self._repolled = state.actions, state.details, None
        self._rebuild_panels()
        now = self.clock()
        if state.snapshot is not None:
            self.show_snapshot(state.snapshot)
        else:  # not polled yet: blank panels rather than the other target's data
            self._latencies = {}
            self._render_panels(now)
            self.query_one(ContainerTable).show(None, now, enabled=self.settings.containers)
            self.query_one(HostPanel).show(None)
            self.query_one(EventLog).show(self.history.events)
        self.show_findings(state.findings)
        self._refresh_header(now)

    def _rebuild_panels(self) -> None:
        # All targets share the endpoint list today; rebuild only if a target's differs.
        names = [e.name for e in self.settings.all_endpoints()]
        if list(self._panels) == names:
            return
        for panel in self._panels.values():
            panel.remove()
        self._panels.clear()
        box = self.query_one("#endpoints")
        for name in names:
            self._panels[name] = panel = EndpointPanel(name)
            box.mount(panel)

    async def _target_loop(self, state: TargetState) -> None:
        from sutazai_tui.core.monitor import Scheduler
        from sutazai_tui.tui.app import build_monitor

        built, problem = await asyncio.to_thread(build_monitor, state.settings)
        state.monitor, state.history = built, built.history
        if state is self._shown:
            self.monitor, self.history = built, built.history
        if problem:
            self.notify(f"{state.name}: {problem}", severity="warning", timeout=10)
        state.scheduler = Scheduler(built, partial(self._target_cycle, state), self._target_started)
        if state is self._shown:
            self.scheduler = state.scheduler
            state.paused = self.paused
        if state.paused:
            state.scheduler.pause()
        await state.scheduler.run()

    def _target_started(self) -> None:
        self.post_message(CycleStarted())

    async def _target_cycle(self, state: TargetState, snapshot: Snapshot, events: list[Event]) -> None:
        # As app._post_snapshot, with this target's history, settings and recording.
        from sutazai_tui.diagnosis.run import diagnose

        findings = await asyncio.to_thread(diagnose, state.history, state.settings)
        if state is self._shown:
            await self.record_cycle(snapshot, events, findings)
        else:
            await self._record_background(state, snapshot, events, findings)
        self.post_message(TargetSnapshot(state, snapshot, events, findings))

    async def _record_background(
        self, state: TargetState, snapshot: Snapshot, events: Sequence[Event], findings: Sequence[Finding]
    ) -> None:
        if state.recorder is None and state.recording_ok and state.settings.record and state.monitor:
            state.recorder = Recorder.from_settings(state.settings, state.monitor.http.redactor)
        recorder = state.recorder
        if recorder is None:
            return
        try:
            await asyncio.to_thread(recorder.record, snapshot, events, findings)
        except RecorderError as exc:  # as RecordingMixin: stop this target's recording, not the app
            state.recording_ok, state.recorder = False, None
            self.notify(f"{state.name}: {exc} — recording stopped", severity="error", timeout=30)

    @on(TargetSnapshot)
    def _target_snapshot(self, message: TargetSnapshot) -> None:
        state = message.state
        state.snapshot, state.findings = message.snapshot, message.findings
        state.trouble = assess(message.snapshot, message.findings).level is not Level.OK
        if not self.is_running:
            return  # shutting down: the widgets are gone
        if state is self._shown:
            self.show_snapshot(message.snapshot, message.events)
            self.show_findings(message.findings)
            self.comfort_alert(message.events)
            return
        # Background: alert with the target's name in the subject; repaint only the header tabs.
        tagged = [
            e.model_copy(update={"subject": f"{state.name}/{e.subject.removeprefix('container:')}"})
            for e in message.events
        ]
        self.comfort_alert(tagged)
        self._refresh_header(self.clock())

    @on(Worker.StateChanged)
    def _target_worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == POLL_GROUP and event.state is WorkerState.ERROR:
            self.notify(f"polling {event.worker.name} stopped: {event.worker.error}", severity="error")

    @on(Unmount)
    async def _close_targets(self) -> None:
        # The app closes the shown monitor and recorder; the background ones are closed here.
        for state in self._targets:
            if state.monitor is not None and state.monitor is not self.monitor:
                await state.monitor.close()
            if state.recorder is not None and state.recorder is not self._recorder:
                await asyncio.to_thread(state.recorder.close)
