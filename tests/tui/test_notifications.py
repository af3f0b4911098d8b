"""Notices never cover state (issue 28 item 2): on the Dashboard what toasts would say goes to the
notice lines above the footer, so sampled at 80x24 through an incident the endpoint panels' state
words are always on screen; other screens keep their toasts; notices go soon and keep paths whole."""

from __future__ import annotations

import html
import re
from collections import defaultdict
from pathlib import Path

from textual.widgets._toast import Toast

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.controllers.records import PATH_NOTIFICATION_S
from sutazai_tui.tui.screens.finding import FindingScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.notice_bar import NoticeBar
from tests.tui_support import make_app, run_cycle, wait_until

_TEXT = re.compile(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')


def screen_rows(app: SutazaiApp) -> list[str]:
    """What the terminal shows, row by row (from the SVG screenshot: 12.2 px a column)."""
    rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for x, y, text in _TEXT.findall(app.export_screenshot()):
        rows[float(y)].append((float(x), html.unescape(text).replace("\xa0", " ")))
    lines = []
    for y in sorted(rows):
        line = ""
        for x, text in sorted(rows[y]):
            line = line.ljust(round(x / 12.2)) + text
        lines.append(line)
    return lines[1:]  # the first text is the window title


def visible_toasts(app: SutazaiApp) -> list[Toast]:
    return [t for t in app.screen.query(Toast) if t.region.height > 0 and t.region.width > 0]


def written(app: SutazaiApp) -> str | None:
    found = [n.message for n in app._notifications if n.message.startswith("snapshot written to\n")]
    return found[-1] if found else None


def state_words_shown(app: SutazaiApp) -> list[str]:
    """Each endpoint panel's state word, if the screen shows it on the panel's first line."""
    rows = screen_rows(app)
    missing = []
    for panel in app.dashboard.query(EndpointPanel):
        word = panel.view.state.value
        region = panel.region
        line = rows[region.y + 1][region.x : region.right]
        if word not in line:
            missing.append(f"{panel.endpoint_name}: {word!r} not in {line!r}")
    return missing


async def test_sampled_through_an_incident_the_state_words_are_always_visible(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app = make_app(backend, snapshot_dir=tmp_path / "s")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        samples = 0
        for phase in (answers.HANG, answers.EMERGENCY, answers.RECOVERED):
            backend.forced_phase = phase
            await run_cycle(app, pilot)
            # What `!`, `s` and a failing poll do: several notices at once, one of them an error.
            app.notify("poll already running — your request joins it", severity="warning")
            app.notify("sutazai-backend: OK → EMERGENCY", severity="error", timeout=30)
            await pilot.press("s")
            await wait_until(pilot, lambda: app.query_one(NoticeBar).display)
            for _ in range(4):
                await pilot.pause(0.1)
                samples += 1
                assert state_words_shown(app) == []
                assert visible_toasts(app) == []
        assert samples == 12
        bar = app.query_one(NoticeBar)
        assert bar.shown is not None and "earlier" in bar.shown.plain  # several: the newest, and a count
        assert any("ERROR" in r or "WARNING" in r or "snapshot" in r for r in screen_rows(app)[-4:])


async def test_an_error_notice_says_its_severity_in_words(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await run_cycle(app, pilot)
        app.notify("polling stopped: boom", severity="error")
        await wait_until(pilot, lambda: app.query_one(NoticeBar).display)
        await pilot.pause()
        assert any(r.strip().startswith("ERROR  polling stopped: boom") for r in screen_rows(app))


async def test_a_written_path_is_shown_whole(backend: SimulatedBackend, tmp_path: Path) -> None:
    app = make_app(backend, snapshot_dir=tmp_path / "s")
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: written(app) is not None and app.query_one(NoticeBar).display)
        await pilot.pause()
        message = written(app)
        assert message is not None
        path = message.split("\n")[1]
        assert Path(path).parent == tmp_path / "s"
        assert any(path in row for row in screen_rows(app))
        (note,) = [n for n in app._notifications if n.message == message]
        assert note.timeout == PATH_NOTIFICATION_S


async def test_reading_screens_use_notice_lines_others_keep_toasts_and_notices_go_soon(
    backend: SimulatedBackend,
) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await run_cycle(app, pilot)
        app.notify("routine")
        await wait_until(pilot, lambda: any(n.message == "routine" for n in app._notifications))
        (note,) = [n for n in app._notifications if n.message == "routine"]
        assert note.timeout < 5  # Textual's default NOTIFICATION_TIMEOUT
        from sutazai_tui.models import Finding

        app.dashboard.open_finding(
            Finding(id="a", severity="critical", subject="s", title="t", evidence="e", fix="f")
        )
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen) and app.screen.is_mounted)
        await pilot.pause()
        # The finding screen: its first lines are the finding's state; a notice goes to its own line.
        app.notify("on the finding screen")
        bar = app.screen.query_one(NoticeBar)
        await wait_until(pilot, lambda: bar.display and "on the finding screen" in str(bar.render()))
        assert not visible_toasts(app)
        assert "CRITICAL" in app.export_screenshot()  # the state word, uncovered
        await pilot.press("escape")
        await pilot.press("l")  # the logs screen keeps its toasts
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        app.notify("on the logs screen")
        await wait_until(pilot, lambda: len(visible_toasts(app)) > 0)
