"""Soak: a headless session polling a fleet for minutes; RSS, fds, threads and CPU must stay flat and low.

    python bench/soak.py [--minutes 30] [--interval 5] [--containers 100] [--simulated] [--tui 30]

What is measured is what the product runs without a screen (the exporter's loop): a `Session` in
its own process (`--child`), settings through `load_settings`, the engine source with log evidence,
diagnosis after every cycle, history 240. This process only hosts the simulated backend (a thread:
the real rate limiter), creates N busybox `sleep` containers (`--network none`, removed at the end,
also on Ctrl-C) and watches the child with psutil, so neither the backend nor psutil counts against
the tool. It prints RSS, fds and threads every minute, then issue 19's targets beside their figures
and references measured in the same run:
- RSS with the ring full <= 70 MiB, flat (+-2 MiB) over the last 5 minutes; references: a bare
  `python -c "import asyncio"` process, and the session's own RSS after its first cycle;
- history memory per snapshot at N containers (tracemalloc, one real snapshot varied 240 times),
  with the old design (every snapshot kept whole) as the reference;
- resident CPU of the tool <= 2 % of a core, of the engine it causes <= 0.5 %: the engine is the
  dockerd whose pid is in --dockerd-pidfile, with its children (containerd) and the container shims
  of its containerd; what it causes is its CPU over the soak minus its CPU idle (the mean of `--idle`
  seconds before and after the soak) — only as good as the engine is otherwise quiet;
- threads <= 24;
- with `--tui S`: the TUI (`python -m sutazai_tui`, in a pseudo-terminal) after S seconds beside
  the headless session at the same age, so what Textual adds is read off one run.
`--interval 1` fills the ring faster (240 s). `--simulated` uses the simulated fleet instead.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.soak_parts import (  # noqa: E402 - after the path insert, as every bench script
    engine_processes,
    history_bytes,
    latest_snapshot,
    reference_rss,
    tui_rss,
)

MiB = 2**20


class Child:
    """The measured session process and what it reported (cycles, ring length) read in a thread."""

    def __init__(self, args: argparse.Namespace, url: str, prefix: str, env: dict[str, str]) -> None:
        cmd = [args.python, str(ROOT / "bench" / "soak_session.py"), url, prefix, str(args.interval)]
        cmd += [str(args.containers)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        self.ps = psutil.Process(self.proc.pid)
        self.cycles = self.ring = 0
        self.first_cycle = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "cycle":
                self.cycles, self.ring = int(parts[1]), int(parts[3])
                self.first_cycle.set()

    def figures(self) -> tuple[float, int, int]:
        """RSS (MiB), fds, threads."""
        return self.ps.memory_info().rss / MiB, self.ps.num_fds(), self.ps.num_threads()

    def cpu(self) -> float:
        t = self.ps.cpu_times()
        return float(t.user + t.system)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def clean_env(home: Path) -> dict[str, str]:
    """No SUTAZAI_TUI_* from the caller, no user config file, state (audit, snapshots) in a temp dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUTAZAI_TUI_")}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def engine_cpu(dockerd: psutil.Process | None) -> float:
    total = 0.0
    for proc in engine_processes(dockerd):
        with contextlib.suppress(psutil.Error):
            t = proc.cpu_times()
            total += t.user + t.system
    return total


def idle_engine(dockerd: psutil.Process | None, seconds: float) -> float:
    """The engine's CPU (share of a core) over `seconds` while nothing of ours polls it."""
    before = engine_cpu(dockerd)
    time.sleep(seconds)
    return (engine_cpu(dockerd) - before) / seconds


