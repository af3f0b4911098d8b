"""The live Dashboard: a worker per session consumes `Session.cycles()`, one session is shown.

Each cycle comes back as a `SnapshotReady` message, never dropped: every cycle's alerts ring
and notify (the session has run its hooks). The shown session's latest cycle is rendered (an
older one still queued is not: only the render is skipped); a background target's
(`[[targets]]`) only alerts, with its name, and marks its tab. The keys that
act on live containers (poll, pause, stop, restart, recreate, emergency stop, logs, inspect, targets) exist
only here; their flows are controllers (actions, alerts) this screen hands itself to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.widgets import DataTable
from textual.worker import Worker, WorkerState

from sutazai_tui.actions.audit_follow import AuditFollower, with_via
from sutazai_tui.models import ContainersStatus, ContainerStats, Snapshot
from sutazai_tui.session.session import Session
from sutazai_tui.tui.controllers.actions import ActionName, ActionsController
from sutazai_tui.tui.controllers.alerts import AlertsController
from sutazai_tui.tui.controllers.target import NOTHING_IN_TABLE, SELECT_FIRST, Aim, aim_at_finding
from sutazai_tui.tui.messages import ContainersListed, CycleStarted, SnapshotReady
from sutazai_tui.tui.screens.dashboard import Dashboard
from sutazai_tui.tui.screens.live_keys import (
    LIVE_BINDINGS,
    STOPPED,
    TARGET_BINDINGS,
    TARGET_KEYS,
    hide_acting_keys,
    label_restart_key,
)
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderView, TargetTab, shown_countdown
from sutazai_tui.util import fmt

if TYPE_CHECKING:  # the screens keys open are imported when opened: the first frame needs none
    from sutazai_tui.tui.screens.confirm import ConfirmScreen

POLL_GROUP = "poll"


class LiveScreen(Dashboard):
    """The monitor: sessions poll, the shown one is on screen, its containers can be acted on."""

    BINDINGS: ClassVar[list[BindingType]] = LIVE_BINDINGS

    def __init__(
        self,
        sessions: Sequence[Session],
        *,
        clock: Callable[[], datetime],
        config_path: Path | None = None,
        demo: bool = False,
        poll: bool = True,
    ) -> None:
        super().__init__(sessions[0], clock=clock, config_path=config_path, demo=demo)
        self.sessions = tuple(sessions)
        self.poll = poll
        for binding in TARGET_BINDINGS[: sum(1 for s in self.sessions if s.key)]:
            self._bindings.key_to_bindings.setdefault(binding.key, []).append(binding)  # this screen's copy
        self.acts = ActionsController(self, partial(self.run_worker, group="actions", exit_on_error=False))
        self._own: str | None = None  # set while the container screen's key acts on its container
        self._audit_followers: dict[int, AuditFollower] = {}
        self.alerts = AlertsController(lambda: self.app.bell(), self.notify)
        self._heal: dict[str, tuple[str, str, str]] = {}  # session name -> the header's heal part

    def mounted(self) -> None:
        """Paint first; start polling only after the first frame is on screen."""
        if self.session.settings.read_only:
            self._hide_acting_keys()
        if self.poll:
            self.call_after_refresh(self._show_early_list)

    def _show_early_list(self) -> None:
        """The engine's list asked at start, right after the first frame (in it, the first frame took
        ~80 ms more), if the engine has answered (it has, almost always: it was asked before
        Textual was imported); polling starts after the frame that draws it (the warm-up's imports
        would slow that frame)."""
        status = self.session.early_listing(wait_s=0.0)
        if status is not None:
            self._containers_listed(ContainersListed(self.session, status))
        self.call_after_refresh(self._start_polling)

    def _hide_acting_keys(self) -> None:
        hide_acting_keys(self._bindings.key_to_bindings)
        self.refresh_bindings()

    def _start_polling(self) -> None:
        for session in self.sessions:  # the engine client made and asked in a thread of its own
            session.warm_up(partial(self._post_listed, session))
        for session in self.sessions:  # one worker per session, each consuming Session.cycles
            self.run_worker(self._follow(session), name=session.name, group=POLL_GROUP, exit_on_error=False)

    async def _follow(self, session: Session) -> None:
        listed = partial(self._post_listed, session)
        async for cycle in session.cycles(on_start=self._post_cycle_start, on_listed=listed):
            self.post_message(SnapshotReady(cycle))

    def _post_listed(self, session: Session, status: ContainersStatus) -> None:
        self.post_message(ContainersListed(session, status))

    @on(ContainersListed)
    def _containers_listed(self, message: ContainersListed) -> None:
        """The first cycle's list in the table before its inspects; nothing else acts on it."""
        session = message.session
        tables = self.query(ContainerTable)
        if self.app.is_running and session is self.session and session.snapshot is None and tables:
            tables.first().show(message.status, self.clock(), reading=True)

    def _post_cycle_start(self) -> None:
        self.post_message(CycleStarted())

    @on(SnapshotReady)
    def _snapshot_ready(self, message: SnapshotReady) -> None:
        if not self.app.is_running:
            return  # a cycle that ended while the app shuts down: its widgets are gone
        cycle = message.cycle
        session = cycle.session
        self.run_worker(self._read_heal(session), group="heal", exit_on_error=False)
        if session is not self.session:
            # Background: alert with the target's name in the subject; repaint only the header tabs.
            name = session.name
            named = [
                e.model_copy(update={"subject": f"{name}/{e.subject.removeprefix('container:')}"})
                for e in cycle.alerts
            ]
            self.alerts.alert(named, session.settings.bell)
            self.refresh_header()
            return
        # Every cycle alerts; only the latest is rendered (a newer one already landed shows itself).
        self.alerts.alert(cycle.alerts, session.settings.bell)
        if cycle.snapshot is session.snapshot:
            self.show_snapshot(self.acts.over_cycle(cycle.snapshot), cycle.events)
            self.show_findings(cycle.findings)
            self._label_restart_key()
            self.run_worker(self._follow_audit(session), group="audit-follow", exit_on_error=False)

    async def _read_heal(self, session: Session) -> None:
        """What a heal process did on this target (its status file and audit): for the header."""
        from sutazai_tui.integrations.heal_status import read_heal

        view = await asyncio.to_thread(read_heal, session.settings)
        self._heal[session.name] = view.badge() if view is not None else ("", "", "")
        if self.app.is_running:
            self.refresh_header()

    async def _follow_audit(self, session: Session) -> None:
        """Actions other processes took (`act`, another terminal, `serve`) as ACTION lines; this
        monitor's own are in the events already (the same line, by time and words)."""
        follower = self._audit_followers.setdefault(id(session), AuditFollower(session.settings.audit_path))
        found = await asyncio.to_thread(follower.new_events)
        if not found or session is not self.session:
            return
        shown = {(e.at, e.reason) for e in session.history.events if e.kind == "action"}
        for event, via in found:
            if (event.at, event.reason) not in shown:
                self.add_event(with_via(event, via))

    @on(CycleStarted)
    def _cycle_started(self) -> None:
        self.refresh_header()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A crashed poll loop must be visible, not silent."""
        if event.worker.group == POLL_GROUP and event.state is WorkerState.ERROR:
            where = f" {event.worker.name}" if self.session.key else ""
            self.notify(
                f"polling{where} stopped: {event.worker.error}", severity="error", timeout=30, markup=False
            )

    def header_view(self, now: datetime) -> HeaderView:
        """The common header plus countdown, pause, the REC badge and the target tabs."""
        session = self.session
        to_next = session.seconds_to_next()
        return replace(
            super().header_view(now),
            countdown=shown_countdown(to_next) if to_next is not None else None,
            polling=session.polling,
            paused=session.paused,
            recording=self._recording_badge(),
            recording_ok=session.recording_ok,
            tabs=tuple(TargetTab(s.key, s.name, s is session, s.trouble) for s in self.sessions if s.key),
            heal=self._heal.get(session.name, ("", "", "")),
            demo_position=session.simulation.position() if session.simulation is not None else None,
        )

    def _recording_badge(self) -> str | None:
        session = self.session
        if session.settings.record is None:
            return None
        if not session.recording_ok:
            return "failed"
        return fmt.size(session.recorder.size if session.recorder is not None else 0)

    def commands(self) -> Iterable[SystemCommand]:
        """Actions (kill only here), logs, inspect, the common entries, one "Switch to" per target."""
        primary = self.session.settings.primary_service
        yield SystemCommand(
            "Stop selected container", "SIGTERM, then SIGKILL (confirm)", self._palette("stop")
        )
        yield SystemCommand(
            "Restart selected container", "stop, then start (confirm)", self._palette("restart")
        )
        yield SystemCommand("Start selected container", "a stopped one (confirm)", self._palette("start"))
        yield SystemCommand(
            "Recreate selected container",
            "docker compose up -d --force-recreate --no-deps: new env and image (confirm)",
            self._palette("recreate"),
        )
        yield SystemCommand(
            f"Emergency stop {primary}", "the primary service (confirm)", self._palette_emergency
        )
        yield SystemCommand(
            "Kill selected container", "SIGKILL now, no clean shutdown (confirm)", self._palette("kill")
        )
        yield SystemCommand("Logs", "Last lines of the selected container's log", self.action_logs)
        yield SystemCommand("Inspect", "The selected container's configuration", self.action_inspect)
        yield from super().commands()
        for session in self.sessions if self.session.key else ():
            key = f" (key {session.key})" if session.key <= TARGET_KEYS else ""
            yield SystemCommand(
                f"Switch to {session.name}",
                f"{session.settings.base_url}{key}",
                partial(self.switch, session),
            )

    # -- polling -------------------------------------------------------------------------------

    def action_poll_now(self) -> None:
        """Poll now; a cycle already running absorbs the request (never two in flight)."""
        started = self.session.poll_now()
        if started is None:
            self.notify("polling is starting…", markup=False)
        elif not started:
            self.notify("poll already running — your request joins it", severity="warning", markup=False)
        self.refresh_header()

    def action_toggle_pause(self) -> None:
        """Stop or restart polling (a cycle in flight still finishes); in the demo the simulation's
        clock too, so the backend, its logs and the screen stay at the paused moment."""
        self.session.set_paused(not self.session.paused)  # a demo's scenario clock with it
        self.refresh_header()

    # -- container actions (ActionsController; this screen is its ActionsView) ---------------

    def action_stop_container(self) -> None:
        """Stop the highlighted container (after confirmation)."""
        self._act_on_target("stop", "key x")

    def action_restart_container(self) -> None:
        """Restart the highlighted container — start it, if it is stopped (after confirmation)."""
        self._act_on_target(self._restart_or_start(), "key R")

    def _restart_or_start(self) -> ActionName:
        chosen = self.selected_container()
        return "start" if chosen is not None and chosen.state in STOPPED else "restart"

    @on(DataTable.RowHighlighted, "#containers")
    def _row_highlighted(self) -> None:
        self._label_restart_key()

    def _label_restart_key(self) -> None:
        """The restart key's footer word follows the selection: `Start` on a stopped container."""
        if label_restart_key(self._bindings.key_to_bindings, self._restart_or_start() == "start"):
            self.refresh_bindings()

    def action_recreate_container(self) -> None:
        """Recreate the highlighted container with its compose command (after confirmation)."""
        self._act_on_target("recreate", "key C")

    def action_emergency_stop(self) -> None:
        """Stop the primary service (Settings.primary_service), wherever the cursor is."""
        primary = self.session.settings.primary_service
        self.acts.begin(self.session, "stop", primary, via="key !", emergency=True)

    def _act_on_target(self, action: ActionName, via: str) -> None:
        aim = self.aim()
        if isinstance(aim, str):  # nothing meant: say what to select
            self.notify(f"{action}: {aim}", severity="warning", markup=False)
            return
        self.acts.begin(self.session, action, aim.name, via=via, because=aim.because)

    def _palette(self, action: ActionName) -> Callable[[], None]:
        return lambda: self._act_on_target(action, "palette")

    def _palette_emergency(self) -> None:
        primary = self.session.settings.primary_service
        self.acts.begin(self.session, "stop", primary, via="palette", emergency=True)

    def aim(self) -> Aim | str:
        """What a key acts on: the container screen's own container, the highlighted finding's
        container, or the table's row under the cursor; else the line saying what to select."""
        if self._own is not None:
            return Aim(self._own)
        snap, settings = self.snapshot, self.session.settings
        focused = self.focused
        if isinstance(focused, FindingsPanel):
            return aim_at_finding(focused.highlighted_finding(), snap, settings)
        if isinstance(focused, ContainerTable) or focused is None:
            chosen = self.selected_container()
            return Aim(chosen.name) if chosen is not None else NOTHING_IN_TABLE
        return SELECT_FIRST

    def act_for(self, action: str, name: str) -> None:
        """A key on the container screen: its action on that screen's own container."""
        self._own = name
        try:
            super().act_for(action, name)
        finally:
            self._own = None

    def selected_name(self) -> str | None:
        """The name of the container under the table's cursor, if any."""
        selected = self.selected_container()
        return selected.name if selected is not None else None

    def confirm(self, screen: ConfirmScreen) -> Awaitable[bool]:
        """Ask (from the actions worker); True when confirmed."""
        return self.app.push_screen_wait(screen)

    def set_pending(self, name: str, label: str | None) -> None:
        """Mark a row while its action runs (None: clear)."""
        self.query_one(ContainerTable).set_pending(name, label)

    def show_repolled(self, snapshot: Snapshot) -> None:
        """The shown snapshot with containers re-polled after an action (the restart key says Start
        on the container it just stopped, not a cycle later)."""
        self.show_snapshot(snapshot)
        self._label_restart_key()

    def shows(self, session: Session) -> bool:
        """Whether `session` is the one on screen (the operator may have switched targets)."""
        return session is self.session

    # -- logs and inspect --------------------------------------------------------------------

    def _chosen(self, what: str) -> ContainerStats | None:
        aim = self.aim()
        if isinstance(aim, str):
            self.notify(f"{what}: {aim}", severity="warning", markup=False)
            return None
        snap = self.snapshot
        chosen = snap.container(aim.name) if snap is not None else None
        if chosen is None:
            self.notify(f"{what}: {aim.name} is not in the last cycle", severity="warning", markup=False)
        return chosen

    def action_logs(self) -> None:
        """The selected container's last lines, with follow and search."""
        if (chosen := self._chosen("logs")) is not None:
            from sutazai_tui.tui.screens.logs import LogsScreen

            self.app.push_screen(
                LogsScreen(chosen.name, self.session.details(), redactor=self.session.redactor)
            )

    def action_inspect(self) -> None:
        """The selected container's configuration as a tree."""
        if (chosen := self._chosen("inspect")) is not None:
            from sutazai_tui.tui.screens.container import state_rows
            from sutazai_tui.tui.screens.inspect import InspectScreen

            state = state_rows(chosen, self.clock())
            self.app.push_screen(InspectScreen(chosen.name, self.session.details(), state))

    # -- targets -------------------------------------------------------------------------------

    def action_switch_target(self, key: int) -> None:
        """Show the target bound to this key."""
        for session in self.sessions:
            if session.key == key:
                self.switch(session)

    def switch(self, session: Session) -> None:
        """Show `session`: point the screen at it, then repaint from its latest snapshot."""
        if session is self.session:
            return
        self.session, self.acts.repolled = session, None
        if session.snapshot is None:
            self.show_blank()
        else:
            self._rebuild_panels()
            self.show_snapshot(session.snapshot)
        self.show_findings(session.findings)
