"""The monitor's last cycle as Prometheus metrics: a `prometheus_client` collector over a frozen view.

`observe` is called once per poll cycle and swaps in a new immutable `Observation`; `collect` (run
by a scrape, in the HTTP server's thread) only reads the one it finds. A scrape therefore never
polls: two HA Prometheus servers scraping every 5 s cost the backend nothing extra.

Labels stay bounded and secret-free: endpoint and container names come from the config and the
container prefix, states and severities from fixed vocabularies, finding ids from `FINDINGS`.
Reasons, messages, URLs and env values never become labels.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.integrations.heal_status import HealView
from sutazai_tui.models import Finding, Snapshot, State, container_state

# Failures that mean "not asked this cycle" rather than "asked and it failed".
SKIP_REASONS = ("skipped-budget", "rate-limited")
CONTAINER_STATES = (State.OK, State.DEGRADED, State.DOWN, State.UNKNOWN)

FindingKey = tuple[str, str, str]  # id, subject, severity
RESOLVED_KEEP_CYCLES = 120


@dataclass(frozen=True)
class Observation:
    """Everything a scrape shows, as of the last finished cycle."""

    snapshot: Snapshot
    findings: tuple[Finding, ...]
    level: Level
    finished_at: float  # Unix time the cycle ended
    cycles: int
    skipped: tuple[tuple[str, int], ...]
    # Findings seen lately: 1 while active, 0 once gone (an alert resolves, not vanishes).
    seen: tuple[FindingKey, ...]
    heal: HealView | None = None  # this deployment's `heal`, from its status file (None: never ran)


def _gauge(name: str, doc: str, *labels: str) -> GaugeMetricFamily:
    """A gauge family whose samples name their target first, then `labels`."""
    return GaugeMetricFamily(name, doc, labels=["target", *labels])


def _counter(name: str, doc: str, *labels: str) -> CounterMetricFamily:
    """A counter family whose samples name their target first, then `labels`."""
    return CounterMetricFamily(name, doc, labels=["target", *labels])


class SutazaiCollector(Collector):
    """Turns the latest `Observation` into metric families; `target` labels every sample."""

    def __init__(self, target: str, interval: float) -> None:
        self.target = target
        self.interval = interval
        self.latest: Observation | None = None
        self._lock = threading.Lock()  # observe() is the only writer; the lock orders its updates
        self._skipped: Counter[str] = Counter({reason: 0 for reason in SKIP_REASONS})
        self._seen: dict[FindingKey, int] = {}  # -> the last cycle it was active in
        self._cycles = 0

    def observe(
        self,
        snapshot: Snapshot,
        findings: list[Finding],
        finished_at: float | None = None,
        heal: HealView | None = None,
    ) -> None:
        """Take one finished cycle; the next scrape shows it."""
        with self._lock:
            self._cycles += 1
            for e in snapshot.endpoints:
                if e.carried and e.failure in SKIP_REASONS:
                    self._skipped[e.failure] += 1
            for f in findings:
                self._seen[(f.id, f.subject, f.severity)] = self._cycles
            # A resolved finding reads 0 for a while, then goes: subjects (container names) come and
            # go, and a series per name ever seen would grow without bound.
            for key, last in list(self._seen.items()):
                if self._cycles - last > RESOLVED_KEEP_CYCLES:
                    del self._seen[key]
            self.latest = Observation(
                snapshot=snapshot,
                findings=tuple(findings),
                level=assess(snapshot, findings).level,
                finished_at=finished_at if finished_at is not None else time.time(),
                cycles=self._cycles,
                skipped=tuple(sorted(self._skipped.items())),
                seen=tuple(self._seen),
                heal=heal,
            )

    def describe(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        """Nothing up front: the registry then calls `collect` only on a scrape."""
        return iter(())

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        """The families of the last cycle (none before the first one ends, except the interval)."""
        t = self.target
        interval = _gauge("sutazai_poll_interval_seconds", "Seconds between the exporter's polls")
        interval.add_metric([t], self.interval)
        yield interval
        seen = self.latest
        if seen is None:
            return
        yield from _cycle_families(t, seen)
        yield from _endpoint_families(t, seen.snapshot)
        if seen.snapshot.containers is not None:
            yield from _container_families(t, seen.snapshot)
        yield _finding_family(t, seen)
        if seen.heal is not None:
            yield from _heal_families(t, seen.heal)


def _cycle_families(t: str, seen: Observation) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    verdict = _gauge("sutazai_verdict", "The check verdict (1 for the current level)", "level")
    for level in Level:
        verdict.add_metric([t, level.name], float(level is seen.level))
    last = _gauge("sutazai_last_cycle_timestamp_seconds", "When the last poll cycle ended")
    last.add_metric([t], seen.finished_at)
    duration = _gauge("sutazai_cycle_duration_seconds", "How long the last poll cycle took")
    duration.add_metric([t], seen.snapshot.duration_ms / 1000)
    cycles = _counter("sutazai_cycles", "Poll cycles finished since start")
    cycles.add_metric([t], seen.cycles)
    skipped = _counter(
        "sutazai_requests_skipped",
        "Endpoint requests not sent (request budget spent, or backing off a 429)",
        "reason",
    )
    for reason, count in seen.skipped:
        skipped.add_metric([t, reason], count)
    yield from (verdict, last, duration, cycles, skipped)


def _endpoint_families(t: str, snap: Snapshot) -> Iterator[GaugeMetricFamily]:
    state = _gauge(
        "sutazai_endpoint_state", "The endpoint's state (1 for the current one)", "endpoint", "state"
    )
    latency = _gauge("sutazai_endpoint_latency_seconds", "Answer time of the last request", "endpoint")
    status = _gauge("sutazai_endpoint_http_status", "HTTP status of the last answer", "endpoint")
    for e in snap.endpoints:
        for s in State:
            state.add_metric([t, e.name, s.value], float(s is e.state))
        if e.latency_ms is not None and not e.carried:
            latency.add_metric([t, e.name], e.latency_ms / 1000)
        if e.http_code is not None and not e.carried:
            status.add_metric([t, e.name], e.http_code)
    yield from (state, latency, status)


def _container_families(t: str, snap: Snapshot) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    assert snap.containers is not None
    engine = _gauge("sutazai_container_engine_up", "1 when the container engine answered")
    engine.add_metric([t], float(snap.containers.state is not State.DOWN))
    state = _gauge(
        "sutazai_container_state", "The container's state (1 for the current one)", "container", "state"
    )
    restarts = _counter("sutazai_container_restarts", "Restarts the engine counted", "container")
    cpu = _gauge("sutazai_container_cpu_ratio", "CPU use, 1.0 = one core", "container")
    memory = _gauge("sutazai_container_memory_bytes", "Memory in use", "container")
    limit = _gauge("sutazai_container_memory_limit_bytes", "Memory limit", "container")
    # The engine's own words (bounded: Docker's states and health values), so a reader can rebuild
    # the container as the engine described it, not only the panel's verdict.
    status = _gauge(
        "sutazai_container_status",
        "The engine's state and health words for the container (always 1)",
        "container",
        "status",
        "health",
    )
    exit_code = _gauge("sutazai_container_exit_code", "Exit code of a stopped container", "container")
    oom = _gauge("sutazai_container_oom_killed", "1 when the kernel killed it for memory", "container")
    for c in snap.containers.containers:
        status.add_metric([t, c.name, c.state, c.health or ""], 1.0)
        oom.add_metric([t, c.name], float(c.oom_killed))
        if c.exit_code is not None:
            exit_code.add_metric([t, c.name], c.exit_code)
        current = container_state(c)
        for s in CONTAINER_STATES:
            state.add_metric([t, c.name, s.value], float(s is current))
        restarts.add_metric([t, c.name], c.restart_count)
        if c.cpu_percent is not None:
            cpu.add_metric([t, c.name], c.cpu_percent / 100)
        if c.mem_used is not None:
            memory.add_metric([t, c.name], c.mem_used)
        if c.mem_limit is not None:
            limit.add_metric([t, c.name], c.mem_limit)
    yield from (engine, state, status, exit_code, oom, restarts, cpu, memory, limit)


def _finding_family(t: str, seen: Observation) -> GaugeMetricFamily:
    family = _gauge(
        "sutazai_finding",
        "A diagnosis finding (1 while active, 0 once resolved)",
        "id",
        "subject",
        "severity",
    )
    active = {(f.id, f.subject, f.severity) for f in seen.findings}
    for key in seen.seen:
        family.add_metric([t, *key], float(key in active))
    return family


# heal's status counts -> (family, label value): restarts by outcome, pages by why it would not act.
HEAL_ACTIONS = {"restart:done": "done", "restart:failed": "failed", "would-act": "would"}
HEAL_REFUSALS = {"refused:policy": "policy", "refused:limit": "limit", "refused:refused": "refused"}
HEAL_REFUSALS["refused:breaker"] = "breaker"


def _heal_families(t: str, heal: HealView) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
    """The deployment's heal process: up, mode, what it did and refused, its open breakers."""
    active = _gauge("sutazai_heal_active", "1 while a heal process reports for this deployment")
    active.add_metric([t], float(heal.active))
    apply = _gauge("sutazai_heal_apply", "1 when heal acts, 0 when it only says (dry run)")
    apply.add_metric([t], float(heal.apply))
    actions = _counter("sutazai_heal_actions", "Restarts heal made (or would have, dry run)", "result")
    for key, label in HEAL_ACTIONS.items():
        actions.add_metric([t, label], heal.counts.get(key, 0))
    refusals = _counter("sutazai_heal_refusals", "Times heal would not or may not act and paged", "reason")
    for key, label in HEAL_REFUSALS.items():
        refusals.add_metric([t, label], heal.counts.get(key, 0))
    breaker = _gauge(
        "sutazai_heal_breaker_open", "1 while heal's circuit breaker for the container is open", "container"
    )
    for name in sorted(heal.breakers):
        breaker.add_metric([t, name], 1.0)
    yield from (active, apply, actions, refusals, breaker)
