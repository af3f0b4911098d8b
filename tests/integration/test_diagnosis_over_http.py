"""Diagnosis over real HTTP: the real `Monitor` against the simulated backend on 127.0.0.1, and
`check --json`; each finding within a cycle of its cause, gone when the cause is (the detectors on
hand-built snapshots: tests/unit/test_diagnosis_detectors.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from io import StringIO
from pathlib import Path
from typing import Any

from sutazai_tui.cli.check import run_check
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import Finding
from tests.builders import ids, only
from tests.conftest import ANSWER_TIMEOUT, settings_for

HUNG, REFUSED = "timeout-connected", "refused"


def _settings(url: str, tmp_path: Path, **kw: Any) -> Settings:
    # The simulated backend runs without its rate limiter here, so lift the client budget too:
    # these tests are about diagnosis, not pacing.
    return settings_for(url, tmp_path, timeout=ANSWER_TIMEOUT, interval=1, request_budget=1000, **kw)


async def _cycle(monitor: Monitor) -> list[Finding]:
    monitor.history.add(await monitor.cycle())
    return diagnose(monitor.history, monitor.settings)


async def test_hung_backend_over_http_is_a_startup_hang(backend: SimulatedBackend, tmp_path: Path) -> None:
    backend.forced_phase = "hang"
    monitor = Monitor(_settings(backend.url, tmp_path))
    try:
        assert "startup-hang" not in ids(await _cycle(monitor))
        assert monitor.history.snapshots[-1].endpoint("health").failure == HUNG  # type: ignore[union-attr]
        found = only(await _cycle(monitor), "startup-hang")
        assert f"(timeout {ANSWER_TIMEOUT:g} s) — 2 consecutive cycles" in found.evidence
        backend.forced_phase = "recovered"
        assert not await _cycle(monitor)
    finally:
        await monitor.close()


async def test_refused_backend_over_http_is_not_a_hang(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monitor = Monitor(_settings(f"http://127.0.0.1:{port}", tmp_path))
    try:
        for _ in range(3):
            found = await _cycle(monitor)
        assert monitor.history.snapshots[-1].endpoint("health").failure == REFUSED  # type: ignore[union-attr]
        assert "startup-hang" not in ids(found)
    finally:
        await monitor.close()


async def test_emergency_build_over_http(backend: SimulatedBackend, tmp_path: Path) -> None:
    backend.forced_phase = "emergency"
    monitor = Monitor(_settings(backend.url, tmp_path))
    try:
        found = only(await _cycle(monitor), "emergency-build")
        assert found.severity == "info" and "mode from the log: unknown" in found.title  # no engine here
        backend.forced_phase = "recovered"
        assert "emergency-build" not in ids(await _cycle(monitor))
    finally:
        await monitor.close()


async def test_stuck_initializing_over_http_within_one_cycle(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    backend.forced_phase = "initializing"
    limit = 0.5
    monitor = Monitor(_settings(backend.url, tmp_path, stuck_initializing=limit))
    try:
        found = await _cycle(monitor)
        first = monitor.history.snapshots[0].endpoint("health")
        assert first is not None and first.services["database"] == "initializing" and first.checked_at
        deadline = time.monotonic() + 10
        while "stuck-initializing" not in ids(found):
            # Until the limit has passed by the cycles' own clock, no finding may appear.
            assert (monitor.history.snapshots[-1].taken_at - first.checked_at).total_seconds() <= limit
            assert time.monotonic() < deadline, "stuck-initializing never appeared"
            await asyncio.sleep(0.1)  # the poll interval of this loop, not a settle delay
            found = await _cycle(monitor)
        # It appeared in the first cycle past the limit: within one cycle of its cause.
        previous = monitor.history.snapshots[-2].taken_at
        assert (previous - first.checked_at).total_seconds() <= limit
        assert "database" in only(found, "stuck-initializing").title
        backend.forced_phase = "recovered"
        assert "stuck-initializing" not in ids(await _cycle(monitor))
    finally:
        await monitor.close()


async def test_check_json_lists_findings_and_fails(backend: SimulatedBackend, tmp_path: Path) -> None:
    backend.forced_phase = "emergency"
    out = StringIO()
    code = await run_check(_settings(backend.url, tmp_path), as_json=True, out=out)
    document = json.loads(out.getvalue())
    assert code == 2 and document["exit_code"] == 2
    # Critical for the MCP 503, not for the emergency route: without a log its mode is unknown.
    assert [f["id"] for f in document["findings"]] == ["emergency-build"]
    assert document["findings"][0]["severity"] == "info"
    assert set(document["findings"][0]) == {"id", "severity", "subject", "title", "evidence", "fix"}
    assert any(line.startswith("CRITICAL: mcp DOWN") for line in document["reasons"])
    text = StringIO()
    assert await run_check(_settings(backend.url, tmp_path), out=text) == 2
    assert "FINDINGS" in text.getvalue() and "emergency-build" in text.getvalue()
