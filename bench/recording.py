"""Benchmark: the size of a recording and the time to open it, for a 24-hour, 30-container day.

    python bench/recording.py [--containers 30] [--interval 30] [--hours 24] [--rounds 3]

Records `hours * 3600 / interval` cycles of realistic snapshots (64-hex ids, compose labels,
env names, changing CPU/memory/network figures) with `Recorder`, then prints:
  bytes per cycle (and what a plain `model_dump_json` line would take), the projected 24 h size,
  the write cost per cycle (fsync included), and the time to open the file with `read_recording`
  beside references measured in the same run: reading the bytes, and `json.loads` of every line.
Also: validating one frame (what replay pays per step) and validating all frames up front (what
lazy validation saves), and the time of `report` over the whole day.
Not part of the test run: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    HostStats,
    Snapshot,
    State,
)
from sutazai_tui.records.incident import diagnose_recording
from sutazai_tui.records.recorder import Recorder, read_recording
from sutazai_tui.records.report import build_report

START = datetime(2025, 8, 17, 0, 0, tzinfo=UTC)
ENV = ["PATH", "HOSTNAME", "LANG", "PYTHONUNBUFFERED", "SECRET_KEY", "JWT_SECRET", "DATABASE_URL"]
ENV += ["REDIS_URL", "OLLAMA_BASE_URL", "LOG_LEVEL", "TZ", "WORKERS", "PYTHON_VERSION", "GPG_KEY"]


def _hex(rng: random.Random, n: int = 64) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def fleet(n: int, rng: random.Random) -> list[ContainerStats]:
    """N containers as the Docker source reports them, static parts included."""
    out = []
    for i in range(n):
        service = f"svc{i:02d}"
        labels = {
            "com.docker.compose.config-hash": _hex(rng),
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "sutazai-postgres:service_healthy:false",
            "com.docker.compose.image": "sha256:" + _hex(rng),
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": "sutazai",
            "com.docker.compose.project.config_files": "/opt/sutazaiapp/docker-compose.yml",
            "com.docker.compose.project.working_dir": "/opt/sutazaiapp",
            "com.docker.compose.service": service,
            "com.docker.compose.version": "2.29.1",
        }
        image_id = "sha256:" + _hex(rng)
        out.append(
            ContainerStats(
                name=f"sutazai-{service}",
                id=_hex(rng),
                image=f"sutazaiapp-{service}:latest",
                image_id=image_id,
                tag_image_id=image_id,
                state="running",
                health="healthy" if i % 3 else None,
                restart_count=i % 4,
                started_at=START - timedelta(hours=5, seconds=i),
                mem_limit=2 * 1024**3,
                env_names=tuple(ENV[: 8 + i % 7]),
                labels=labels,
            )
        )
    return out


def snapshot(cycle: int, base: list[ContainerStats], interval: float, rng: random.Random) -> Snapshot:
    """One cycle with fresh figures (full-precision floats, growing counters)."""
    at = START + timedelta(seconds=interval * cycle)
    containers = tuple(
        c.model_copy(
            update={
                "cpu_percent": rng.uniform(0, 90),
                "mem_used": rng.randint(50, 1500) * 1024**2,
                "mem_percent": rng.uniform(1, 70),
                "net_rx": 10_000_000 + cycle * rng.randint(1000, 90000),
                "net_tx": 2_000_000 + cycle * rng.randint(1000, 20000),
                "blk_read": 50_000_000 + cycle * 4096,
                "blk_write": 9_000_000 + cycle * rng.randint(0, 65536),
                "pids": rng.randint(3, 60),
            }
        )
        for c in base
    )
    services = {"redis": "healthy", "database": "healthy", "http_ollama": "configured"}
    services |= {"http_agents": "configured", "http_external": "configured"}
    url = "http://127.0.0.1:10010"
    endpoints = (
        EndpointStatus(
            name="health",
            url=url + "/health",
            kind=EndpointKind.HEALTH,
            state=State.OK,
            reason="healthy, 5 services up",
            http_code=200,
            latency_ms=rng.uniform(5, 80),
            checked_at=at,
            status="healthy",
            services=services,
        ),
        EndpointStatus(
            name="emergency",
            url=url + "/health-emergency",
            kind=EndpointKind.EMERGENCY,
            state=State.OK,
            reason="normal build (404)",
            http_code=404,
            latency_ms=rng.uniform(2, 30),
            checked_at=at,
            status="absent",
        ),
        EndpointStatus(
            name="mcp",
            url=url + "/api/v1/mcp/status",
            kind=EndpointKind.MCP,
            state=State.OK,
            reason="operational, 18 services",
            http_code=200,
            latency_ms=rng.uniform(5, 60),
            checked_at=at,
            status="operational",
            details={"bridge_type": "MCPStdioBridge", "service_count": 18, "dind_status": "connected"},
        ),
    )
    host = HostStats(
        hostname="sutazai-prod-1",
        cpu_percent=rng.uniform(0, 100),
        cpu_count=16,
        load=(rng.uniform(0, 8), rng.uniform(0, 8), rng.uniform(0, 8)),
        mem_total=64 * 1024**3,
        mem_used=rng.randint(8, 60) * 1024**3,
        mem_percent=rng.uniform(10, 95),
        disk_total=10**12,
        disk_used=4 * 10**11,
        disk_percent=40.0,
        uptime_s=86400.0 * 12 + cycle * interval,
    )
    status = ContainersStatus(
        engine="unix:///var/run/docker.sock",
        state=State.OK,
        reason=f"{len(base)} running",
        containers=containers,
        checked_at=at,
        duration_ms=rng.uniform(200, 900),
    )
    return Snapshot(
        cycle=cycle,
        taken_at=at,
        duration_ms=rng.uniform(200, 1200),
        target=url,
        endpoints=endpoints,
        containers=status,
        host=host,
    )


def timed(fn: object, rounds: int) -> float:
    """Median seconds of `fn()` over `rounds` runs."""
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=30)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(6)
    cycles = int(args.hours * 3600 / args.interval)
    base = fleet(args.containers, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rec.jsonl"
        rec = Recorder(path, target="http://127.0.0.1:10010", interval=args.interval, max_bytes=1 << 40)
        write_times, plain = [], 0
        for cycle in range(1, cycles + 1):
            snap = snapshot(cycle, base, args.interval, rng)
            if cycle <= 50:
                plain += len(snap.model_dump_json()) + 1
            started = time.perf_counter()
            rec.record(snap)
            write_times.append(time.perf_counter() - started)
            if cycle == 1:
                first = rec.size
        rec.close()
        total = path.stat().st_size
        per_cycle = (total - first) / (cycles - 1)
        day = per_cycle * 86400 / args.interval + first
        print(f"{args.containers} containers, {cycles} cycles at {args.interval:g} s ({args.hours:g} h)")
        print(f"  bytes per cycle       {per_cycle:,.0f} (first cycle with header + static: {first:,})")
        print(f"  plain model_dump_json {plain / 50:,.0f} per cycle (what a naive line would take)")
        print(f"  24 h projected        {day / 1e6:.1f} MB (target <= 50 MB); file here {total / 1e6:.1f} MB")
        print(f"  record() per cycle    {statistics.median(write_times) * 1000:.2f} ms median (fsync incl.)")

        data = path.read_bytes()
        lines = data.split(b"\n")
        t_bytes = timed(path.read_bytes, args.rounds)
        t_json = timed(lambda: [json.loads(x) for x in lines if x], args.rounds)
        t_open = timed(lambda: read_recording(path), args.rounds)
        recording = read_recording(path)
        t_frame = timed(lambda: recording.frames[len(recording) // 2].load(), 20)
        t_all = timed(lambda: [f.load() for f in recording.frames], 1)
        print(f"open a {total / 1e6:.1f} MB recording ({len(recording)} frames):")
        print(f"  floor: read bytes     {t_bytes:.3f} s")
        print(f"  ref: json.loads       {t_json:.3f} s (every line, results kept)")
        print(f"  read_recording        {t_open:.3f} s (target <= 2 s)  = {t_open / t_json:.2f}x json.loads")
        print(f"  one frame validated   {t_frame * 1000:.2f} ms (what replay pays per step)")
        print(f"  all frames validated  {t_all:.2f} s (what lazy validation avoids at open)")
        full = read_recording(path, cache=None)
        started = time.perf_counter()
        findings = diagnose_recording(full, None, None, Settings())
        report = build_report(full, [], findings=findings)
        took = time.perf_counter() - started
        print(f"report of the whole recording: {took:.2f} s ({len(report):,} characters)")


if __name__ == "__main__":
    main()
