"""The core never imports textual (nor the docker SDK at import time): headless use stays light."""

from __future__ import annotations

import json
import subprocess
import sys

CORE = [
    "sutazai_tui.config.settings",
    "sutazai_tui.models",
    "sutazai_tui.core.monitor",
    "sutazai_tui.core.history",
    "sutazai_tui.core.verdict",
    "sutazai_tui.cli.check",
    "sutazai_tui.cli.entry",
    "sutazai_tui.session.session",
    "sutazai_tui.sources.backend.client",
    "sutazai_tui.sources.host",
    "sutazai_tui.sources.backend.classify",
    "sutazai_tui.demo.backend",
]
OPTIONAL_CORE = [
    "sutazai_tui.sources.engine.source",
    "sutazai_tui.actions.policy",
    "sutazai_tui.actions.backends",
    "sutazai_tui.util.safefile",
    "sutazai_tui.actions.audit",
    "sutazai_tui.records.recorder",
    "sutazai_tui.records.recording",
    "sutazai_tui.records.incident",
    "sutazai_tui.records.report",
    "sutazai_tui.records.bundle",
    "sutazai_tui.diagnosis.run",
    "sutazai_tui.sources.engine.details",
    "sutazai_tui.core.alerts",
    "sutazai_tui.records.replayer",
    "sutazai_tui.config.targets",
]


# One interpreter for all modules: the libraries the core may use are imported once, then each module
# is imported in a fork of that interpreter, which reports what its import pulled in (a process per
# module paid pydantic's and httpx's import 27 times: 12-23 s).
PROBE = """
import json, os, sys
import httpx, psutil, pydantic  # allowed in the core: imported once, before the forks
import sutazai_tui.models, sutazai_tui.config.settings  # shared by all; a heavy import here fails all
for module in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        __import__(module)
        loaded = [m for m in sys.modules if m.split(".")[0] in ("textual", "docker")]
        os.write(write, json.dumps([module, loaded]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        print(answer.read())
    os.waitpid(pid, 0)
"""


def heavy_imports(modules: list[str]) -> dict[str, list[str]]:
    """module -> the textual/docker modules loaded once it was imported (in a clean fork each)."""
    argv = [sys.executable, "-c", PROBE, *modules]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    answers = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {module: loaded for module, loaded in answers}


def test_core_imports_no_textual_and_no_docker() -> None:
    import importlib.util

    modules = CORE + [m for m in OPTIONAL_CORE if importlib.util.find_spec(m) is not None]
    found = heavy_imports(modules)
    assert sorted(found) == sorted(modules)  # every module answered
    assert {m: loaded for m, loaded in found.items() if loaded} == {}


def test_the_probe_sees_a_heavy_import() -> None:
    assert heavy_imports(["sutazai_tui.tui.app"])["sutazai_tui.tui.app"] != []
