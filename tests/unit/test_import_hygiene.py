"""The core never imports textual (nor the docker SDK at import time): headless use stays light."""

from __future__ import annotations

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


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_core_imports_no_textual_and_no_docker() -> None:
    import importlib.util

    modules = CORE + [m for m in OPTIONAL_CORE if importlib.util.find_spec(m) is not None]
    for module in modules:
        loaded = loaded_after_import(module)
        assert not any(m == "textual" or m.startswith("textual.") for m in loaded), module
        assert "docker" not in loaded, f"{module} imports the docker SDK at import time"
