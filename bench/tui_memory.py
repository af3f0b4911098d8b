"""Where the TUI's memory goes: RSS by mapping, malloc and pymalloc, imports by package, live data.

    python bench/tui_memory.py --existing PREFIX [--at 40 300] [--trace] [--interval 5]
                               [--group ours|inner] [--tree SRC] [--python PATH]

Runs the TUI of a source tree (`python -m sutazai_tui`, 160x48 pseudo-terminal) on running
containers whose names start with PREFIX and the simulated backend. At each `--at` second it asks
the TUI (a SIGUSR1 handler put in by a small wrapper; nothing of the product changed) for: RSS
split into the heap, anonymous maps (pymalloc's arenas, thread stacks) and the shared libraries;
glibc's malloc in use and free (mallinfo2); pymalloc's arenas, blocks in use and free. `--trace`
also runs it under tracemalloc (start-up several times slower, so ask later, e.g. `--at 150`; RSS
inflated by the tracing itself): the Python memory each imported package holds (what its modules
allocated while being imported, their own imports not counted), and what lives that no import
made, by the nearest line of ours. Measured for issue 31 at 100 containers: imports hold ~33 MiB
of Python objects, the running data ~9 MiB; malloc and pymalloc hold little free. `--interval 1`
fills the history ring (240) in 4 minutes (later on a loaded machine). With several `--at`
points and `--trace`, each point also lists the sites that grew since the one before; `--group
inner` names a site by its innermost Textual or sutazai_tui line and that line's caller (what
Textual holds, not just which of our calls led there). Prints figures; never part of the test run.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.soak_parts import rss_of
from bench.terminal import Terminal
from sutazai_tui.demo.backend import SimulatedBackend

ROOT = Path(__file__).resolve().parents[1]

# The wrapper: runs the TUI as `python -m sutazai_tui` would, answers SIGUSR1 with a JSON report.
WRAPPER = r"""
import ctypes, json, os, runpy, signal, sys, threading, tracemalloc
out = os.environ["H31_MEMORY_OUT"]
costs, stack = {}, []
if tracemalloc.is_tracing():
    import _frozen_importlib as boot
    load = boot._load_unlocked
    def measured(spec):
        stack.append([tracemalloc.get_traced_memory()[0], 0])
        try:
            return load(spec)
        finally:
            start, inner = stack.pop()
            total = tracemalloc.get_traced_memory()[0] - start
            costs[spec.name] = costs.get(spec.name, 0) + total - inner
            if stack:
                stack[-1][1] += total
    boot._load_unlocked = measured
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
def report(*_):
    found = {"threads": threading.active_count(), "modules": len(sys.modules)}
    libc = ctypes.CDLL(None)
    if hasattr(libc, "mallinfo2"):
        libc.mallinfo2.restype = Info
        info = libc.mallinfo2()
        found["malloc"] = {"in use": info.uordblks, "free": info.fordblks, "mmapped": info.hblkhd}
    fd = os.open(out + ".pymalloc", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    saved = os.dup(2)
    os.dup2(fd, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)
    caches = {}
    try:
        import functools, gc
        lru = functools._lru_cache_wrapper
        frozen = gc.get_freeze_count()
        gc.unfreeze()  # the TUI freezes what lives after its second cycle: list those objects too
        objects = gc.get_objects()
        if frozen:
            gc.freeze()
        for o in objects:
            kind = type(o)  # never isinstance: a lazy proxy answers __class__ by importing
            if kind is lru:
                info = o.cache_info()
                if info.currsize >= 64:
                    name = f"{getattr(o, '__module__', '?')}.{getattr(o, '__qualname__', '?')}"
                    caches[name] = [info.currsize, info.maxsize]
            elif kind.__name__ in ("LRUCache", "FIFOCache") and kind.__module__ == "textual.cache":
                name = f"textual {kind.__name__}({getattr(o, 'maxsize', None) or o._maxsize})"
                held = caches.setdefault(name, [0, 0])
                held[0] += len(o)
                held[1] += 1  # how many such caches
    except Exception as exc:  # a report, not a crash of the TUI
        caches = {f"error {exc!r}"[:200]: [0, 0]}
    found["caches"] = caches
    if tracemalloc.is_tracing():
        found["imports"] = costs
        sites = {}
        for trace in tracemalloc.take_snapshot().traces:
            frames = trace.traceback
            if any("importlib._bootstrap" in f.filename for f in frames):
                continue
            mode = os.environ.get("H31_MEMORY_GROUP", "ours")
            mark = ("sutazai_tui", "textual") if mode == "inner" else ("sutazai_tui",)
            hits = [f for f in reversed(frames) if any(m in f.filename for m in mark)] or [frames[-1]]
            named = [
                f.filename.split("site-packages/")[-1].split("sutazai_tui/")[-1] + f":{f.lineno}"
                for f in hits[: 2 if mode == "inner" else 1]  # inner: the line and its caller
            ]
            site = " < ".join(named)
            sites[site] = sites.get(site, 0) + trace.size
        found["live"] = sites
    with open(out + ".tmp", "w") as f:
        json.dump(found, f)
    os.replace(out + ".tmp", out)
signal.signal(signal.SIGUSR1, report)
sys.argv = ["sutazai_tui", *sys.argv[1:]]
runpy.run_module("sutazai_tui", run_name="__main__", alter_sys=True)
"""
MiB = 1024 * 1024


def mappings(pid: int) -> dict[str, float]:
    """RSS (MiB) of the heap, the anonymous maps and the shared libraries, from /proc/PID/smaps."""
    found: collections.Counter[str] = collections.Counter()
    name = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and "-" in parts[0] and not parts[0].endswith(":"):
            path = parts[5] if len(parts) > 5 else "[anon]"
            name = path if path.startswith("[") else "libraries and files"
        elif parts and parts[0] == "Rss:":
            found[name] += int(parts[1])
    return {k: v / 1024 for k, v in found.items()}


def pymalloc(text: str) -> dict[str, float]:
    """Arenas, blocks in use and free blocks (MiB) from sys._debugmallocstats' report."""
    wanted = {
        "# arenas allocated current": "arenas",
        "# bytes in allocated blocks": "in use",
        "# bytes in available blocks": "free",
    }
    found: dict[str, float] = {}
    for line in text.splitlines():
        for key, name in wanted.items():
            if line.startswith(key) and name not in found:
                found[name] = float(line.split("=")[-1].replace(",", ""))
    return found  # "arenas" is a count, the others bytes


def show(
    at: float,
    rss: float,
    maps: dict[str, float],
    found: dict[str, object],
    pym: dict[str, float],
    before: dict[str, int] | None = None,
) -> None:
    print(f"at {at:.0f} s: RSS {rss:.1f} MiB; threads {found['threads']}, modules {found['modules']}")
    biggest = sorted(((k, v) for k, v in maps.items() if v >= 0.05), key=lambda kv: -kv[1])
    print("  by mapping (MiB): " + ", ".join(f"{k} {v:.1f}" for k, v in biggest))
    malloc = found.get("malloc")
    if isinstance(malloc, dict):
        print("  malloc (MiB): " + ", ".join(f"{k} {v / MiB:.1f}" for k, v in malloc.items()))
    if pym:
        print(
            f"  pymalloc: {pym.get('arenas', 0):.0f} arenas, in use {pym.get('in use', 0) / MiB:.1f} MiB, "
            f"free {pym.get('free', 0) / MiB:.1f} MiB"
        )
    caches = found.get("caches")
    if isinstance(caches, dict):
        print(
            "  caches (entries/bound, or textual entries/instances): "
            + ", ".join(
                f"{k.split('site-packages/')[-1]} {v[0]}/{v[1]}"
                for k, v in sorted(caches.items(), key=lambda kv: -kv[1][0])
            )
        )
    imports, live = found.get("imports"), found.get("live")
    if isinstance(imports, dict) and isinstance(live, dict):
        packages: collections.Counter[str] = collections.Counter()
        for name, size in imports.items():
            parts = name.split(".")
            packages[".".join(parts[:2]) if parts[0] == "sutazai_tui" else parts[0]] += size
        print(f"  imports hold {sum(imports.values()) / MiB:.1f} MiB of Python objects; top packages:")
        print("    " + ", ".join(f"{k} {v / MiB:.2f}" for k, v in packages.most_common(16)))
        print(f"  live since start-up {sum(live.values()) / MiB:.1f} MiB; top sites:")
        for site, size in collections.Counter(live).most_common(12):
            print(f"    {size / MiB:6.2f} {site}")
        if before is not None:
            grown = collections.Counter({k: v - before.get(k, 0) for k, v in live.items()})
            total = sum(live.values()) - sum(before.values())
            print(f"  grown since the last point {total / 1024:.0f} KiB; top sites (KiB):")
            for site, size in grown.most_common(12):
                print(f"    {size / 1024:8.1f} {site}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--existing", required=True, help="the name prefix of running containers")
    parser.add_argument("--at", type=float, nargs="+", default=[40.0], help="seconds after launch")
    parser.add_argument("--trace", action="store_true", help="run under tracemalloc (imports, live data)")
    parser.add_argument(
        "--group",
        choices=["ours", "inner"],
        default="ours",
        help="live data by the outermost line of ours, or the innermost Textual/sutazai_tui line",
    )
    parser.add_argument("--tree", type=Path, default=ROOT, help="the source tree whose TUI runs")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--python", default=sys.executable, help="the interpreter (venv) the TUI runs in")
    args = parser.parse_args()
    backend = SimulatedBackend("healthy", rate_limit=False).start_thread()
    with tempfile.TemporaryDirectory(prefix="tui-memory-") as tmp:
        out = str(Path(tmp) / "report.json")
        wrapper = Path(tmp) / "wrapper.py"
        wrapper.write_text(WRAPPER)
        env = {**os.environ, "PYTHONPATH": str(args.tree.resolve()), "H31_MEMORY_OUT": out}
        env["H31_MEMORY_GROUP"] = args.group
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")  # no config file of the operator's
        argv = [args.python, *(["-X", "tracemalloc=25"] if args.trace else []), str(wrapper)]
        argv += [
            "--base-url",
            backend.url,
            "--interval",
            str(args.interval),
            "--container-prefix",
            args.existing,
        ]
        os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
        term = Terminal(argv, env, rows=48, cols=160)
        before: dict[str, int] | None = None
        try:
            for at in sorted(args.at):
                time.sleep(max(0.0, at - (time.monotonic() - term.started)))  # a timeline, not a settle wait
                rss, maps = rss_of(term.proc), mappings(term.proc.pid)
                os.kill(term.proc.pid, signal.SIGUSR1)
                deadline = time.monotonic() + 600  # a traced snapshot of ~40 MiB takes a while
                while not os.path.exists(out) and time.monotonic() < deadline:
                    time.sleep(0.2)
                if not os.path.exists(out):
                    sys.exit(f"no report from the TUI; its screen ends with: {bytes(term.output[-400:])!r}")
                found = json.loads(Path(out).read_text())
                os.remove(out)
                show(at, rss, maps, found, pymalloc(Path(out + ".pymalloc").read_text()), before)
                live = found.get("live")
                before = live if isinstance(live, dict) else None
        finally:
            term.close()
            backend.stop_thread()


if __name__ == "__main__":
    main()
