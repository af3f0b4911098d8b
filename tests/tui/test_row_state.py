"""A container row's STATE is the worst of its engine state and the findings about it, with the
finding's id; the primary backend's row is on top (issue 28 item 3)."""

from __future__ import annotations

import pytest

from sutazai_tui.demo import answers
from sutazai_tui.models import Finding
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.tui.test_snapshots import feed_incident, fixed_app

pytestmark = pytest.mark.usefixtures("utc_local_time")


def finding(severity: str, subject: str, id_: str) -> Finding:
    return Finding(id=id_, severity=severity, subject=subject, title="t", evidence="e", fix="f")  # type: ignore[arg-type]


async def test_rows_say_the_worst_of_engine_and_findings_and_the_primary_is_first() -> None:
    app = fixed_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await feed_incident(pilot, answers.EMERGENCY)
        table = app.query_one(ContainerTable)
        app.dashboard.show_findings([])
        await pilot.pause()
        backend = next(c for c in table.shown if c.name == "sutazai-backend")
        assert backend.state == "running"
        assert table.shown[0].name == "sutazai-backend"  # on top: the primary
        app.dashboard.show_findings(
            [
                finding("critical", "emergency", "emergency-build"),  # an endpoint's: the primary's
                finding("critical", "sutazai-frontend", "missing-env"),
                finding("warning", "sutazai-ollama", "stale-image"),
                finding("info", "sutazai-agent-researcher", "note"),
            ]
        )
        await pilot.pause()
        rows = {c.name: table.get_row(c.name)[1].plain for c in table.shown}
        assert rows["sutazai-backend"].endswith(" emergency-build")  # the worse of engine and finding
        assert rows["sutazai-frontend"] == "DOWN missing-env"
        assert rows["sutazai-ollama"] == "DEGRADED stale-image"
        assert rows["sutazai-agent-researcher"] == "OK"  # info changes nothing
        names = [c.name for c in table.shown]
        assert names[:2] == ["sutazai-backend", "sutazai-frontend"]  # then the worst
        # What the operator reads at 80 columns: the state word and the id.
        shown = app.export_screenshot().replace("&#160;", " ")
        assert "DOWN missing-env" in shown and " emergency-build" in shown
        await pilot.press("v")  # only not OK: the rows findings made not OK are listed
        assert {c.name for c in table.shown} >= {"sutazai-frontend", "sutazai-ollama", "sutazai-backend"}
        # The finding clears: the row is the engine's again.
        app.dashboard.show_findings([])
        await pilot.pause()
        assert "sutazai-frontend" not in [c.name for c in table.shown]
