"""What the log evidence costs per cycle, on the real engine, beside the engine's own floors.

    python bench/log_evidence.py [--lines 50000] [--runs 5]

A busybox container writes its mode line, then (6 s later, past the first start-up window)
`--lines` access lines and one Redis error, and sleeps. Measured, medians of `--runs`:
- fresh: the first read of a container (start-up window + newest lines, matched, redacted);
- steady: a later cycle with no new lines (one `since` request, nothing matched);
- floor: `docker logs --tail 2000` of the same container (the CLI, for reference) and the
  engine read alone (DockerDetails.logs, tail 2000, no matching);
- match: the matcher over 2,000 lines, beside a loop that only strips them (Python's floor).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import subprocess
import time
from collections.abc import Callable

import docker

from sutazai_tui.models import ContainerStats
from sutazai_tui.sources.engine.details import DockerDetails, LogLine
from sutazai_tui.sources.engine.log_evidence import TAIL, LogWatcher, Matcher
from sutazai_tui.sources.engine.source import DockerSource
from sutazai_tui.util.redact import Redactor

IMAGE = "sutazai-test/busybox:latest"


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    client = docker.from_env()
    prefix = f"sutazai-t{secrets.token_hex(3)}-"
    script = (
        # Start-up takes 6 s (the mode line comes at its end), then the flood of access lines.
        "echo 'app.main - INFO - Backend started in normal mode'; sleep 6; "
        f'i=0; while [ $i -lt {args.lines} ]; do echo "uvicorn.access - INFO - GET /health 200 $i"; '
        "i=$((i+1)); done; echo '❌ Failed to connect to Redis: Error 111'; echo done; sleep 600"
    )
    box = client.containers.run(
        IMAGE, ["sh", "-c", script], name=prefix + "backend", network_mode="none", detach=True
    )
    try:
        while b"done" not in box.logs(tail=1):
            time.sleep(0.2)  # waiting for the container to finish writing, not a measurement
        source = DockerSource(prefix=prefix)
        status = asyncio.run(source.poll())
        (c,) = status.containers
        details = DockerDetails()

        def fresh() -> object:
            return asyncio.run(LogWatcher(details).read([c]))

        watcher = LogWatcher(details)
        asyncio.run(watcher.read([c]))

        def steady() -> object:
            return asyncio.run(watcher.read([c]))

        cli = ["docker", "logs", "--tail", str(TAIL), box.name]
        lines = [LogLine(k, f"uvicorn.access - INFO - GET /health 200 {k}") for k in range(TAIL)]

        def match() -> object:
            m = Matcher(Redactor())
            m.feed(lines)
            return m.last

        def strip() -> object:
            return [x.text.rstrip() for x in lines]

        rows: list[tuple[str, float]] = [
            ("fresh read + match (head window + tail)", median_ms(fresh, args.runs)),
            ("steady cycle, no new lines", median_ms(steady, args.runs)),
            (
                "floor: engine read, tail 2000, no matching",
                median_ms(lambda: details.logs(c.name, TAIL), args.runs),
            ),
            (
                "floor: `docker logs --tail 2000` (CLI)",
                median_ms(lambda: subprocess.run(cli, capture_output=True), args.runs),
            ),
            ("matcher over 2000 lines", median_ms(match, args.runs)),
            ("floor: strip 2000 lines", median_ms(strip, args.runs)),
        ]
        evidence = asyncio.run(LogWatcher(details).read([c]))[0]
        kept = [m.signature for m in evidence.matches]
        print(f"container log: {args.lines + 3} lines; evidence kept {len(kept)} matched lines: {kept}")
        for name, ms in rows:
            print(f"{name:<46} {ms:9.1f} ms")
        asyncio.run(source.close())
        details.close()
        assert isinstance(c, ContainerStats)
    finally:
        box.remove(force=True)


if __name__ == "__main__":
    main()
