"""Benchmark: the TUI beside a bare Textual app (one Static), both in a real pseudo-terminal.

    python bench/tui.py [--quick] [--runs 5]

Measures, for each of the two programs:
- first frame: process start to the first frame on the terminal, with the backend hung
  (ours runs the real `sutazai-tui` console script: its BootScreen naming the backend), and when
  the Dashboard replaced it (settings read, heavy modules loaded, in a worker thread);
- RSS 10 s after start (ours with 30 simulated containers and a healthy backend);
- CPU % of one core between polls (interval 30 s; windows that hold no poll), and over the
  whole run including the polls; 60 s in a full run, 20 s with --quick;
- key to screen: press `?` while every endpoint hangs, time until the help is on screen.
Targets: first frame <= 1.15x the bare app's, RSS <= 60 MiB, idle CPU <= 0.3 %, key <= 100 ms.
Prints figures and ratios; never part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.terminal import Terminal
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend

BIN = Path(sys.executable).parent

BARE_APP = """
from textual.app import App
from textual.widgets import Static
class Bare(App):
    BINDINGS = [("question_mark", "help", "Help")]
    def compose(self):
        yield Static("bare-first-frame")
    def action_help(self):
        self.query_one(Static).update("Files shown")
Bare().run()
"""

OUR_DRIVER = """
import sys
from sutazai_tui.tui.factory import make_app
from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
url, count, interval, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
settings = Settings(base_url=url, interval=interval, timeout=timeout)
make_app(settings, demo_session(settings, SimulatedFleet(count=count))).run()
"""


def bare_argv() -> list[str]:
    return [sys.executable, "-c", BARE_APP]


def first_frames(runs: int, hung_url: str) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds from spawn to the first frame: bare, bare after the CLI's imports, ours; interleaved.

    Ours' first frame is the BootScreen naming the backend; the fourth list is when the Dashboard
    (its `emergency` panel) replaced it in the same run, the settings read and its modules loaded.
    """
    bare: list[float] = []
    bare_cli: list[float] = []
    ours: list[float] = []
    dashboard: list[float] = []
    marker = hung_url.removeprefix("http://")
    # Every sub-command pays for `sutazai_tui.cli.entry` before any screen exists.
    with_cli = [sys.executable, "-c", "import sutazai_tui.cli.entry\n" + BARE_APP]
    for _ in range(runs):
        for argv, text, out in (
            (bare_argv(), "bare-first-frame", bare),
            (with_cli, "bare-first-frame", bare_cli),
            ([str(BIN / "sutazai-tui"), "--base-url", hung_url, "--timeout", "5"], marker, ours),
        ):
            term = Terminal(argv)
            try:
                out.append(term.wait_for(text) - term.started)
                if out is ours:
                    dashboard.append(term.wait_for("emergency") - term.started)
            finally:
                term.close()
    return bare, bare_cli, ours, dashboard


def steady(
    argv: list[str], marker: str, seconds: float, windows: list[tuple[float, float]]
) -> dict[str, float]:
    """RSS at 10 s, CPU % over windows without polls, and over the whole run."""
    term = Terminal(argv)
    try:
        term.wait_for(marker)
        samples: dict[float, float] = {}
        rss = float("nan")
        points = sorted({0.5, 10.0, seconds, *(t for w in windows for t in w)})
        for point in points:
            time.sleep(max(0.0, term.started + point - time.monotonic()))  # a timeline, not a settle wait
            samples[point] = term.cpu_seconds()
            if point == 10.0:
                rss = term.rss_mib()
        idle = sum(samples[b] - samples[a] for a, b in windows) / sum(b - a for a, b in windows) * 100
        whole = (samples[seconds] - samples[0.5]) / (seconds - 0.5) * 100
        return {"rss": rss, "idle_cpu": idle, "cpu": whole}
    finally:
        term.close()


def key_latency(argv: list[str], marker: str, presses: int) -> list[float]:
    """Milliseconds from `?` to the help on screen (`Files`), escaping between presses."""
    term = Terminal(argv)
    found: list[float] = []
    try:
        term.wait_for(marker)
        time.sleep(1.0)  # let the first (hung) poll start: the keys must beat a poll in flight
        for _ in range(presses):
            since = term.mark()
            sent = time.monotonic()
            term.press(b"?")
            found.append((term.wait_for("Files", since) - sent) * 1000)
            term.press(b"\x1b")
            time.sleep(0.4)  # the escape key needs its own timeout before Textual reads it
    finally:
        term.close()
    return found


def main() -> int:
    """Run everything once and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20 s CPU run instead of 60 s")
    parser.add_argument("--runs", type=int, default=5, help="first-frame runs per program")
    args = parser.parse_args()
    hung = SimulatedBackend("incident", rate_limit=False)
    hung.forced_phase = answers.HANG
    hung.start_thread()
    healthy = SimulatedBackend("healthy").start_thread()
    seconds = 20.0 if args.quick else 60.0
    # polls at ~0.5 s and every 30 s after; windows keep 5 s clear of each
    windows = [(5.0, 15.0)] if args.quick else [(5.0, 25.0), (35.0, 55.0)]
    ours_driver = [sys.executable, "-c", OUR_DRIVER]
    try:
        bare_ff, cli_ff, ours_ff, dash_ff = first_frames(args.runs, hung.url)
        bare_s = steady(bare_argv(), "bare-first-frame", seconds, windows)
        ours_s = steady([*ours_driver, healthy.url, "30", "30", "5"], healthy.url[7:], seconds, windows)
        bare_k = key_latency(bare_argv(), "bare-first-frame", 5)
        ours_k = key_latency([*ours_driver, hung.url, "30", "2", "5"], hung.url[7:], 5)
    finally:
        hung.stop_thread()
        healthy.stop_thread()

    def row(name: str, bare: float, ours: float, unit: str, target: str) -> None:
        ratio = ours / bare if bare else float("inf")
        print(f"{name:<28} {bare:>10.3f} {ours:>10.3f} {unit:<5} {ratio:>6.2f}x  {target}")

    print(f"sutazai-tui TUI bench ({'quick' if args.quick else 'full'}: CPU over {seconds:.0f} s)")
    print(f"{'':<28} {'bare':>10} {'ours':>10}")
    row("first frame (median)", statistics.median(bare_ff), statistics.median(ours_ff), "s", "<= 1.15x")
    row("first frame (min)", min(bare_ff), min(ours_ff), "s", "")
    row("  floor incl. cli imports", statistics.median(cli_ff), statistics.median(ours_ff), "s", "ours/that")
    row(
        "  Dashboard replaces it",
        statistics.median(bare_ff),
        statistics.median(dash_ff),
        "s",
        "settings read",
    )
    row("RSS at 10 s (30 containers)", bare_s["rss"], ours_s["rss"], "MiB", "<= 60 MiB")
    row("CPU between polls", bare_s["idle_cpu"], ours_s["idle_cpu"], "%", "<= 0.3 %")
    row("CPU whole run incl. polls", bare_s["cpu"], ours_s["cpu"], "%", "")
    row("key ? -> help (median)", statistics.median(bare_k), statistics.median(ours_k), "ms", "<= 100 ms")
    row("key ? -> help (max)", max(bare_k), max(ours_k), "ms", "endpoints hung")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
