"""What a Prometheus scrape of `sutazai-tui exporter` costs, beside references measured in the same run.

    python bench/exporter.py [--scrapes 200] [--containers 100]

1. A real exporter process over the simulated backend: median wall time of GET /metrics and of
   GET /healthz (the same server's trivial page: the floor), and the backend requests the scrapes
   caused (must be 0: a scrape never polls).
2. In-process: rendering the metrics of one snapshot with N containers and 10 findings, beside
   `model_dump_json` of the same snapshot (what a recording writes per cycle).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

from prometheus_client import CollectorRegistry, generate_latest

from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.integrations.metrics import SutazaiCollector
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
)


def median_ms(url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=5) as resp:
            resp.read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def wait_first_cycle(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as resp:
            if b"sutazai_cycles_total" in resp.read():
                return
        time.sleep(0.1)  # polling for the first cycle, not a settle delay
    raise SystemExit("the exporter finished no cycle within 30 s")


def scrape_costs(scrapes: int) -> None:
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sutazai_tui", "exporter", "--no-containers", "--listen", "127.0.0.1:0",
         "--base-url", backend.url, "--interval", "3600"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        match = re.search(r"http://(127\.0\.0\.1:\d+)/metrics", proc.stderr.readline())
        assert match, "exporter did not start"
        base = f"http://{match.group(1)}"
        wait_first_cycle(base)
        before = sum(backend.requests.values())
        metrics = median_ms(f"{base}/metrics", scrapes)
        health = median_ms(f"{base}/healthz", scrapes)
        extra = sum(backend.requests.values()) - before
    finally:
        proc.terminate()
        proc.wait(10)
        backend.stop_thread()
    print(f"GET /metrics  median {metrics:6.2f} ms over {scrapes} scrapes")
    print(f"GET /healthz  median {health:6.2f} ms (reference: same server, trivial page)")
    print(f"ratio {metrics / health:.2f}x; backend requests caused by {2 * scrapes} scrapes: {extra}")


def big_snapshot(containers: int) -> tuple[Snapshot, list[Finding]]:
    endpoints = tuple(
        EndpointStatus(name=n, url=f"http://x/{n}", kind=EndpointKind.GENERIC, state=State.OK,
                       latency_ms=12.5, http_code=200)
        for n in ("health", "emergency", "mcp")
    )  # fmt: skip
    boxes = tuple(
        ContainerStats(name=f"sutazai-c{i:03d}", id=f"{i:012x}", state="running", restart_count=i % 4,
                       cpu_percent=3.5, mem_used=200 << 20, mem_limit=1 << 30)
        for i in range(containers)
    )  # fmt: skip
    findings = [
        Finding(
            id="restart-loop",
            severity="critical",
            subject=f"sutazai-c{i:03d}",
            title="t",
            evidence="e",
            fix="f",
        )
        for i in range(10)
    ]
    snap = Snapshot(
        endpoints=endpoints, containers=ContainersStatus(engine="x", state=State.OK, containers=boxes)
    )
    return snap, findings


def render_costs(containers: int, runs: int = 200) -> None:
    snap, findings = big_snapshot(containers)
    collector = SutazaiCollector("prod", 30.0)
    collector.observe(snap, findings)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    size = len(generate_latest(registry))

    def median(fn: object) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    render = median(lambda: generate_latest(registry))
    dump = median(snap.model_dump_json)
    print(f"render /metrics, {containers} containers + 10 findings: {render:6.2f} ms, {size} bytes")
    print(f"model_dump_json of the same snapshot (reference): {dump:6.2f} ms; ratio {render / dump:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--containers", type=int, default=100)
    args = parser.parse_args()
    scrape_costs(args.scrapes)
    render_costs(args.containers)


if __name__ == "__main__":
    main()
