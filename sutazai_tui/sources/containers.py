"""Container source: the Docker engine's view of the monitored containers, one cycle at a time.

Design — the docker SDK's low-level `APIClient` in a thread pool, not httpx over the socket.
Measured with bench/poll_cycle.py (2 cores, dockerd 20.10, medians of 5), one full cycle (list,
inspect each, one-shot stats of each running container, image inspect per tag): wall time is the
same for both (1.08 vs 1.11 s at 30 containers, 1.27 vs 1.52 s at 100; every stats request waits
for the engine's once-a-second collection tick), but client CPU is not: 89 vs 122 ms at 30, 313 vs
770 ms at 100. The SDK also speaks unix://, tcp:// with TLS and ssh://, and honours DOCKER_HOST /
DOCKER_TLS_VERIFY like every docker tool. Its 267 ms import happens on the first poll, in a worker
thread, after the UI has painted. (`docker stats --no-stream`: 2.66 s at 30, 3.02 s at 100.)

Because of the tick, all stats requests go out at once: the thread pool and the client's
connection pool hold one slot per running container plus lanes for inspects, and grow in steps
when the fleet grows (a pool smaller than N would add a whole second per extra round).

CPU % (as `docker stats`; across our own cycles, since one-shot stats leave `precpu_stats` empty):

    cpu % = Δ cpu_stats.cpu_usage.total_usage / Δ cpu_stats.system_cpu_usage × online_cpus × 100

Δ between this cycle and the previous one of the same container id. None on the first cycle, and
None again (a reset) when a delta is negative (the container restarted) or the system delta is 0.
Memory used = usage − inactive page cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`).
Env: only names are kept; values are dropped inside the worker function that read them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sutazai_tui.models import ContainersStatus, ContainerStats, State

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings

DEFAULT_HOST = "unix:///var/run/docker.sock"
_INSPECT_LANES = 16  # threads beyond one per running container: inspects never queue behind stats
_POOL_STEP = 32  # grow in steps, so one new container does not rebuild the pools every cycle
_T = TypeVar("_T")
Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CpuSample:
    """The cumulative CPU counters of one container at one cycle."""

    total: int
    system: int
    online: int


def cpu_sample(stats: Json) -> CpuSample | None:
    """The CPU counters in a stats answer; None when the engine gave none (not running)."""
    cpu = stats.get("cpu_stats") or {}
    usage = cpu.get("cpu_usage") or {}
    total, system = usage.get("total_usage"), cpu.get("system_cpu_usage")
    if total is None or system is None:
        return None
    online = cpu.get("online_cpus") or len(usage.get("percpu_usage") or ()) or 1
    return CpuSample(int(total), int(system), int(online))


def cpu_percent(prev: CpuSample | None, cur: CpuSample | None) -> float | None:
    """CPU % between two cycles (formula in the module docstring); None without a valid delta."""
    if prev is None or cur is None:
        return None
    d_total, d_system = cur.total - prev.total, cur.system - prev.system
    if d_total < 0 or d_system <= 0:
        return None
    return d_total / d_system * cur.online * 100.0


def mem_used(memory_stats: Json) -> int | None:
    """Memory in use minus inactive page cache, as the docker CLI shows it."""
    usage = memory_stats.get("usage")
    if usage is None:
        return None
    extra = memory_stats.get("stats") or {}
    # cgroup v1 has the hierarchical total_inactive_file; v2 only inactive_file.
    inactive = extra.get("total_inactive_file", extra.get("inactive_file"))
    return int(usage - inactive) if inactive is not None and inactive < usage else int(usage)


def mem_percent(used: int | None, limit: int | None) -> float | None:
    """Used memory as a percentage of the limit; None when either is unknown or zero."""
    return used / limit * 100.0 if used is not None and limit else None


def net_io(stats: Json) -> tuple[int | None, int | None]:
    """Bytes received and sent, summed over all networks; None without networks."""
    nets = (stats.get("networks") or {}).values()
    if not nets:
        return None, None
    return sum(int(n.get("rx_bytes", 0)) for n in nets), sum(int(n.get("tx_bytes", 0)) for n in nets)


def block_io(stats: Json) -> tuple[int | None, int | None]:
    """Bytes read and written, from `io_service_bytes_recursive` (v1 "Read", v2 "read")."""
    if "blkio_stats" not in stats:
        return None, None
    entries = (stats.get("blkio_stats") or {}).get("io_service_bytes_recursive") or ()
    total = {"read": 0, "write": 0}
    for entry in entries:
        op = str(entry.get("op", "")).lower()
        if op in total:
            total[op] += int(entry.get("value", 0))
    return total["read"], total["write"]


def env_names(env: Sequence[str] | None) -> tuple[str, ...]:
    """The names of `Config.Env` entries (left of the first '='); values are never kept."""
    return tuple(entry.split("=", 1)[0] for entry in env or ())


def parse_time(value: str | None) -> datetime | None:
    """An engine timestamp (RFC 3339, nanoseconds) in UTC; None for the engine's zero time."""
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None


