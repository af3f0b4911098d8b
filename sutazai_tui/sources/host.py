"""The machine the monitor runs on, from psutil, read in a worker thread (`poll`).

CPU % is always the busy share between two samples of the CPU times at least `MIN_SAMPLE_S`
apart: the first reading takes its own two (a brief wait, in the worker thread), so it is never
psutil's meaningless first `0.0`, nor the near-empty delta of two polls in quick succession.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
from typing import Any

import psutil

from sutazai_tui.models import HostStats

MIN_SAMPLE_S = 0.25  # the shortest span a CPU % is measured over


def _busy(times: Any) -> tuple[float, float]:
    """(total, busy) seconds of all CPUs from `psutil.cpu_times()`; idle and iowait are not busy."""
    total = float(sum(times))
    return total, total - times.idle - getattr(times, "iowait", 0.0)


class HostSource:
    """CPU, load, memory, disk and uptime. CPU % is measured between two samples (see above)."""

    def __init__(self, disk_path: str = "/") -> None:
        self._disk_path = disk_path
        self._sample: tuple[float, tuple[float, float]] | None = None  # (monotonic, (total, busy))

    def cpu_percent(self) -> float | None:
        """The CPUs' busy share since the last sample, over at least MIN_SAMPLE_S (waits if needed)."""
        if self._sample is None:
            self._sample = (time.monotonic(), _busy(psutil.cpu_times()))
        since = time.monotonic() - self._sample[0]
        if since < MIN_SAMPLE_S:
            time.sleep(MIN_SAMPLE_S - since)
        now = (time.monotonic(), _busy(psutil.cpu_times()))
        (total0, busy0), (total1, busy1) = self._sample[1], now[1]
        self._sample = now
        if total1 <= total0:
            return None
        return max(0.0, min(100.0, 100.0 * (busy1 - busy0) / (total1 - total0)))

    def read(self) -> HostStats:
        """One reading (blocking up to MIN_SAMPLE_S for the CPU's two samples: call it in a thread)."""
        cpu_value = self.cpu_percent()
        mem = psutil.virtual_memory()
        disk_total: int | None = None
        disk_used: int | None = None
        disk_pct: float | None = None
        try:
            disk = psutil.disk_usage(self._disk_path)
            disk_total, disk_used, disk_pct = disk.total, disk.used, disk.percent
        except OSError:
            pass  # a missing mount is shown as a dash, not an error
        try:
            load = os.getloadavg()
        except OSError:
            load = None
        return HostStats(
            hostname=socket.gethostname(),
            cpu_percent=cpu_value,
            cpu_count=psutil.cpu_count(),
            load=load,
            mem_total=mem.total,
            mem_used=mem.total - mem.available,
            mem_percent=mem.percent,
            disk_total=disk_total,
            disk_used=disk_used,
            disk_percent=disk_pct,
            uptime_s=time.time() - psutil.boot_time(),
        )

    async def poll(self) -> HostStats:
        """`read` in a worker thread: psutil reads /proc and must not hold up the event loop."""
        return await asyncio.to_thread(self.read)
