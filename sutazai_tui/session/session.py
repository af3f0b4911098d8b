"""One watched target: its Monitor, History, Recorder, findings, and its cycles one after another.

Free of textual: the TUI, `check`, the exporter, `serve`'s poller (and `heal`) all consume
`Session.cycles()`; what happens after a poll is `_after_poll`, one method, top to bottom.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Callable, Sequence
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.alerts import alert_events, run_hook
from sutazai_tui.core.history import History
from sutazai_tui.core.verdict import Level, Overall, assess
from sutazai_tui.models import ContainersStatus, Event, Finding, Snapshot
from sutazai_tui.records.recorder import Recorder, RecorderError
from sutazai_tui.sources.engine.early_list import EARLY_WAIT_S
from sutazai_tui.util.malloc import freeze_long_lived, lean_malloc, release_free_memory

if TYPE_CHECKING:
    from sutazai_tui.actions.policy import Actions
    from sutazai_tui.core.monitor import Monitor, Scheduler
    from sutazai_tui.sources.engine.base import Listed
    from sutazai_tui.sources.engine.details import ContainerDetails, DockerDetails
    from sutazai_tui.util.redact import Redactor

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class Cycle:
    """One finished poll cycle of one session: the snapshot (already in its history), the events
    it caused, the alerts among them (into DOWN/EMERGENCY: ring and notify), the findings diagnosed
    over the history it ended, and the verdict."""

    session: Session
    snapshot: Snapshot
    events: tuple[Event, ...]
    findings: tuple[Finding, ...]
    alerts: tuple[Event, ...]
    overall: Overall


ProblemHandler = Callable[["Session", str, Severity], None]


def build_monitor(
    settings: Settings, connect: bool = False, listed: Listed | None = None
) -> tuple[Monitor, str | None]:
    """The live Monitor and why containers are off, if they failed; blocking (slow imports).
    `connect`: the engine client is made too, and `listed` given its list (Session.warm_up)."""
    from sutazai_tui.core.monitor import Monitor
    from sutazai_tui.sources.engine.factory import container_source

    try:
        return Monitor(settings, containers=container_source(settings, connect=connect, listed=listed)), None
    except Exception as exc:  # a bad engine address must not stop the endpoint panels
        return Monitor(settings), f"containers off: {type(exc).__name__}: {exc}"


def _ignore_problem(session: Session, text: str, severity: Severity) -> None:
    del session, text, severity


class Simulation(Protocol):
    """A simulated target's clock (the demo's scenario), given by demo/factory.py."""

    def pause_clock(self, paused: bool) -> None:
        """Stop the scenario's clock, or let it run on from where it stood."""

    def position(self) -> str:
        """Which scenario and where in it, for the header."""
        ...


