"""One-key emergency actions on containers — stop, restart, kill, recreate — allowed, bounded, audited.

The policy lives here, once, for every backend (the real engine or the demo's simulated fleet),
its allow-list in actions/allow.py: read-only mode refuses everything; only monitored containers
(the monitor's own prefix/label rule) may be touched; a protected container needs its name typed;
one action at a time per container. The container is resolved once, to an id: the dialog
(`describe`) shows that id, and `run(..., expected_id=brief.id)` acts on it or refuses if the name
now points elsewhere or the id is gone — the engine call names the id, never the name, and the
rules are judged on that same container. Nothing is done unaudited: every attempt that reaches the
engine writes (and fsyncs) a `started` line first; if that line cannot be written, nothing is done.
A recreate runs the container's own compose command (`sources.engine.compose_labels`) with no shell, bounded
by `recreate_timeout`; its audit has a `started` line before compose runs and the outcome after,
so a recreate that never returns still left a trace.

Every method blocks (engine calls, fsync): the UI runs them in a thread worker
(`@work(thread=True)`), or from asyncio with `await asyncio.to_thread(actions.stop, name)`.
None raises for an engine or audit fault: the outcome is an `ActionResult` with a one-line
message. Thread-safe: one Actions serves every worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypedDict, Unpack

from sutazai_tui.actions.allow import READ_ONLY, AllowList
from sutazai_tui.actions.audit import AuditError, AuditLog, AuditWriter
from sutazai_tui.actions.backends import (
    ActionBackend,
    ActionTimeout,
    BackendError,
    Changed,
    ComposeFailed,
    ContainerBrief,
    ContainerGone,
    ContainerInfo,
    DockerBackend,
)
from sutazai_tui.actions.result import PENDING, ActionName, ActionResult, Outcome, done_note
from sutazai_tui.config.settings import Settings
from sutazai_tui.models import ComposeLabels
from sutazai_tui.sources.engine.compose_labels import RecreatePlan, cli_from, missing_on_host, recreate_plan

# Re-exported: the UI and the demo need only this module.
__all__ = ["ActionBackend", "ActionResult", "ActionTimeout", "Actions", "BackendError"]
__all__ += ["PENDING", "ActionName", "ContainerBrief", "ContainerGone", "ContainerInfo", "Outcome"]

NO_CLI = (
    "no compose CLI installed (neither the `docker compose` plugin nor `docker-compose`): install one "
    "or set compose_cli"
)
_ACTIVE = frozenset({"running", "restarting", "paused"})
_Finish = Callable[..., "ActionResult"]


class Asked(TypedDict, total=False):
    """Who asked, for the audit line: `via` (key x, palette, cli act, serve, heal), the `!` stop
    (`emergency`, recorded as emergency-stop), a serve tab's `peer` address and `tab` id."""

    via: str | None
    emergency: bool
    peer: str | None
    tab: str | None


class Confirmed(Asked, total=False):
    """Who asked, and the name the operator `typed` to confirm a protected container."""

    typed: str | None


