"""SVG snapshots of issue 14's screens at 80x24: the finding screen, the container screen, a
filtered table, an empty filter, and the monitor under NO_COLOR. Fixed data and clock as in
test_snapshots.py; regenerate with `--snapshot-update` and look at the SVGs before keeping them.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from sutazai_tui.demo import answers
from sutazai_tui.models import Finding
from sutazai_tui.tui.app import SutazaiApp
from tests.tui.test_snapshots import feed_incident, fixed_app

pytestmark = pytest.mark.usefixtures("utc_local_time")  # conftest: local time is UTC here too

SIZE = (80, 24)
MISSING_ENV = Finding(
    id="missing-env",
    severity="critical",
    subject="sutazai-backend",
    title="sutazai-backend lacks required env vars SECRET_KEY and JWT_SECRET_KEY",
    evidence=(
        "its Config.Env (restarting, container 5b2e55b61db6) names 2 variables and not SECRET_KEY and "
        "JWT_SECRET_KEY; required: SECRET_KEY and JWT_SECRET_KEY; its log since the start: "
        '"ValueError: SECRET_KEY must be set (≥ 32 characters)"'
    ),
    fix=(
        "set SECRET_KEY and JWT_SECRET_KEY (≥ 32 characters each, e.g. `openssl rand -hex 32`) in "
        "/srv/sutazai/.env and recreate the container — a restart will not help, it keeps the old "
        "environment: `docker compose -f /srv/sutazai/docker-compose.yml up -d --force-recreate --no-deps "
        "backend` (or `C` here)"
    ),
)
HANG = Finding(
    id="startup-hang", severity="warning", subject="health", title="start-up deadlock: restarted 3 times",
    evidence="/health silent 90 s", fix="set SECRET_KEY and recreate",
)  # fmt: skip


async def incident(pilot: Pilot[int]) -> SutazaiApp:
    await feed_incident(pilot, answers.HANG)
    app: SutazaiApp = pilot.app  # type: ignore[assignment]
    app.dashboard.show_findings([MISSING_ENV, HANG])
    await pilot.pause()
    return app


def test_finding_screen(snap_compare: Any) -> None:
    async def before(pilot: Pilot[int]) -> None:
        app = await incident(pilot)
        app.dashboard.open_finding(MISSING_ENV)
        await pilot.pause()

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=before)


def test_container_screen(snap_compare: Any) -> None:
    async def before(pilot: Pilot[int]) -> None:
        app = await incident(pilot)
        app.dashboard.open_container()  # the cursor is on the worst: sutazai-backend
        await pilot.pause()

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=before)


def test_filtered_table(snap_compare: Any) -> None:
    async def before(pilot: Pilot[int]) -> None:
        await incident(pilot)
        await pilot.press("slash", *"agent", "enter")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=before)


def test_empty_filter(snap_compare: Any) -> None:
    async def before(pilot: Pilot[int]) -> None:
        await incident(pilot)
        await pilot.press("slash", *"nothing", "enter")

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=before)


def test_no_color(snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def before(pilot: Pilot[int]) -> None:
        await incident(pilot)

    assert snap_compare(fixed_app(), terminal_size=SIZE, run_before=before)
