"""The TUI's memory with its history ring full: N real containers, `--interval 1`, RSS over time.

    python bench/tui_ring.py [--containers 100] [--seconds 300] [--python PATH]

Starts N busybox `sleep` containers (`--network none`, removed at the end) and the simulated
backend, runs `python -m sutazai_tui` in a 160x48 pseudo-terminal at `--interval 1` (history 240:
the ring is full after 240 cycles) and prints its RSS every 30 s, beside a bare Textual app's RSS
in the same run. `--python` runs both in another venv (e.g. a user's install without dev tools).
Prints figures; never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from bench.soak_parts import end_in_terminal, in_terminal, rss_of
from sutazai_tui.demo.backend import SimulatedBackend

BARE = "from textual.app import App\nfrom textual.widgets import Static\n"
BARE += "class Bare(App):\n    def compose(self):\n        yield Static('bare')\nBare().run()\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--python", default=sys.executable, help="the interpreter (venv) to run both in")
    args = parser.parse_args()
    import docker

    client = docker.from_env(timeout=60)
    prefix = f"sutazai-ring{secrets.token_hex(3)}-"
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        bare, bare_master = in_terminal([args.python, "-c", BARE], env)
        cmd = [args.python, "-m", "sutazai_tui", "--base-url", backend.url, "--interval", "1"]
        tui, master = in_terminal([*cmd, "--container-prefix", prefix], env)
        start = time.monotonic()
        try:
            print(f"{args.containers} containers, --interval 1, history 240 (full after ~240 s)")
            at = 30.0
            while at <= args.seconds:
                time.sleep(max(0.0, start + at - time.monotonic()))  # a timeline, not a settle wait
                print(
                    f"  +{at:4.0f} s: TUI RSS {rss_of(tui):.1f} MiB; bare Textual app {rss_of(bare):.1f} MiB",
                    flush=True,
                )
                at += 30.0
        finally:
            end_in_terminal(tui, master)
            end_in_terminal(bare, bare_master)
    finally:
        remove(client, prefix)
        backend.stop_thread()


if __name__ == "__main__":
    main()
