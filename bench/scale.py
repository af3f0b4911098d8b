"""The TUI at scale: N real containers, its cycle, CPU, RSS and key latency while cycles land.

    python bench/scale.py [--containers 100,500] [--interval 5] [--rounds 5] [--seconds 30]
                          [--presses 20] [--existing PREFIX] [--compare SRC]

Per fleet size (containers are added step by step: busybox `sleep`, `--network none`, created 16
at a time, all removed at the end, also on Ctrl-C or SIGTERM; `--existing` reuses running ones;
`--compare SRC` adds the TUI and check of another source tree, e.g. `git archive main | tar -x -C
/tmp/base`, on the same containers in the same run):
- cycle: one steady `DockerSource.poll()` (list, cached inspects, cgroup counters), and the
  session's whole cycle (Monitor: endpoints, host, containers; history, diagnosis), beside
  `docker stats --no-stream` over the same containers, alternating, medians and the ratio;
- check: `sutazai-tui check` (a process: imports, two CPU samples a second apart) beside the same CLI;
- the TUI (`python -m sutazai_tui`, 160x48 pseudo-terminal, `--interval`): CPU % of a core over
  `--seconds` after a warm-up, RSS at the end; then `j` pressed again and again (each waits for
  its answer: the next row drawn with the cursor's style) until at least `--presses` presses
  were sent while a cycle was in flight or landing (from `polling…` in the header to 1 s after
  it ended), with as many at other times; medians of both.
Targets (issue 31): key latency <= 50 ms median at 500 while a cycle lands, `j` <= 20 ms median
at 100, the 500-container cycle <= 0.1x `docker stats --no-stream`. The machine is shared: the
load is printed, compare within one run. Never part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.poll_cycle import IMAGE, remove, remove_on_sigterm, run_cli
from bench.terminal import Terminal, cursor_moved, cursor_style
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]
POLLING = "polling…".encode()
LANDING_S = 1.0  # after the header leaves `polling…`, the cycle's render may still be running


def create(client: Any, names: list[str]) -> None:
    """Start `sleep` containers with these names, 16 at a time."""

    def one(name: str) -> None:
        client.containers.run(IMAGE, ["sleep", "3600"], name=name, network_mode="none", detach=True)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, names))


async def timed(step: Callable[[], Awaitable[Any]]) -> tuple[float, float]:
    """Wall and process-CPU seconds of one awaited step."""
    cpu, started = time.process_time(), time.perf_counter()
    await step()
    return time.perf_counter() - started, time.process_time() - cpu


async def cycles(prefix: str, names: list[str], url: str, rounds: int) -> dict[str, list[float]]:
    """Our source's poll, the session's whole cycle and the CLI, alternating; wall (and CPU) seconds."""
    from sutazai_tui.config.settings import load_settings
    from sutazai_tui.session.session import Session
    from sutazai_tui.sources.engine.source import DockerSource

    source = DockerSource(prefix=prefix, timeout=60)
    settings = load_settings(None, base_url=url, container_prefix=prefix, timeout=5.0, interval=5.0)
    session = Session(settings)
    stream = session.cycles()

    async def poll() -> None:
        status = await source.poll()
        if len(status.containers) != len(names):
            raise SystemExit(f"poll saw {len(status.containers)} of {len(names)}: {status.reason}")

    async def whole() -> None:
        session.poll_now()
        await anext(stream)

    steps: dict[str, Callable[[], Awaitable[None]]] = {
        "poll": poll,
        "session": whole,
        "cli": lambda: run_cli(names),
    }
    found: dict[str, list[float]] = {}
    try:
        for step in steps.values():  # warm-up: imports, pools, the first inspects and CPU samples
            await step()
            await step()
        for r in range(rounds):
            for name in list(steps) if r % 2 == 0 else list(steps)[::-1]:
                await asyncio.sleep(1.5)  # the engine's stats loop idle, as a 5 s poll finds it
                wall, cpu = await timed(steps[name])
                found.setdefault(name, []).append(wall)
                found.setdefault(f"{name} cpu", []).append(cpu)
    finally:
        await stream.aclose()
        await session.close()
        await source.close()
    return found


def checks(
    prefix: str, names: list[str], url: str, rounds: int, env: dict[str, str]
) -> dict[str, list[float]]:
    """`sutazai-tui check` and `docker stats --no-stream`, alternating; wall seconds."""
    check = [sys.executable, "-m", "sutazai_tui", "check", "--base-url", url, "--container-prefix", prefix]
    cli = ["docker", "stats", "--no-stream", *names]
    found: dict[str, list[float]] = {}
    for r in range(rounds):
        order = [("check", check), ("cli", cli)]
        for name, argv in order if r % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            found.setdefault(name, []).append(time.perf_counter() - started)
    return found


def in_cycle(term: Terminal, sent: float) -> bool:
    """Whether a key was sent while a cycle ran or landed (header `polling…` to LANDING_S after)."""
    with term.lock:
        starts = [m.start() for m in re.finditer(re.escape(POLLING), term.output)]
    for start in starts:
        began = term.arrival(start)
        ended = term.find(b"next ", start, 0.0)
        until = term.arrival(ended[1]) + LANDING_S if ended else float("inf")
        if began <= sent <= until:
            return True
    return False


def key_latency(
    term: Terminal, names: list[str], presses: int, between_only: bool = False
) -> tuple[list[float], list[float]]:
    """Milliseconds from `j` to another row drawn under the cursor: (during cycles, between them);
    at least `presses` of each (of the second only with `between_only`), for at most 5 minutes."""
    known = {n.encode() for n in names}
    style, current = cursor_style(term, known)
    during: list[float] = []
    between: list[float] = []
    moves, deadline = 0, time.monotonic() + 300
    wanted = 0 if between_only else presses
    while (len(during) < wanted or len(between) < presses) and time.monotonic() < deadline:
        if moves >= 40:  # back to the top now and then (a few screens down is enough)
            since = term.mark()
            term.press(b"g")
            back = cursor_moved(term, style, known, current, since)
            current, moves = (back[1] if back else current), 0
        since, sent = term.mark(), time.monotonic()
        term.press(b"j")
        seen = cursor_moved(term, style, known, current, since)
        if seen is None:
            raise SystemExit(f"the cursor never left {current.decode()}: {term.tail()}")
        current, moves = seen[1], moves + 1
        (during if in_cycle(term, sent) else between).append((seen[0] - sent) * 1000)
        time.sleep(random.uniform(0.05, 0.25))  # keys at human pace, at every phase of the cycle
    return during, between


def tui(
    prefix: str, names: list[str], url: str, args: argparse.Namespace, env: dict[str, str]
) -> dict[str, Any]:
    """The TUI on these containers: first list, CPU and RSS over a window, key latency."""
    argv = [sys.executable, "-m", "sutazai_tui", "--base-url", url, "--interval", str(args.interval)]
    term = Terminal([*argv, "--container-prefix", prefix], env, rows=48, cols=160)
    try:
        listed = term.wait_for(names[0], deadline_s=60) - term.started
        time.sleep(max(0.0, term.started + max(15.0, 3 * args.interval) - time.monotonic()))  # warm-up
        t0, c0 = time.monotonic(), term.cpu_seconds()
        time.sleep(args.seconds)
        cpu = (term.cpu_seconds() - c0) / (time.monotonic() - t0) * 100
        rss = term.rss_mib()
        during, between = key_latency(term, names, args.presses)
        if term.proc.poll() is not None:
            raise SystemExit(f"the TUI ended: {term.tail()}")
    finally:
        term.close()
    return {"listed": listed, "cpu": cpu, "rss": rss, "during": during, "between": between}


def report(n: int, cyc: dict[str, list[float]], chk: dict[str, list[float]], t: dict[str, Any]) -> None:
    """One fleet size's figures, with the same-run references and ratios."""
    med = statistics.median
    cli = med(cyc["cli"])
    print(f"\n{n} containers (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  docker stats --no-stream        {cli:7.3f} s   (reference)")
    for key, label in (("poll", "DockerSource.poll()"), ("session", "session cycle (whole)")):
        wall, cpu = med(cyc[key]), med(cyc[f"{key} cpu"]) * 1000
        print(f"  {label:<30} {wall:7.3f} s   {wall / cli:5.3f}x the CLI   client CPU {cpu:6.0f} ms")
    report_tui(chk, t)


