"""Container actions: stop, restart, recreate, emergency stop, kill (palette) — confirmed, audited, re-polled.

A plain controller: it gets the screen it works through as an `ActionsView` (notify, confirm,
mark a row pending, log an event, show re-polled containers) and the session acted on. One
attempt is one coroutine the screen runs as a worker: describe the container (thread), ask
(`ConfirmScreen`), act (thread), report (notification + event), re-poll the containers at once.
The policy (read-only, allow-list, protected names, one action per container, audit) is the
core's (`actions/policy.py`); this only keeps from asking what the core would refuse anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TYPE_CHECKING, Literal, Protocol

from sutazai_tui.models import ContainersStatus, Event, Snapshot
from sutazai_tui.tui.screens.confirm import ConfirmScreen, ConfirmView

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from sutazai_tui.actions.policy import ActionResult
    from sutazai_tui.session.session import Session

ActionName = Literal["stop", "restart", "kill", "recreate"]
READ_ONLY = "read-only mode: container actions are disabled (--read-only / read_only)"
_SEVERITY: dict[str, SeverityLevel] = {
    "done": "information",
    "noop": "information",
    "cancelled": "information",
    "refused": "warning",
    "failed": "error",
}


class ActionsView(Protocol):
    """What the actions flow needs of the screen it runs on."""

    def notify(
        self, message: str, *, severity: SeverityLevel = ..., timeout: float | None = ..., markup: bool = ...
    ) -> None: ...
    def confirm(self, screen: ConfirmScreen) -> Awaitable[bool]: ...
    def set_pending(self, name: str, label: str | None) -> None: ...
    def add_event(self, event: Event) -> None: ...
    def show_repolled(self, snapshot: Snapshot) -> None: ...
    def shows(self, session: Session) -> bool: ...


class ActionsController:
    """One attempt at a time per container, on the session shown when it was asked for."""

    def __init__(self, view: ActionsView, run: Callable[[Awaitable[None]], object]) -> None:
        self.view = view
        self._run = run  # starts a coroutine as a worker of the screen
        # Containers with an attempt between key and result; reassigned, never mutated in place.
        self._acting_on: frozenset[str] = frozenset()
        # The containers as re-polled after an action, until a cycle brings newer ones.
        self.repolled: ContainersStatus | None = None

    def begin(
        self, session: Session, action: ActionName, name: str | None, *, via: str, emergency: bool = False
    ) -> None:
        """Start one attempt, or say at once why there will be none."""
        notify = self.view.notify
        if session.settings.read_only:
            notify(READ_ONLY, severity="warning")
            if name:  # the core refuses and audits the attempt; nothing else can happen
                self._run(self._refused_attempt(session, action, name, via, emergency))
        elif name is None:
            notify(f"{action}: no container selected", severity="warning")
        elif name in self._acting_on:
            notify(
                f"{action} {name}: refused — an action on {name} is already running",
                severity="warning",
                markup=False,
            )
        else:
            self._acting_on |= {name}
            self._run(self._attempt(session, action, name, via, emergency))

    async def _attempt(
        self, session: Session, action: ActionName, name: str, via: str, emergency: bool
    ) -> None:
        """Describe, ask, act, report, re-poll; the container is free again whatever happens."""
        try:
            await self._describe_ask_act(session, action, name, via, emergency)
        except Exception as exc:  # a bug must show, and must not leave the container marked busy
            self.view.notify(f"{action} {name}: {type(exc).__name__}: {exc}", severity="error", markup=False)
            raise
        finally:
            self._acting_on -= {name}

    async def _describe_ask_act(
        self, session: Session, action: ActionName, name: str, via: str, emergency: bool
    ) -> None:
        from sutazai_tui.actions.policy import PENDING, BackendError

        actions = session.actions()
        try:
            brief = await asyncio.to_thread(actions.describe, name, action)
        except BackendError as exc:  # nothing was asked of the engine: there is nothing to audit
            self.view.notify(f"{action} {name}: {exc}", severity="error", markup=False)
            return
        if brief.refusal is not None:  # e.g. not monitored: the core refuses again and audits it
            self.view.notify(f"{action} {name}: refused — {brief.refusal}", severity="warning", markup=False)
            self._report(await asyncio.to_thread(actions.run, action, name, via=via), notify=False)
            return
        screen = ConfirmScreen(ConfirmView(action, brief, session.settings.stop_timeout, emergency))
        if not await self.view.confirm(screen):
            cancel = partial(actions.cancelled, name, action, via=via, emergency=emergency)
            self._report(await asyncio.to_thread(cancel))
            return
        # The operator may switch targets while it runs: mark and refresh only the screen of the
        # session acted on, never a row of the same name on another target's table.
        if self.view.shows(session):
            self.view.set_pending(name, PENDING[action])
        try:
            run = partial(actions.run, action, name, via=via, typed=screen.typed, emergency=emergency)
            result = await asyncio.to_thread(run)
        finally:
            if self.view.shows(session):
                self.view.set_pending(name, None)
        self._report(result)
        await self._repoll_containers(session)

    async def _refused_attempt(
        self, session: Session, action: ActionName, name: str, via: str, emergency: bool = False
    ) -> None:
        """Have the core refuse (read-only) so the attempt is in the audit log and the events."""
        actions = session.actions()
        run = partial(actions.run, action, name, via=via, emergency=emergency)
        self._report(await asyncio.to_thread(run), notify=False)

    def _report(self, result: ActionResult, *, notify: bool = True) -> None:
        """The result as an event, and as a notification (always when its audit line failed)."""
        self.view.add_event(result.event())
        if notify or not result.audited:
            severity = _SEVERITY[result.result] if result.audited else "error"
            # A done action is routine (the event log keeps it); a refusal or failure stays longer.
            timeout = None if severity == "information" else 8
            self.view.notify(result.summary(), severity=severity, timeout=timeout, markup=False)

    async def _repoll_containers(self, session: Session) -> None:
        """Show the containers as they are now, without waiting for (or starting) a full cycle."""
        source = session.monitor.containers if session.monitor is not None else None
        if source is None:
            return
        try:
            status = await source.poll()
        except Exception as exc:  # the action is done and reported; only the refresh failed
            self.view.notify(f"containers not refreshed: {exc}", severity="warning", markup=False)
            return
        if not self.view.shows(session):
            return  # another target is on screen now; this one's next cycle shows the change
        if session.snapshot is not None and newer(status, session.snapshot.containers):
            self.repolled = status
            self.view.show_repolled(session.snapshot.model_copy(update={"containers": status}))

    def over_cycle(self, snapshot: Snapshot) -> Snapshot:
        """The cycle's snapshot, with the re-polled containers if the cycle polled before the action.

        Likely in an incident: the backend hangs, so a cycle takes the whole timeout, and the one
        in flight when the operator acts arrives after the re-poll.
        """
        fresh = self.repolled
        if fresh is None:
            return snapshot
        if newer(fresh, snapshot.containers):
            return snapshot.model_copy(update={"containers": fresh})
        self.repolled = None  # the cycles have caught up
        return snapshot


def newer(status: ContainersStatus, than: ContainersStatus | None) -> bool:
    """Whether `status` was polled after `than` (unknown times count as older)."""
    if than is None or than.checked_at is None:
        return True
    return status.checked_at is not None and status.checked_at > than.checked_at
