"""The hostile corpus (tests/hostile.py) through the screen: panels, toasts, events, header, findings,
replay. Every string shown as written, nothing parsed as markup, no escape byte on the screen.

The incident this pins: a FastAPI 503 detail (`input_value={'mode': 'dind'}`) crashed the TUI on its
first cycle (MarkupError), and `[@click=screen.emergency_stop]…` made a clickable toast.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sutazai_tui.config.settings import EndpointConfig
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import EndpointKind, Finding
from sutazai_tui.records.recording import read_recording
from sutazai_tui.session.session import Session
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.controllers.alerts import notify_problem
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.launch import replay_app
from sutazai_tui.tui.screens.finding import FindingScreen
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar
from sutazai_tui.util.clean import clean
from tests.conftest import settings_for
from tests.hostile import CORPUS, FORBIDDEN, HostileServer
from tests.tui_support import run_cycle, wait_until

KINDS = {
    "health": EndpointKind.HEALTH,
    "mcp": EndpointKind.MCP,
    "emergency": EndpointKind.EMERGENCY,
    "detailed": EndpointKind.DETAILED,
}


def hostile_app(hostile: HostileServer, tmp_path: Path) -> SutazaiApp:
    endpoints = [EndpointConfig(name=n, url="/hostile", kind=k) for n, k in KINDS.items()]
    settings = settings_for(
        hostile.url, tmp_path, timeout=2.0, interval=60, default_endpoints=False, endpoints=endpoints
    )
    return make_app(settings, Session(settings, Monitor(settings)))


def panels_text(app: SutazaiApp) -> str:
    return "\n".join(str(p.render()) for p in app.query(EndpointPanel))


async def test_three_cycles_of_a_backend_whose_every_string_is_hostile(
    hostile: HostileServer, tmp_path: Path
) -> None:
    app = hostile_app(hostile, tmp_path)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        for _ in range(3):
            await run_cycle(app, pilot)
        await pilot.pause()
        assert app.is_running
        shot = app.export_screenshot()
        panels = panels_text(app)
        toasts = [n.message for n in app._notifications]
        events = str(app.query_one(EventLog).query_one("#events-body").render())
        header = app.query_one(HeaderBar).plain
        findings = [(f.title, f.evidence) for f in app.query_one(FindingsPanel).findings]
        # The finding screen, over a finding quoting backend text as diagnosis does (already clean).
        quoted = Finding(
            id="startup-hang",
            severity="critical",
            subject=clean(CORPUS[3]),
            title=clean(CORPUS[0]),
            evidence=clean(CORPUS[5]),
            fix=clean(CORPUS[12]),
        )
        app.dashboard.open_finding(quoted)
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        await pilot.pause()
        finding_shot = app.export_screenshot()
        assert app.is_running
    assert not FORBIDDEN.search(shot) and not FORBIDDEN.search(panels) and not FORBIDDEN.search(header)
    # Shown literally: markup stays text, escapes are visible stand-ins, the 503 detail is whole.
    # Which corpus string lands on which panel depends on the answers' order; markup shows as text.
    assert any(m in panels for m in ("[/]prod", "[@click=", "[b]unclosed", "[link=", "input_value={'mode':"))
    assert toasts and all(not FORBIDDEN.search(t) for t in toasts)  # alerts quote the hostile reasons
    assert "DOWN" in events and not FORBIDDEN.search(events)
    assert all(not FORBIDDEN.search(f"{t} {e}") for t, e in findings)
    assert not FORBIDDEN.search(finding_shot) and "[@click=screen.emergency_stop]" in finding_shot


async def test_the_fastapi_503_of_the_incident_and_a_click_action_are_shown_as_text(
    hostile: HostileServer, tmp_path: Path
) -> None:
    endpoints = [
        EndpointConfig(name="mcp", url="/mcp-503", kind=EndpointKind.MCP),
        EndpointConfig(name="health", url="/click", kind=EndpointKind.HEALTH),
    ]
    settings = settings_for(
        hostile.url, tmp_path, timeout=2.0, interval=60, default_endpoints=False, endpoints=endpoints
    )
    app = make_app(settings, Session(settings, Monitor(settings)))
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await run_cycle(app, pilot)  # the first cycle crashed the TUI (MarkupError, exit 1)
        await pilot.pause()
        assert app.is_running
        panels = panels_text(app).replace("\n", " ")
        toasts = " ".join(n.message for n in app._notifications)
    assert "input_value={'mode':" in panels and "'dind'}" in panels
    assert "[@click=screen.emergency_stop]" in panels + toasts


async def test_a_toast_made_of_markup_is_not_clickable(hostile: HostileServer, tmp_path: Path) -> None:
    app = hostile_app(hostile, tmp_path)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        notify_problem(app, app.dashboard.session, CORPUS[0], "error")  # what a session reports
        await wait_until(pilot, lambda: bool(app._notifications))
        [note] = list(app._notifications)
        assert note.message.endswith(CORPUS[0]) and note.markup is False
        # On the Dashboard it shows on the notice lines, not as a toast (issue 28: never over state).
        await wait_until(pilot, lambda: app.query_one("#notice").display)
        await pilot.click("#notice")
        await pilot.pause()
        assert app.screen is app.dashboard  # no emergency-stop dialog opened from the text


def _recording_with_raw_hostile_text(path: Path) -> None:
    """A recording as a tampered file or an older version could hold it: raw escapes in every field."""
    at = datetime(2026, 1, 1, 12, tzinfo=UTC)
    lines: list[dict[str, object]] = [
        {"type": "header", "schema_version": 1, "target": CORPUS[7], "interval": 30, "host": CORPUS[9]}
    ]
    for n in range(3):
        reason = CORPUS[(n * 5) % len(CORPUS)]
        endpoint = {
            "name": "health",
            "url": "http://x/health",
            "kind": "health",
            "state": "DOWN",
            "reason": reason,
            "message": CORPUS[6],
        }
        taken = (at + timedelta(seconds=30 * n)).isoformat()
        snapshot = {"cycle": n + 1, "taken_at": taken, "target": CORPUS[7], "endpoints": [endpoint]}
        lines.append({"type": "snapshot", **snapshot})
        lines.append(
            {"type": "event", "at": taken, "kind": "state", "subject": "health", "reason": CORPUS[8]}
        )
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


async def test_replay_of_a_recording_holding_raw_escapes(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    _recording_with_raw_hostile_text(path)
    recording = read_recording(path)
    assert not FORBIDDEN.search(recording.header.target) and not FORBIDDEN.search(recording.header.host)
    settings = settings_for("http://127.0.0.1:9", tmp_path)
    app = replay_app(recording, settings)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await wait_until(pilot, lambda: bool(list(app.query(EndpointPanel))))
        for _ in range(2):
            await pilot.press("right_square_bracket")
            await pilot.pause()
        assert app.is_running
        shot = app.export_screenshot()
        panels = panels_text(app)
        header = app.query_one(HeaderBar).plain
    assert not FORBIDDEN.search(shot) and not FORBIDDEN.search(panels)
    assert "␛]0;pwned-title␇" in header
