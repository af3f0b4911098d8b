"""The data every view reads: immutable snapshots of one poll cycle.

A widget renders a `Snapshot`; a recording is a list of them; `check` prints one.
Nothing here knows where the data came from (live, demo or replay).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

Scalar = str | int | float | bool | None
# What is older than this many intervals is STALE on every view (core/history.py); an answer
# another process shared is used while younger (sources/backend/client.py), its age said.
FRESH_INTERVALS = 2


class State(StrEnum):
    """What a panel says about its subject, always with a one-line reason."""

    UNKNOWN = "UNKNOWN"
    OK = "OK"
    DEGRADED = "DEGRADED"
    EMERGENCY = "EMERGENCY"
    DOWN = "DOWN"
    STALE = "STALE"

    @property
    def rank(self) -> int:
        """Badness, for worst-first sorting: DOWN is worst, OK best."""
        return _RANK[self]


_RANK = {
    State.OK: 0,
    State.UNKNOWN: 1,
    State.STALE: 2,
    State.DEGRADED: 3,
    State.EMERGENCY: 4,
    State.DOWN: 5,
}


def worst(states: list[State] | tuple[State, ...]) -> State:
    """The worst of several states; UNKNOWN when there are none."""
    return max(states, key=lambda s: s.rank, default=State.UNKNOWN)


class EndpointKind(StrEnum):
    """How an endpoint's answer is read (see docs/backend.md)."""

    HEALTH = "health"
    EMERGENCY = "emergency"
    MCP = "mcp"
    # /health/detailed (November 2025 line) or /api/v1/health/detailed (August 2025 line).
    DETAILED = "detailed"
    # A Prometheus text /metrics with `backend_service_status{service=...} 0|1`.
    PROMETHEUS = "prometheus"
    GENERIC = "generic"


# Failure kinds that mean "we could not ask" (our budget, the backend's 429, its IP block): they
# say nothing about the backend, so such an endpoint is UNKNOWN and never improves `check`'s verdict.
NOT_ASKED = frozenset({"skipped-budget", "rate-limited", "blocked"})


class Frozen(BaseModel):
    """Base for every model here: immutable, and tolerant of fields added later."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class EndpointStatus(Frozen):
    """One endpoint's answer in one cycle, already judged."""

    name: str
    url: str
    kind: EndpointKind
    state: State = State.UNKNOWN
    reason: str = "not polled yet"
    http_code: int | None = None
    latency_ms: float | None = None
    checked_at: datetime | None = None
    # Why it failed, machine-readable: timeout-connected (accepted, never answered), timeout-connect,
    # refused, dns, reset, tls, too-large, bad-json, bad-shape, http-error, redirects, rate-limited,
    # auth, skipped-budget, blocked (the backend's limiter blocks this IP), mcp-absent (MCP 404:
    # no MCP routes, or the MCP router crashed while loading; log evidence may refine it).
    # None when it answered well.
    failure: str | None = None
    # The backend's own `status` word, e.g. "healthy", "emergency", "operational".
    status: str | None = None
    # /health sub-services, name -> state word, in the backend's order.
    services: dict[str, str] = Field(default_factory=dict)
    # A human message from the backend (emergency message, MCP 503 detail), secrets removed.
    message: str | None = None
    # Other parsed fields shown on the panel (MCP bridge_type, service_count, dind_status, ...).
    details: dict[str, Scalar] = Field(default_factory=dict)
    # Set when the endpoint was not asked this cycle (429 back-off, request budget): when it may be again.
    retry_at: datetime | None = None
    # True when this status was carried over from an earlier cycle instead of a fresh request.
    carried: bool = False
    # For an endpoint we could not ask (failure in NOT_ASKED): its last real verdict and when it was
    # given, so "UNKNOWN" can say how old the last thing we know is, and `check` never improves.
    last_state: State | None = None
    last_checked_at: datetime | None = None

    @property
    def not_asked(self) -> bool:
        """True when this cycle could not ask the endpoint (budget, 429, IP block)."""
        return self.failure in NOT_ASKED


COMPOSE = "com.docker.compose."  # the prefix of the labels compose (v1 and v2) puts on its containers


