"""Soak: the monitor at a 1 s interval against the incident scenario; RSS and fds must not grow.

    python bench/soak.py [--minutes 10]

The simulated backend runs in its own thread with the real rate limiter, so the request budget
is exercised too. Prints RSS and open file descriptors at the start (after warm-up) and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import psutil

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor, Scheduler
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import SimulatedFleet


def figures() -> tuple[float, int]:
    proc = psutil.Process()
    return proc.memory_info().rss / 2**20, proc.num_fds()


async def soak(minutes: float) -> None:
    backend = SimulatedBackend("incident", phase_seconds=minutes * 60 / 5).start_thread()
    settings = Settings(base_url=backend.url, interval=1.0, timeout=0.5, history_size=240)
    fleet = SimulatedFleet(backend, count=30)
    monitor = Monitor(settings, containers=fleet)
    cycles = 0

    def count(snapshot: object, events: object) -> None:
        nonlocal cycles
        cycles += 1

    scheduler = Scheduler(monitor, count)
    task = asyncio.create_task(scheduler.run())
    await asyncio.sleep(min(30.0, minutes * 6))  # warm-up: fill the ring buffers first
    rss0, fds0 = figures()
    start = time.monotonic()
    print(f"start (after warm-up): RSS {rss0:.1f} MiB, fds {fds0}, cycles {cycles}", flush=True)
    end = start + minutes * 60
    while time.monotonic() < end:
        await asyncio.sleep(60)
        rss, fds = figures()
        print(
            f"  +{(time.monotonic() - start) / 60:4.1f} min: RSS {rss:.1f} MiB, fds {fds}, "
            f"cycles {cycles}, phase {backend.phase}",
            flush=True,
        )
    task.cancel()
    rss1, fds1 = figures()
    violations = sum(backend.limiter.violations.values()) if backend.limiter else 0
    print(
        f"end: RSS {rss1:.1f} MiB ({rss1 - rss0:+.1f}), fds {fds1} ({fds1 - fds0:+d}), cycles {cycles}, "
        f"history {len(monitor.history.snapshots)}/{settings.history_size}, "
        f"events {len(monitor.history.events)}, "
        f"429s caused {violations}"
    )
    await monitor.close()
    backend.stop_thread()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    asyncio.run(soak(parser.parse_args().minutes))


if __name__ == "__main__":
    main()
