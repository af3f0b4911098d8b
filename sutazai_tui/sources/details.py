"""One container's logs tail and inspect tree, from the engine or from the simulated fleet.

Core module (no textual). Both readers block; the TUI calls them in worker threads.

Bounded by construction: logs are asked with `tail` (the engine sends at most that many lines) and
read as a stream into a byte buffer that keeps only the newest `MAX_LOG_BYTES`, so one endless line
cannot fill memory either. Follow mode asks again with `since` the last line's timestamp.
Env: `inspect` keeps names only — each entry is split at its first '=' and the value dropped inside
the function that read it; the view shows `•••` in its place.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sutazai_tui.sources.containers import engine_kwargs, env_names, fault_detail

LOG_TAIL = 200
MAX_LOG_BYTES = 512 * 1024
MAX_LINE_CHARS = 2000
HIDDEN = "•••"


class DetailsError(Exception):
    """Reading a container's details failed; the message is one line for the view."""


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log line and its engine timestamp (nanoseconds since the epoch; 0 when unknown)."""

    ts_ns: int
    text: str


@dataclass(frozen=True, slots=True)
class InspectView:
    """A container's configuration as titled sections of display lines (env values never present)."""

    name: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]


class ContainerDetails(Protocol):
    """Where the logs and inspect views read from (the engine, or the demo fleet)."""

    def logs(self, name: str, tail: int = LOG_TAIL, since_ns: int = 0) -> list[LogLine]:
        """The last `tail` lines, only those newer than `since_ns` when it is set."""
        ...

    def inspect(self, name: str) -> InspectView:
        """The container's configuration, env values dropped."""
        ...


def parse_ts(stamp: str) -> int:
    """An engine RFC 3339 nano timestamp as integer nanoseconds (0 when unparseable)."""
    head, _, frac = stamp.rstrip("Z").partition(".")
    try:
        seconds = datetime.fromisoformat(head).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0
    digits = (frac + "000000000")[:9]
    return int(seconds) * 1_000_000_000 + (int(digits) if digits.isdigit() else 0)


def split_lines(raw: bytes, since_ns: int = 0) -> list[LogLine]:
    """Timestamped log bytes as lines, dropping those not newer than `since_ns`."""
    found: list[LogLine] = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        stamp, _, text = line.partition(" ")
        ts = parse_ts(stamp)
        if ts and since_ns and ts <= since_ns:
            continue
        found.append(LogLine(ts, (text if ts else line)[:MAX_LINE_CHARS]))
    return found


def read_bounded(chunks: Any, limit: int = MAX_LOG_BYTES) -> bytes:
    """Join a stream of byte chunks, keeping only the newest `limit` bytes; closes the stream."""
    buf = bytearray()
    try:
        for chunk in chunks:
            buf += chunk
            if len(buf) > limit:
                del buf[: len(buf) - limit]
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return bytes(buf)


def _host_port(bind: Mapping[str, Any]) -> str:
    return f"{bind.get('HostIp') or '*'}:{bind.get('HostPort')}"


def _duration(ns: object) -> str:
    return f"{int(ns) / 1e9:g}s" if isinstance(ns, int) and ns else "default"


def inspect_view(raw: Mapping[str, Any]) -> InspectView:
    """The view of an engine inspect answer. Env values are dropped here and never kept."""
    config, host = raw.get("Config") or {}, raw.get("HostConfig") or {}
    ports = (raw.get("NetworkSettings") or {}).get("Ports") or host.get("PortBindings") or {}
    port_lines = [
        f"{port} → {', '.join(_host_port(b) for b in binds)}" if binds else f"{port} (not published)"
        for port, binds in sorted(ports.items())
    ]
    mounts = [
        f"{m.get('Type', '?')} {m.get('Source') or m.get('Name', '')} → {m.get('Destination')}"
        f" ({'rw' if m.get('RW') else 'ro'})"
        for m in raw.get("Mounts") or ()
    ]
    policy = host.get("RestartPolicy") or {}
    restart = str(policy.get("Name") or "no")
    if policy.get("MaximumRetryCount"):
        restart += f" (max {policy['MaximumRetryCount']} retries)"
    check = config.get("Healthcheck") or {}
    health = (
        [
            f"test: {' '.join(check.get('Test') or ())}",
            f"interval {_duration(check.get('Interval'))}, timeout {_duration(check.get('Timeout'))}",
            f"retries {check.get('Retries') or 'default'},"
            f" start period {_duration(check.get('StartPeriod'))}",
        ]
        if check.get("Test")
        else ["none"]
    )
    status = ((raw.get("State") or {}).get("Health") or {}).get("Status")
    if status:
        health.append(f"status: {status}")
    labels = config.get("Labels") or {}
    return InspectView(
        name=str(raw.get("Name", "")).lstrip("/"),
        sections=(
            ("image", (str(config.get("Image", "")), str(raw.get("Image", ""))[:19])),
            ("command", (" ".join([*(config.get("Entrypoint") or ()), *(config.get("Cmd") or ())]),)),
            ("ports", tuple(port_lines) or ("none",)),
            ("mounts", tuple(mounts) or ("none",)),
            ("restart policy", (restart,)),
            ("health check", tuple(health)),
            ("labels", tuple(f"{k}={v}" for k, v in sorted(labels.items())) or ("none",)),
            ("env", tuple(f"{n}={HIDDEN}" for n in env_names(config.get("Env"))) or ("none",)),
        ),
    )