class ComposeLabels(Frozen):
    """Which compose project and service made a container, and from which files (its labels)."""

    project: str
    service: str
    config_files: tuple[str, ...] = ()  # as compose wrote them: v2 absolute, v1 often relative
    working_dir: str = ""
    oneoff: bool = False  # made by `compose run`, not `compose up`

    @classmethod
    def from_labels(cls, labels: Mapping[str, str]) -> ComposeLabels | None:
        """The compose labels of a container; None when it has no project and service label."""
        project, service = labels.get(COMPOSE + "project"), labels.get(COMPOSE + "service")
        if not project or not service:
            return None
        files = labels.get(COMPOSE + "project.config_files", "")
        return cls(
            project=project,
            service=service,
            config_files=tuple(f.strip() for f in files.split(",") if f.strip()),
            working_dir=labels.get(COMPOSE + "project.working_dir", ""),
            oneoff=labels.get(COMPOSE + "oneoff", "").lower() == "true",
        )


class ContainerRef(Frozen):
    """What names a container and what it runs: the start of both a cycle's `ContainerStats` and
    an action's inspect (`actions.backends.ContainerInfo`), defined once so the two agree."""

    name: str
    id: str
    image: str = ""


class ContainerStats(ContainerRef):
    """One container as the engine reported it in one cycle (fields after `ContainerRef`'s, in
    the order recordings have them)."""

    image_id: str = ""
    # The id the image's tag points to now; differs from image_id when the tag was rebuilt.
    tag_image_id: str | None = None
    state: str = "unknown"  # created, running, paused, restarting, removing, exited, dead
    health: str | None = None  # starting, healthy, unhealthy; None without a HEALTHCHECK
    restart_count: int = 0
    exit_code: int | None = None
    oom_killed: bool = False
    started_at: datetime | None = None
    finished_at: datetime | None = None
    created_at: datetime | None = None
    # Set by the source while the container is in a restart loop (≥ 3 restarts within 5 minutes,
    # from RestartCount against its times, or counted across cycles), cleared once no restart
    # happened for 5 minutes: a loop caught "running" between two attempts is still a loop.
    looping_since: datetime | None = None
    last_restart_at: datetime | None = None
    cpu_percent: float | None = None  # None on the first cycle: no delta yet
    mem_used: int | None = None
    mem_limit: int | None = None
    mem_percent: float | None = None
    net_rx: int | None = None
    net_tx: int | None = None
    blk_read: int | None = None
    blk_write: int | None = None
    pids: int | None = None
    # Names only, never values: what diagnostics need to spot a missing SECRET_KEY.
    env_names: tuple[str, ...] = ()
    # The length of each required variable's value (never the value): 0 = set but empty.
    env_lengths: dict[str, int] = Field(default_factory=dict)
    labels: dict[str, str] = Field(default_factory=dict)
    # Published ports: container port ("6379/tcp") -> host port, for the dependency probes' defaults.
    ports: dict[str, int] = Field(default_factory=dict)
    # Transient UI/action marker, e.g. "stopping…"; empty in polled data.
    pending_action: str = ""

    @property
    def compose(self) -> ComposeLabels | None:
        """Its compose project/service/files, read from `labels` (so old recordings have it too)."""
        return ComposeLabels.from_labels(self.labels)


class ContainersStatus(Frozen):
    """The container part of a snapshot: the engine's reachability and its containers."""

    engine: str  # where we asked, e.g. unix:///var/run/docker.sock, or "simulated"
    state: State = State.UNKNOWN
    reason: str = "not polled yet"
    containers: tuple[ContainerStats, ...] = ()
    checked_at: datetime | None = None
    duration_ms: float | None = None


class HostStats(Frozen):
    """The machine the monitor runs on."""

    hostname: str = ""
    cpu_percent: float | None = None  # None on the first reading
    cpu_count: int | None = None
    load: tuple[float, float, float] | None = None
    mem_total: int | None = None
    mem_used: int | None = None
    mem_percent: float | None = None
    disk_total: int | None = None
    disk_used: int | None = None
    disk_percent: float | None = None
    uptime_s: float | None = None


class LogMatch(Frozen):
    """One log line that matched a known signature, already redacted (never a whole log)."""

    signature: str  # mode-normal, mode-emergency, init-timeout, init-failed, field-required, ...
    text: str
    at: datetime | None = None  # the engine's timestamp of the line
    detail: str | None = None  # e.g. the env var a pydantic `Field required` names


