"""Restart loops and required values on the real engine, with busybox reproductions (issue 27).

- `sleep 1; exit 3` under restart policy `always`: `check` was OK (exit 0) in 3 runs of 4 when it
  caught the container between two attempts; now not OK in 10 runs of 10, from one inspect each.
- The same loop watched for 2 minutes: never OK between attempts, the finding CRITICAL every cycle.
- A loop whose starts take ~12 s (the 08-16 build with Postgres stopped): CRITICAL within 60 s.
- `JWT_SECRET=""` (compose's `${JWT_SECRET}` with the variable unset): named, its value never kept.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.cli.check import run_check
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import State, container_state
from sutazai_tui.sources.engine.source import DockerSource
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine

ALWAYS = {"Name": "always"}


def engine_only(boxes: ContainerFactory, tmp_path: Path, **kw: Any) -> Settings:
    """Settings that watch only this test's containers, no HTTP."""
    values: dict[str, Any] = {
        "container_prefix": boxes.prefix,
        "primary_service": boxes.prefix + "backend",
        "default_endpoints": False,
        "state_dir": tmp_path / "state",
        "interval": 1,
    }
    return Settings(**(values | kw))


def restarts(box: Any) -> int:
    box.reload()
    return int(box.attrs.get("RestartCount") or 0)


async def test_a_fast_loop_is_never_ok_in_ten_checks(containers: ContainerFactory, tmp_path: Path) -> None:
    box = containers.run("loop", ["sh", "-c", "sleep 1; exit 3"], restart_policy=ALWAYS)
    wait_for(lambda: restarts(box) >= 3, 30, "three restarts")
    settings = engine_only(containers, tmp_path)
    codes, states = [], []
    for _ in range(10):
        out = io.StringIO()
        codes.append(await run_check(settings, as_json=True, out=out))
        doc = json.loads(out.getvalue())
        [row] = doc["snapshot"]["containers"]["containers"]
        states.append(row["state"])
    assert all(code == 2 for code in codes), (codes, states)
    assert "running" in states or "restarting" in states


@pytest.mark.slow
@pytest.mark.timeout(240)
async def test_a_fast_loop_watched_for_two_minutes_never_looks_ok(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    box = containers.run("loop", ["sh", "-c", "sleep 1; exit 3"], restart_policy=ALWAYS)
    wait_for(lambda: restarts(box) >= 3, 30, "three restarts")
    settings = engine_only(containers, tmp_path)
    monitor = Monitor(settings, containers=DockerSource.from_settings(settings))
    seen: list[tuple[str, State, str | None]] = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            snap = await monitor.cycle()
            monitor.history.add(snap)
            [c] = snap.containers.containers if snap.containers else ()
            loop = [f.severity for f in diagnose(monitor.history, settings) if f.id == "restart-loop"]
            seen.append((c.state, container_state(c), loop[0] if loop else None))
            await asyncio.sleep(1.5)  # the TUI's interval, shortened: each cycle a fresh look
    finally:
        await monitor.close()
    assert len(seen) >= 30
    assert {state for _, state, _ in seen} == {State.DOWN}, seen
    assert {sev for _, _, sev in seen} == {"critical"}, seen
    assert {s for s, _, _ in seen} >= {"running"} or {s for s, _, _ in seen} >= {"restarting"}
    flips = [e for e in monitor.history.events if e.subject.startswith("container:") and e.new is State.OK]
    assert flips == []


@pytest.mark.slow
async def test_a_loop_with_twelve_second_starts_is_critical_within_a_minute(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    started = time.monotonic()
    containers.run("slow", ["sh", "-c", "sleep 12; exit 3"], restart_policy=ALWAYS)
    settings = engine_only(containers, tmp_path)
    monitor = Monitor(settings, containers=DockerSource.from_settings(settings))
    when = None
    try:
        while time.monotonic() - started < 75 and when is None:
            monitor.history.add(await monitor.cycle())
            found = [f for f in diagnose(monitor.history, settings) if f.id == "restart-loop"]
            if found and found[0].severity == "critical":
                when = time.monotonic() - started
            else:
                await asyncio.sleep(3)
    finally:
        await monitor.close()
    assert when is not None and when <= 60, when


async def test_an_empty_secret_is_named_and_its_value_never_kept(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    secret = "kept-nowhere-" + "k" * 40
    settings = engine_only(containers, tmp_path)
    containers.run(
        "backend",
        ["sleep", "300"],
        environment={"SECRET_KEY": secret, "JWT_SECRET": "", "JWT_SECRET_KEY": "short"},
    )
    out = io.StringIO()
    code = await run_check(settings, as_json=True, out=out)
    text = out.getvalue()
    doc = json.loads(text)
    [env] = [f for f in doc["findings"] if f["id"] == "missing-env"]
    assert code == 2
    assert "JWT_SECRET is set but empty" in env["title"] and "JWT_SECRET_KEY is too short" in env["title"]
    [row] = doc["snapshot"]["containers"]["containers"]
    assert row["env_lengths"] == {"SECRET_KEY": len(secret), "JWT_SECRET": 0, "JWT_SECRET_KEY": 5}
    assert secret not in text and "short" not in json.dumps(row)


async def test_the_log_of_a_restarted_container_is_this_starts_only(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    # Each run writes one line then exits; the next start follows within a second or two. The log
    # header said "since <this start>" above the previous run's line (read from 2 s before it).
    script = (
        'echo "uvicorn.error - ERROR - Application startup failed. run $(cat /proc/uptime)"; sleep 1; exit 3'
    )
    box = containers.run("backend", ["sh", "-c", script], restart_policy=ALWAYS)
    wait_for(lambda: restarts(box) >= 2, 30, "two restarts")
    settings = engine_only(containers, tmp_path)
    for _ in range(20):  # until one cycle catches it running (its row says which start the log is of)
        monitor = Monitor(settings, containers=DockerSource.from_settings(settings))
        try:
            snap = await monitor.cycle()
        finally:
            await monitor.close()
        c = snap.container(settings.primary_service)
        log = snap.log(settings.primary_service)
        if c is None or c.state != "running" or log is None or not log.matches:
            continue
        assert c.started_at is not None and c.finished_at is not None and c.finished_at <= c.started_at
        failed = [m for m in log.matches if m.signature == "startup-failed"]
        assert len(failed) == 1 and failed[0].at is not None and failed[0].at > c.finished_at, log.matches
        return
    pytest.fail("never caught the loop running with its log read")
