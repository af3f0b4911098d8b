"""The drill-in screens follow the live session (issue 28 item 1): a finding screen opened on a
finding says when it resolves and after how long (its fix greyed, still readable) and when it
returns; the container screen shows its findings' times and the ones that cleared."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sutazai_tui.demo import answers
from sutazai_tui.tui.screens.container import ContainerScreen
from sutazai_tui.tui.screens.finding import FindingScreen
from tests.tui.test_snapshots import T0, feed_incident, fixed_app
from tests.tui.test_snapshots_readable import HANG, MISSING_ENV
from tests.tui_support import wait_until

pytestmark = pytest.mark.usefixtures("utc_local_time")


async def test_the_finding_screen_follows_its_finding_to_resolved_and_back() -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await feed_incident(pilot, answers.HANG)
        dash = app.dashboard
        dash.clock = lambda: T0
        dash.show_findings([MISSING_ENV, HANG])
        dash.open_finding(MISSING_ENV)
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        screen = app.screen
        assert isinstance(screen, FindingScreen)
        assert "since     23:10:00 (0s ago)" in screen.body.plain  # T0, local = UTC here
        # Worse evidence next cycle: the open screen shows it without being reopened.
        dash.clock = lambda: T0 + timedelta(seconds=30)
        dash.show_findings([MISSING_ENV.model_copy(update={"evidence": "now also: exit 1"}), HANG])
        await wait_until(pilot, lambda: "• now also: exit 1" in screen.body.plain)
        # It clears 5 minutes after it was first seen.
        dash.clock = lambda: T0 + timedelta(minutes=5)
        dash.show_findings([HANG])
        await wait_until(pilot, lambda: "resolved at 23:15:00 after 5 min" in screen.body.plain)
        body = screen.body
        assert body.plain.startswith(" RESOLVED   CRITICAL ")
        assert "fix (not needed now: it cleared)" in body.plain
        assert "docker compose -f /srv/sutazai/docker-compose.yml" in body.plain  # still readable
        shown = app.export_screenshot()
        assert "resolved at 23:15:00 after 5 min" in shown.replace("&#160;", " ").replace("\xa0", " ")
        # It comes back: the screen says so, and since when.
        dash.clock = lambda: T0 + timedelta(minutes=7)
        dash.show_findings([MISSING_ENV, HANG])
        await wait_until(pilot, lambda: "returned: it had cleared at 23:15:00" in screen.body.plain)
        assert "since     23:17:00" in screen.body.plain and "RESOLVED" not in screen.body.plain


async def test_the_container_screen_shows_times_and_the_findings_that_cleared() -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await feed_incident(pilot, answers.HANG)
        dash = app.dashboard
        dash.clock = lambda: T0
        dash.show_findings([MISSING_ENV, HANG])
        await pilot.pause()
        dash.open_container()  # the worst row: sutazai-backend, the primary
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen))
        screen = app.screen
        assert isinstance(screen, ContainerScreen)
        # Its own finding and the endpoint's (the endpoints are the primary backend's).
        assert "findings (2)" in screen.body.plain
        dash.clock = lambda: T0 + timedelta(minutes=3)
        dash.show_findings([HANG])
        await wait_until(pilot, lambda: "findings (1), 1 resolved" in screen.body.plain)
        assert "resolved at 23:13:00 after 3 min" in screen.body.plain
