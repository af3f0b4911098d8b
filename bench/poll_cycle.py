"""Benchmark: one DockerSource.poll() cycle against `docker stats --no-stream`, per fleet size.

    python bench/poll_cycle.py --containers 30,100,200 [--rounds 5] [--phase idle|busy] [--httpx]

Creates N busybox `sleep` containers (`--network none`, image sutazai-test/busybox:latest from
scripts/docker-engine.sh image), then per N times our poll (cgroup counters, "ours"), the same
source on engine stats only (the fallback for remote engines, "api") and the CLI alternately
(order swapped every round) and prints medians: wall time, the CLI's, the ratio, client CPU (all
threads) per cycle and per container, and the most threads seen. Issue 19's targets are printed
beside: client CPU per container per cycle <= 0.5 ms, cycle at 200 <= 0.2x the CLI, threads <= 24.
`--httpx` adds an old alternative design, the same cycle (list, inspect all, one-shot stats all,
image inspect per tag) with one persistent httpx AsyncClient over the socket.

Phase matters more than method: the engine collects stats once a second while anyone listens,
then goes idle. A stats request to an idle engine is served at once; one that arrives within a
second of the last collection waits for the next tick. `--phase idle` (default) waits 1.5 s
before each timed call, as a monitor polling every 30 s always finds the engine; `--phase busy`
first makes one stats request, so every timed call starts just after a tick (the worst case).
Every container it made is removed at the end, also on Ctrl-C, SIGTERM or an error.
Not part of the test run: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import statistics
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

    from sutazai_tui.sources.engine.source import DockerSource

IMAGE = "sutazai-test/busybox:latest"
SOCKET = "/var/run/docker.sock"
CHECKOUT = str(Path(__file__).resolve().parents[1])  # run from a checkout without installing
BASE_THREADS = threading.active_count()  # the main thread: before any source made workers
IDLE_GAP_S = 1.5  # longer than the engine's 1 s collection interval: its stats loop goes idle


@dataclass
class Timings:
    """The samples of one fleet size: wall and CPU seconds per method."""

    n: int
    wall: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    threads: int = 0
    api_threads: int = 0

    def add(self, method: str, wall: float, cpu: float) -> None:
        """Record one timed call."""
        self.wall.setdefault(method, []).append(wall)
        self.cpu.setdefault(method, []).append(cpu)

    def med(self, method: str, cpu: bool = False) -> float:
        """The median wall (or CPU) seconds of a method."""
        return statistics.median((self.cpu if cpu else self.wall)[method])


def create(client: Any, names: list[str]) -> None:
    """Start `sleep` containers with these names, a few at a time (vfs copies each rootfs)."""

    def one(name: str) -> None:
        client.containers.run(IMAGE, ["sleep", "3600"], name=name, network_mode="none", detach=True)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, names))


def remove(client: Any, prefix: str) -> None:
    """Force-remove every container whose name starts with this run's prefix (gone already is fine)."""
    from docker.errors import NotFound

    rows = client.api.containers(all=True, filters={"name": prefix})
    mine = [r["Id"] for r in rows if any(n.lstrip("/").startswith(prefix) for n in r["Names"])]

    def one(cid: str) -> None:
        with contextlib.suppress(NotFound):
            client.api.remove_container(cid, force=True)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, mine))


async def run_cli(names: list[str]) -> None:
    """`docker stats --no-stream` over exactly these containers."""
    proc = await asyncio.create_subprocess_exec(
        "docker", "stats", "--no-stream", *names, stdout=asyncio.subprocess.DEVNULL
    )
    if await asyncio.wait_for(proc.wait(), 60) != 0:
        raise SystemExit("docker stats failed")


async def run_ours(source: DockerSource, expect: int) -> None:
    """One poll of our source; it must see every container."""
    status = await source.poll()
    if len(status.containers) != expect:
        raise SystemExit(f"poll saw {len(status.containers)} of {expect}: {status.reason}")


async def run_httpx(client: httpx.AsyncClient, prefix: str) -> None:
    """The alternative design: the same cycle with httpx over the unix socket, all at once."""
    rows = (await client.get("/containers/json", params={"all": "1"})).json()
    ids = [r["Id"] for r in rows if r["Names"][0].lstrip("/").startswith(prefix)]
    query = {"stream": "0", "one-shot": "1"}
    stats = [asyncio.ensure_future(client.get(f"/containers/{i}/stats", params=query)) for i in ids]
    infos = await asyncio.gather(*(client.get(f"/containers/{i}/json") for i in ids))
    tags = {r.json()["Config"]["Image"] for r in infos}
    await asyncio.gather(*(client.get(f"/images/{t}/json") for t in tags), *stats)


