"""Soak: the monitor polling a fleet for minutes; RSS, fds, threads and CPU must stay flat and low.

    python bench/soak.py [--minutes 30] [--interval 5] [--containers 100] [--simulated]

Default: the real engine with N busybox `sleep` containers (`--network none`, removed at the end,
also on Ctrl-C), the simulated backend in a thread (real rate limiter), history 240. Prints RSS,
fds and threads every minute, then issue 19's targets beside their figures:
- history memory per snapshot at N containers (tracemalloc, one real snapshot varied 240 times),
  with the old design (every snapshot kept whole) measured in the same run as the reference;
- RSS with the ring full <= 70 MiB, flat (+-2 MiB) over the last 5 minutes;
- resident CPU of the tool <= 2 % of a core, of the engine it causes <= 0.5 % (dockerd's CPU
  over the soak minus dockerd's CPU over the same length idle before it — on a shared engine
  other users' work lands in both, so this figure is only as good as the machine is quiet);
- threads <= 24.
`--interval 1` fills the ring faster (240 s). `--simulated` uses the simulated fleet instead.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from sutazai_tui.config.settings import Settings
from sutazai_tui.core import history as history_module
from sutazai_tui.core.history import History
from sutazai_tui.core.monitor import Monitor, Scheduler
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import ContainerStats, Snapshot
from sutazai_tui.sources.base import ContainerSource


def figures() -> tuple[float, int, int]:
    proc = psutil.Process()
    return proc.memory_info().rss / 2**20, proc.num_fds(), threading.active_count()


def dockerd() -> psutil.Process | None:
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] == "dockerd":
            return proc
    return None


def cpu_seconds(proc: psutil.Process | None) -> float:
    if proc is None:
        return 0.0
    t = proc.cpu_times()
    return float(t.user + t.system)


def history_bytes(snapshot: Snapshot, size: int, full: int) -> float:
    """Bytes per snapshot of a full ring of `size` variations of `snapshot` (`full` kept whole)."""
    keep = history_module.FULL_SNAPSHOTS
    history_module.FULL_SNAPSHOTS = full
    try:
        assert snapshot.containers is not None
        raw = [c.model_dump() for c in snapshot.containers.containers]
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        history = History(size)
        for i in range(size):  # new objects for every field every cycle, as a real source makes
            cs = tuple(ContainerStats.model_validate({**c, "cpu_percent": float(i % 97)}) for c in raw)
            status = snapshot.containers.model_copy(update={"containers": cs})
            history.add(snapshot.model_copy(update={"containers": status, "cycle": i}))
        used = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        return used / size
    finally:
        history_module.FULL_SNAPSHOTS = keep


async def soak(args: argparse.Namespace) -> None:
    backend = SimulatedBackend("healthy", rate_limit=True).start_thread()
    settings = Settings(base_url=backend.url, interval=args.interval, timeout=2.0, history_size=240)
    client: Any = None
    prefix = f"sutazai-bench{secrets.token_hex(3)}-"
    source: ContainerSource
    if args.simulated:
        source = SimulatedFleet(backend, count=args.containers)
    else:
        from sutazai_tui.sources.engine import import_docker

        docker = import_docker()  # as the tool imports it (without paramiko): RSS is measured

        from sutazai_tui.sources.containers import DockerSource

        client = docker.from_env(timeout=60)
        await asyncio.to_thread(create, client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        source = DockerSource(prefix=prefix, timeout=10)
    engine = dockerd()
    try:
        idle0 = cpu_seconds(engine)
        await asyncio.sleep(args.idle)  # dockerd's own CPU, without us, for the same length
        idle = (cpu_seconds(engine) - idle0) / args.idle
        monitor = Monitor(settings, containers=source)
        cycles = 0

        def count(snapshot: object, events: object) -> None:
            nonlocal cycles
            cycles += 1

        task = asyncio.create_task(Scheduler(monitor, count).run())
        me = psutil.Process()
        start, cpu0, eng0 = time.monotonic(), me.cpu_times(), cpu_seconds(engine)
        samples: list[tuple[float, float, int, int]] = []
        end = start + args.minutes * 60
        while time.monotonic() < end:
            await asyncio.sleep(min(60.0, end - time.monotonic()))
            rss, fds, threads = figures()
            samples.append(((time.monotonic() - start) / 60, rss, fds, threads))
            print(
                f"  +{samples[-1][0]:4.1f} min: RSS {rss:.1f} MiB, fds {fds}, threads {threads}, "
                f"cycles {cycles}, ring {len(monitor.history.snapshots)}",
                flush=True,
            )
        elapsed, cpu1 = time.monotonic() - start, me.cpu_times()
        tool = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / elapsed * 100
        caused = ((cpu_seconds(engine) - eng0) / elapsed - idle) * 100
        latest = monitor.history.latest
        task.cancel()
        await monitor.close()
    finally:
        if client is not None:
            await asyncio.to_thread(remove, client, prefix)
        backend.stop_thread()
    last5 = [rss for at, rss, _, _ in samples if at >= samples[-1][0] - 5]
    kind = "simulated" if args.simulated else "real engine"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\n{args.containers} containers ({kind}), interval {args.interval:g} s, {args.minutes:g} min,")
    print(f"{cycles} cycles, {os.cpu_count()} cores, load {load}")
    print(f"RSS at the end: {samples[-1][1]:.1f} MiB (target <= 70 MiB with the ring full)")
    spread = max(last5) - min(last5)
    print(f"RSS over the last 5 min: {min(last5):.1f}..{max(last5):.1f} MiB, spread {spread:.1f} (<= 2 MiB)")
    print(f"tool CPU: {tool:.2f} % of a core (target <= 2 %)")
    print(f"engine CPU caused: {caused:.2f} % of a core (dockerd idle before: {idle * 100:.2f} %; <= 0.5 %)")
    threads = max(t for *_, t in samples)
    print(f"threads: at most {threads} (target <= 24), fds {samples[0][2]} -> {samples[-1][2]}")
    if latest is not None and latest.containers is not None and latest.containers.containers:
        compact = history_bytes(latest, 240, history_module.FULL_SNAPSHOTS)
        whole = history_bytes(latest, 240, 240)
        n = len(latest.containers.containers)
        print(f"history per snapshot at {n} containers: {compact / 1024:.1f} KiB (target <= 20 KiB);")
        print(f"  every snapshot kept whole (the old ring): {whole / 1024:.1f} KiB ({whole / compact:.0f}x)")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of dockerd idle reference")
    parser.add_argument("--simulated", action="store_true", help="the simulated fleet, not the engine")
    signal.signal(signal.SIGTERM, _interrupt)  # the `finally` that removes the containers must run
    asyncio.run(soak(parser.parse_args()))


if __name__ == "__main__":
    main()
