"""`?` lists every key that works on the screen it opened from, by group, uncut at 80 columns; Tab
follows the screen; keys typed while booting are kept (test_comfort); every subcommand's --help
says what its arguments accept (issue 28 item 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Finding
from sutazai_tui.tui.screens.finding import FindingScreen
from sutazai_tui.tui.screens.help import HelpScreen
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from tests.tui.test_notifications import screen_rows
from tests.tui_support import make_app, run_cycle, wait_until


def help_lines(app: object) -> list[str]:
    text = app.screen.query_one("#help-text", Static).render()  # type: ignore[attr-defined]
    return str(text).splitlines()


async def test_help_at_80_columns_lists_every_key_by_group_and_cuts_none(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        lines = help_lines(app)
        text = "\n".join(lines)
        for group in ("Move", "Act on the selected container", "Look", "Polling", "App"):
            assert group in lines, group
        for key in (
            "tab / shift+tab",
            "enter",
            "escape",
            "↑ ↓  j k",
            "g G",
            "x",
            "R",
            "C",
            "!",
            "l",
            "i",
            "o",
            "O",
            "v",
        ):
            assert any(line.strip().startswith(key) for line in lines), key
        assert "health, restarts, cpu, mem, …" in text  # the sort line, whole (was cut at "resta")
        box = app.screen.query_one("#help-box")
        keys = lines[lines.index("Keys (↑/↓ scroll)") :]
        assert max(len(line) for line in keys) <= box.content_region.width  # wrapped, never past the box
        assert not any(row.rstrip().endswith("…│") for row in screen_rows(app))


async def test_help_on_a_finding_lists_its_keys(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        app.dashboard.open_finding(
            Finding(id="a", severity="info", subject="s", title="t", evidence="e", fix="f")
        )
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = "\n".join(help_lines(app))
        assert "Copy the fix's commands" in text and "scroll a line" in text and "back" in text


async def test_tab_follows_the_screen_findings_table_events(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.EMERGENCY
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        assert app.focused is not None and app.focused.id == "containers"
        order = []
        panels = [e.name for e in app.dashboard.session.settings.all_endpoints()]
        for _ in range(3 + len(panels)):
            await pilot.press("tab")
            assert app.focused is not None
            order.append(getattr(app.focused, "endpoint_name", app.focused.id))
        assert order == ["events", *panels, "findings", "containers"]  # top to bottom, round again
        await pilot.press("shift+tab")
        assert app.focused is not None and app.focused.id == "findings"
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "panels, findings, containers, events" in " ".join(
            " ".join(help_lines(app)).split()
        )  # the help says the order
    operating = (Path(__file__).parents[2] / "docs" / "operating.md").read_text()
    assert "panels → findings → containers → events" in operating  # and so does the manual


@pytest.mark.parametrize(
    ("command", "needles"),
    [
        (["report"], ["HH:MM[:SS]", "ISO 8601", "an age", "recording file"]),
        (["audit"], ["HH:MM[:SS]", "ISO 8601", "an age"]),
        (["replay"], ["recording file written with --record"]),
        (["serve"], ["TCP port"]),
    ],
)
def test_each_subcommand_help_says_what_its_arguments_accept(command: list[str], needles: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", *command, "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    flat = " ".join(out.split())
    for needle in needles:
        assert needle in flat, (needle, out)
    assert "(ISO)" not in flat


async def test_enter_on_a_panel_opens_its_finding_or_says_there_is_none(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.EMERGENCY
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        dashboard = app.dashboard
        findings = dashboard.query_one("#findings").findings  # type: ignore[attr-defined]
        panels = list(dashboard.query(EndpointPanel))
        about = {p.endpoint_name: [f for f in findings if f.subject == p.endpoint_name] for p in panels}
        with_one = [name for name, found in about.items() if found]
        without = [name for name, found in about.items() if not found]
        assert with_one and without  # the emergency phase has both kinds of panel
        panel = next(p for p in panels if p.endpoint_name == with_one[0])
        panel.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        assert app.screen.finding == about[with_one[0]][0]  # type: ignore[attr-defined]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is dashboard)
        next(p for p in panels if p.endpoint_name == without[0]).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: any(f"{without[0]}: " in row for row in screen_rows(app)))
        line = next(row for row in screen_rows(app) if f"{without[0]}: " in row)
        assert "no finding about it" in line and app.screen is dashboard
