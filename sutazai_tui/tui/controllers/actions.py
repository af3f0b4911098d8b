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
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Literal, Protocol

from sutazai_tui.models import ContainersStatus, Event, Snapshot

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from sutazai_tui.actions.policy import ActionResult
    from sutazai_tui.session.session import Session
    from sutazai_tui.tui.screens.confirm import ConfirmScreen

ActionName = Literal["start", "stop", "restart", "kill", "recreate"]
READ_ONLY = "read-only mode: container actions are disabled (--read-only / read_only)"
_SEVERITY: dict[str, SeverityLevel] = {
    "done": "information",
    "noop": "information",
    "cancelled": "information",
    "refused": "warning",
    "failed": "error",
}


SERVE_OFF = "actions from the browser are off: restart serve with --allow-actions to allow them"
SERVE_TAB_ENV = "SUTAZAI_TUI_SERVE_TAB"  # set by `serve` (cli/serve_tabs.py) for each tab's process


@dataclass(frozen=True)
class ServeDoor:
    """This app is a `serve` browser tab: where the tab connects from, its id, and whether it may act."""

    peer: str
    tab: str
    allow: bool

    @classmethod
    def from_env(cls) -> ServeDoor | None:
        """The tab `serve` started this process for (`SUTAZAI_TUI_SERVE_TAB`), or None in a terminal.

        Only ever narrows what a process may do: a shell that sets it just gets a refusing monitor.
        """
        raw = os.environ.get(SERVE_TAB_ENV)
        if not raw:
            return None
        try:
            found = json.loads(raw)
            return cls(str(found["peer"])[:100], str(found["tab"])[:64], found.get("allow") is True)
        except (ValueError, KeyError, TypeError):
            return cls("?", "?", allow=False)  # malformed: a tab that may not act


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

    def __init__(
        self, view: ActionsView, run: Callable[[Awaitable[None]], object], door: ServeDoor | None = None
    ) -> None:
        self.view = view
        self._run = run  # starts a coroutine as a worker of the screen
        self.door = door if door is not None else ServeDoor.from_env()
        # Containers with an attempt between key and result; reassigned, never mutated in place.
        self._acting_on: frozenset[str] = frozenset()
        # The containers as re-polled after an action, until a cycle brings newer ones.
        self.repolled: ContainersStatus | None = None

    def begin(
        self,
        session: Session,
        action: ActionName,
        name: str | None,
        *,
        via: str,
        emergency: bool = False,
        because: str | None = None,
    ) -> None:
        """Start one attempt, or say at once why there will be none.

        `because`: why this container is the target when it is not the one highlighted (an
        endpoint finding acts on the primary container); the dialog says it.
        """
        notify = self.view.notify
        if self.door is not None and not self.door.allow:
            notify(SERVE_OFF, severity="warning", markup=False)
            if name:  # audited, `via: serve`, with the tab's address and id
                self._run(self._serve_refused(session, action, name, emergency))
        elif session.settings.read_only:
            notify(READ_ONLY, severity="warning", markup=False)
            if name:  # the core refuses and audits the attempt; nothing else can happen
                self._run(self._refused_attempt(session, action, name, via, emergency))
        elif name is None:
            notify(f"{action}: no container selected", severity="warning", markup=False)
        elif name in self._acting_on:
            notify(
                f"{action} {name}: refused — an action on {name} is already running",
                severity="warning",
                markup=False,
            )
        else:
            self._acting_on |= {name}
            self._run(self._attempt(session, action, name, via, emergency, because))

    async def _attempt(
        self, session: Session, action: ActionName, name: str, via: str, emergency: bool, because: str | None
    ) -> None:
        """Describe, ask, act, report, re-poll; the container is free again whatever happens."""
        try:
            await self._describe_ask_act(session, action, name, via, emergency, because)
        except Exception as exc:  # a bug must show, and must not leave the container marked busy
            self.view.notify(f"{action} {name}: {type(exc).__name__}: {exc}", severity="error", markup=False)
            raise
        finally:
            self._acting_on -= {name}

    async def _describe_ask_act(
        self, session: Session, action: ActionName, name: str, via: str, emergency: bool, because: str | None
    ) -> None:
        from sutazai_tui.actions.policy import PENDING, BackendError

        actions = session.actions()
        if self.door is not None:
            via = "serve"  # the audit says which door: a browser tab, its address and id
        try:
            brief = await asyncio.to_thread(actions.describe, name, action)
        except BackendError as exc:  # nothing was asked of the engine: there is nothing to audit
            self.view.notify(f"{action} {name}: {exc}", severity="error", markup=False)
            return
        if brief.refusal is not None:  # e.g. not monitored: the core refuses again and audits it
            self.view.notify(f"{action} {name}: refused — {brief.refusal}", severity="warning", markup=False)
            self._report(
                await asyncio.to_thread(
                    partial(actions.run, action, name, via=via, peer=self._peer, tab=self._tab)
                ),
                notify=False,
            )
            return
        from sutazai_tui.tui.screens.confirm import ConfirmScreen, ConfirmView  # a key's screen: when asked

        screen = ConfirmScreen(ConfirmView(action, brief, session.settings.stop_timeout, emergency, because))
        if not await self.view.confirm(screen):
            cancel = partial(
                actions.cancelled,
                name,
                action,
                via=via,
                emergency=emergency,
                expected_id=brief.id,
                peer=self._peer,
                tab=self._tab,
            )
            self._report(await asyncio.to_thread(cancel))
            return
        # The operator may switch targets while it runs: mark and refresh only the screen of the
        # session acted on, never a row of the same name on another target's table.
        if self.view.shows(session):
            self.view.set_pending(name, PENDING[action])
        try:
            # On the id the operator saw: refused if the name now belongs to another container.
            run = partial(
                actions.run,
                action,
                name,
                via=via,
                typed=screen.typed,
                emergency=emergency,
                expected_id=brief.id,
                peer=self._peer,
                tab=self._tab,
            )
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
        run = partial(
            actions.run,
            action,
            name,
            via="serve" if self.door else via,
            emergency=emergency,
            peer=self._peer,
            tab=self._tab,
        )
        self._report(await asyncio.to_thread(run), notify=False)

    async def _serve_refused(self, session: Session, action: ActionName, name: str, emergency: bool) -> None:
        """A browser tab without `serve --allow-actions`: refused and audited, nothing asked of the engine."""
        refuse = partial(
            session.actions().refuse,
            name,
            action,
            SERVE_OFF,
            via="serve",
            emergency=emergency,
            peer=self._peer,
            tab=self._tab,
        )
        self._report(await asyncio.to_thread(refuse), notify=False)

    @property
    def _peer(self) -> str | None:
        """A serve tab's browser address, for the audit (None in a terminal)."""
        return self.door.peer if self.door is not None else None

    @property
    def _tab(self) -> str | None:
        """A serve tab's id, for the audit (None in a terminal)."""
        return self.door.tab if self.door is not None else None

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