def report_tui(chk: dict[str, list[float]], t: dict[str, Any]) -> None:
    """The check and TUI lines of one tree."""
    med = statistics.median
    ck, ccli = med(chk["check"]), med(chk["cli"])
    print(f"  {'sutazai-tui check':<30} {ck:7.3f} s   {ck / ccli:5.3f}x the CLI ({ccli:.3f} s, same run)")
    listed, cpu, rss = t["listed"], t["cpu"], t["rss"]
    print(f"  TUI: list on screen {listed:.2f} s; CPU {cpu:.2f} % of a core; RSS {rss:.1f} MiB")
    for key, label in (("during", "while a cycle lands"), ("between", "between cycles")):
        got = sorted(t[key])
        if got:
            p90 = got[int(0.9 * (len(got) - 1))]
            print(
                f"  j -> cursor moved, {label:<20} median {med(got):6.1f} ms  p90 {p90:6.1f}  "
                f"max {got[-1]:6.1f}  (n={len(got)})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", default="100,500", help="fleet sizes, comma-separated")
    parser.add_argument("--interval", type=float, default=5.0, help="the TUI's --interval")
    parser.add_argument("--rounds", type=int, default=5, help="timed cycles and checks per size")
    parser.add_argument("--seconds", type=float, default=30.0, help="the TUI's CPU window")
    parser.add_argument("--presses", type=int, default=20, help="`j` presses during cycles (and between)")
    parser.add_argument("--existing", help="use the running containers with this name prefix")
    parser.add_argument("--compare", type=Path, help="another source tree's TUI and check, same run")
    args = parser.parse_args()
    remove_on_sigterm()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    import docker

    client = docker.from_env(timeout=120)
    prefix = args.existing or f"h31s-{secrets.token_hex(2)}-"
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CONFIG_HOME": "/nonexistent-scale-bench"}
    try:
        names: list[str] = []
        for n in sorted({int(x) for x in args.containers.split(",")}):
            if args.existing:
                rows = client.api.containers(filters={"name": prefix})
                names = sorted(r["Names"][0].lstrip("/") for r in rows)[:n]
            else:
                started = time.monotonic()
                fresh = [f"{prefix}{i:03d}" for i in range(len(names), n)]
                create(client, fresh)
                names += fresh
                took = time.monotonic() - started
                print(f"created {len(fresh)} in {took:.0f} s", file=sys.stderr, flush=True)
            cyc = asyncio.run(cycles(prefix, names, backend.url, args.rounds))
            chk = checks(prefix, names, backend.url, max(3, args.rounds // 2), env)
            report(n, cyc, chk, tui(prefix, names, backend.url, args, env))
            if args.compare:  # the TUI and check of another tree (e.g. main), on the same containers
                base = {**env, "PYTHONPATH": str(args.compare)}
                t = tui(prefix, names, backend.url, args, base)
                base_chk = checks(prefix, names, backend.url, max(3, args.rounds // 2), base)
                print(f"  -- {args.compare}, same containers, same run:")
                report_tui(base_chk, t)
    finally:
        if not args.existing:
            remove(client, prefix)
        backend.stop_thread()


if __name__ == "__main__":
    main()
