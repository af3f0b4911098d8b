"""The core never imports textual (nor the docker SDK at import time): headless use stays light."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "sutazai_tui.config",
    "sutazai_tui.models",
    "sutazai_tui.monitor",
    "sutazai_tui.history",
    "sutazai_tui.verdict",
    "sutazai_tui.check",
    "sutazai_tui.cli",
    "sutazai_tui.sources.http",
    "sutazai_tui.sources.host",
    "sutazai_tui.sources.classify",
    "sutazai_tui.demo.backend",
]
OPTIONAL_CORE = [
    "sutazai_tui.sources.containers",
    "sutazai_tui.actions",
    "sutazai_tui.action_backends",
    "sutazai_tui.safefile",
    "sutazai_tui.audit",
    "sutazai_tui.recorder",
    "sutazai_tui.recording",
    "sutazai_tui.incident",
    "sutazai_tui.report",
    "sutazai_tui.bundle",
    "sutazai_tui.diagnostics",
    "sutazai_tui.container_details",
    "sutazai_tui.alerts",
    "sutazai_tui.replay",
    "sutazai_tui.config_targets",
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
