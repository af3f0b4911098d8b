"""`sutazai-tui heal`'s loop: a Session's cycles in, decisions out — audited, acted on, paged.

`HealRunner.handle(cycle)` is the one function that deals with one finished cycle; the loop is
`async for cycle in session.cycles(): await runner.handle(cycle)`, and the session starts no poll
while the body runs. Per cycle: the healer decides (pure), each
decision is audited through the action path's log (`Actions.audit`, `via: heal`) and said on
`say`; an `act` is `Actions.restart(name, via="heal")` awaited in a thread — so one action at a
time, and the next cycle waits for it; a page runs the `on_state_change` hook (the TUI's), with
the decision and the finding as a `heal` key beside the event (a dry run only says whom it would
page). Then the status file is rewritten.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.actions.audit import AuditError, read_audit
from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.alerts import run_hook
from sutazai_tui.integrations.heal import Decision, Healer
from sutazai_tui.integrations.heal_status import VIA, status_path, write_status
from sutazai_tui.models import Event
from sutazai_tui.session.session import Cycle, Session

Say = Callable[[str], None]


def restored(settings: Settings, now: datetime) -> tuple[list[tuple[datetime, str]], dict[str, str]]:
    """heal's restarts of the last hour and its open breakers, from the audit log (none when unreadable)."""
    try:
        entries = read_audit(settings.audit_path)
    except OSError:
        return [], {}
    actions: list[tuple[datetime, str]] = []
    breakers: dict[str, str] = {}
    for e in entries:
        if e.get("via") != VIA or not isinstance(e.get("container"), str):
            continue
        name, result = e["container"], e.get("result")
        if e.get("action") == "restart" and result in ("done", "failed"):
            try:
                at = datetime.fromisoformat(str(e.get("time")))
            except ValueError:
                continue
            if now - at < timedelta(hours=1):
                actions.append((at, name))
        elif result == "breaker-open":
            breakers[name] = str(e.get("message") or "opened earlier")
        elif result == "breaker-closed":
            breakers.pop(name, None)
    return actions, breakers


class HealRunner:
    """One deployment's heal: the session it reads, the healer that decides, the actions that act."""

    def __init__(
        self, session: Session, *, apply: bool, say: Say, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.session = session
        self.settings = session.settings
        self.apply = apply
        self.say = say
        self.clock = clock or (lambda: datetime.now(UTC))
        self.healer = Healer(self.settings, apply=apply)
        self.started_at = self.clock()
        self.counts: dict[str, int] = {}
        self.cycles = 0
        actions, breakers = restored(self.settings, self.started_at)
        self.healer.restore(actions, breakers)
        for name, why in breakers.items():
            self.say(f"breaker still open for {name} (from the audit log): {why}")

    @property
    def actions(self) -> Actions:
        """The session's action path: the same rules and audit log as a key press."""
        return self.session.actions()

    async def handle(self, cycle: Cycle) -> None:
        """Everything heal does after one finished cycle."""
        self.cycles += 1
        now = self.clock()
        for decision in self.healer.decide(cycle.snapshot, cycle.findings, now):
            await self._carry_out(decision)
        await asyncio.to_thread(self._write_status)

    async def _carry_out(self, decision: Decision) -> None:
        self._count(decision.kind)
        if decision.pages:
            self._count(f"refused:{decision.cause}")
        self._audit(decision)
        self.say(f"{decision.kind}: {decision.reason}")
        if decision.pages:
            await asyncio.to_thread(self._page, decision)
        if decision.kind != "act":
            return
        result = await asyncio.to_thread(self.actions.restart, decision.container, via=VIA)
        called = result.result in ("done", "failed")
        self._count(f"restart:{result.result}")
        self.say(f"restart {decision.container}: {result.result} — {result.message}")
        for follow in self.healer.acted(
            decision, called, result.result == "done", result.message, self.clock()
        ):
            await self._carry_out(follow)

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def _audit(self, decision: Decision) -> None:
        """One audit line for the decision (the restart itself is audited by `Actions`)."""
        entry: dict[str, Any] = {
            "action": "heal",
            "container": decision.container,
            "container_id": decision.container_id or None,
            "result": decision.kind,
            "message": decision.reason,
            "via": VIA,
            "engine": self.actions.backend.engine,
            "finding": decision.finding.id if decision.finding is not None else None,
            "mode": "apply" if self.apply else "dry-run",
        }
        try:
            self.actions.audit.record(entry)
        except AuditError as exc:
            self.say(f"audit line NOT written: {exc}")

    def _page(self, decision: Decision) -> None:
        """Call the alert hook with the decision and its finding; say when there is no hook.

        A dry run touches nothing, the pager included: it says who it would have paged.
        """
        argv = self.settings.on_state_change
        if not self.apply:
            hook = argv[0] if argv else "no on_state_change hook"
            self.say(f"dry run: would page ({hook}) for {decision.container}")
            return
        if not argv:
            self.say(
                f"no on_state_change hook configured: this line is the only page for {decision.container}"
            )
            return
        event = Event(
            at=self.clock(),
            kind="note",
            subject=f"container:{decision.container}",
            reason=f"heal: {decision.reason}",
        )
        finding = decision.finding.model_dump(mode="json") if decision.finding is not None else None
        extra = {"heal": {"decision": decision.kind, "container": decision.container, "finding": finding}}
        problem = run_hook(argv, event, self.settings.hook_timeout, extra)
        if problem is not None:
            self.say(problem)

    def status(self, stopped: bool = False) -> dict[str, Any]:
        """What the status file says (the TUI header and the exporter read it)."""
        return {
            "stopped": stopped,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "target": self.session.name,
            "started_at": self.started_at.isoformat(),
            "updated_at": self.clock().isoformat(),
            "interval": self.settings.interval,
            "apply": self.apply,
            "cycles": self.cycles,
            "audit_log": str(self.settings.audit_path),
            "breakers": dict(self.healer.breakers),
            "counts": dict(self.counts),
        }

    def _write_status(self, stopped: bool = False) -> None:
        try:
            write_status(status_path(self.settings), self.status(stopped))
        except OSError as exc:
            self.say(f"cannot write the heal status file {status_path(self.settings)}: {exc.strerror or exc}")

    async def run(self) -> None:
        """Cycle until cancelled, then close the session."""
        try:
            async for cycle in self.session.cycles():
                await self.handle(cycle)
        finally:
            await self.session.close()
            self._write_status(stopped=True)
