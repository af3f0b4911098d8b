"""The TUI's own weight against its references, in one run: RSS, CPU % of a core, Dashboard first frame.

    python bench/tui_weight.py [--containers 100] [--interval 5] [--rounds 3] [--seconds 40]
                               [--warm 20] [--frames 5] [--compare SRC] [--existing PREFIX]
                               [--python PATH]

Starts N busybox `sleep` containers (`--network none`, a prefix of this run's own, removed at the
end; `--existing PREFIX` reuses running ones) and the simulated backend. Each round runs at once,
for the same window: a bare Textual app (one Static), the headless session (bench/soak_session.py:
what `exporter` runs), the TUI of this tree (`python -m sutazai_tui`, 160x48 pseudo-terminal) and,
with `--compare SRC`, the TUI of another source tree (e.g. `git archive main | tar -x -C /tmp/base`).
CPU is counted over `--seconds` after a `--warm` warm-up (20 s; 1220 s at `--interval 5` fills
the history ring of 240 cycles), RSS at the end of the window; each program
has a request budget of its own (bench/tui_cost.py: `alone`). Then
`--frames` launches of each, interleaved: the bare app's first frame, and the time until the
Dashboard (its `emergency` panel) is on screen with the backend hung, so only our own start counts.
Prints medians over the rounds and the ratios the targets are stated in (issue 31: TUI RSS <= 60
MiB, CPU <= 2 % of a core, Dashboard <= 1.5x the bare app's first frame). `--python` runs every
program in another venv, e.g. one with only the dependencies a user's install has: a dev venv also
holds click, with which httpx would load its command-line client. Each tree's bytecode is written
first (`compiled`), as an install has it. On a shared machine only ratios within one run mean
anything. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from bench.soak_parts import rss_of
from bench.terminal import Terminal
from bench.tui import BARE_APP
from bench.tui_cost import BARE, WARM_S, alone, cpu_s
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]
BARE_NAME, HEADLESS = "bare Textual app", "headless session"


def one_round(
    args: argparse.Namespace, trees: dict[str, Path], url: str, prefix: str
) -> dict[str, tuple[float, float]]:
    """(CPU %, RSS MiB) of each program over one common window."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent-h31"}
    flags = ["--base-url", url, "--interval", str(args.interval), "--container-prefix", prefix]
    # The TUIs and the bare app on 160x48 pseudo-terminals (bench/terminal.py); the headless
    # session needs none.
    terms: dict[str, Terminal] = {BARE_NAME: Terminal([args.python, "-c", BARE], env, rows=48, cols=160)}
    session = [args.python, str(ROOT / "bench" / "soak_session.py"), url, prefix, str(args.interval)]
    headless = subprocess.Popen(
        session, env=alone(env, HEADLESS), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for name, tree in trees.items():
        argv = [args.python, "-m", "sutazai_tui", *flags]
        # Each its own request budget (bench/tui_cost.py: alone): on one, they starve each other.
        terms[name] = Terminal(argv, alone({**env, "PYTHONPATH": str(tree)}, name), rows=48, cols=160)
    procs = {HEADLESS: headless, **{name: term.proc for name, term in terms.items()}}
    try:
        time.sleep(args.warm)  # a timeline: the warm-up before the window, not a settle wait
        t0, before = time.monotonic(), {k: cpu_s(p.pid) for k, p in procs.items()}
        time.sleep(args.seconds)
        t1, after = time.monotonic(), {k: cpu_s(p.pid) for k, p in procs.items()}
        return {k: ((after[k] - before[k]) / (t1 - t0) * 100, rss_of(p)) for k, p in procs.items()}
    finally:
        for term in terms.values():
            term.close()
        headless.terminate()
        headless.wait(10)


def first_frames(frames: int, trees: dict[str, Path], hung_url: str, python: str) -> dict[str, list[float]]:
    """Seconds from spawn to the bare app's first frame, and to each tree's Dashboard; interleaved."""
    found: dict[str, list[float]] = {BARE_NAME: [], **{name: [] for name in trees}}
    for _ in range(frames):
        term = Terminal([python, "-c", BARE_APP])
        try:
            found[BARE_NAME].append(term.wait_for("bare-first-frame") - term.started)
        finally:
            term.close()
        for name, tree in trees.items():
            argv = [python, "-m", "sutazai_tui", "--base-url", hung_url, "--timeout", "5"]
            term = Terminal(argv, {**os.environ, "PYTHONPATH": str(tree)})
            try:
                found[name].append(term.wait_for("emergency") - term.started)
            finally:
                term.close()
    return found


def compiled(tree: Path) -> None:
    """Write the tree's bytecode, as `pip install` does: with PYTHONDONTWRITEBYTECODE set (this
    machine sets it) every start compiled each of our modules again, ~0.1 s before the Dashboard
    that a user's install never pays and a bare Textual app (compiled in site-packages) never did."""
    import compileall

    compileall.compile_dir(tree / "sutazai_tui", quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3, help="RSS/CPU rounds (medians printed)")
    parser.add_argument("--seconds", type=float, default=40.0, help="CPU window per round, after the warm-up")
    parser.add_argument(
        "--warm", type=float, default=WARM_S, help="seconds before the window (1220 at 5 s: the ring full)"
    )
    parser.add_argument("--frames", type=int, default=5, help="first-frame launches per program")
    parser.add_argument("--compare", type=Path, help="another source tree's TUI, in the same run")
    parser.add_argument("--existing", help="use running containers with this name prefix")
    parser.add_argument(
        "--python", default=sys.executable, help="the interpreter (venv) every program runs in"
    )
    args = parser.parse_args()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    import docker

    client = docker.from_env(timeout=120)
    prefix = args.existing or f"sutazai-weight{secrets.token_hex(3)}-"
    trees = {"TUI (this tree)": ROOT}
    if args.compare:
        trees[f"TUI ({args.compare})"] = args.compare.resolve()
    for tree in trees.values():
        compiled(tree)
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    hung = SimulatedBackend("incident", rate_limit=False)
    hung.forced_phase = answers.HANG
    hung.start_thread()
    load0 = os.getloadavg()[0]
    try:
        if not args.existing:
            create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        rounds = [one_round(args, trees, backend.url, prefix) for _ in range(args.rounds)]
        frames = first_frames(args.frames, trees, hung.url, args.python)
    finally:
        if not args.existing:
            remove(client, prefix)
        backend.stop_thread()
        hung.stop_thread()

    def med(name: str, i: int) -> float:
        return statistics.median(r[name][i] for r in rounds)

    print(
        f"{args.containers} containers, --interval {args.interval:g}; "
        f"{args.rounds} rounds of {args.seconds:.0f} s after {args.warm:.0f} s; "
        f"load {load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    bare_ff = statistics.median(frames[BARE_NAME])
    print(
        f"  {'':<34} {'CPU %':>6} {'vs headless':>11} {'RSS MiB':>8} {'vs headless':>11} {'first frame':>12}"
    )
    for name in (BARE_NAME, HEADLESS, *trees):
        cpu, rss = med(name, 0), med(name, 1)
        line = f"  {name[:34]:<34} {cpu:6.2f} {cpu - med(HEADLESS, 0):+11.2f} "
        line += f"{rss:8.1f} {rss - med(HEADLESS, 1):+11.1f}"
        if name in frames:
            ff = statistics.median(frames[name])
            line += f" {ff:8.3f} s" + (f" {ff / bare_ff:4.2f}x bare" if name != BARE_NAME else "")
        print(line)
    print(
        "  per round (CPU %, RSS MiB): "
        + "; ".join(", ".join(f"{name} {r[name][0]:.2f}/{r[name][1]:.1f}" for name in r) for r in rounds)
    )
    print("  targets: TUI RSS <= 60 MiB, TUI CPU <= 2 %, Dashboard <= 1.5x the bare app's first frame")


if __name__ == "__main__":
    main()
