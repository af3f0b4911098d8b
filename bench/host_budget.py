"""Many viewers on one host (issue 15): requests the backend sees, and how fast closed tabs go.

    python bench/host_budget.py [--seconds 20]

The simulated backend runs with its real limiter (10 per 10 s per client IP, 5 breaches block).
For 1, 3 and 10 monitors polling at a 1 s interval (headless, what a TUI asks), and for 1, 3 and
10 `check` loops, it prints the requests per 10 s the backend saw, the worst 10 s window, 429/403s
and how many endpoint answers were shared or not asked. The reference, in the same run: the same
processes each with its own runtime dir, so each counts alone (how it was before the shared budget).
Then 10 browser tabs on `serve`, the time from a tab's close to its process being gone, and what
SIGTERM to `serve` leaves behind, each with stock textual-serve as the reference.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from sutazai_tui.demo.backend import BURST_WINDOW_S, SimulatedBackend

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.integration.test_serve_tabs import Serve, drop, first_frame  # noqa: E402


def windows(times: list[float], start: float, end: float) -> tuple[str, int]:
    """How many requests over how long, and the most inside any sliding 10 s window."""
    inside = [t for t in times if start <= t < end]
    worst = max((sum(1 for t in inside if s <= t < s + BURST_WINDOW_S) for s in inside), default=0)
    return f"{len(inside):>3} requests in {end - start:4.1f} s", worst


def env_with(runtime: str) -> dict[str, str]:
    return {**os.environ, "XDG_RUNTIME_DIR": runtime, "PYTHONPATH": str(ROOT)}


def run_viewers(kind: str, n: int, seconds: float, shared: bool) -> str:
    """n monitors (`kind` headless) or n `check` loops for `seconds`; one line of figures."""
    backend = SimulatedBackend("healthy", rate_limit=True).start_thread()
    common = tempfile.mkdtemp(prefix="budget-bench-")
    procs: list[subprocess.Popen[str]] = []
    start = backend._clock()
    for i in range(n):
        runtime = common if shared else tempfile.mkdtemp(prefix=f"budget-bench-{i}-")
        if kind == "monitor":
            argv = [sys.executable, "-m", "tests.headless", backend.url, str(seconds), "1"]
        else:
            check = f"{sys.executable} -m sutazai_tui check --json --no-containers --base-url {backend.url}"
            argv = [
                "sh",
                "-c",
                f"end=$(($(date +%s)+{int(seconds)})); while [ $(date +%s) -lt $end ]; do {check}; done",
            ]
        procs.append(subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, env=env_with(runtime)))
    outputs = [p.communicate(timeout=seconds * 4 + 60)[0] for p in procs]
    end = backend._clock()
    backend.stop_thread()
    rate, worst = windows(backend.request_times, start, end)
    limiter = backend.limiter
    violations = sum(limiter.violations.values()) if limiter else 0
    answers = shared_n = unasked = 0
    for out in outputs:
        for line in out.splitlines():
            line = line.strip()
            if not line.startswith(("[", "{")):
                continue
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            for e in doc:
                answers += 1
                shared_n += str(e.get("reason", "")).startswith("shared: ")
                unasked += str(e.get("reason", "")).startswith("not asked: ")
    mode = "shared budget" if shared else "alone (ref)  "
    tail = f", answers {answers}: shared {shared_n}, not asked {unasked}" if kind == "monitor" else ""
    return (
        f"  {n:>2} {kind + 's':<9} {mode}: {rate}, worst 10 s window {worst:>3},"
        f" 429/403 breaches {violations}{tail}"
    )


def tabs_figures(count: int, seconds: float) -> str:
    """`count` tabs on one serve at --interval 1 for `seconds`: requests the backend saw."""
    backend = SimulatedBackend("healthy", rate_limit=True).start_thread()
    tmp = Path(tempfile.mkdtemp(prefix="budget-bench-serve-"))
    os.environ["XDG_RUNTIME_DIR"] = str(tmp / "run")
    serve = Serve(tmp, ["--base-url", backend.url, "--interval", "1"])
    try:
        socks = [serve.open_tab() for _ in range(count)]
        first_frame(socks[0], serve.pending)
        start = backend._clock()
        time.sleep(seconds)
        end = backend._clock()
        rate, worst = windows(backend.request_times, start, end)
        for sock in socks:
            drop(sock)
    finally:
        serve.stop()
        backend.stop_thread()
    violations = sum(backend.limiter.violations.values()) if backend.limiter else 0
    return f"  {count} tabs on one serve: {rate}, worst 10 s window {worst}, 429/403 breaches {violations}"


def is_app(process: psutil.Process) -> bool:
    """A tab's app process (not its shell, under stock textual-serve)."""
    try:
        return "sutazai_tui" in " ".join(process.cmdline())
    except psutil.Error:  # gone or a zombie already
        return False


