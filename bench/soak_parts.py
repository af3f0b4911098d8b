"""The soak's measuring parts: the engine's processes, reference processes, the TUI in a pseudo-terminal,
and history memory per snapshot (see bench/soak.py for what is printed and why)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import struct
import subprocess
import termios
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import psutil

from sutazai_tui.core import history as history_module
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainerStats, Snapshot

MiB = 2**20


def engine_processes(dockerd: psutil.Process | None) -> Iterator[psutil.Process]:
    """dockerd, its children (its containerd) and the shims of that containerd's containers.

    The shims are reparented to init, so they are found by the containerd socket they serve; a second
    engine on the machine (CI's) has another socket and is not counted.
    """
    if dockerd is None:
        return
    yield dockerd
    sockets: set[str] = set()
    for child in dockerd.children(recursive=True):
        yield child
        with contextlib.suppress(psutil.Error):
            cmd = child.cmdline()
            if "--config" in cmd and cmd.index("--config") + 1 < len(cmd):
                sockets.add(str(Path(cmd[cmd.index("--config") + 1]).parent / "containerd.sock"))
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmd = proc.info["cmdline"] or []
        if (proc.info["name"] or "").startswith("containerd-shim") and sockets.intersection(cmd):
            yield proc


def reference_rss(cmd: list[str], env: dict[str, str]) -> float:
    """RSS (MiB) of a reference process once it has started and is waiting on its stdin."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, env=env)
    try:
        ps = psutil.Process(proc.pid)
        rss, still = 0.0, 0
        while still < 5:  # started: its RSS stopped moving for half a second
            time.sleep(0.1)
            now = ps.memory_info().rss / MiB
            still = still + 1 if now == rss else 0
            rss = now
        return rss
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


def in_terminal(cmd: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """`cmd` in a 160x48 pseudo-terminal whose output a thread drains; (process, terminal fd)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    term = {**env, "TERM": "xterm-256color"}
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=term, start_new_session=True)
    os.close(slave)

    def drain() -> None:
        with contextlib.suppress(OSError):
            while os.read(master, 65536):
                pass

    threading.Thread(target=drain, daemon=True).start()
    return proc, master


def end_in_terminal(proc: subprocess.Popen[bytes], master: int) -> None:
    """End the child (only this one, by its pid) and close its terminal."""
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(master)


def rss_of(proc: subprocess.Popen[bytes]) -> float:
    """RSS (MiB) of a child process."""
    return float(psutil.Process(proc.pid).memory_info().rss) / MiB


def tui_rss(cmd: list[str], env: dict[str, str], seconds: float) -> float:
    """RSS (MiB) of the TUI after `seconds` in a 160x48 pseudo-terminal (its output is drained)."""
    proc, master = in_terminal(cmd, env)
    try:
        time.sleep(seconds)  # the measured age, as for the headless session
        return rss_of(proc)
    finally:
        end_in_terminal(proc, master)


def latest_snapshot(url: str, prefix: str) -> Snapshot:
    """One real cycle over the soak's containers (for the history-per-snapshot figure)."""
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.core.monitor import Monitor
    from sutazai_tui.sources.engine.factory import container_source

    settings = Settings(base_url=url, container_prefix=prefix, timeout=2.0, log_evidence=False)

    async def one() -> Snapshot:
        monitor = Monitor(settings, containers=container_source(settings))
        try:
            return await monitor.cycle()
        finally:
            await monitor.close()

    return asyncio.run(one())


def _ring_bytes(snapshot: Snapshot, size: int, full: int) -> float:
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


def history_bytes(snapshot: Snapshot, size: int) -> tuple[float, float]:
    """Bytes per snapshot of a full ring of `size` variations of `snapshot`: compact, and all kept whole."""
    return _ring_bytes(snapshot, size, history_module.FULL_SNAPSHOTS), _ring_bytes(snapshot, size, size)
