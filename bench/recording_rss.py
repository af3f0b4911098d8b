"""Benchmark: peak memory of `report` over a huge single-line recording (read as a stream).

    python bench/recording_rss.py [--gib 2] [--dir /tmp]

Writes a recording whose header is followed by one line of `--gib` GiB (no newline in it), runs
`sutazai-tui report` on it in a child process and prints the child's peak RSS (ru_maxrss) and
its exit code and one-line message. Before the streaming reader, 2 GB peaked at 4.2 GB.
Not part of the test run: it prints figures, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path


def write_huge(path: Path, gib: float) -> None:
    header = {"type": "header", "schema_version": 1, "target": "bench", "interval": 30}
    chunk = b"x" * (1 << 24)
    with path.open("wb") as out:
        out.write(json.dumps(header).encode() + b"\n")
        for _ in range(int(gib * 1024 / 16)):
            out.write(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gib", type=float, default=2.0)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "huge.jsonl"
        write_huge(path, args.gib)
        config = Path(tmp) / "c.toml"
        config.write_text(f'audit_log = "{tmp}/audit.jsonl"\n')
        proc = subprocess.run(
            [sys.executable, "-m", "sutazai_tui", "report", str(path), "--config", str(config)],
            capture_output=True,
            text=True,
        )
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        size = path.stat().st_size / (1 << 30)
    print(f"file {size:.2f} GiB, one line after the header")
    print(f"report: exit {proc.returncode}, said: {proc.stderr.strip()}")
    print(f"peak RSS of the report process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