def is_selected(name: str, labels: Mapping[str, str], prefix: str, wanted: Sequence[str]) -> bool:
    """Whether a container is monitored: its name has the prefix, or it has a wanted label."""
    if prefix and name.startswith(prefix):
        return True
    for spec in wanted:
        key, eq, value = spec.partition("=")
        if key in labels and (not eq or labels[key] == value):
            return True
    return False


def engine_kwargs(docker_host: str | None) -> dict[str, Any]:
    """APIClient arguments: DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, an explicit host on top.

    The TLS settings from the environment are kept for an explicit tcp:// host too; unix:// and
    ssh:// clients ignore them.
    """
    import docker

    found: dict[str, Any] = docker.utils.kwargs_from_env()
    if docker_host:
        found["base_url"] = docker_host
    return found


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """An exception and all it wraps (cause, context, urllib3's `reason`, exception args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        err = stack.pop()
        if id(err) not in seen:
            seen.add(id(err))
            yield err
            linked = (err.__cause__, err.__context__, getattr(err, "reason", None), *err.args)
            stack.extend(x for x in linked if isinstance(x, BaseException))


def fault_detail(exc: BaseException, timeout: float) -> str:
    """Why an engine call failed and what to do about it, in a few words."""
    causes = list(_causes(exc))
    if any(isinstance(c, FileNotFoundError) for c in causes):
        return "no engine socket — start dockerd or set DOCKER_HOST/--docker-host"
    if any(isinstance(c, PermissionError) for c in causes):
        return "permission denied — add your user to the docker group or set DOCKER_HOST"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused — the engine is not running; start dockerd"
    if any(isinstance(c, TimeoutError) or "Timeout" in type(c).__name__ for c in causes):
        return f"no answer within {timeout:g}s — the engine is hung or overloaded"
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:160]}".rstrip(": ")


def describe_fault(exc: BaseException, address: str, timeout: float) -> str:
    """The one-line DOWN reason: which engine did not answer, why, and the fix."""
    return f"Docker engine unreachable at {address}: {fault_detail(exc, timeout)}"


def _is_gone(result: object) -> bool:
    """Whether the engine said 404: the container was removed between list and inspect/stats."""
    response = getattr(result, "response", None)
    return isinstance(result, BaseException) and getattr(response, "status_code", None) == 404


def _inspect(client: Any, cid: str) -> dict[str, Any]:
    """The ContainerStats fields `inspect` gives. Env values never leave this function."""
    raw = client.inspect_container(cid)
    state, config = raw.get("State") or {}, raw.get("Config") or {}
    status = state.get("Status", "unknown")
    return {
        "name": str(raw.get("Name", "")).lstrip("/"),
        "id": raw["Id"],
        "image": config.get("Image", ""),
        "image_id": raw.get("Image", ""),
        "state": status,
        "health": (state.get("Health") or {}).get("Status"),
        "restart_count": int(raw.get("RestartCount") or 0),
        # While it runs, ExitCode is a leftover 0, not an outcome.
        "exit_code": None if status in ("running", "paused", "created") else state.get("ExitCode"),
        "oom_killed": bool(state.get("OOMKilled")),
        "started_at": parse_time(state.get("StartedAt")),
        "finished_at": parse_time(state.get("FinishedAt")),
        "env_names": env_names(config.get("Env")),
        "labels": dict(config.get("Labels") or {}),
    }


def _image_id(client: Any, tag: str) -> str | None:
    """The id the tag points to now; None when the tag is gone or the engine would not say."""
    from docker.errors import DockerException  # imported already by the client
    from requests import RequestException

    try:
        return str(client.inspect_image(tag)["Id"])
    except (DockerException, RequestException):  # an unknown tag is an answer, not a fault
        return None


def _stats(client: Any, cid: str) -> Any:
    """One-shot stats: the engine's latest sample, without waiting for a second one."""
    return client.stats(cid, stream=False, one_shot=True)