class Actions:
    """The policy around a backend; the UI's only way to stop, restart or kill a container."""

    def __init__(
        self,
        settings: Settings,
        backend: ActionBackend | None = None,
        *,
        client_factory: Callable[[], Any] | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        """`backend` defaults to the Docker engine (`client_factory` makes its APIClient)."""
        self.settings = settings
        self.backend = backend if backend is not None else DockerBackend(settings, client_factory)
        self.audit = audit or AuditLog(settings.audit_path)
        self.allow = AllowList(settings)

    def is_protected(self, name: str) -> bool:
        """Whether an action on `name` needs its name typed to confirm (`Settings.protected`)."""
        return self.allow.is_protected(name)

    def describe(self, name: str, action: ActionName = "stop") -> ContainerBrief:
        """The container now, for the confirmation dialog; raises BackendError (one line).

        For a recreate the brief carries the command that will run, or why there is none.
        """
        info = self.backend.inspect(name)
        refusal = READ_ONLY if self.settings.read_only else self.allow.outside(info)
        command = None
        if action == "recreate":
            plan = self.recreate_plan(info.labels)
            refusal = refusal or (plan if isinstance(plan, str) else None)
            command = plan.command if isinstance(plan, RecreatePlan) else None
        started, running = info.started_at, info.state == "running"
        uptime = (datetime.now(UTC) - started).total_seconds() if running and started else None
        return ContainerBrief(
            name=info.name,
            id=info.id,
            short_id=info.id[:12],
            image=info.image,
            state=info.state,
            started_at=started,
            uptime_s=uptime,
            protected=self.is_protected(info.name),
            refusal=refusal,
            command=command,
        )

    def recreate_plan(self, labels: dict[str, str]) -> RecreatePlan | str:
        """The compose command that recreates a container with these labels, or why it cannot run here."""
        cli = cli_from(self.settings.compose_cli)
        plan = recreate_plan(ComposeLabels.from_labels(labels), cli or ("docker", "compose"))
        if isinstance(plan, str):
            return f"cannot recreate: {plan}"
        if not self.backend.runs_on_host:  # the demo's fleet plays it: no files
            return plan
        missing = missing_on_host(plan)
        if missing is not None:
            return f"cannot recreate: {missing}"
        return f"cannot recreate: {NO_CLI}" if cli is None else plan

    # By name, for scripts and tests: `run` with the action named, and what `asked` says.
    def stop(self, name: str, timeout: int | None = None, **asked: Unpack[Confirmed]) -> ActionResult:
        """Stop: SIGTERM, SIGKILL after `timeout` (default Settings.stop_timeout) seconds."""
        return self.run("stop", name, timeout, **asked)

    def restart(self, name: str, timeout: int | None = None, **asked: Unpack[Confirmed]) -> ActionResult:
        """Restart: stop as `stop` does, then start again."""
        return self.run("restart", name, timeout, **asked)

    def start(self, name: str, **asked: Unpack[Confirmed]) -> ActionResult:
        """Start a stopped (exited, created) container; a running one is a no-op."""
        return self.run("start", name, **asked)

    def kill(self, name: str, **asked: Unpack[Confirmed]) -> ActionResult:
        """Kill: SIGKILL now (offered only through the command palette)."""
        return self.run("kill", name, **asked)

    def recreate(self, name: str, **asked: Unpack[Confirmed]) -> ActionResult:
        """Recreate with its compose project (`up -d --force-recreate --no-deps`): new env, new image."""
        return self.run("recreate", name, **asked)

    def cancelled(
        self, name: str, action: ActionName, *, expected_id: str | None = None, **asked: Unpack[Asked]
    ) -> ActionResult:
        """Log that the operator cancelled the confirmation; nothing is asked of the engine."""
        why = "cancelled by the operator"
        return self._record(
            self._result(action, name, time.monotonic(), "cancelled", why, container_id=expected_id, **asked)
        )

    def refuse(self, name: str, action: ActionName, why: str, **asked: Unpack[Asked]) -> ActionResult:
        """Log an attempt refused before the policy is asked (e.g. a serve tab without --allow-actions)."""
        return self._record(self._result(action, name, time.monotonic(), "refused", why, **asked))

    def run(
        self,
        action: ActionName,
        name: str,
        timeout: int | None = None,
        *,
        expected_id: str | None = None,
        **asked: Unpack[Confirmed],
    ) -> ActionResult:
        """One attempt, checked and audited: the one way anything (key, `act`, serve tab, heal) acts.

        `expected_id`: the id the operator confirmed (`describe(...).id`); the action is refused,
        audited, if `name` no longer carries it. Without it the name is resolved once, here.
        `asked`: who asked, and the name typed for a protected container.
        """
        typed = asked.pop("typed", None)
        finish = partial(self._result, action, name, time.monotonic(), **asked)
        if self.settings.read_only or not name.strip():
            return self._record(finish("refused", READ_ONLY if name.strip() else "no container selected"))
        with self.allow.claim(name) as claimed:
            if not claimed:
                return self._record(finish("refused", f"an action is already running on {name}"))
            try:
                writer = self.audit.open()  # before acting: we do not act unaudited
            except AuditError as exc:
                return finish("refused", f"not acting: {exc}", audited=False)
            with writer:
                result = self._act(action, name, timeout, typed, finish, writer, expected_id)
                return result if not result.audited else self._record(result, writer)

    def _act(
        self,
        action: ActionName,
        name: str,
        timeout: int | None,
        typed: str | None,
        finish: _Finish,
        writer: AuditWriter,
        expected_id: str | None = None,
    ) -> ActionResult:
        """Resolve, check, audit `started`, act by id, inspect again. Backend faults become failed results."""
        gone = f"container {name} no longer exists"
        try:
            before = self.backend.inspect(name) if expected_id is None else self._confirmed(name, expected_id)
        except Changed as exc:
            return finish("refused", str(exc), container_id=expected_id)
        except ContainerGone:
            return finish("failed", gone)
        except BackendError as exc:
            return finish("failed", str(exc))
        seen: dict[str, Any] = {"container_id": before.id, "state_before": before.state}
        if (refusal := self.allow.refusal(before, typed)) is not None:
            return finish("refused", refusal, **seen)
        if action == "recreate":
            return self._recreate(before, finish, seen, writer)
        if action == "start" and before.state in _ACTIVE:
            return finish("noop", f"already {before.state}", state_after=before.state, **seen)
        if action not in ("start", "restart") and before.state not in _ACTIVE:
            return finish("noop", f"already stopped ({before.state})", state_after=before.state, **seen)
        grace = self.settings.stop_timeout if timeout is None else timeout
        opened = self._record(finish("started", f"{action} {before.id[:12]}", **seen), writer)
        if not opened.audited:  # we do not act unaudited
            return finish("refused", f"not acting: {opened.message}", audited=False, **seen)
        finish = partial(_at, opened.at, finish)  # the outcome sorts with its `started` line
        began = time.monotonic()
        try:
            if action == "kill":
                self.backend.kill(before.id)
            else:
                getattr(self.backend, action)(before.id, grace)
        except ContainerGone:
            return finish("failed", gone, state_after="gone", **seen)
        except BackendError as exc:
            return finish("failed", f"{action} of {name} failed: {exc}", **seen, **self._after(before.id))
        spent = time.monotonic() - began
        after = self._after(before.id)
        note = done_note(action, after.pop("exit_code", None), after["state_after"], grace, spent)
        return finish("done", note, **seen, **after)

    def _recreate(
        self, before: ContainerInfo, finish: _Finish, seen: dict[str, Any], writer: AuditWriter
    ) -> ActionResult:
        """Run the compose recreate; audited `started` first, the outcome by the caller."""
        plan = self.recreate_plan(before.labels)
        if isinstance(plan, str):
            return finish("refused", plan, **seen)
        seen["command"] = plan.command
        opened = self._record(finish("started", f"running {plan.command}", **seen), writer)
        if not opened.audited:  # we do not act unaudited
            return finish("refused", f"not recreated: {opened.message}", audited=False, **seen)
        # The outcome line carries the same time as `started`, so the pair sorts in order.
        finish = partial(_at, opened.at, finish)
        limit = self.settings.recreate_timeout
        try:
            output = self.backend.recreate(plan, limit)
        except ComposeFailed as exc:
            return finish("failed", str(exc), output=exc.output, **seen, **self._after(before.id))
        except BackendError as exc:
            return finish("failed", str(exc), **seen, **self._after(before.id))
        try:
            now = self.backend.inspect(before.name)
        except BackendError:  # ContainerGone too: compose said it worked, the engine disagrees
            return finish("failed", f"compose finished but {before.name} is not there", output=output, **seen)
        # The audit keeps the old id (what was acted on); the message names the new one.
        note = f"recreated: new container {now.id[:12]}, {now.state}"
        if now.id == before.id:
            note = f"compose kept the same container {now.id[:12]} ({now.state}): nothing was recreated"
        return finish("done", note, output=output, state_after=now.state, **seen)

    def _confirmed(self, name: str, expected_id: str) -> ContainerInfo:
        """The container the operator confirmed, if `name` still carries `expected_id`; else Changed."""
        try:
            by_id: ContainerInfo | None = self.backend.inspect(expected_id)
        except ContainerGone:
            by_id = None
        try:
            now_id: str | None = self.backend.inspect(name).id
        except ContainerGone:
            now_id = None
        if by_id is not None and by_id.id == expected_id == now_id and by_id.name == name:
            return by_id
        then = f"{expected_id[:12]}…"
        now = f"{now_id[:12]}…" if now_id else "gone"
        raise Changed(f"{name} changed since you confirmed (id {then} → {now}): not acting")

    def _after(self, ref: str) -> dict[str, Any]:
        """The state after acting, best effort: the action's outcome does not depend on it."""
        try:
            info = self.backend.inspect(ref)
        except ContainerGone:
            return {"state_after": "gone"}
        except BackendError:
            return {"state_after": "unknown"}
        return {"state_after": info.state, "exit_code": info.exit_code}

    def _result(
        self,
        action: ActionName,
        name: str,
        started: float,
        outcome: Outcome,
        message: str,
        **fields: Any,
    ) -> ActionResult:
        """An ActionResult timed from `started` (bound per attempt with partial, as `_Finish`)."""
        elapsed = time.monotonic() - started
        return ActionResult(
            action=action,
            container=name,
            result=outcome,
            message=" ".join(message.split())[:400],  # one line, whatever the engine said
            duration_ms=elapsed * 1000.0,
            at=datetime.now(UTC) - timedelta(seconds=elapsed),
            **fields,
        )

    def _record(self, result: ActionResult, writer: AuditWriter | None = None) -> ActionResult:
        """Append the result's audit line; on failure the result says it was not audited."""
        entry = result.audit_entry(self.backend.engine)
        try:
            if writer is not None:
                writer.write(entry)
            else:
                self.audit.record(entry)
        except AuditError as exc:
            message = f"{result.message}; audit line NOT written: {exc}"
            return result.model_copy(update={"audited": False, "message": message})
        return result


def _at(at: datetime, finish: _Finish, *args: Any, **fields: Any) -> ActionResult:
    """`finish`, timed at `at`."""
    return finish(*args, **fields).model_copy(update={"at": at})
