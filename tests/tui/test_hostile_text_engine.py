"""A real container whose labels, health check and log are hostile, and that logs its own secrets:
the container table, its screen, `l` (logs) and `i` (inspect) show it literally, masked, inert."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.config.settings import EndpointConfig
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import EndpointKind
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.source import DockerSource
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.screens.container import ContainerScreen
from sutazai_tui.tui.screens.inspect import InspectScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.util.redact import MASK
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client, engine, wait_for
from tests.hostile import CORPUS, FORBIDDEN, HostileServer
from tests.tui_support import run_cycle, wait_until

__all__ = ["containers", "docker_client"]

# What a container can carry through the engine API (JSON): the corpus without lone surrogates.
TEXTS = [t for t in CORPUS if not any(0xD800 <= ord(c) <= 0xDFFF for c in t)]
PASSWORD = "pg-" + secrets.token_hex(8)
JWT = "jwt-" + secrets.token_hex(8)
BEARER = "eyJhbGciOiJIUzI1NiJ9." + secrets.token_hex(8)
# The log: every corpus line, then the container's own secrets as the 2025-08 backend printed them.
SCRIPT = (
    'for line in "$@"; do printf "%s\\n" "$line"; done; '
    'echo "connecting to postgres with $POSTGRES_PASSWORD"; '
    "echo \"jwt_secret Field required [type=missing, input_value='$JWT_SECRET', input_type=str]\"; "
    f'echo "GET /api Authorization: Bearer {BEARER}"; '
    'echo "password=hunter2 token=tok123"; printf "bad utf-8 \\377\\376 here\\n"; sleep 600'
)
HEALTH = "printf '\\033]52;c;UFdORUQ=\\007 [/]prod \\342\\200\\256 evil'; exit 1"


def hostile_box(containers: ContainerFactory) -> Any:
    box = containers.run(
        "hostile",
        ["sh", "-c", SCRIPT, "sh", *TEXTS],
        environment={"POSTGRES_PASSWORD": PASSWORD, "JWT_SECRET": JWT, "MODE": "dind"},
        labels={f"t.{i}": text for i, text in enumerate(TEXTS)},
        healthcheck={"test": ["CMD-SHELL", HEALTH], "interval": 1_000_000_000, "retries": 1},
    )
    wait_for(lambda: b"hunter2" in box.logs(), 20, "the hostile log written")
    return box


def no_secret(text: str) -> bool:
    return not any(s in text for s in (PASSWORD, JWT, BEARER, "hunter2", "tok123"))


@engine
@pytest.mark.slow
async def test_a_hostile_container_on_every_container_surface(
    containers: ContainerFactory, hostile: HostileServer, tmp_path: Path
) -> None:
    box = hostile_box(containers)
    endpoints = [EndpointConfig(name="health", url="/hostile", kind=EndpointKind.HEALTH)]
    settings = settings_for(
        hostile.url,
        tmp_path,
        containers=True,
        container_prefix=containers.prefix,
        timeout=2.0,
        interval=60,
        default_endpoints=False,
        endpoints=endpoints,
    )
    monitor = Monitor(settings, containers=DockerSource(prefix=containers.prefix, timeout=5))
    app = make_app(settings, Session(settings, monitor))
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        table = app.query_one(ContainerTable)
        for _ in range(3):
            await run_cycle(app, pilot)
        await wait_until(pilot, lambda: table.row_count == 1, 20)
        table.focus()
        shot = app.export_screenshot()
        assert not FORBIDDEN.search(shot) and str(table.get_row_at(0)[0]) == box.name

        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen) and app.screen.fetches >= 1, 20)
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        text, logs_shot = logs.text, app.export_screenshot()
        await pilot.press("escape")

        await pilot.press("i")
        await wait_until(
            pilot, lambda: isinstance(app.screen, InspectScreen) and app.screen.view is not None, 20
        )
        inspect = app.screen
        assert isinstance(inspect, InspectScreen)
        labels, inspect_shot = inspect.labels(), app.export_screenshot()
        await pilot.press("escape")

        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen), 10)
        container_shot = app.export_screenshot()
        assert app.is_running

    # Logs: the secrets masked (own env values, bearer, assignments, pydantic input), escapes inert.
    assert MASK in text and no_secret(text) and no_secret(logs_shot)
    assert f"connecting to postgres with {MASK}" in text and f"Bearer {MASK}" in text
    assert f"password={MASK} token={MASK}" in text and f"input_value={MASK}" in text
    assert "␛]52;c;UFdORUQ=␇" in text and "[@click=screen.emergency_stop]" in text
    assert "bad utf-8 \ufffd\ufffd here" in text
    assert not FORBIDDEN.search(text) and not FORBIDDEN.search(logs_shot)
    # Inspect: labels and the probe's output literal, no markup parsed, env values never read.
    joined = "\n".join(labels)
    assert "[/]prod" in joined and "[@click=screen.confirm]ok[/]" in joined and no_secret(joined)
    assert not FORBIDDEN.search(joined) and not FORBIDDEN.search(inspect_shot)
    assert not FORBIDDEN.search(container_shot)