class LogEvidence(Frozen):
    """What one container's log (since its start, bounded) says, as matched lines only."""

    container: str
    container_id: str = ""
    started_at: datetime | None = None
    read_at: datetime | None = None
    lines: int = 0  # lines read since the start (bounded), for "how much was looked at"
    matches: tuple[LogMatch, ...] = ()
    # The last line before silence (redacted): the step a hung start-up is stuck after.
    last: LogMatch | None = None
    # Why the log could not be read (engine fault); None when it was.
    error: str | None = None

    def find(self, *signatures: str) -> LogMatch | None:
        """The newest match of any of these signatures."""
        return next((m for m in reversed(self.matches) if m.signature in signatures), None)


class ProbeResult(Frozen):
    """A direct look at a dependency (Redis PING, Postgres SSLRequest, TCP connect, HTTP GET)."""

    name: str  # the dependency, e.g. redis, postgres
    kind: str  # redis | postgres | tcp | http
    address: str  # host:port asked
    up: bool | None = None  # None: could not tell
    # Connected, then no answer within the deadline: the service is hung (e.g. SIGSTOPped), up=False.
    hung: bool = False
    detail: str = ""
    latency_ms: float | None = None
    checked_at: datetime | None = None
    source: str = "config"  # config, or the container whose published port it came from


class Snapshot(Frozen):
    """Everything one poll cycle saw. Immutable; views and recordings share it."""

    schema_version: int = SCHEMA_VERSION
    cycle: int = 0
    taken_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    duration_ms: float = 0.0
    target: str = ""
    endpoints: tuple[EndpointStatus, ...] = ()
    containers: ContainersStatus | None = None
    host: HostStats | None = None
    # Independent evidence beyond the backend's self-report (docs/backend.md "The short version").
    logs: tuple[LogEvidence, ...] = ()
    probes: tuple[ProbeResult, ...] = ()
    # One line per source that failed as a whole (not per endpoint), e.g. the host source.
    errors: tuple[str, ...] = ()

    def endpoint(self, name: str) -> EndpointStatus | None:
        """The endpoint with this name, if polled."""
        return next((e for e in self.endpoints if e.name == name), None)

    def log(self, container: str) -> LogEvidence | None:
        """The log evidence read for this container this cycle, if any."""
        return next((x for x in self.logs if x.container == container), None)

    def probe(self, name: str) -> ProbeResult | None:
        """The probe with this name, if run."""
        return next((p for p in self.probes if p.name == name), None)

    def container(self, name: str) -> ContainerStats | None:
        """The container with this name, if listed."""
        if self.containers is None:
            return None
        return next((c for c in self.containers.containers if c.name == name), None)


EventKind = Literal["state", "action", "note"]


class Event(Frozen):
    """Something worth a line in the event log: a state change, an operator action, a note."""

    at: datetime
    kind: EventKind = "state"
    subject: str  # endpoint name, "container:<name>", "engine", "monitor"
    old: State | None = None
    new: State | None = None
    reason: str = ""


Severity = Literal["critical", "warning", "info"]


class Finding(Frozen):
    """A diagnosis: why something is sick and what to do about it."""

    id: str  # stable: missing-env, restart-loop, startup-hang, ...
    severity: Severity
    subject: str  # a container name or an endpoint name
    title: str
    evidence: str
    fix: str


def container_state(c: ContainerStats) -> State:
    """A container's state in the panel vocabulary."""
    if c.looping_since is not None:
        return State.DOWN  # between two attempts of a loop it runs, and it is not OK
    if c.state == "running":
        if c.health == "unhealthy":
            return State.DEGRADED
        return State.OK
    if c.state in ("restarting", "dead") or c.oom_killed:
        return State.DOWN
    if c.state == "exited":
        return State.DOWN if (c.exit_code or 0) != 0 else State.DEGRADED
    if c.state in ("created", "paused", "removing"):
        return State.DEGRADED
    return State.UNKNOWN


def container_reason(c: ContainerStats) -> str:
    """One line that says what is wrong with a container, or that it runs."""
    if c.oom_killed:
        return f"killed: out of memory (exit {c.exit_code})"
    if c.state == "restarting" or c.looping_since is not None:
        now = f" ({c.state} now)" if c.state != "restarting" else ""
        return f"restart loop: {c.restart_count} restart{'s' if c.restart_count != 1 else ''}{now}"
    if c.state == "exited":
        return f"exited with code {c.exit_code}"
    if c.health == "unhealthy":
        return "health check failing"
    return c.state
