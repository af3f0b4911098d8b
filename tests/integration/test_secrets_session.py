"""A whole operator session with a token and container env values set: they appear nowhere.

Polls a backend that echoes the Authorization header back, watches a real container whose env
holds a secret, records, snapshots, stops the container, writes the incident report, runs
`check --json` and `report`; then reads every file written and everything printed.
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import EndpointConfig
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import EndpointKind
from sutazai_tui.session.session import Session
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.confirm import ConfirmScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for
from tests.hostile import HostileServer
from tests.tui_support import wait_until

__all__ = ["containers", "docker_client"]  # fixtures used by name

TOKEN = "tok-SECRET-c0ffee-7e57-5e55-10n"
ENV_VALUE = "envSECRET-d34db33f-value-1234567890"
LOG_SCRIPT = (
    'echo "❌ Initialization failed: invalid key $SECRET_KEY"; '
    'echo "JWT_SECRET_KEY must be set, got JWT_SECRET_KEY=$SECRET_KEY"; '
    'echo "❌ Failed to connect to Redis: redis://:$SECRET_KEY@sutazai-redis:6379"; '
    f'echo "❌ Initialization failed: Authorization: {TOKEN}"; '
    'echo "app.main - INFO - Backend started in normal mode"; sleep 600'
)


def written_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.engine
@pytest.mark.slow
async def test_no_secret_reaches_any_file_or_output(
    hostile: HostileServer, containers: ContainerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sutazai_tui.sources.engine.source import DockerSource

    # Its log prints the secrets in the shapes a real backend's log can: all are matched lines.
    box = containers.run("backend", ["sh", "-c", LOG_SCRIPT], environment={"SECRET_KEY": ENV_VALUE})
    wait_for(lambda: b"normal mode" in box.logs(), 20, "the container's log lines")
    state = tmp_path / "state"
    endpoints = [EndpointConfig(name="echo", url="/echo-auth", kind=EndpointKind.HEALTH)]
    settings = settings_for(
        hostile.url,
        tmp_path,
        token=TOKEN,
        default_endpoints=False,
        endpoints=endpoints,
        containers=True,
        container_prefix=containers.prefix,
        primary_service=box.name,
        record=state / "rec" / "session.jsonl",
        interval=60,
    )
    source = DockerSource(prefix=containers.prefix, timeout=10)
    app = make_app(
        settings, Session(settings, Monitor(settings, containers=source), actions=Actions(settings))
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(
            pilot,
            lambda: app.dashboard.snapshot is not None and app.dashboard.snapshot.containers is not None,
            20,
        )
        await pilot.press("s")  # snapshot bundle
        await wait_until(
            pilot,
            lambda: (state / "snapshots").exists() and any((state / "snapshots").rglob("state.json")),
            20,
        )
        table = app.query_one(ContainerTable)
        table.move_cursor(row=[c.name for c in table.shown].index(box.name))
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_until(
            pilot, lambda: any(a["result"] == "done" for a in read_audit(settings.audit_path)), 30
        )
        app.dashboard.action_write_report()
        await wait_until(pilot, lambda: any(p.name.endswith(".report.md") for p in written_files(state)))
        evidence = app.dashboard.snapshot.log(box.name) if app.dashboard.snapshot is not None else None
        assert evidence is not None and len(evidence.matches) == 5  # the scan below looks where they land
        screen = app.export_screenshot()
        shown = " ".join(n.message for n in app._notifications)
    assert hostile.auth_seen and hostile.auth_seen[-1] == f"Bearer {TOKEN}"  # it was really sent

    await asyncio.to_thread(
        scan_everything, tmp_path, state, settings.record, hostile.url, containers.prefix, [screen, shown]
    )


def scan_everything(
    tmp_path: Path, state: Path, record: Path | None, url: str, prefix: str, printed: list[str]
) -> None:
    """Run the headless commands too, then read every file written and everything printed."""
    env = {**os.environ, "SUTAZAI_TUI_TOKEN": TOKEN, "SUTAZAI_TUI_PRIMARY_SERVICE": prefix + "backend"}
    for argv in (
        [
            "check",
            "--json",
            "--config",
            "/dev/null",
            "--base-url",
            url,
            "--container-prefix",
            prefix,
            "--snapshot",
            str(state / "check-bundles"),
        ],
        ["report", str(record)],
        ["audit"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "sutazai_tui", *argv], capture_output=True, text=True, env=env, timeout=60
        )
        printed += [proc.stdout, proc.stderr]
    # Names are evidence and may be written; only values must not. Proves the scan looks where
    # container env data does land.
    assert b"SECRET_KEY" in Path(record or "").read_bytes()
    assert b"Initialization failed" in Path(record or "").read_bytes()  # log evidence is recorded
    assert "Initialization failed" in printed[-6]  # and in `check --json`

    files = written_files(tmp_path)
    assert len(files) >= 5, files  # recording, bundle (svg + json), audit, report, check bundle
    for path in files:
        data = path.read_bytes()
        assert TOKEN.encode() not in data, path
        assert ENV_VALUE.encode() not in data, path
    for text in printed:
        assert TOKEN not in text and ENV_VALUE not in text
    for path in state.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        expected: Any = 0o700 if path.is_dir() else 0o600
        assert mode == expected, f"{path}: {oct(mode)}"
