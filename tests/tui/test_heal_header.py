"""The header says when a heal process acts on the shown deployment, and what it did in the hour."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sutazai_tui.actions.audit import AuditLog
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.integrations.heal_status import status_path, write_status
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.tui_support import make_app, run_cycle, wait_until


async def test_the_header_shows_an_active_heal_its_hour_and_its_open_breaker(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app = make_app(backend, state_dir=tmp_path / "state")
    settings = app.shown.settings
    async with app.run_test(size=(160, 24)) as pilot:
        await run_cycle(app, pilot)
        header = app.query_one(HeaderBar)
        assert "HEAL" not in header.plain  # no heal ever ran here: nothing said
        log = AuditLog(settings.audit_path)
        log.record({"action": "restart", "container": "sutazai-agent", "result": "done", "via": "heal"})
        log.record({"action": "heal", "container": "sutazai-backend", "result": "page", "via": "heal"})
        status = {"updated_at": datetime.now(UTC).isoformat(), "interval": 30, "apply": True}
        write_status(status_path(settings), {**status, "breakers": {"sutazai-agent": "did not clear"}})
        await run_cycle(app, pilot)
        await wait_until(pilot, lambda: "HEAL" in header.plain)
        assert " HEAL  1 page, 1 restart in 1h breaker open: sutazai-agent" in header.plain
