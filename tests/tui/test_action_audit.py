"""The TUI when the audit cannot be written: nothing is done, and the operator is told in red.

Pilot over the simulated backend and fleet (tests/tui/test_action_keys.py's `build`), the audit log
in a folder anyone may write: the core refuses to write there, so it refuses to act.
"""

from __future__ import annotations

import os
from pathlib import Path

from sutazai_tui.demo.backend import SimulatedBackend
from tests.tui.test_action_keys import REDIS, build, open_confirm, start
from tests.tui_support import wait_until


async def test_no_audit_line_means_no_action_and_an_error_toast(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    app, fleet, _ = build(backend, tmp_path, audit_log=shared / "audit.jsonl")
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot, select=REDIS)
        await open_confirm(app, pilot, "x")
        await pilot.press("y")
        await wait_until(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        [error] = [n for n in app._notifications if n.severity == "error"]
        assert error.message.startswith(f"stop {REDIS}: refused — not acting: refusing folder {shared}")
        assert "writable by group or others" in error.message
    assert fleet.inspect(REDIS).state == "running"
    assert not (shared / "audit.jsonl").exists()