def soak(args: argparse.Namespace) -> None:
    from bench.poll_cycle import create, remove
    from sutazai_tui.demo.backend import SimulatedBackend

    backend = SimulatedBackend("healthy", rate_limit=True).start_thread()
    client: Any = None
    prefix = "" if args.simulated else f"sutazai-bench{secrets.token_hex(3)}-"
    dockerd = None
    if not args.simulated:
        import docker

        client = docker.from_env(timeout=60)
        create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        pid = int(Path(args.dockerd_pidfile).read_text().strip())
        dockerd = psutil.Process(pid)
    home = Path(tempfile.mkdtemp(prefix="sutazai-soak-"))
    env = clean_env(home)
    child: Child | None = None
    try:
        bare = reference_rss([args.python, "-c", "import asyncio, sys; sys.stdin.read()"], env)
        idle_before = idle_engine(dockerd, args.idle)  # the engine's own CPU, without us
        child = Child(args, backend.url, prefix, env)
        if not child.first_cycle.wait(120):
            raise SystemExit("the session finished no cycle within 120 s")
        after_first = child.figures()[0]
        start, cpu0, eng0 = time.monotonic(), child.cpu(), engine_cpu(dockerd)
        samples: list[tuple[float, float, int, int]] = []
        at_tui_age: float | None = None
        end, due = start + args.minutes * 60, start + 60
        while time.monotonic() < end:
            if args.tui and at_tui_age is None:  # the session at the TUI's measured age, for the TUI line
                time.sleep(max(0.0, start + args.tui - time.monotonic()))
                at_tui_age = child.figures()[0]
                continue
            time.sleep(max(0.0, min(due, end) - time.monotonic()))
            due += 60
            rss, fds, threads = child.figures()
            samples.append(((time.monotonic() - start) / 60, rss, fds, threads))
            print(
                f"  +{samples[-1][0]:4.1f} min: RSS {rss:.1f} MiB, fds {fds}, threads {threads}, "
                f"cycles {child.cycles}, ring {child.ring}",
                flush=True,
            )
        elapsed, cpu1, eng1 = time.monotonic() - start, child.cpu(), engine_cpu(dockerd)
        cycles = child.cycles
        child.stop()
        idle_after = idle_engine(dockerd, args.idle)  # and once more after: the mean of both is the floor
        idle = (idle_before + idle_after) / 2
        tool = (cpu1 - cpu0) / elapsed * 100
        caused = ((eng1 - eng0) / elapsed - idle) * 100
        tui = None
        if args.tui:
            cmd = [args.python, "-m", "sutazai_tui", "--base-url", backend.url]
            cmd += ["--interval", str(args.interval)]
            cmd += ["--container-prefix", prefix] if prefix else ["--no-containers"]
            tui = tui_rss(cmd, env, args.tui)
        snapshot = None if args.simulated else latest_snapshot(backend.url, prefix)
    finally:
        if child is not None:
            child.stop()
        if client is not None:
            remove(client, prefix)
        backend.stop_thread()
    report(args, samples, cycles, bare, after_first, tool, caused, (idle_before, idle_after), tui, at_tui_age)
    print(f"measured with {args.python}: {venv_kind(args.python)}")
    if snapshot is not None and snapshot.containers is not None and snapshot.containers.containers:
        compact, whole = history_bytes(snapshot, 240)
        n = len(snapshot.containers.containers)
        print(f"history per snapshot at {n} containers: {compact / 1024:.1f} KiB (target <= 20 KiB);")
        print(f"  every snapshot kept whole (the old ring): {whole / 1024:.1f} KiB ({whole / compact:.0f}x)")


def venv_kind(python: str) -> str:
    """Whether the measured interpreter is a dev venv, where httpx also loads its own CLI."""
    if subprocess.run([python, "-c", "import click"], capture_output=True).returncode != 0:
        return "the product's dependencies only (no click)"
    return (
        "a dev venv: click is installed (import-linter, mutmut), so `import httpx` also loads its CLI "
        "(click, rich, pygments: ~6 MiB a user's install does not pay); try --python <a clean venv>"
    )


def report(
    args: argparse.Namespace,
    samples: list[tuple[float, float, int, int]],
    cycles: int,
    bare: float,
    after_first: float,
    tool: float,
    caused: float,
    idle: tuple[float, float],
    tui: float | None,
    at_tui_age: float | None,
) -> None:
    last5 = [rss for at, rss, _, _ in samples if at >= samples[-1][0] - 5]
    kind = "simulated fleet" if args.simulated else "real engine"
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    end = samples[-1][1]
    print(f"\n{args.containers} containers ({kind}), interval {args.interval:g} s, {args.minutes:g} min,")
    print(f"{cycles} cycles, ring {min(cycles, 240)}/240, {os.cpu_count()} cores, load {load}")
    met = ("met" if end <= 70 else "NOT met") if cycles >= 240 else "the ring is not full yet"
    print(f"RSS at the end: {end:.1f} MiB (target <= 70 MiB with the ring full: {met})")
    print(f"  references: bare `python -c 'import asyncio'` {bare:.1f} MiB;")
    print(f"  the session after its first cycle {after_first:.1f} MiB")
    spread = max(last5) - min(last5)
    print(f"RSS over the last 5 min: {min(last5):.1f}..{max(last5):.1f} MiB, spread {spread:.1f} ", end="")
    print(f"(target <= 2 MiB: {_met(spread <= 2)})")
    print(f"tool CPU: {tool:.2f} % of a core (target <= 2 %: {_met(tool <= 2)})")
    print(f"engine CPU caused: {caused:.2f} % of a core (target <= 0.5 %: {_met(caused <= 0.5)});")
    print(
        f"  the engine idle, {args.idle:g} s before and after: {idle[0] * 100:.2f} % / {idle[1] * 100:.2f} %"
    )
    threads = max(t for *_, t in samples)
    print(f"threads: at most {threads} (target <= 24: {_met(threads <= 24)}), ", end="")
    print(f"fds {samples[0][2]} -> {samples[-1][2]}")
    if tui is not None and at_tui_age is not None:
        print(
            f"TUI after {args.tui:g} s: {tui:.1f} MiB; the headless session at the same age "
            f"{at_tui_age:.1f} MiB (Textual and the screens add {tui - at_tui_age:+.1f} MiB; "
            "the ring is not full at that age)"
        )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of engine idle reference")
    parser.add_argument("--simulated", action="store_true", help="the simulated fleet, not the engine")
    parser.add_argument("--tui", type=float, default=0.0, help="also the TUI's RSS after this many seconds")
    parser.add_argument("--dockerd-pidfile", default="/var/tmp/sutazai-engine/dockerd.pid")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter of the measured processes (a user's venv)"
    )
    args = parser.parse_args()
    if args.minutes < 1 or args.tui >= args.minutes * 60:  # samples are taken on the minute
        parser.error("--minutes must be at least 1 and --tui shorter than the soak (see bench/tui_ring.py)")
    from bench.poll_cycle import remove_on_sigterm

    remove_on_sigterm()
    soak(args)


if __name__ == "__main__":
    main()