def _summary(found: Sequence[ContainerStats]) -> str:
    """The OK reason: counts, plus the troubled ones worth seeing in the header."""
    running = sum(c.state == "running" for c in found)
    unhealthy = sum(c.health == "unhealthy" for c in found)
    restarting = sum(c.state == "restarting" for c in found)
    extra = [(unhealthy, "unhealthy"), (restarting, "restarting")]
    return f"{len(found)} containers, {running} running" + "".join(f", {n} {what}" for n, what in extra if n)


class DockerSource:
    """Polls a Docker engine for the monitored containers (design in the module docstring)."""

    def __init__(
        self,
        prefix: str = "sutazai-",
        labels: Sequence[str] = (),
        docker_host: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.prefix, self.labels = prefix, tuple(labels)
        self.docker_host, self.timeout = docker_host, timeout
        self._client: Any = None  # docker.APIClient, made in a worker on first use
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0
        self._cpu: dict[str, CpuSample] = {}  # last cycle's counters, by container id

    @classmethod
    def from_settings(cls, settings: Settings) -> DockerSource:
        """A source configured from the app settings."""
        return cls(
            prefix=settings.container_prefix,
            labels=settings.container_labels,
            docker_host=settings.docker_host,
            timeout=settings.docker_timeout,
        )

    @property
    def engine(self) -> str:
        """The engine address asked: the configured host, DOCKER_HOST, or the local socket."""
        return self.docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST

    async def poll(self) -> ContainersStatus:
        """One cycle: list, then inspect and one-shot stats of all at once. Never raises faults."""
        started = time.perf_counter()
        try:
            # Each engine call is bounded by `timeout`; the whole cycle by three of them.
            status = await asyncio.wait_for(self._cycle(), timeout=self.timeout * 3)
        except Exception as exc:  # faults are states: poll never raises for the engine
            await self._drop_client()  # the next poll reconnects and renegotiates the API version
            reason = describe_fault(exc, self.engine, self.timeout)
            status = ContainersStatus(engine=self.engine, state=State.DOWN, reason=reason)
        duration = (time.perf_counter() - started) * 1000.0
        return status.model_copy(update={"checked_at": datetime.now(UTC), "duration_ms": duration})

    async def close(self) -> None:
        """Close the engine connection and let the worker threads go."""
        await self._drop_client()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a blocking call on our pool (the loop's default executor is too small)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _cycle(self) -> ContainersStatus:
        """List, select, then read every selected container at once; raises engine faults."""
        await self._ensure_capacity(0)
        if self._client is None:
            self._client = await self._run(self._make_client, self._pool_size)
        rows = [r for r in await self._run(self._list, self._client) if self._wanted(r)]
        await self._ensure_capacity(sum(r.get("State") == "running" for r in rows))
        images: dict[str, asyncio.Future[str | None]] = {}
        results = await asyncio.gather(*(self._one(r, images) for r in rows))
        found = sorted((c for c, _ in results if c is not None), key=lambda c: c.name)
        problems = [p for _, p in results if p]
        self._cpu = {c.id: self._cpu[c.id] for c in found if c.id in self._cpu}  # forget removed
        reason, state = _summary(found), State.OK
        if problems:
            state, reason = State.DEGRADED, f"{reason}; {len(problems)} not fully read: {problems[0]}"
        return ContainersStatus(engine=self.engine, state=state, reason=reason, containers=tuple(found))

    def _wanted(self, row: Json) -> bool:
        name = (row.get("Names") or [""])[0].lstrip("/")
        return is_selected(name, row.get("Labels") or {}, self.prefix, self.labels)

    def _list(self, client: Any) -> list[dict[str, Any]]:
        """All containers, stopped ones too (a seam: tests wrap it to remove one mid-cycle)."""
        return list(client.containers(all=True))

    async def _one(
        self, row: Json, images: dict[str, asyncio.Future[str | None]]
    ) -> tuple[ContainerStats | None, str]:
        """One container's record and a problem note; (None, "") when it vanished mid-cycle."""
        client, cid, loop = self._client, row["Id"], asyncio.get_running_loop()
        # run_in_executor submits now, so every container's stats request shares one engine tick.
        running = row.get("State") == "running"
        stats_f = loop.run_in_executor(self._pool, _stats, client, cid) if running else None
        info_f = loop.run_in_executor(self._pool, _inspect, client, cid)
        info, stats = await asyncio.gather(info_f, stats_f or _nothing(), return_exceptions=True)
        if _is_gone(info) or _is_gone(stats):
            return None, ""
        if isinstance(info, BaseException):
            return None, f"{cid[:12]}: {fault_detail(info, self.timeout)}"
        if info["image"] not in images:  # one image inspect per tag per cycle
            images[info["image"]] = loop.run_in_executor(self._pool, _image_id, client, info["image"])
        info["tag_image_id"] = await images[info["image"]]
        problem = ""
        if isinstance(stats, BaseException):  # listed and inspected, but no numbers this cycle
            problem = f"{info['name']}: stats: {fault_detail(stats, self.timeout)}"
        elif isinstance(stats, Mapping):
            info.update(self._from_stats(cid, stats))
        return ContainerStats(**info), problem

    def _from_stats(self, cid: str, stats: Json) -> dict[str, Any]:
        """The ContainerStats fields of a one-shot stats answer (CPU against the last cycle)."""
        sample = cpu_sample(stats)
        cpu = cpu_percent(self._cpu.get(cid), sample)
        if sample is not None:
            self._cpu[cid] = sample
        memory = stats.get("memory_stats") or {}
        used, limit = mem_used(memory), memory.get("limit")
        (rx, tx), (read, write) = net_io(stats), block_io(stats)
        return {
            "cpu_percent": cpu,
            "mem_used": used,
            "mem_limit": limit,
            "mem_percent": mem_percent(used, limit),
            "net_rx": rx,
            "net_tx": tx,
            "blk_read": read,
            "blk_write": write,
            "pids": (stats.get("pids_stats") or {}).get("current"),
        }

    def _make_client(self, pool_size: int) -> Any:
        """A connected APIClient; it asks the engine's API version, so it raises if unreachable."""
        import docker  # lazily: 267 ms of import that the first frame must not wait for

        where = engine_kwargs(self.docker_host)
        return docker.APIClient(timeout=self.timeout, max_pool_size=pool_size, use_ssh_client=True, **where)

    async def _ensure_capacity(self, running: int) -> None:
        """Grow the threads and the connection pool to one slot per running container + lanes."""
        need = running + _INSPECT_LANES
        if self._pool is not None and need <= self._pool_size:
            return
        old, size = self._pool, -(-need // _POOL_STEP) * _POOL_STEP
        self._pool, self._pool_size = ThreadPoolExecutor(size, "sutazai-docker"), size
        if old is not None:
            old.shutdown(wait=False)
        if self._client is not None:  # its connection pool size is fixed at construction
            await self._drop_client()
            self._client = await self._run(self._make_client, size)

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # Closing a dead connection may fail; it is gone either way.
            with contextlib.suppress(Exception):
                await self._run(client.close)


async def _nothing() -> None:
    """Stands in for the stats of a container that is not running."""
