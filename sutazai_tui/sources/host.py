"""The machine the monitor runs on, from psutil, without ever sleeping on the caller's thread."""

from __future__ import annotations

import asyncio
import os
import socket
import time

import psutil

from sutazai_tui.models import HostStats


class HostSource:
    """CPU, load, memory, disk and uptime. CPU % is the delta since the previous call."""

    def __init__(self, disk_path: str = "/") -> None:
        self._disk_path = disk_path
        self._primed = False

    def read(self) -> HostStats:
        """One reading; fast (no `interval=` sleep): the first CPU figure is None, not a fake 0."""
        cpu = psutil.cpu_percent(interval=None)
        cpu_value = cpu if self._primed else None
        self._primed = True
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
