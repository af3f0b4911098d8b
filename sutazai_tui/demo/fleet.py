"""A simulated `sutazai-*` container fleet whose states follow the SimulatedBackend's incident.

It is a `ContainerSource` (engine "simulated"): `--demo`, the TUI tests and the screenshots use it
where no Docker engine exists. `stop`/`start`/`restart` change a container the way the engine
would, so container actions can be tried against it.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.backend_log import BACKEND_LOG, REDEPLOYED, STOPPED
from sutazai_tui.demo.details import FleetDetails
from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.sources.engine.base import Listed
from sutazai_tui.sources.engine.loops import LoopTracker

MIB = 1024 * 1024
BACKEND = "sutazai-backend"
MCP = "sutazai-mcp-orchestrator"
REDIS = "sutazai-redis"
# docs/backend.md "How start-up fails": with required env missing, the app raises during import
# and the process exits 1 (not 137: nothing kills it) before uvicorn listens; the restart policy
# starts it again.
MISSING_ENV_EXIT = 1

# name, image, memory limit MiB, typical CPU %, typical memory MiB
FLEET: tuple[tuple[str, str, int, float, int], ...] = (
    (BACKEND, "sutazai/backend:latest", 2048, 14.0, 520),
    ("sutazai-frontend", "sutazai/frontend:latest", 1024, 2.5, 190),
    ("sutazai-postgres", "postgres:16-alpine", 2048, 4.0, 310),
    (REDIS, "redis:7-alpine", 512, 0.8, 38),
    ("sutazai-ollama", "ollama/ollama:latest", 8192, 22.0, 2860),
    (MCP, "docker:25-dind", 4096, 5.5, 610),
    ("sutazai-agent-coordinator", "sutazai/agent:latest", 1024, 3.2, 240),
    ("sutazai-agent-researcher", "sutazai/agent:latest", 1024, 1.7, 205),
)


# Where the incident's stack lived (seed/: /opt/sutazaiapp/docker), as compose labels its containers:
# the findings' fixes then name the real `.env` and `compose up` line, as on the real engine.
DEMO_COMPOSE_DIR = "/opt/sutazaiapp/docker"


def compose_labels(name: str) -> dict[str, str]:
    """The labels compose v2 puts on `name` (service = the name without `sutazai-`)."""
    return {
        "com.docker.compose.project": "sutazai",
        "com.docker.compose.service": name.removeprefix("sutazai-"),
        "com.docker.compose.project.working_dir": DEMO_COMPOSE_DIR,
        "com.docker.compose.project.config_files": f"{DEMO_COMPOSE_DIR}/docker-compose.consolidated.yml",
        "com.docker.compose.oneoff": "False",
    }


@dataclass
class _Sim:
    """One simulated container's mutable state between polls."""

    name: str
    image: str
    mem_limit: int
    cpu_base: float
    mem_base: int
    started_at: datetime
    created_at: datetime | None = None
    restart_count: int = 0
    stopped: bool = False
    fresh: bool = False  # just (re)started: health "starting" for one poll
    generation: int = 0  # recreated this many times: a new container id each time
    io: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # net rx, tx, block read, write


# The incident's env story, by phase: names only, as the real source reports them.
_BACKEND_ENV = {
    answers.HANG: ("DATABASE_URL", "REDIS_URL"),  # SECRET_KEY and JWT_SECRET missing
    answers.EMERGENCY: ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SECRET"),  # no JWT_SECRET_KEY
    answers.INITIALIZING: ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SECRET"),
    answers.ENV_EMPTY_0816: ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SECRET"),  # JWT_SECRET=""
}
# Value lengths of the secrets the real source would report (never values): 64 = `openssl rand -hex 32`.
_EMPTY = {answers.ENV_EMPTY_0816: ("JWT_SECRET",)}
# Phases where the backend loops: caught `restarting`, or `running` between two slow attempts.
_LOOPING = {
    answers.HANG: "restarting",
    answers.ENV_EMPTY_0816: "restarting",
    answers.POSTGRES_DOWN_0816: "running",
}
_LOOP_EXIT = {answers.POSTGRES_DOWN_0816: 3}  # "Application startup failed": uvicorn exits 3
_FIXED_ENV = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")


def env_names_for(name: str, phase: str) -> tuple[str, ...]:
    """What env var names a simulated container carries in this phase."""
    if name == BACKEND:
        return _BACKEND_ENV.get(phase, _FIXED_ENV)
    return ("TZ", "PATH")


def env_lengths_for(name: str, phase: str) -> dict[str, int]:
    """The lengths of the secret values a simulated container carries (0: set but empty)."""
    empty = _EMPTY.get(phase, ()) if name == BACKEND else ()
    secrets = ("SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")
    return {n: 0 if n in empty else 64 for n in env_names_for(name, phase) if n in secrets}


def _digest(text: str) -> str:
    # Stable across runs (unlike hash()), so screenshots and recordings repeat.
    return hashlib.sha256(text.encode()).hexdigest()


