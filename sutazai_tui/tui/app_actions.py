"""Container actions in the TUI: stop, restart, emergency stop, kill (palette) — confirmed, audited.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `ACTIONS_BINDINGS`, its palette
entries come from `actions_commands`.

One attempt is one async worker: describe the container (thread), ask (`ConfirmScreen`), act
(thread), report (notification + event), re-poll the containers at once. The policy (read-only,
allow-list, protected names, one action per container, audit) is the core's (`actions.py`); the UI
only keeps from asking what the core would refuse anyway, and says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainersStatus, ContainerStats, Event, Snapshot
from sutazai_tui.tui.messages import SnapshotReady
from sutazai_tui.tui.screens.confirm import ConfirmScreen, ConfirmView
from sutazai_tui.tui.widgets.container_table import ContainerTable

if TYPE_CHECKING:
    from sutazai_tui.actions.policy import ActionResult
    from sutazai_tui.session.session import Session

ActionName = Literal["stop", "restart", "kill"]
READ_ONLY = "read-only mode: container actions are disabled (--read-only / read_only)"
REPLAY = "replay: actions are disabled"
_SEVERITY: dict[str, SeverityLevel] = {
    "done": "information",
    "noop": "information",
    "cancelled": "information",
    "refused": "warning",
    "failed": "error",
}

# The tooltip is the long form the help screen shows; the description fits the 80-column footer.
ACTIONS_BINDINGS: list[BindingType] = [
    Binding("x", "stop_container", "Stop", tooltip="Stop the selected container (kill: palette)", id="stop"),
    Binding("R", "restart_container", "Restart", tooltip="Restart the selected container", id="restart"),
    Binding(
        "exclamation_mark",
        "emergency_stop",
        "E-stop",
        key_display="!",
        tooltip="Emergency stop of the primary service",
        id="emergency_stop",
    ),
]


class ActionsMixin(App[int]):
    """Container actions in the TUI."""

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...
        @property
        def history(self) -> History: ...

    replay: bool
    shown: Session
    snapshot: Snapshot | None
    # Containers with an attempt between key and result; reassigned, never mutated in place.
    _acting_on: frozenset[str] = frozenset()
    # The containers as re-polled after an action, until a cycle brings newer ones (see below).
    _repolled: ContainersStatus | None = None

    if TYPE_CHECKING:

        def show_snapshot(self, snapshot: Snapshot, events: Sequence[Event] = ()) -> None: ...
        def add_event(self, event: Event) -> None: ...
        def selected_container(self) -> ContainerStats | None: ...

    def actions_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette; kill is offered only here."""
        primary = self.settings.primary_service
        yield SystemCommand(
            "Stop selected container", "SIGTERM, then SIGKILL (confirm)", self._palette("stop")
        )
        yield SystemCommand(
            "Restart selected container", "stop, then start (confirm)", self._palette("restart")
        )
        yield SystemCommand(
            f"Emergency stop {primary}", "the primary service (confirm)", self._palette_emergency
        )
        yield SystemCommand(
            "Kill selected container", "SIGKILL now, no clean shutdown (confirm)", self._palette("kill")
        )

    def action_stop_container(self) -> None:
        """Stop the container under the cursor (after confirmation)."""
        self.begin_action("stop", self._selected_name(), via="key x")

    def action_restart_container(self) -> None:
        """Restart the container under the cursor (after confirmation)."""
        self.begin_action("restart", self._selected_name(), via="key R")

    def action_emergency_stop(self) -> None:
        """Stop the primary service (Settings.primary_service), wherever the cursor is."""
        self.begin_action("stop", self.settings.primary_service, via="key !", emergency=True)

    def begin_action(
        self, action: ActionName, name: str | None, *, via: str, emergency: bool = False
    ) -> None:
        """Start one attempt, or say at once why there will be none."""
        if self.replay:
            self.notify(REPLAY, severity="warning")
        elif self.settings.read_only:
            self.notify(READ_ONLY, severity="warning")
            if name:  # the core refuses and audits the attempt; nothing else can happen
                self._refused_attempt(action, name, via)
        elif name is None:
            self.notify(f"{action}: no container selected", severity="warning")
        elif name in self._acting_on:
            self.notify(
                f"{action} {name}: refused — an action on {name} is already running", severity="warning"
            )
        else:
            self._acting_on |= {name}
            self._attempt(action, name, via, emergency)

    def _palette(self, action: ActionName) -> Callable[[], None]:
        return lambda: self.begin_action(action, self._selected_name(), via="palette")

    def _palette_emergency(self) -> None:
        self.begin_action("stop", self.settings.primary_service, via="palette", emergency=True)

    def _selected_name(self) -> str | None:
        selected = self.selected_container()
        return selected.name if selected is not None else None

    @work(exit_on_error=False, group="actions")
    async def _attempt(self, action: ActionName, name: str, via: str, emergency: bool) -> None:
        """Describe, ask, act, report, re-poll; the container is free again whatever happens."""
        try:
            await self._describe_ask_act(action, name, via, emergency)
        except Exception as exc:  # a bug must show, and must not leave the container marked busy
            self.notify(f"{action} {name}: {type(exc).__name__}: {exc}", severity="error", markup=False)
            raise
        finally:
            self._acting_on -= {name}

    async def _describe_ask_act(self, action: ActionName, name: str, via: str, emergency: bool) -> None:
        from sutazai_tui.actions.policy import PENDING, BackendError

        actions = self.shown.actions()
        try:
            brief = await asyncio.to_thread(actions.describe, name)
        except BackendError as exc:  # nothing was asked of the engine: there is nothing to audit
            self.notify(f"{action} {name}: {exc}", severity="error", markup=False)
            return
        if brief.refusal is not None:  # e.g. not monitored: the core refuses again and audits it
            self.notify(f"{action} {name}: refused — {brief.refusal}", severity="warning", markup=False)
            self._report(await asyncio.to_thread(actions.run, action, name, via=via), notify=False)
            return
        screen = ConfirmScreen(ConfirmView(action, brief, self.settings.stop_timeout, emergency))
        if not await self.push_screen_wait(screen):
            self._report(await asyncio.to_thread(actions.cancelled, name, action, via=via))
            return
        table = self.query_one(ContainerTable)
        table.set_pending(name, PENDING[action])
        try:
            result = await asyncio.to_thread(actions.run, action, name, via=via, typed=screen.typed)
        finally:
            table.set_pending(name, None)
        self._report(result)
        await self._repoll_containers()

    @work(exit_on_error=False, group="actions")
    async def _refused_attempt(self, action: ActionName, name: str, via: str) -> None:
        """Have the core refuse (read-only) so the attempt is in the audit log and the events."""
        actions = self.shown.actions()
        self._report(await asyncio.to_thread(actions.run, action, name, via=via), notify=False)

    def _report(self, result: ActionResult, *, notify: bool = True) -> None:
        """The result as an event, and as a notification (always when its audit line failed)."""
        self.add_event(result.event())
        if notify or not result.audited:
            severity = _SEVERITY[result.result] if result.audited else "error"
            self.notify(result.summary(), severity=severity, timeout=8, markup=False)

    async def _repoll_containers(self) -> None:
        """Show the containers as they are now, without waiting for (or starting) a full cycle."""
        monitor = self.shown.monitor
        source = monitor.containers if monitor is not None else None
        if source is None:
            return
        try:
            status = await source.poll()
        except Exception as exc:  # the action is done and reported; only the refresh failed
            self.notify(f"containers not refreshed: {exc}", severity="warning", markup=False)
            return
        if self.snapshot is not None and _newer(status, self.snapshot.containers):
            self._repolled = status
            self.show_snapshot(self.snapshot.model_copy(update={"containers": status}))

    @on(SnapshotReady)
    def _keep_repolled(self, message: SnapshotReady) -> None:
        """Keep showing the re-polled containers over a cycle that polled them before the action."""
        # Likely in an incident: the backend hangs, so a cycle takes the whole timeout, and the one
        # in flight when the operator acts arrives after the re-poll. This runs after the app's own
        # SnapshotReady handler (Textual walks the MRO, SutazaiApp first).
        fresh, snapshot = self._repolled, message.cycle.snapshot
        if fresh is None or message.cycle.session is not self.shown:
            return
        if _newer(fresh, snapshot.containers):
            self.show_snapshot(snapshot.model_copy(update={"containers": fresh}))
        else:
            self._repolled = None  # the cycles have caught up


def _newer(status: ContainersStatus, than: ContainersStatus | None) -> bool:
    """Whether `status` was polled after `than` (unknown times count as older)."""
    if than is None or than.checked_at is None:
        return True
    return status.checked_at is not None and status.checked_at > than.checked_at
