"""The TUI's floor: the RSS of the modules it loads before it holds a single figure, by package.

    python bench/import_floor.py [--seconds 15] [--python PATH] [--tree SRC]

Runs the demo TUI (`python -m sutazai_tui --demo`, 160x48 pseudo-terminal) and, after `--seconds`,
asks it (a wrapper's SIGUSR1 handler; nothing of the product changed) which modules it has
loaded. Then, in a fresh interpreter of the same venv, imports exactly those modules (the demo's
own left out) group by group and prints the RSS after each group: Textual and rich, the HTTP stack
(httpx, anyio, httpcore, h11, idna, certifi), psutil and platformdirs, pydantic, ours (whose
models build their pydantic schemas as they import), then what is left. The last line is the
floor: what the TUI weighs with no screen drawn and no data, beside its RSS running the demo.
Issue 31 measured it at 54 MiB against an RSS target of 60 (details in docs/operating.md, "What it
costs"). Prints figures; never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.terminal import Terminal

ROOT = Path(__file__).resolve().parents[1]

# Runs the TUI as `python -m sutazai_tui` would; SIGUSR1 writes the loaded modules' names.
WRAPPER = r"""
import os, runpy, signal, sys
def report(*_):
    with open(os.environ["FLOOR_OUT"] + ".tmp", "w") as f:
        f.write("\n".join(sorted(sys.modules)))
    os.replace(os.environ["FLOOR_OUT"] + ".tmp", os.environ["FLOOR_OUT"])
signal.signal(signal.SIGUSR1, report)
sys.argv = ["sutazai_tui", *sys.argv[1:]]
runpy.run_module("sutazai_tui", run_name="__main__", alter_sys=True)
"""

# Imports the listed modules group by group in a fresh interpreter; prints "group rss modules".
IMPORTER = r"""
import importlib, sys
import sutazai_tui  # first, as in the TUI: its __init__ keeps httpx's command-line client out
names = [n for n in open(sys.argv[1]).read().split() if not n.startswith("sutazai_tui.demo")]
groups = [
    ("Textual, rich", ("textual", "rich")),
    ("httpx, anyio, httpcore, h11, idna, certifi",
     ("httpx", "anyio", "httpcore", "h11", "idna", "certifi", "sniffio")),
    ("psutil, platformdirs", ("psutil", "platformdirs")),
    ("pydantic", ("pydantic", "pydantic_core", "annotated_types", "typing_inspection", "typing_extensions")),
    ("sutazai_tui (models build their schemas)", ("sutazai_tui",)),
    ("the rest (standard library)", None),
]
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
print("interpreter", rss(), len(sys.modules))
for label, tops in groups:
    for name in names:
        if tops is None or name.split(".")[0] in tops:
            try:
                importlib.import_module(name)
            except Exception:
                pass  # a module only its own loader can import (e.g. a platform's); not counted
    print(label, rss(), len(sys.modules))
"""


def loaded_modules(python: str, tree: Path, seconds: float, out: Path) -> tuple[list[str], float]:
    """The modules the demo TUI has loaded after `seconds`, and its RSS (MiB) then."""
    wrapper = out.with_suffix(".py")
    wrapper.write_text(WRAPPER)
    env = {**os.environ, "PYTHONPATH": str(tree), "FLOOR_OUT": str(out)}
    env["XDG_CONFIG_HOME"] = "/nonexistent-floor"  # no operator's config file in the measure
    term = Terminal([python, str(wrapper), "--demo"], env, rows=48, cols=160)
    try:
        term.wait_for("emergency", deadline_s=60)
        time.sleep(seconds)  # the measured age: the demo has run its cycles by then
        os.kill(term.proc.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 20
        while not out.exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the TUI did not answer SIGUSR1 within 20 s")
            time.sleep(0.05)  # another process writes the file: nothing to await
        status = Path(f"/proc/{term.proc.pid}/status").read_text()
        rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")) / 1024
        return out.read_text().split(), rss
    finally:
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="the demo's age when asked")
    parser.add_argument("--python", default=sys.executable, help="the interpreter (venv) both run in")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the source tree whose TUI runs")
    args = parser.parse_args()
    os.chdir("/")  # `python -m` puts the working directory first on sys.path: not a source tree
    with tempfile.TemporaryDirectory(prefix="import-floor-") as tmp:
        listing = Path(tmp) / "modules"
        names, running = loaded_modules(args.python, args.tree, args.seconds, listing)
        env = {**os.environ, "PYTHONPATH": str(args.tree)}
        lines = subprocess.run(
            [args.python, "-c", IMPORTER, str(listing)], env=env, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    print(f"The demo TUI after {args.seconds:.0f} s: {len(names)} modules loaded, RSS {running:.1f} MiB")
    print(f"{'imported, in a fresh interpreter':44} {'RSS MiB':>8} {'+MiB':>6} {'modules':>8}")
    before = 0.0
    for line in lines:
        label, rss, count = line.rsplit(" ", 2)
        delta = f"{float(rss) - before:+6.1f}" if before else ""
        print(f"{label:44} {float(rss):8.1f} {delta:>6} {count:>8}")
        before = float(rss)
    share = before / running
    print(f"floor (all imports, no screen, no data): {before:.1f} MiB = {share:.2f} of the running TUI")


if __name__ == "__main__":
    main()