class Session:
    """One target's live state, and its cycles.

    `async for cycle in session.cycles():` polls until the consumer stops (break, or cancel the
    task): one `Cycle` per poll, after everything a poll entails is done (`_after_poll`: history,
    diagnosis in a thread, recording, alerts and the `on_state_change` hook, verdict). The next
    poll is due an interval after the last one ended, but starts only when the consumer asks for
    the next cycle, so keep the loop body short (hand the cycle on, as the TUI posts a message).
    One cycle in flight, ever; `poll_now` starts one at once (or joins the one in flight);
    `set_paused` stops and restarts polling. Every cycle is yielded: a consumer may skip
    rendering an older one, never its events. Problems that are not cycles (containers off, a
    recording or a hook that failed) go to `on_problem` as one line.

    `monitor=None` builds the live Monitor (in a thread) when `cycles` starts. Without `cycles`
    (replay, tests) the session is a history that `feed` adds snapshots to. `hooks=False`: no
    `on_state_change` runs (a one-shot `check`, the exporter). `actions` and `details` (where
    logs and inspect read) default to the Docker engine's; the demo gives its own (demo/factory.py).
    """

    def __init__(
        self,
        settings: Settings,
        monitor: Monitor | None = None,
        *,
        name: str | None = None,
        key: int = 0,
        actions: Actions | None = None,
        details: ContainerDetails | None = None,
        on_problem: ProblemHandler = _ignore_problem,
        hooks: bool = True,
        simulation: Simulation | None = None,
    ) -> None:
        self.settings = settings
        self.name = name or settings.base_url
        self.key = key  # its number key and tab as one of `[[targets]]`; 0 for the lone backend
        self.monitor = monitor
        self.history = monitor.history if monitor else History(settings.history_size, settings.interval)
        self.scheduler: Scheduler | None = None
        self.snapshot: Snapshot | None = None  # the latest cycle's
        self.findings: tuple[Finding, ...] = ()
        self.trouble = False  # the latest verdict is not OK: a tab marks it
        self.paused = False
        self.recorder: Recorder | None = None
        self.recording_ok = True  # False once a write failed: recording stopped
        self.on_problem = on_problem
        self.hooks = hooks
        self.simulation = simulation  # a demo's scenario: paused with the session, says where it is
        self._hook_runs: set[asyncio.Task[None]] = set()
        self._actions = actions
        self._details = details  # given: the giver's (the demo's fleet); made here: closed here
        self._owned_details: DockerDetails | None = None
        self._warming: Future[tuple[Monitor, str | None]] | None = None  # warm_up's build
        self._early_shown = False  # `early_listing` gave the list asked at start
        # The request budget lives with the HTTP source (monitor.http.budget), one per session.

    # -- the cycles ------------------------------------------------------------------------

    async def cycles(
        self, on_start: Callable[[], None] | None = None, on_listed: Listed | None = None
    ) -> AsyncGenerator[Cycle]:
        """Poll until the consumer stops, yielding each finished cycle; `on_start` as each poll
        begins. `on_listed` gets the first cycle's early answers (the container list before its
        inspects, then its first CPU figures) for a table to show: they make no Cycle, so no
        history, finding, recording, alert or verdict comes from them (docs/architecture.md)."""
        monitor = await self._start()
        from sutazai_tui.core.monitor import Scheduler  # imported by _start's thread

        scheduler = self.scheduler = Scheduler(self.settings.interval)
        if self.paused:
            scheduler.pause()
        cpu_shown = False  # until a cycle had CPU figures, each is followed up (Monitor.cpu_follow_up)
        while True:
            async with scheduler.turn():
                if on_start is not None:
                    on_start()
                snapshot = await monitor.cycle(on_listed)
            yield await self._after_poll(snapshot)
            # Asked for more than one cycle: a long-running consumer (`check` never is). What lives
            # as long as the process goes out of the collector's sight, once (util/malloc.py).
            freeze_long_lived()
            # The container list is on screen; its CPU figures follow a moment later, not a cycle later.
            if not cpu_shown and (refined := await monitor.cpu_follow_up(snapshot)) is not None:
                yield await self._cpu_follow_up(refined)
                snapshot = refined
            cpu_shown = snapshot.containers is not None and any(
                c.cpu_percent is not None for c in snapshot.containers.containers
            )

    def warm_up(self, on_listed: Listed | None = None) -> None:
        """Build the live Monitor and make its engine client now, in a thread of its own, so the
        first cycle starts with the engine's list (the TUI calls this while its first frames
        draw: docs/architecture.md "The first answers"); `on_listed` gets that list as soon as
        the engine answers, on this loop (as `cycles`' does). Once; nothing when given a Monitor."""
        if self.monitor is not None or self._warming is not None:
            return
        lean_malloc()  # before the worker threads allocate: see util/malloc.py
        self._warming = warming = Future[tuple["Monitor", str | None]]()
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # built before the app runs (tests): the first cycle gives the list
            loop = None

        def early(status: ContainersStatus) -> None:
            if loop is not None and on_listed is not None:
                loop.call_soon_threadsafe(on_listed, status)

        def build() -> None:
            with contextlib.suppress(InvalidStateError):  # `close` stopped waiting (the app quit)
                try:
                    shown = self.early_listing() if on_listed is not None else None
                    if shown is not None:  # on screen before httpx and the Monitor are even imported
                        early(shown)
                    listed = None if self._early_shown else early
                    warming.set_result(build_monitor(self.settings, connect=True, listed=listed))
                except BaseException as exc:  # handed to the first cycle, which raises it there
                    warming.set_exception(exc)

        threading.Thread(target=build, name="sutazai-warm-up", daemon=True).start()

    def early_listing(self, wait_s: float = EARLY_WAIT_S) -> ContainersStatus | None:
        """The list asked as the TUI started (sources/engine/listrow.py `early_listing`), once."""
        from sutazai_tui.sources.engine.listrow import early_listing

        got = None if self._early_shown else early_listing(self.settings, wait_s)
        self._early_shown = self._early_shown or got is not None  # the warm-up then lists no more
        return got

    async def _start(self) -> Monitor:
        lean_malloc()  # before the worker threads allocate: see util/malloc.py
        if self.monitor is None:
            warming = self._warming
            built, problem = await (
                asyncio.wrap_future(warming) if warming else asyncio.to_thread(build_monitor, self.settings)
            )
            self.monitor, self.history = built, built.history
            if problem:
                self.on_problem(self, problem, "warning")
        return self.monitor

    async def _after_poll(self, snapshot: Snapshot) -> Cycle:
        """Everything after a poll, in order; the scheduler starts no poll while this runs."""
        from sutazai_tui.diagnosis.run import diagnose

        events = tuple(self.history.add(snapshot))
        # Diagnosis reads the whole history (~15 ms at 240 snapshots x 30 containers): a thread.
        findings = tuple(await asyncio.to_thread(diagnose, self.history, self.settings))
        await self.record(snapshot, events, findings)
        alerts = tuple(alert_events(events))
        if alerts and self.hooks and self.settings.on_state_change:
            self._run_hooks(alerts)  # in the background: a slow hook never delays the next poll
        overall = assess(snapshot, findings)
        self.snapshot, self.findings, self.trouble = snapshot, findings, overall.level is not Level.OK
        release_free_memory()  # what this cycle freed goes back to the system, not kept by malloc
        return Cycle(self, snapshot, events, findings, alerts, overall)

    async def _cpu_follow_up(self, snapshot: Snapshot) -> Cycle:
        """The latest cycle again with its CPU figures: same states, so no events, alerts or
        recording (the recording keeps each cycle once); diagnosed again, as CPU can matter."""
        from sutazai_tui.diagnosis.run import diagnose

        self.history.refine_latest(snapshot)
        findings = tuple(await asyncio.to_thread(diagnose, self.history, self.settings))
        overall = assess(snapshot, findings)
        self.snapshot, self.findings, self.trouble = snapshot, findings, overall.level is not Level.OK
        return Cycle(self, snapshot, (), findings, (), overall)

    def _run_hooks(self, alerts: Sequence[Event]) -> None:
        """`on_state_change` once per alert, in a thread; failures make one problem line."""
        argv, timeout = list(self.settings.on_state_change), self.settings.hook_timeout

        def run_all() -> list[str]:
            return [p for event in alerts if (p := run_hook(argv, event, timeout)) is not None]

        async def run() -> None:
            # One line per batch: a hook that fails for every subject of an outage must not bury
            # the screen in identical lines (the alerts themselves are summarised the same way).
            problems = await asyncio.to_thread(run_all)
            if problems:
                more = f" (and {len(problems) - 1} more failed runs)" if len(problems) > 1 else ""
                self.on_problem(self, problems[0] + more, "warning")

        task = asyncio.create_task(run())
        self._hook_runs.add(task)
        task.add_done_callback(self._hook_runs.discard)

    def poll_now(self) -> bool | None:
        """Ask for a cycle now: True started, False joined one running, None when not polling yet."""
        return self.scheduler.poll_now() if self.scheduler is not None else None

    def set_paused(self, paused: bool) -> None:
        """Stop or restart polling (a cycle in flight still finishes)."""
        self.paused = paused
        if self.simulation is not None:  # the demo: what is on screen stays the paused moment
            self.simulation.pause_clock(paused)
        if self.scheduler is not None:
            if paused:
                self.scheduler.pause()
            else:
                self.scheduler.resume()

    @property
    def polling(self) -> bool:
        """Whether a cycle is in flight now."""
        return self.scheduler is not None and self.scheduler.in_flight

    @property
    def hooks_running(self) -> bool:
        """Whether an `on_state_change` hook still runs."""
        return bool(self._hook_runs)

    def seconds_to_next(self) -> float | None:
        """The countdown to the next cycle; None before the loop starts, while paused or polling."""
        return self.scheduler.seconds_to_next() if self.scheduler is not None else None

    def feed(self, snapshot: Snapshot) -> list[Event]:
        """Add a snapshot from outside the loop (replay, tests) to the history; its events."""
        self.snapshot = snapshot
        return self.history.add(snapshot)

    # -- recording -------------------------------------------------------------------------

    @property
    def redactor(self) -> Redactor:
        """What scrubs this target's secrets from anything written."""
        if self.monitor is not None:
            return self.monitor.http.redactor
        from sutazai_tui.config.settings import redactor_for

        return redactor_for(self.settings)

    def active_recorder(self) -> Recorder | None:
        """The `--record` recorder, opened on first use; None when off or after a failure."""
        if self.recorder is None and self.recording_ok and self.settings.record:
            self.recorder = Recorder.from_settings(self.settings, self.redactor)
        return self.recorder

    async def record(self, snapshot: Snapshot, events: Sequence[Event], findings: Sequence[Finding]) -> None:
        """Append one cycle (in a thread); a failure stops recording, never the loop."""
        if (recorder := self.active_recorder()) is not None:
            try:
                await asyncio.to_thread(recorder.record, snapshot, events, findings)
            except RecorderError as exc:
                self._recording_failed(exc)

    async def record_event(self, event: Event) -> None:
        """Append an event no cycle caused (an operator action, already noted in the history)."""
        if (recorder := self.active_recorder()) is not None:
            try:
                await asyncio.to_thread(recorder.event, event)
            except RecorderError as exc:
                self._recording_failed(exc)

    def _recording_failed(self, error: RecorderError) -> None:
        if not self.recording_ok:
            return
        self.recording_ok, self.recorder = False, None  # a later write would reopen the file
        self.on_problem(self, f"{error} — recording stopped, monitoring goes on", "error")

    # -- what acts on the target -----------------------------------------------------------

    def actions(self) -> Actions:
        """Container actions on this target; the Docker engine's unless given one (demo, tests)."""
        if self._actions is None:
            from sutazai_tui.actions.policy import Actions

            self._actions = Actions(self.settings)
        return self._actions

    @property
    def actions_made(self) -> Actions | None:
        """The Actions if any were built or given (nothing to close otherwise)."""
        return self._actions

    def details(self) -> ContainerDetails:
        """Where logs and inspect read: the one given (the demo's), else the Docker engine's
        through the Monitor's own engine client (one client for evidence, logs and inspect)."""
        if self._details is None:
            engine = self.monitor.engine_details if self.monitor is not None else None
            if engine is None:
                from sutazai_tui.sources.engine.details import DockerDetails

                engine = DockerDetails(self.settings.docker_host, self.settings.docker_timeout)
                self._owned_details = engine
            self._details = engine
        return self._details

    async def close(self) -> None:
        """Release the monitor's connections, the recording, the logs reader and the action backend."""
        for task in list(self._hook_runs):  # a hook's process is bounded by hook_timeout
            task.cancel()
        if self.monitor is None and self._warming is not None:  # warmed up, never polled
            with contextlib.suppress(Exception):
                self.monitor = (await asyncio.wrap_future(self._warming))[0]
        if self.monitor is not None:
            await self.monitor.close()
        details, self._owned_details = self._owned_details, None
        if details is not None:
            await asyncio.to_thread(details.close)
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            try:
                await asyncio.to_thread(recorder.close)
            except OSError as exc:  # the last cycle was synced already; say why the close failed
                self.on_problem(self, f"closing the recording: {exc}", "error")
        if self._actions is not None:
            self._actions.backend.close()


def sessions_for(
    settings: Settings, on_problem: ProblemHandler = _ignore_problem, *, live: bool = True
) -> tuple[Session, ...]:
    """One session per `[[targets]]` entry when live, else the one backend's (its Monitor built when
    `cycles` starts). A session over a given Monitor (the demo's: demo/factory.py) is built by its giver."""
    if not settings.targets or not live:
        return (Session(settings, on_problem=on_problem),)
    return tuple(
        Session(settings.for_target(t), name=t.name, key=key, on_problem=on_problem)
        for key, t in enumerate(settings.targets, 1)
    )
