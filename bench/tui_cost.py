"""What the TUI itself costs over the headless session: CPU % of a core and RSS, side by side.

    python bench/tui_cost.py [--containers 100] [--interval 5] [--seconds 60] [--compare SRC]

Starts N busybox `sleep` containers (`--network none`, removed at the end) and the simulated
backend, then runs at once, for the same window: a bare Textual app, the headless session
(bench/soak_session.py: what `exporter` runs) and the TUI (`python -m sutazai_tui`, 160x48
pseudo-terminal), all on the same containers. `--compare SRC` adds a second TUI run from another
source tree (e.g. `git archive main | tar -x -C /tmp/base`), so a change is measured against its
base in one run on a loaded machine. CPU is counted after a 20 s warm-up; RSS at the end. Each
program has a runtime folder, so a request budget, of its own (`alone`).
`--existing PREFIX` reuses running containers (not removed). Prints figures; never part of the
test run.
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from bench.soak_parts import end_in_terminal, in_terminal, rss_of
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
BARE = "from textual.app import App\nfrom textual.widgets import Static\n"
BARE += "class Bare(App):\n    def compose(self):\n        yield Static('bare')\nBare().run()\n"
WARM_S = 20.0
RUNS = Path(tempfile.mkdtemp(prefix="sutazai-bench-"))  # mode 0700: one runtime folder per program
atexit.register(shutil.rmtree, RUNS, True)


def alone(env: dict[str, str], name: str) -> dict[str, str]:
    """`env` with a runtime folder of this program's own, so a request budget of its own: the
    cost measured is one monitor's alone. On the host's one budget (shared by every monitor of a
    backend, as it should be) the measured programs share answers, so each asks less than it would
    alone, and before shared answers counted for two intervals the one refused flapped OK/UNKNOWN
    every cycle, an event and a redrawn event log each time (+1.1 % of a core to whichever lost
    the race: rounds swung 1.5-3 %)."""
    folder = RUNS / "".join(c if c.isalnum() else "-" for c in name)
    folder.mkdir(mode=0o700, exist_ok=True)
    return {**env, "XDG_RUNTIME_DIR": str(folder)}


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window after the warm-up")
    parser.add_argument("--compare", type=Path, help="another source tree's TUI, in the same run")
    parser.add_argument("--existing", help="use running containers with this name prefix")
    args = parser.parse_args()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    import docker

    client = docker.from_env(timeout=120)
    prefix = args.existing or f"sutazai-cost{secrets.token_hex(3)}-"
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent-h31"}
    flags = ["--base-url", backend.url, "--interval", str(args.interval), "--container-prefix", prefix]
    try:
        if not args.existing:
            create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        runs: dict[str, tuple[subprocess.Popen[bytes], int | None]] = {}
        bare, bare_master = in_terminal([sys.executable, "-c", BARE], env)
        runs["bare Textual app"] = (bare, bare_master)
        session_cmd = [sys.executable, str(ROOT / "bench" / "soak_session.py"), backend.url, prefix]
        headless = subprocess.Popen(
            [*session_cmd, str(args.interval)],
            env=alone(env, "headless"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runs["headless session"] = (headless, None)
        tui, master = in_terminal([sys.executable, "-m", "sutazai_tui", *flags], alone(env, "tui"))
        runs["TUI (this tree)"] = (tui, master)
        if args.compare:
            base_env = alone({**env, "PYTHONPATH": str(args.compare)}, "base")
            base, base_master = in_terminal([sys.executable, "-m", "sutazai_tui", *flags], base_env)
            runs[f"TUI ({args.compare})"] = (base, base_master)
        try:
            time.sleep(WARM_S)  # a timeline: the warm-up before the window, not a settle wait
            load0 = os.getloadavg()[0]
            t0, before = time.monotonic(), {k: cpu_s(p.pid) for k, (p, _) in runs.items()}
            time.sleep(args.seconds)
            t1, after = time.monotonic(), {k: cpu_s(p.pid) for k, (p, _) in runs.items()}
            rss = {k: rss_of(p) for k, (p, _) in runs.items()}
        finally:
            for proc, master_fd in runs.values():
                if master_fd is not None:
                    end_in_terminal(proc, master_fd)
                else:
                    proc.terminate()
                    proc.wait(10)
        print(
            f"{args.containers} containers, --interval {args.interval:g}, CPU over {args.seconds:.0f} s "
            f"after {WARM_S:.0f} s; load {load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        ref = "headless session"
        for name in runs:
            cpu = (after[name] - before[name]) / (t1 - t0) * 100
            ref_cpu = (after[ref] - before[ref]) / (t1 - t0) * 100
            print(
                f"  {name:<40} CPU {cpu:5.2f} % ({cpu - ref_cpu:+5.2f} vs headless)  "
                f"RSS {rss[name]:5.1f} MiB ({rss[name] - rss[ref]:+5.1f})"
            )
    finally:
        if not args.existing:
            remove(client, prefix)
        backend.stop_thread()


if __name__ == "__main__":
    main()
