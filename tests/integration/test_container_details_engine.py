"""Logs and inspect on a real Docker engine: bounded reads of a chatty container, env values never shown."""

from __future__ import annotations

import secrets
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.app import App

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import ContainersStatus, ContainerStats, Snapshot, State
from sutazai_tui.sources.engine.details import HIDDEN, LOG_TAIL, DockerDetails
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.inspect import InspectScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from tests.docker_support import ContainerFactory, containers, docker_client, engine, wait_for
from tests.tui_support import wait_until

__all__ = ["containers", "docker_client"]

# Chatty, but not forever: it stops by itself after 10 million lines (its log is capped at 1 MB
# by the factory either way), so an interrupted run cannot fill the disk.
SPAM = ["sh", "-c", "yes spam-line | head -n 10000000; sleep 600"]


def _spammer(containers: ContainerFactory) -> Any:
    box = containers.run("spam", SPAM)
    # Wait until it has written far more than the tail, so the bound is what limits the read.
    wait_for(lambda: len(box.logs(tail=LOG_TAIL * 5).splitlines()) >= LOG_TAIL * 5, 20, "log lines")
    return box


@engine
def test_logs_of_a_chatty_container_are_a_bounded_tail(containers: ContainerFactory) -> None:
    box = _spammer(containers)
    details = DockerDetails(timeout=10)
    try:
        details.logs(box.name, 5)  # client made and SDK imported outside the measurement
        tracemalloc.start()
        lines = details.logs(box.name)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert 0 < len(lines) <= LOG_TAIL
        assert all(line.text == "spam-line" and line.ts_ns > 0 for line in lines)
        assert peak < 3 * 1024 * 1024, f"peak {peak} bytes while reading the tail"
        newer = details.logs(box.name, since_ns=lines[-1].ts_ns)
        assert 0 < len(newer) <= LOG_TAIL and newer[0].ts_ns > lines[-1].ts_ns
    finally:
        details.close()


class LogsOnly(App[None]):
    """Just the logs screen over one engine container."""

    def __init__(self, name: str, details: DockerDetails) -> None:
        super().__init__()
        self.box_name, self.details = name, details

    def on_mount(self) -> None:
        self.push_screen(LogsScreen(self.box_name, self.details))


@engine
async def test_logs_view_in_follow_mode_stays_within_its_bound(containers: ContainerFactory) -> None:
    box = _spammer(containers)
    details = DockerDetails(timeout=10)
    app = LogsOnly(box.name, details)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.fetches >= 1)
            screen = app.screen
            assert isinstance(screen, LogsScreen)
            await pilot.press("f")
            await wait_until(pilot, lambda: screen.fetches >= 2, deadline_s=8.0)
            assert 0 < len(screen.lines) <= LOG_TAIL and screen.error is None
    finally:
        details.close()


@engine
async def test_inspect_shows_env_names_and_never_a_value(
    containers: ContainerFactory, tmp_path: Path
) -> None:
    value = f"v4lue-{secrets.token_hex(8)}"
    box = containers.create(
        "inspect", "true", environment={"SUTAZAI_PROBE_SECRET": value}, labels={"tier": "t"}
    )
    stats = ContainerStats(name=box.name, id=box.id, state="created", env_names=("SUTAZAI_PROBE_SECRET",))
    status = ContainersStatus(engine="local", state=State.OK, reason="1", containers=(stats,))
    settings = Settings(base_url="http://127.0.0.1:9", state_dir=tmp_path, docker_timeout=10)
    app = make_app(settings, poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        app.dashboard.feed_snapshot(Snapshot(cycle=1, taken_at=datetime.now(UTC), containers=status))
        await pilot.pause()
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, InspectScreen)
        await wait_until(pilot, lambda: screen.view is not None or screen.error is not None, deadline_s=10)
        assert screen.error is None and screen.view is not None
        labels = screen.labels()
        assert f"SUTAZAI_PROBE_SECRET={HIDDEN}" in labels and "tier=t" in labels
        assert "restart policy" in labels and box.name in str(screen.query_one("#inspect-status").render())
        for shown in ("\n".join(labels), repr(screen.view), app.export_screenshot()):
            assert value not in shown
        assert "SUTAZAI_PROBE_SECRET" in app.export_screenshot()