def _wall() -> datetime:
    return datetime.now(UTC)


class SimulatedFleet:
    """Containers whose states follow `backend.phase` (hang, emergency, initializing, recovered…)."""

    def __init__(
        self,
        backend: SimulatedBackend | None = None,
        count: int | None = None,
        seed: int = 7,
        clock: Callable[[], datetime] = _wall,
    ) -> None:
        self.backend = backend
        self._clock = clock
        self._rng = random.Random(seed)
        self._polls = 0
        self._last_phase: str | None = None
        boot = clock() - timedelta(hours=6, minutes=12)
        specs = list(FLEET)
        for n in range(len(specs), count or len(specs)):
            specs.append((f"sutazai-agent-{n:02d}", "sutazai/agent:latest", 1024, 1.0 + n % 5, 150 + 7 * n))
        self._loops = LoopTracker()
        self._sims = {
            name: _Sim(name, image, limit * MIB, cpu, mem * MIB, boot + timedelta(minutes=i), boot)
            for i, (name, image, limit, cpu, mem) in enumerate(specs[: count or len(specs)])
        }

    @property
    def engine(self) -> str:
        """Shown in the header where a real source shows its socket."""
        return "simulated"

    @property
    def names(self) -> list[str]:
        """Every container of the fleet."""
        return list(self._sims)

    @property
    def phase(self) -> str:
        """The backend's phase (recovered when there is no backend)."""
        return self.backend.phase if self.backend is not None else answers.RECOVERED

    def details(self) -> FleetDetails:
        """Logs and inspect of the simulated containers: the same logs the monitor reads evidence from."""
        return self.log_reader

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        """Nothing to follow up: every simulated cycle has its CPU figures."""
        del window
        return None

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        """One cycle's view; the backend's restart count rises each poll while it hangs. Nothing
        early to give (`listed`): a simulated cycle is as quick as its list."""
        del listed
        started = time.monotonic()
        phase = self.phase
        moved = phase != self._last_phase and self._last_phase is not None
        if moved and (self._last_phase == answers.HANG or phase in REDEPLOYED) and BACKEND in self._sims:
            sim = self._sims[BACKEND]
            sim.started_at = self._clock()  # it came up at last, or was redeployed
            if phase in REDEPLOYED:  # a redeploy is a new container: new id, no restarts, no loop
                sim.generation, sim.restart_count, sim.created_at = sim.generation + 1, 0, sim.started_at
        self._last_phase = phase
        found = tuple(
            self._loops.mark_all([self._stats(sim, phase) for sim in self._sims.values()], self._clock())
        )
        self._polls += 1
        return ContainersStatus(
            engine=self.engine,
            state=State.OK,
            reason=f"{len(found)} containers",
            containers=found,
            checked_at=self._clock(),
            duration_ms=round((time.monotonic() - started) * 1000, 1),
        )

    async def close(self) -> None:
        """Nothing to release."""

    @property
    def log_reader(self) -> FleetDetails:
        """The fleet's logs (the monitor reads evidence from them, the logs view shows them)."""
        images = {name: sim.image for name, sim in self._sims.items()}
        return FleetDetails(
            lambda: self.phase,
            images,
            env_names_for,
            clock=self._log_clock,
            started=lambda name: self._sims[name].started_at,
            script=self._script,
        )

    def _log_clock(self) -> datetime:
        # The logs stop at the paused moment with the simulation's clock (the demo's `p`).
        paused = self.backend.paused_for() if self.backend is not None else 0.0
        return self._clock() - timedelta(seconds=paused)

    def _script(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if name == BACKEND:
            return BACKEND_LOG.get(self.phase, ((), ()))
        if self._dependency_down(self._get(name), self.phase):
            return STOPPED, ()  # a stopped container writes nothing more
        return (), ()

    def _get(self, name: str) -> _Sim:
        try:
            return self._sims[name]
        except KeyError:
            raise LookupError(f"no simulated container named {name!r}") from None

    def stop(self, name: str) -> None:
        """Stop a container (it exits with code 0 and stays down until started).

        Stopping the backend's container closes the simulated backend's port: it refuses.
        """
        self._get(name).stopped = True
        self._backend_follows(name)

    def _backend_follows(self, name: str) -> None:
        # The simulated HTTP server is the backend container's process: it stops and starts with it.
        if name == BACKEND and self.backend is not None:
            self.backend.container_stopped(self._sims[name].stopped)

    def start(self, name: str) -> None:
        """Start a stopped container; it reports health `starting` on the next poll."""
        sim = self._get(name)
        if sim.stopped:
            sim.stopped = False
            sim.fresh = True
            sim.started_at = self._clock()
        self._backend_follows(name)

    def restart(self, name: str) -> None:
        """Restart a container: restart count +1, fresh start time, health `starting` next poll."""
        sim = self._get(name)
        sim.stopped = False
        sim.fresh = True
        sim.restart_count += 1
        sim.started_at = self._clock()
        self._backend_follows(name)

    def recreate(self, name: str) -> None:
        """Recreate a container (compose's `--force-recreate`): a new id, restart count 0, fresh start."""
        sim = self._get(name)
        sim.generation += 1
        sim.stopped, sim.fresh, sim.restart_count = False, True, 0
        sim.started_at = sim.created_at = self._clock()
        self._backend_follows(name)

    def recreate_service(self, service: str) -> None:
        """Recreate the container its compose labels name as `service`; LookupError if none."""
        key = "com.docker.compose.service"
        name = next((n for n in self._sims if compose_labels(n)[key] == service), None)
        if name is None:
            raise LookupError(f"no container of service {service}")
        self.recreate(name)

    def _health(self, sim: _Sim, phase: str) -> tuple[str, str | None]:
        """(engine state, health) for a running container in this phase."""
        if sim.name == BACKEND:
            if phase in _LOOPING:
                return _LOOPING[phase], None
            if phase == answers.EMERGENCY:
                return "running", "starting"
            if phase in (answers.INITIALIZING, answers.REFUSED, answers.RESET):
                return "running", "unhealthy"  # the compose health check's curl fails too
        if sim.name == MCP and phase in (answers.EMERGENCY, answers.DEGRADED):
            return "running", "unhealthy"
        if sim.name == MCP and phase == answers.INITIALIZING:
            return "running", "starting"
        if sim.name == REDIS and phase == answers.DEGRADED:
            return "running", "unhealthy"
        return "running", "starting" if sim.fresh else "healthy"

    def inspect(self, name: str) -> ContainerStats:
        """One container now, as the engine's inspect would say, without the side effects of a poll.

        No figures (CPU, memory, I/O): actions need only identity and state. LookupError if unknown.
        """
        sim, phase = self._get(name), self.phase
        base = self._base(sim, phase)
        if sim.stopped or self._dependency_down(sim, phase):
            return base.model_copy(update={"state": "exited", "exit_code": 0})
        state, health = self._health(sim, phase)
        exit_code = (
            _LOOP_EXIT.get(phase, MISSING_ENV_EXIT) if sim.name == BACKEND and phase in _LOOPING else None
        )
        return base.model_copy(update={"state": state, "health": health, "exit_code": exit_code})

    @staticmethod
    def _dependency_down(sim: _Sim, phase: str) -> bool:
        """A dependency the real-build scenarios have stopped (answers.DEPENDENCIES): exited."""
        return answers.DEPENDENCIES.get(phase, {}).get(sim.name.removeprefix("sutazai-")) == "down"

    def _base(self, sim: _Sim, phase: str) -> ContainerStats:
        """What does not change between polls: identity, image, labels, start time."""
        return ContainerStats(
            name=sim.name,
            id=_digest(f"{sim.name}#{sim.generation}" if sim.generation else sim.name)[:12],
            image=sim.image,
            image_id=f"sha256:{_digest(sim.image)}",
            restart_count=sim.restart_count,
            started_at=sim.started_at,
            created_at=sim.created_at,
            env_names=env_names_for(sim.name, phase),
            env_lengths=env_lengths_for(sim.name, phase),
            labels=compose_labels(sim.name),
        )

    def _stats(self, sim: _Sim, phase: str) -> ContainerStats:
        base = self._base(sim, phase)
        if sim.stopped or self._dependency_down(sim, phase):
            return base.model_copy(update={"state": "exited", "exit_code": 0, "finished_at": self._clock()})
        state, health = self._health(sim, phase)
        sim.fresh = False
        if sim.name == BACKEND and phase in _LOOPING:
            sim.restart_count += 1
            now = self._clock()
            sim.started_at = now
            # Each attempt started a moment ago (not at boot) and died: importing the app (exit 1),
            # or its start-up after ~12 s (exit 3); caught `running`, the last exit is the last attempt's.
            update = {"restart_count": sim.restart_count, "started_at": now, "finished_at": now}
            code = _LOOP_EXIT.get(phase, MISSING_ENV_EXIT) if state == "restarting" else None
            return base.model_copy(update={**update, "state": state, "exit_code": code})
        jitter = self._rng.uniform
        sim.io = [v + self._rng.randint(2_000, 90_000) for v in sim.io]
        mem = int(sim.mem_base * jitter(0.97, 1.03))
        return base.model_copy(
            update={
                "state": state,
                "health": health,
                # like the engine's one-shot stats: no CPU figure before a second sample
                "cpu_percent": round(sim.cpu_base * jitter(0.8, 1.2), 1) if self._polls else None,
                "mem_used": mem,
                "mem_limit": sim.mem_limit,
                "mem_percent": round(mem / sim.mem_limit * 100, 1),
                "net_rx": sim.io[0] * 4,
                "net_tx": sim.io[1],
                "blk_read": sim.io[2] * 16,
                "blk_write": sim.io[3] * 8,
                "pids": 12 + len(sim.name) % 9,
            }
        )