async def timed(step: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """Wall and process-CPU seconds of one awaited step."""
    cpu, started = time.process_time(), time.perf_counter()
    await step()
    return time.perf_counter() - started, time.process_time() - cpu


async def most_threads(step: Callable[[], Awaitable[None]], source: DockerSource) -> int:
    """The most threads the tool would have while the step runs (sampled every 10 ms).

    The bench holds two sources in one process, so the tool's count is the process's threads
    before any source ran (BASE_THREADS) plus this source's own workers.
    """

    def now() -> int:
        pool = source._pool
        return BASE_THREADS + (len(pool._threads) if pool is not None else 0)

    peak = now()
    task = asyncio.ensure_future(step())
    while not task.done():
        peak = max(peak, now())
        await asyncio.sleep(0.01)
    await task
    return max(peak, now())


async def set_phase(phase: str, api: Any, some_id: str) -> None:
    """Put the engine's stats loop where a timed call should find it (see the docstring)."""
    if phase == "idle":
        await asyncio.sleep(IDLE_GAP_S)
    else:
        await asyncio.to_thread(api.stats, some_id, stream=False, one_shot=True)


async def measure(args: argparse.Namespace, env: dict[str, Any], names: list[str]) -> Timings:
    """Time each method `rounds` times on this fleet, alternating their order."""
    t, source, prefix = Timings(len(names)), env["source"], env["prefix"]
    methods: dict[str, Callable[[], Awaitable[None]]] = {
        "ours": lambda: run_ours(source, t.n),
        "api": lambda: run_ours(env["fallback"], t.n),
        "cli": lambda: run_cli(names),
    }
    if args.httpx:
        methods["httpx"] = lambda: run_httpx(env["httpx"], prefix)
    some_id = env["api"].inspect_container(names[0])["Id"]
    for step in methods.values():  # warm-up: imports, pools, and our first CPU sample
        await step()
    t.threads = await most_threads(methods["ours"], env["source"])
    t.api_threads = await most_threads(methods["api"], env["fallback"])
    order = list(methods)
    for r in range(args.rounds):
        for method in order if r % 2 == 0 else order[::-1]:
            await set_phase(args.phase, env["api"], some_id)
            t.add(method, *await timed(methods[method]))
    return t


async def amain(args: argparse.Namespace) -> list[Timings]:
    """Create the fleets step by step, measure each, and always clean up."""
    import httpx

    sys.path.insert(0, CHECKOUT)
    from sutazai_tui.sources.engine.client import import_docker
    from sutazai_tui.sources.engine.source import DockerSource

    docker = import_docker()  # as the tool imports it (without paramiko)

    client = docker.from_env(timeout=60)
    prefix = f"sutazai-bench{secrets.token_hex(3)}-"
    transport = httpx.AsyncHTTPTransport(uds=SOCKET)
    env = {
        "api": client.api,
        "prefix": prefix,
        "source": DockerSource(prefix=prefix, timeout=30),
        "fallback": DockerSource(prefix=prefix, timeout=30, read_cgroups=False),
        "httpx": httpx.AsyncClient(transport=transport, base_url="http://docker", timeout=30),
    }
    results: list[Timings] = []
    try:
        names: list[str] = []
        for n in sorted({int(x) for x in args.containers.split(",")}):
            fresh = [f"{prefix}{i:03d}" for i in range(len(names), n)]
            await asyncio.to_thread(create, client, fresh)
            names += fresh
            results.append(await measure(args, env, names))
            print(f"  N={n}: done", file=sys.stderr, flush=True)
    finally:
        await env["source"].close()
        await env["fallback"].close()
        await env["httpx"].aclose()
        await asyncio.to_thread(remove, client, prefix)
    return results


def report(results: list[Timings], args: argparse.Namespace) -> None:
    """Print the table (medians) and issue 19's targets beside their figures."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nphase {args.phase}, medians of {args.rounds} rounds, {os.cpu_count()} cores, load {load}")
    head = ["N", "ours s", "api s", "CLI s", "ours/CLI", "ours CPU ms", "ms/container", "api CPU ms"]
    head += ["threads", "api threads"] + (["httpx s", "httpx CPU ms"] if args.httpx else [])
    print(" ".join(f"{h:>12}" for h in head))
    for t in results:
        ours_cpu = t.med("ours", cpu=True) * 1000
        cells = [f"{t.n}", f"{t.med('ours'):.3f}", f"{t.med('api'):.2f}", f"{t.med('cli'):.2f}"]
        cells += [f"{t.med('ours') / t.med('cli'):.3f}", f"{ours_cpu:.1f}", f"{ours_cpu / t.n:.3f}"]
        cells += [f"{t.med('api', cpu=True) * 1000:.0f}", f"{t.threads}", f"{t.api_threads}"]
        if args.httpx:
            cells += [f"{t.med('httpx'):.2f}", f"{t.med('httpx', cpu=True) * 1000:.0f}"]
        print(" ".join(f"{c:>12}" for c in cells))
    big = max(results, key=lambda t: t.n)
    per = big.med("ours", cpu=True) * 1000 / big.n
    print(f"client CPU per container per cycle at {big.n}: {per:.3f} ms (target <= 0.5 ms)")
    print(
        f"cycle at {big.n} / docker stats --no-stream: {big.med('ours') / big.med('cli'):.3f} (target <= 0.2)"
    )
    print(f"most threads during our cycle: {max(t.threads for t in results)} (target <= 24)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def remove_on_sigterm() -> None:
    """SIGTERM, like ctrl+c, reaches the `finally` that removes a bench's containers."""
    signal.signal(signal.SIGTERM, _interrupt)


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", default="30,100,200", help="fleet sizes, comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per size (medians)")
    parser.add_argument("--phase", choices=["idle", "busy"], default="idle", help="engine phase")
    parser.add_argument("--httpx", action="store_true", help="also time the httpx design")
    args = parser.parse_args()
    remove_on_sigterm()
    report(asyncio.run(amain(args)), args)


if __name__ == "__main__":
    main()
