"""`heal`'s guards: what to do after one finished cycle, decided without I/O.

`Healer.decide(snapshot, findings, now)` returns the cycle's `Decision`s; the runner
(integrations/heal_run.py) audits them, acts on at most one, pages, and tells the healer how an
action went (`acted`). The guards, in the order they are checked for a container:

- a breaker that is open: nothing is done until the container has been clean for `cycles` cycles;
- an action awaiting its verdict: nothing until `grace` seconds have passed — then the finding is
  either gone (cleared) or still there (the breaker opens, and a page says so);
- any finding whose rule is `none` on that container (a recreate, a person): page, never restart;
- a finding held fewer than `cycles` consecutive cycles: wait;
- `per_container_hour` / `per_deployment_hour` actions within the last hour: page instead;
- one action per cycle, and the runner awaits it: never two in flight.

Pages and audit lines are once per episode (a container's trouble, until it is clean for a cycle),
so a crash loop pages once, not every cycle. The hour's actions and the breakers can be seeded
from the audit log (`restore`), so restarting `heal` does not reset its limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sutazai_tui.config.settings import Settings
from sutazai_tui.integrations.heal_policy import (
    PAGED_SEVERITIES,
    UNKNOWN_RULE,
    Rule,
    policy_for,
    restart_helps,
    target_of,
)
from sutazai_tui.models import ContainerStats, Finding, Snapshot

HOUR = timedelta(hours=1)
# What a decision is. `act`/`would-act`: restart (apply / dry run). `page`: will not or may not
# act (the hook is called). `cleared`: an action's finding is gone after its grace. `breaker-open`
# / `breaker-closed`: the per-container circuit breaker changed.
Kind = Literal["act", "would-act", "page", "cleared", "breaker-open", "breaker-closed"]
PAGES: frozenset[Kind] = frozenset({"page", "breaker-open"})


@dataclass(frozen=True, slots=True)
class Decision:
    """One thing heal decided this cycle, with its reason (one line, for the audit and the page)."""

    kind: Kind
    container: str
    container_id: str
    reason: str
    finding: Finding | None = None
    cause: str = ""  # a page's or refusal's: policy, limit, refused, breaker (the exporter's label)

    @property
    def pages(self) -> bool:
        """Whether this decision calls the alert hook."""
        return self.kind in PAGES


@dataclass(slots=True)
class _Pending:
    finding_id: str
    at: datetime


@dataclass(slots=True)
class Healer:
    """The guard state of one deployment's heal; `decide` once per finished cycle."""

    settings: Settings
    apply: bool = False
    policy: dict[str, Rule] = field(default_factory=dict)
    streaks: dict[tuple[str, str], int] = field(default_factory=dict)  # (finding id, container) -> cycles
    actions: list[tuple[datetime, str]] = field(default_factory=list)  # when, which container
    pending: dict[str, _Pending] = field(default_factory=dict)
    breakers: dict[str, str] = field(default_factory=dict)  # container -> why it opened
    clean: dict[str, int] = field(default_factory=dict)  # open breaker's container -> clean cycles
    noted: set[tuple[str, str]] = field(default_factory=set)  # (container, what) said this episode

    def __post_init__(self) -> None:
        if not self.policy:
            self.policy = policy_for(self.settings)

    # -- state from outside ---------------------------------------------------------------

    def restore(self, actions: Iterable[tuple[datetime, str]], breakers: dict[str, str]) -> None:
        """Seed the hour's actions and the open breakers (from the audit log, at start)."""
        self.actions.extend(actions)
        self.breakers.update(breakers)

    def acted(
        self, decision: Decision, engine_called: bool, ok: bool, why: str, now: datetime
    ) -> list[Decision]:
        """How the action of `decision` went; what follows from it (a failed one opens the breaker)."""
        name = decision.container
        if engine_called:
            self.actions.append((now, name))
        if ok and decision.finding is not None:
            self.pending[name] = _Pending(decision.finding.id, now)
            self.streaks = {k: v for k, v in self.streaks.items() if k[1] != name}
            return []
        if engine_called:
            return [
                self._open(
                    name, decision.container_id, f"the restart of {name} failed: {why}", decision.finding
                )
            ]
        return self._once(
            name,
            "refused",
            "page",
            decision.container_id,
            f"the restart was refused: {why}",
            decision.finding,
        )

    def recent(self, now: datetime, container: str | None = None) -> int:
        """Actions within the last hour (on `container`, or on the whole deployment)."""
        return sum(
            1 for at, name in self.actions if now - at < HOUR and (container is None or name == container)
        )

    # -- one cycle ----------------------------------------------------------------------------

    def decide(self, snapshot: Snapshot, findings: Sequence[Finding], now: datetime) -> list[Decision]:
        """Everything decided after one cycle; at most one `act` (or `would-act`) among it."""
        self.actions = [(at, name) for at, name in self.actions if now - at < HOUR]
        held: dict[str, list[Finding]] = {}
        targets: dict[str, ContainerStats] = {}
        for f in findings:
            c = target_of(f, snapshot, self.settings)
            if c is not None and f.severity in PAGED_SEVERITIES:
                held.setdefault(c.name, []).append(f)
                targets[c.name] = c
        self._count_streaks(held)
        out: list[Decision] = []
        for name in list(self.noted_containers() | set(self.breakers) | set(self.pending)):
            if name not in held:
                out += self._clean(name, snapshot, now)
        acting = False
        for name, troubles in held.items():
            decided = self._container(targets[name], troubles, snapshot, now, may_act=not acting)
            acting = acting or any(d.kind in ("act", "would-act") for d in decided)
            out += decided
        return out

    def noted_containers(self) -> set[str]:
        """Containers with something said this episode."""
        return {name for name, _ in self.noted}

    def _count_streaks(self, held: dict[str, list[Finding]]) -> None:
        now_keys = {(f.id, name) for name, fs in held.items() for f in fs}
        self.streaks = {k: self.streaks.get(k, 0) + 1 for k in now_keys}

    def _clean(self, name: str, snapshot: Snapshot, now: datetime) -> list[Decision]:
        """A container with no finding this cycle: its episode ends, its breaker may close.

        An action's verdict waits for its grace: a restarted container's health check reads
        `starting` (no finding) for a while before it fails again.
        """
        self.noted = {n for n in self.noted if n[0] != name}
        c = snapshot.container(name)
        cid = c.id if c is not None else ""
        out: list[Decision] = []
        pending = self.pending.get(name)
        if (
            pending is not None
            and c is not None
            and now - pending.at >= timedelta(seconds=self.settings.heal.grace)
        ):
            del self.pending[name]
            out.append(
                Decision("cleared", name, cid, f"{pending.finding_id} on {name} cleared after the restart")
            )
        if name in self.breakers and c is not None:  # absent (engine down, removed) is not clean
            self.clean[name] = self.clean.get(name, 0) + 1
            if self.clean[name] >= self.settings.heal.cycles:
                del self.breakers[name]
                self.clean.pop(name, None)
                why = (
                    f"{name} has been clean for {self.settings.heal.cycles} cycles: heal may act on it again"
                )
                out.append(Decision("breaker-closed", name, cid, why))
        return out

    def _container(
        self, c: ContainerStats, troubles: list[Finding], snapshot: Snapshot, now: datetime, may_act: bool
    ) -> list[Decision]:
        name, cfg = c.name, self.settings.heal
        self.clean.pop(name, None)
        if name in self.breakers:
            return []  # paged when it opened; it stays open until the container is clean
        pending = self.pending.get(name)
        if pending is not None:
            if now - pending.at < timedelta(seconds=cfg.grace):
                return []
            del self.pending[name]
            still = next((f for f in troubles if f.id == pending.finding_id), None)
            if still is not None:
                why = f"the restart of {name} did not clear {still.id} within {cfg.grace:g} s: {still.title}"
                return [self._open(name, c.id, why, still)]
            self.streaks = {k: v for k, v in self.streaks.items() if k[1] != name}
            return [
                Decision("cleared", name, c.id, f"{pending.finding_id} on {name} cleared after the restart")
            ]
        ready = [f for f in troubles if self.streaks.get((f.id, name), 0) >= cfg.cycles]
        if not ready:
            return []
        # Any finding a restart cannot fix rules a restart out, held or not; the page leads with the
        # root cause (the policy's order: missing-env before the restart-loop it causes).
        refused = sorted((f for f in troubles if self._rule(f).action == "none"), key=self._rank)
        if refused:
            f, also = refused[0], sorted({g.id for g in refused[1:]} - {refused[0].id})
            more = f" (also: {', '.join(also)})" if also else ""
            why = f"will not restart {name}: {f.id} — {self._rule(f).reason}{more}"
            return self._once(name, "policy", "page", c.id, why, f)
        f = ready[0]
        why_not = restart_helps(f, c, snapshot, self.settings)
        if why_not is not None:
            return self._once(
                name, "policy", "page", c.id, f"will not restart {name} for {f.id}: {why_not}", f
            )
        if self.recent(now, name) >= cfg.per_container_hour:
            limit = f"{cfg.per_container_hour} per container per hour"
            return self._once(
                name, "limit", "page", c.id, f"may not restart {name} for {f.id}: {limit} reached", f
            )
        if self.recent(now) >= cfg.per_deployment_hour:
            limit = f"{cfg.per_deployment_hour} per deployment per hour"
            return self._once(
                name, "limit", "page", c.id, f"may not restart {name} for {f.id}: {limit} reached", f
            )
        if not may_act:
            return []  # one action per cycle: it stays ready for the next
        held = self.streaks[(f.id, name)]
        why = f"restart {name} ({c.id[:12]}): {f.id} held {held} cycles — {f.title}"
        if self.apply:
            return [Decision("act", name, c.id, why, f)]
        return self._once(name, "would", "would-act", c.id, f"dry run: would {why}", f)

    def _rule(self, f: Finding) -> Rule:
        return self.policy.get(f.id, UNKNOWN_RULE)

    def _rank(self, f: Finding) -> int:
        order = list(self.policy)
        return order.index(f.id) if f.id in order else len(order)

    def _once(
        self, name: str, what: str, kind: Kind, cid: str, why: str, f: Finding | None
    ) -> list[Decision]:
        """The decision, unless the same was said this episode."""
        if (name, what) in self.noted:
            return []
        self.noted.add((name, what))
        return [Decision(kind, name, cid, why, f, cause=what)]

    def _open(self, name: str, cid: str, why: str, f: Finding | None) -> Decision:
        self.breakers[name] = why
        self.clean.pop(name, None)
        self.noted.add((name, "breaker"))
        return Decision(
            "breaker-open", name, cid, f"breaker open for {name}: {why}; paging instead", f, "breaker"
        )
