"""Wall time of `sutazai-tui check` against a healthy and a hung backend, beside Python's floors.

    python bench/check_cycle.py [--runs 5] [--timeout 2]

Prints medians and ratios to `python -c pass` and `python -c "import httpx"` measured in the
same run. The hung case must end within the deadline + 0.5 s.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import time

from sutazai_tui.demo.backend import SimulatedBackend


def timed(argv: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True)
    return time.perf_counter() - started, proc.returncode


def median_of(argv: list[str], runs: int) -> tuple[float, int]:
    results = [timed(argv) for _ in range(runs)]
    return statistics.median(t for t, _ in results), results[-1][1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()

    healthy = SimulatedBackend("healthy", rate_limit=False).start_thread()
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)
    hung_url = f"http://127.0.0.1:{hung.getsockname()[1]}"
    check = [sys.executable, "-m", "sutazai_tui", "check", "--no-containers", "--timeout", str(args.timeout)]
    try:
        floor, _ = median_of([sys.executable, "-c", "pass"], args.runs)
        httpx_floor, _ = median_of([sys.executable, "-c", "import httpx"], args.runs)
        ok, ok_code = median_of([*check, "--base-url", healthy.url], args.runs)
        bad, bad_code = median_of([*check, "--base-url", hung_url], args.runs)
    finally:
        healthy.stop_thread()
        hung.close()

    print(f"{'case':<34} {'median':>9} {'x pass':>8} {'x httpx':>8}  exit")
    rows = [
        ("python -c pass", floor, 0),
        ('python -c "import httpx"', httpx_floor, 0),
        ("check, healthy backend", ok, ok_code),
        (f"check, hung backend (timeout {args.timeout:g} s)", bad, bad_code),
    ]
    for name, value, code in rows:
        print(f"{name:<34} {value * 1000:>7.0f}ms {value / floor:>8.1f} {value / httpx_floor:>8.1f}  {code}")
    limit = args.timeout + 0.5
    verdict = "within" if bad <= limit else "OVER"
    print(f"hung case: {bad:.2f} s, {verdict} the deadline + 0.5 s ({limit:.1f} s)")


if __name__ == "__main__":
    main()