class DockerDetails:
    """Logs and inspect through the docker SDK (imported on first use, in the calling thread)."""

    def __init__(self, docker_host: str | None = None, timeout: float = 10.0) -> None:
        self.docker_host, self.timeout = docker_host, timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def _api(self) -> Any:
        with self._lock:
            if self._client is None:
                import docker  # lazily, in a worker thread: the first frame never waits for it

                where = engine_kwargs(self.docker_host)
                self._client = docker.APIClient(timeout=self.timeout, use_ssh_client=True, **where)
            return self._client

    def _fail(self, what: str, name: str, exc: Exception) -> DetailsError:
        return DetailsError(f"{what} of {name}: {fault_detail(exc, self.timeout)}")

    def logs(self, name: str, tail: int = LOG_TAIL, since_ns: int = 0) -> list[LogLine]:
        """The last `tail` lines (newer than `since_ns` if set), read as a bounded stream."""
        try:
            since = {"since": max(since_ns / 1e9 - 0.001, 0.001)} if since_ns else {}
            api = self._api()  # follow=False: docker-py would otherwise follow every stream
            chunks = api.logs(name, stream=True, follow=False, timestamps=True, tail=tail, **since)
            return split_lines(read_bounded(chunks), since_ns)[-tail:]
        except Exception as exc:  # every engine fault becomes one line in the view
            raise self._fail("logs", name, exc) from None

    def inspect(self, name: str) -> InspectView:
        """The inspect tree of one container."""
        try:
            return inspect_view(self._api().inspect_container(name))
        except Exception as exc:
            raise self._fail("inspect", name, exc) from None

    def close(self) -> None:
        """Close the engine connection."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


_SIM_LINES: dict[str, Sequence[str]] = {
    "hang": ("waiting for database lock…", "startup: importing agents", "worker timeout, restarting"),
    "emergency": ("EMERGENCY MODE: JWT_SECRET_KEY not set", "serving /health-emergency only"),
    "initializing": ("initializing ollama client", "mcp bridge: waiting for dind"),
}
_OK_LINES = ("GET /health 200", "cache hit ratio 0.97", "heartbeat ok")


def _wall() -> datetime:
    return datetime.now(UTC)


class FleetDetails:
    """Simulated logs and inspect for `SimulatedFleet` containers: one line a second per container."""

    def __init__(
        self,
        phase: Callable[[], str],
        images: Mapping[str, str],
        env: Callable[[str, str], Sequence[str]],
        clock: Callable[[], datetime] = _wall,
    ) -> None:
        self._phase, self._images, self._env, self._clock = phase, images, env, clock
        self._origin = clock() - timedelta(minutes=10)

    def _get_image(self, name: str) -> str:
        if name not in self._images:
            raise DetailsError(f"no simulated container named {name!r}")
        return self._images[name]

    def logs(self, name: str, tail: int = LOG_TAIL, since_ns: int = 0) -> list[LogLine]:
        """The last `tail` simulated lines (newer than `since_ns` if set)."""
        self._get_image(name)
        origin_ns = int(self._origin.timestamp()) * 1_000_000_000
        last = int((self._clock() - self._origin).total_seconds())
        first = max(0, last - tail + 1, (since_ns - origin_ns) // 1_000_000_000 + 1 if since_ns else 0)
        pool = _SIM_LINES.get(self._phase(), _OK_LINES) if name == "sutazai-backend" else _OK_LINES
        return [
            LogLine(origin_ns + k * 1_000_000_000, f"{name} [{k:05d}] {pool[k % len(pool)]}")
            for k in range(first, last + 1)
        ]

    def inspect(self, name: str) -> InspectView:
        """A plausible inspect view of the simulated container."""
        image = self._get_image(name)
        env = tuple(f"{n}={HIDDEN}" for n in self._env(name, self._phase()))
        return InspectView(
            name=name,
            sections=(
                ("image", (image,)),
                ("command", (f"/entrypoint.sh {name.removeprefix('sutazai-')}",)),
                ("ports", ("none (simulated)",)),
                ("mounts", ("none (simulated)",)),
                ("restart policy", ("unless-stopped",)),
                ("health check", ("test: CMD-SHELL curl -f http://localhost/health", "interval 30s")),
                ("labels", ("com.docker.compose.project=sutazai",)),
                ("env", env or ("none",)),
            ),
        )
