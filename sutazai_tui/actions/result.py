"""What one action attempt came to: `ActionResult`, the same facts as its audit line.

Split from policy.py so the UI, `act` and `heal` can name results without the policy's engine parts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sutazai_tui.models import Event, Frozen

ActionName = Literal["start", "stop", "restart", "kill", "recreate"]
Outcome = Literal["started", "done", "noop", "refused", "failed", "cancelled"]
# What the container table shows (ContainerStats.pending_action) while an action runs.
PENDING: dict[str, str] = {
    "start": "starting…",
    "stop": "stopping…",
    "restart": "restarting…",
    "kill": "killing…",
    "recreate": "recreating…",
}


class ActionResult(Frozen):
    """The outcome of one attempt; the same facts as its audit line."""

    action: ActionName
    container: str
    container_id: str | None = None
    state_before: str | None = None
    state_after: str | None = None
    result: Outcome
    message: str  # one line, for the notification and the event log
    duration_ms: float = 0.0
    at: datetime  # when the attempt began (the audit line's `time`)
    via: str | None = None  # what asked: "key x", "key !", "palette", "cli act", "serve", "heal"
    peer: str | None = None  # a serve tab: the browser's address as the server saw it
    tab: str | None = None  # a serve tab: its id, the same on every line of that tab
    audited: bool = True  # False only when even the audit line failed (the message says why)
    command: str | None = None  # a recreate: the compose command line it ran (or would have)
    output: str | None = None  # a recreate: the tail of compose's output, redacted
    emergency: bool = False  # the `!` stop of the primary service: recorded as `emergency-stop`

    @property
    def ok(self) -> bool:
        """Whether the container is now as asked (done, or already so)."""
        return self.result in ("done", "noop")

    @property
    def error(self) -> str | None:
        """The reason when refused or failed, else None."""
        return self.message if self.result in ("refused", "failed") else None

    @property
    def name(self) -> str:
        """The action as recorded: `emergency-stop` for the `!` stop, else the action."""
        return "emergency-stop" if self.emergency else self.action

    def summary(self) -> str:
        """One line for a notification: `stop sutazai-backend: done — stopped (exit 0)`."""
        return f"{self.name} {self.container}: {self.result} — {self.message}"

    def event(self) -> Event:
        """The event-log entry for this attempt."""
        return Event(at=self.at, kind="action", subject=f"container:{self.container}", reason=self.summary())

    def audit_entry(self, engine: str) -> dict[str, Any]:
        """The audit line's fields (user, host and ssh are added by the log)."""
        entry = self.model_dump(mode="json", exclude={"at", "audited", "emergency"})
        entry.update(time=self.at.isoformat(), error=self.error, engine=engine, action=self.name)
        entry["duration_ms"] = round(self.duration_ms, 1)
        return entry


def done_note(action: str, exit_code: int | None, state: str, grace: int, spent: float) -> str:
    """What a successful action did, e.g. that the engine had to kill a container ignoring SIGTERM."""
    if action == "restart":
        return "running again" if state == "running" else f"restarted, but it is {state} now"
    if action == "start":
        return "running" if state == "running" else f"started, but it is {state} now"
    if action == "kill":
        return f"killed (exit {exit_code})" if exit_code is not None else "killed"
    if exit_code == 137 and spent >= grace:
        return f"stopped: it ignored SIGTERM for {grace}s, so the engine killed it (exit 137)"
    return f"stopped (exit {exit_code})" if exit_code is not None else "stopped"