def running(process: psutil.Process) -> bool:
    """Alive and not a zombie (a zombie is gone for good: only its exit status is left)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def close_times(stock: bool, rounds: int) -> list[float]:
    """Seconds from a tab's abrupt close to its app process being gone."""
    tmp = Path(tempfile.mkdtemp(prefix="budget-bench-close-"))
    serve = Serve(tmp, stock=stock)
    found: list[float] = []
    try:
        for _ in range(rounds):
            sock = serve.open_tab()
            deadline = time.monotonic() + 15
            while not serve.tabs() and time.monotonic() < deadline:
                time.sleep(0.02)
            apps = [p for p in serve.tabs() if is_app(p)]
            first_frame(sock, serve.pending)
            drop(sock)
            closed = time.monotonic()
            while any(running(p) for p in apps):
                if time.monotonic() - closed > 10:
                    break
                time.sleep(0.01)
            found.append(time.monotonic() - closed)
    finally:
        serve.stop()
    return found


def sigterm_figures(stock: bool) -> str:
    """SIGTERM to serve with two tabs open: seconds until serve is gone, tab processes left 3 s on."""
    tmp = Path(tempfile.mkdtemp(prefix="budget-bench-term-"))
    serve = Serve(tmp, stock=stock)
    try:
        socks = [serve.open_tab(), serve.open_tab()]
        first_frame(socks[-1], serve.pending)
        while len([p for p in serve.tabs() if is_app(p)]) < 2:
            time.sleep(0.05)
        sent = time.monotonic()
        serve.proc.send_signal(signal.SIGTERM)  # the serve this bench started
        try:
            serve.proc.wait(10)
            took = f"{time.monotonic() - sent:.2f} s"
        except subprocess.TimeoutExpired:
            took = "not within 10 s (then SIGKILL)"
            serve.proc.kill()
        time.sleep(3)
        left = [p for p in serve.seen.values() if running(p)]
        for sock in socks:
            sock.close()
    finally:
        serve.stop()
    return f"serve gone after {took}, processes left 3 s later: {len(left)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--close-only", action="store_true", help="only the tab-close timing")
    options = parser.parse_args()
    seconds = options.seconds
    if not options.close_only:
        print(f"requests seen by the backend (limit 10 per 10 s, budget 8), {seconds:g} s each, interval 1 s")
        for kind in ("monitor", "check"):
            for n in (1, 3, 10):
                for shared in (True, False):
                    print(run_viewers(kind, n, seconds, shared), flush=True)
        print(tabs_figures(10, seconds), flush=True)
    print("time from tab close to its process gone (5 tabs, seconds):")
    for stock in (False, True):
        times = close_times(stock, 5)
        label = "stock textual-serve (ref)" if stock else "sutazai-tui serve        "
        print(f"  {label}: median {statistics.median(times):.2f}, max {max(times):.2f}", flush=True)
    print("SIGTERM to serve with two tabs open:")
    for stock in (False, True):
        label = "stock textual-serve (ref)" if stock else "sutazai-tui serve        "
        print(f"  {label}: {sigterm_figures(stock)}", flush=True)


if __name__ == "__main__":
    main()
