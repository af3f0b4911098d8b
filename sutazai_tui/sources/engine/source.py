"""Container source: the Docker engine's view of the monitored containers, one cycle at a time.

Design (measured with bench/poll_cycle.py; figures in docs/operating.md "What it costs"):
- The engine API (sources/engine/client.py's `api_client`, in a small thread pool) lists all
  containers once per cycle and inspects a container only when its list row changed (id, state
  and the engine's status text, which moves on start, exit, restart and health change); the image
  tags are resolved from one image list per cycle.
- The numbers come from the cgroup files on a local engine (sources/engine/cgroups.py), from one ssh
  command per cycle that prints the same files on a remote ssh:// engine (sources/ssh/mux.py),
  and from one-shot engine stats only as the fallback (tcp://, or groups we cannot read). Each
  such request waits for the engine's once-a-second stats tick, so the fallback sends them all at
  once: its pool grows to one lane per container (in steps), except over ssh (SSH_POOL channels).
- A container that vanishes while being read (404, 409, an empty answer, a group that is gone) is
  simply not in the cycle: churn is not a fault. Only the engine failing makes the part DEGRADED
  or DOWN, with a one-line reason (sources/engine/client.py), never an exception's text.
- The first cycle (docs/architecture.md "The first answers"): its list goes to `listed` before
  any inspect, and a second counters read one window after the first (sources/engine/first_cpu.py)
  gives CPU %; `cpu_window` (`check`) makes the cycle wait for it.
A local unix:// engine is read without the docker SDK (sources/engine/local.py); others use it.
Env: names and required values' lengths are kept; values are dropped in the worker that read them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.sources.engine import cgroups
from sutazai_tui.sources.engine.base import FIRST_CPU_WINDOW_S, Listed
from sutazai_tui.sources.engine.client import (
    DEFAULT_HOST,
    SSH_POOL,
    api_client,
    describe_fault,
    engine_kwargs,
    fault_detail,
    is_gone,
)
from sutazai_tui.sources.engine.first_cpu import Counted, FirstCpu, running_ids
from sutazai_tui.sources.engine.inspected import env_names, full_tag, image_tags, inspect_one, parse_time
from sutazai_tui.sources.engine.listrow import is_selected, listing, moved, row_key, summary, young
from sutazai_tui.sources.engine.loops import LoopTracker
from sutazai_tui.sources.engine.stats import (
    CpuSample,
    block_io,
    cpu_percent,
    cpu_sample,
    mem_percent,
    mem_used,
    net_io,
    one_shot_stats,
    stats_fields,
)
from sutazai_tui.util.clean import clean

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.sources.ssh.mux import RemoteCounters

__all__ = [  # the parsers and fault helpers live in stats.py / engine.py; callers import them here
    "DEFAULT_HOST",
    "CpuSample",
    "DockerSource",
    "block_io",
    "cpu_percent",
    "cpu_sample",
    "describe_fault",
    "engine_kwargs",
    "env_names",
    "fault_detail",
    "is_selected",
    "mem_percent",
    "mem_used",
    "net_io",
    "parse_time",
]

_THREADS = 8  # list, image list, inspects of changed containers, the cgroup read; threads <= 24
_FALLBACK_THREADS = 16  # tcp:// to start with; grows with the fleet (see _fallback_lanes)
_POOL_STEP = 32  # grow in steps, so one new container does not rebuild the pools every cycle
_MIN_CPU_WINDOW_S = 0.5  # CPU % over a shorter window than this is noise (CFS throttles per 100 ms)
_T = TypeVar("_T")
Json = Mapping[str, Any]


class DockerSource:
    """Polls a Docker engine for the monitored containers (design in the module docstring)."""

    def __init__(
        self,
        prefix: str = "sutazai-",
        labels: Sequence[str] = (),
        docker_host: str | None = None,
        timeout: float = 10.0,
        cpu_window: float = 0.0,
        read_cgroups: bool = True,
        required_env: Sequence[str] = (),
    ) -> None:
        self.prefix, self.labels = prefix, tuple(labels)
        self.required_env = tuple(required_env)  # whose value lengths inspect keeps (never values)
        self._loops = LoopTracker()
        self.docker_host, self.timeout, self.cpu_window = docker_host, timeout, cpu_window
        self._client: Any = None  # docker.APIClient, made in a worker on first use
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0
        self._last_fallback = 0  # containers the last cycle read through engine stats
        self.read_cgroups = read_cgroups  # False: engine stats only (the fallback; bench compares)
        # The CPU counters CPU % is measured from, and that %, by container id.
        self._cpu: dict[str, tuple[CpuSample, float | None]] = {}
        # Last inspect per container: the list row it answered, its fields, its network pid.
        self._seen: dict[str, tuple[tuple[str, ...], dict[str, Any], int | None]] = {}
        self._remote: RemoteCounters | None = None  # the ssh:// counters reader
        self._last: ContainersStatus | None = None  # the last cycle's answer, for `cpu_follow_up`
        self._read_at = 0.0  # when the last cycle's counters were read (monotonic)

    @classmethod
    def from_settings(cls, settings: Settings, cpu_window: float = 0.0) -> DockerSource:
        """A source configured from the app settings."""
        return cls(
            prefix=settings.container_prefix,
            labels=settings.container_labels,
            docker_host=settings.docker_host,
            timeout=settings.docker_timeout,
            cpu_window=cpu_window,
            required_env=settings.required_env_names(),
        )

    @property
    def engine(self) -> str:
        """The engine address asked: the configured host, DOCKER_HOST, or the local socket."""
        return self.docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        """One cycle: list, inspect the changed, read every running one's counters. Never raises
        faults. `listed`: the first cycle's early answers (the list, then its first figures)."""
        started = time.perf_counter()
        try:
            # Each engine call is bounded by `timeout`; the whole cycle by three of them.
            status = await asyncio.wait_for(self._cycle(listed), timeout=self.timeout * 3 + self.cpu_window)
        except Exception as exc:  # faults are states: poll never raises for the engine
            await self._drop_client()  # the next poll reconnects and renegotiates the API version
            reason = describe_fault(exc, self.engine, self.timeout)
            status = ContainersStatus(engine=self.engine, state=State.DOWN, reason=reason)
        duration = (time.perf_counter() - started) * 1000.0
        return status.model_copy(update={"checked_at": datetime.now(UTC), "duration_ms": duration})

    async def close(self) -> None:
        """Close the engine connection, the ssh connection, and let the worker threads go."""
        await self._drop_client()
        if self._remote is not None:
            await self._remote.close()
            self._remote = None
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def connect(self, listed: Listed | None = None) -> None:
        """Make the engine client now, blocking (a thread's, before the first poll), and give
        `listed` the engine's list at once. Best effort: a failure is the first poll's to report."""
        if not self._ssh and self._client is None:  # ssh's master connects on the loop (_cycle)
            self._make_pool()
            with contextlib.suppress(Exception):
                self._client = api_client(self.docker_host, self.timeout, self._pool_size)
                if listed is not None:
                    listed(listing(self.engine, [r for r in self._list(self._client) if self._wanted(r)]))

    def _make_pool(self) -> None:
        if self._pool is None:  # local: cgroup files; ssh://: SSH_POOL channels; tcp://: stats, more lanes
            self._pool_size = SSH_POOL if self._ssh else _THREADS if self._local else _FALLBACK_THREADS
            self._pool = ThreadPoolExecutor(self._pool_size, "sutazai-docker")

    async def _run(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a blocking call on our pool (the loop's default executor is not ours to fill)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    @property
    def _ssh(self) -> bool:
        return self.engine.startswith("ssh://")

    @property
    def _local(self) -> bool:
        return self.engine.startswith("unix://")

    async def _cycle(self, listed: Listed | None) -> ContainersStatus:
        """List, inspect what changed, read the counters; raises engine faults."""
        self._make_pool()
        if self._ssh and self._remote is None:
            from sutazai_tui.sources.ssh.mux import RemoteCounters

            self._remote = RemoteCounters(self.engine, self.timeout)
        if self._remote is not None:
            await self._remote.connect()  # the ssh master first: every channel after it shares it
        if self._client is None:
            self._client = await self._run(api_client, self.docker_host, self.timeout, self._pool_size)
        rows = [r for r in await self._run(self._list, self._client) if self._wanted(r)]
        early = listed if self._last is None else None  # the first cycle only: later ones show the last
        if early is not None:
            early(listing(self.engine, rows))  # names on screen now; each inspect follows
        running = running_ids(rows)
        # Grown before anything runs on the pool: growing replaces the pool and the client.
        cgroup_path = (self._local and self.read_cgroups) or self._remote is not None
        await self._fallback_lanes(self._last_fallback if cgroup_path else len(running))
        tags = self._run(image_tags, self._client)
        # Counters read while the changed are inspected; a CPU window starts when the first read ends.
        read_at: list[float] = []
        first = asyncio.ensure_future(self._counters(running))
        first.add_done_callback(lambda _: read_at.append(time.monotonic()))
        pending = self._first_cpu(first, running, partial(self._early_figures, early, rows))
        try:
            infos = await self._inspect_all(rows)
        except BaseException:
            if pending is not None:
                pending.give_up()
            raise
        numbers, stat_problems = await first
        self._read_at = read_at[0] if read_at else time.monotonic()
        if pending is not None and (got := await pending.result(wait=self.cpu_window > 0)) is not None:
            (numbers, stat_problems), self._read_at = got, pending.second_at
        ids = [str(r["Id"]) for r in rows]
        present = {cid: info for cid, info in zip(ids, infos, strict=True) if isinstance(info, dict)}
        problems = [p for p in infos if isinstance(p, str)]
        tag_ids = await tags
        found: list[ContainerStats] = []
        for cid, info in present.items():
            # The inspect fields and the tags were cleaned in the worker that read them; the
            # counters are numbers: nothing here is cleaned again every cycle.
            fields = dict(info, tag_image_id=tag_ids.get(full_tag(info["image"])))
            if cid in numbers:
                fields.update(self._numbers(cid, numbers[cid]))
            found.append(ContainerStats(**fields))
        found = self._loops.mark_all(sorted(found, key=lambda c: c.name))
        self._cpu = {c.id: self._cpu[c.id] for c in found if c.id in self._cpu}  # forget removed
        self._seen = {cid: seen for cid, seen in self._seen.items() if cid in present}
        problems += stat_problems
        reason, state = summary(found), State.OK
        if problems:
            state, reason = State.DEGRADED, f"{reason}; {len(problems)} not fully read: {problems[0]}"
        self._last = ContainersStatus(
            engine=self.engine, state=state, reason=clean(reason), containers=tuple(found)
        )
        return self._last

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        """The last cycle's containers with CPU % from a second read of only their counters,
        `window` seconds after the first (no list, no inspect): the first cycle's CPU figures
        without making its container list wait. None when no running container lacks its CPU %
        or the read failed (the next cycle measures it anyway)."""
        last = self._last
        lacking = last.containers if last is not None else ()
        missing = [c.id for c in lacking if c.cpu_percent is None and c.id in self._cpu]
        if last is None or not missing:
            return None
        await asyncio.sleep(max(0.0, window - (time.monotonic() - self._read_at)))
        try:
            numbers, _ = await asyncio.wait_for(self._counters(missing), timeout=self.timeout)
        except Exception:  # the engine failing shows on the next cycle, not here
            return None
        found = tuple(
            c.model_copy(update=self._numbers(c.id, numbers[c.id])) if c.id in numbers else c
            for c in last.containers
        )
        self._last = last.model_copy(update={"containers": found})
        return self._last

    def _first_cpu(
        self, first: asyncio.Future[Counted], running: list[str], show: Callable[[Counted], None]
    ) -> FirstCpu | None:
        """The second counters read of a first cycle (for `check`, of new containers too), if due."""
        if self._last is not None and not (self.cpu_window and any(c not in self._cpu for c in running)):
            return None
        window = self.cpu_window or FIRST_CPU_WINDOW_S
        pending = FirstCpu(first, partial(self._counters, running), self._note, window)
        if not self.cpu_window:  # beside the inspects; `check`'s after them, with their network pids
            pending.start(show)
        return pending

    def _note(self, numbers: Mapping[str, Json]) -> None:
        """Each container's first CPU sample (no % yet): the second read measures from it."""
        firsts = ((cid, cpu_sample(stats)) for cid, stats in numbers.items())
        self._cpu.update({cid: (sample, None) for cid, sample in firsts if sample is not None})

    def _early_figures(self, early: Listed | None, rows: Sequence[Json], counted: Counted) -> None:
        """The listed rows again with their first figures, while the inspects still run."""
        if early is not None:
            numbers = {cid: self._numbers(cid, stats) for cid, stats in counted[0].items()}
            early(listing(self.engine, rows, numbers))

    def _wanted(self, row: Json) -> bool:
        name = (row.get("Names") or [""])[0].lstrip("/")
        return is_selected(name, row.get("Labels") or {}, self.prefix, self.labels)

    def _list(self, client: Any) -> list[dict[str, Any]]:
        """All containers, stopped ones too (a seam: tests wrap it to remove one mid-cycle)."""
        return list(client.containers(all=True))

    async def _inspect_all(self, rows: Sequence[Json]) -> list[dict[str, Any] | str | None]:
        """Each row's fields, in order: the last inspect's where its row did not change (no task,
        no round trip: most of a large fleet, every cycle), a new inspect where it did."""
        now = datetime.now(UTC)
        infos: list[dict[str, Any] | str | None] = [self._still(row, now) for row in rows]
        asked = [i for i, info in enumerate(infos) if info is None]
        # Two lanes kept free: the counters' reads are not queued behind a hundred inspects.
        lanes = asyncio.Semaphore(max(1, self._pool_size - 2))
        answers = await asyncio.gather(*(self._inspect(rows[i], lanes) for i in asked))
        for i, info in zip(asked, answers, strict=True):
            infos[i] = info
        return infos

    def _still(self, row: Json, now: datetime) -> dict[str, Any] | None:
        """The last inspect's fields if the container's list row says they still hold."""
        seen = self._seen.get(row["Id"])
        if seen is None or seen[0] != row_key(row):
            return None
        # A crash loop, or one just started (a loop caught running looks unmoved): asked again.
        if row.get("State") == "restarting" or young(seen[1], now) or moved(row, seen[1], now):
            return None
        return seen[1]

    async def _inspect(self, row: Json, lanes: asyncio.Semaphore) -> dict[str, Any] | str | None:
        """The container's fields from a new inspect; None when it is gone, the last known ones or
        a one-line problem when the engine failed to say."""
        cid, key = row["Id"], row_key(row)
        seen = self._seen.get(cid)
        try:
            async with lanes:
                info, pid = await self._run(inspect_one, self._client, cid, self.required_env)
        except Exception as exc:
            if is_gone(exc):
                return None
            if seen is not None:  # known from an earlier cycle: show that, try again next cycle
                return seen[1]
            return f"{cid[:12]}: {fault_detail(exc, self.timeout)}"
        self._seen[cid] = (key, info, pid)
        return info

    async def _counters(self, running: Sequence[str]) -> tuple[dict[str, Json], list[str]]:
        """Stats-shaped counters per running container: cgroup files, the ssh reader, or the API."""
        if not running:
            return {}, []
        pids = {cid: seen[2] for cid in running if (seen := self._seen.get(cid)) and seen[2]}
        found: dict[str, Json] = {}
        if self._local and self.read_cgroups:
            found = dict(await self._run(cgroups.local_stats, running, pids))
        elif self._remote is not None:
            found = dict(await self._remote.stats(running, pids))
        rest = [cid for cid in running if cid not in found]
        self._last_fallback = len(rest)
        if not rest:
            return found, []
        answers = await asyncio.gather(
            *(self._run(one_shot_stats, self._client, cid) for cid in rest), return_exceptions=True
        )
        problems: list[str] = []
        for cid, answer in zip(rest, answers, strict=True):
            if isinstance(answer, Mapping) and answer.get("cpu_stats"):
                found[cid] = answer
            elif isinstance(answer, BaseException) and not is_gone(answer):
                name = self._seen[cid][1]["name"] if cid in self._seen else cid[:12]
                problems.append(f"{name}: stats: {fault_detail(answer, self.timeout)}")
        return found, problems

    async def _fallback_lanes(self, n: int) -> None:
        """One lane (thread and connection) per engine stats request, so all share one tick;
        over ssh the channels stay bounded instead (a round per SSH_POOL containers)."""
        if self._ssh or n + _THREADS <= self._pool_size:
            return
        size = -(-(n + _THREADS) // _POOL_STEP) * _POOL_STEP
        old, self._pool, self._pool_size = self._pool, ThreadPoolExecutor(size, "sutazai-docker"), size
        if old is not None:
            old.shutdown(wait=False)
        await self._drop_client()  # its connection pool size is fixed at construction
        self._client = await self._run(api_client, self.docker_host, self.timeout, size)

    def _numbers(self, cid: str, stats: Json) -> dict[str, Any]:
        """The ContainerStats fields of the counters; CPU % over at least _MIN_CPU_WINDOW_S."""
        prev = self._cpu.get(cid)
        fields, sample = stats_fields(stats, prev[0] if prev else None)
        if sample is None:
            return fields
        if prev is not None and 0 <= sample.system - prev[0].system < _MIN_CPU_WINDOW_S * 1e9 * sample.online:
            # Polled again within ms (a manual refresh): keep the last %, measure from the older sample.
            fields["cpu_percent"] = prev[1]
        else:
            self._cpu[cid] = (sample, fields["cpu_percent"])
        return fields

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # Closing a dead connection may fail; it is gone either way.
            with contextlib.suppress(Exception):
                await self._run(client.close)
