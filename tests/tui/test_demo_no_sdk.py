"""Booting the demo to its first cycle on screen never imports the docker SDK (nor requests):
its fleet is simulated (demo/factory.py). In a fresh interpreter, through the real boot path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ENGINE_SDK = ["docker", "requests", "urllib3", "charset_normalizer", "paramiko"]

DEMO_BOOT = """
import asyncio, json, sys
from sutazai_tui.config.settings import load_settings
from sutazai_tui.tui.factory import boot_app
from sutazai_tui.tui.launch import _prepare

async def main():
    cleanup = []
    def prepare():
        got = _prepare(lambda: load_settings(None), True, None, None)
        cleanup.extend(got.cleanup)
        return got
    app = boot_app(prepare, "demo")
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            for _ in range(600):  # the demo's first cycle on screen, or 30 s
                if app.built and app.dashboard.snapshot is not None:
                    break
                await pilot.pause(0.05)
            print("shown" if app.built and app.dashboard.snapshot is not None else "not shown")
    finally:
        for step in cleanup:
            step()
asyncio.run(main())
print(json.dumps(sorted(m for m in ENGINE_SDK if m in sys.modules)))
"""


@pytest.mark.slow
def test_booting_the_demo_to_its_first_cycle_never_imports_the_engine_sdk() -> None:
    probe = f"ENGINE_SDK = {ENGINE_SDK!r}\n{DEMO_BOOT}"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    lines = done.stdout.splitlines()
    assert lines[:-1] == ["shown"]
    assert json.loads(lines[-1]) == []
