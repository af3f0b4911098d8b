"""Issue 14 in Pilot: findings you can open and read, the container screen, honest table titles,
kept habits (j/k/g/G, enter, escape, ctrl+c closes sub-screens) — on the simulated backend and fleet.
"""

from __future__ import annotations

import html
from pathlib import Path

from textual.widgets import Static

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Finding
from sutazai_tui.tui.screens.container import ContainerScreen
from sutazai_tui.tui.screens.finding import FindingScreen, fix_commands
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.findings import FindingsPanel, headline
from tests.tui_support import make_app, run_cycle, wait_until

LONG_FIX = (
    "set SECRET_KEY (≥ 32 characters, e.g. `openssl rand -hex 32`) in /srv/sutazai/.env and recreate the "
    "container — a restart will not help: `docker compose -f /srv/sutazai/docker-compose.yml up -d "
    "--force-recreate --no-deps backend` (or `C` here), then `docker run` nothing else"
)


def test_fix_commands_are_the_quoted_commands_only() -> None:
    assert fix_commands(LONG_FIX) == [
        "openssl rand -hex 32",
        "docker compose -f /srv/sutazai/docker-compose.yml up -d --force-recreate --no-deps backend",
    ]


def test_the_subject_is_said_once() -> None:
    own = Finding(id="a", severity="critical", subject="sutazai-backend", title="sutazai-backend lacks X",
                  evidence="e", fix="f")  # fmt: skip
    other = own.model_copy(update={"subject": "mcp", "title": "the router crashed"})
    assert headline(own) == "sutazai-backend lacks X"
    assert headline(other) == "mcp: the router crashed"


async def test_enter_on_a_finding_shows_it_whole_and_c_copies_the_commands(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign,assignment]  # the terminal's side (OSC 52)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        finding = Finding(id="missing-env", severity="critical", subject="sutazai-backend",
                          title="sutazai-backend lacks required env var SECRET_KEY",
                          evidence="its Config.Env names 3 variables and not SECRET_KEY; its log since the "
                                   "start: \"KeyError: 'SECRET_KEY'\"", fix=LONG_FIX)  # fmt: skip
        app.dashboard.show_findings([finding])
        panel = app.query_one(FindingsPanel)
        await pilot.pause()
        assert "sutazai-backend: sutazai-backend" not in panel.text
        panel.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, FindingScreen))
        screen = app.screen
        assert isinstance(screen, FindingScreen)
        body = screen.body.plain
        assert "• its Config.Env names 3 variables and not SECRET_KEY" in body
        assert "• its log since the start: \"KeyError: 'SECRET_KEY'\"" in body
        assert "since " in body and "CRITICAL" in body
        # The prose wraps, never cut; each command is one line, never wrapped (scrolled sideways).
        shown = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "…" not in str(screen.query_one("#finding-body", Static).render())
        command = "docker compose -f /srv/sutazai/docker-compose.yml up -d --force-recreate --no-deps backend"
        block = str(screen.query_one("#finding-commands", Static).render()).splitlines()
        assert f"$ {command}" in block and len(command) > 80
        await pilot.press("G")  # the bottom: the command's start on one row, its end off to the right
        await pilot.pause()
        shown = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "$ docker compose -f /srv/sutazai/docker-compose.yml up -d --force-recreate" in shown
        await pilot.press("c")
        assert copied == ["\n".join(fix_commands(LONG_FIX))]
        # It says what it did, honestly, and names the file it also wrote the commands to.
        fix_file = app.shown.settings.state_dir / "fixes" / "missing-env-sutazai-backend.sh"
        await wait_until(pilot, lambda: any(str(fix_file) in n.message for n in app._notifications))
        note = next(n.message for n in app._notifications if str(fix_file) in n.message)
        assert "OSC 52" in note and "set-clipboard on" in note and "copied" not in note
        assert fix_file.read_text().splitlines()[-2:] == fix_commands(LONG_FIX)
        assert fix_file.stat().st_mode & 0o077 == 0
        await pilot.press("escape")
        assert app.screen is app.dashboard


async def test_enter_on_a_container_opens_its_screen_and_its_keys_work(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.HANG  # the backend restarts: exit code, restarts, a finding
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        table.focus()
        await pilot.press("g", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen))
        screen = app.screen
        assert isinstance(screen, ContainerScreen)
        name = table.shown[0].name
        assert screen.container_name == name == "sutazai-backend"
        body = screen.body.plain
        for needle in (
            "exit code",
            "started",
            "finished",
            "restarts",
            "OOM-killed",
            "last probe",
            "findings (",
        ):
            assert needle in body, body
        await wait_until(pilot, lambda: screen.probe != "(reading)")
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        await pilot.press("ctrl+c")  # closes the logs, not the monitor
        await wait_until(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.screen is app.dashboard)
        assert app.is_running


async def test_ctrl_c_in_logs_stops_following_first(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs = app.screen
        assert isinstance(logs, LogsScreen)
        await pilot.press("f")
        assert logs.follow
        await pilot.press("ctrl+c")
        assert not logs.follow and app.screen is logs
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: app.screen is app.dashboard)
        assert app.is_running
        await pilot.press("ctrl+c")  # from the main screen it quits
        await wait_until(pilot, lambda: not app.is_running)


async def test_the_table_title_says_what_it_shows(backend: SimulatedBackend, tmp_path: Path) -> None:
    del tmp_path
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        total = len(table.shown)
        await pilot.press("slash", *"agent", "enter")
        title = str(table.border_title)
        assert title.startswith(f"containers 2/{total} · filter: agent"), title
        await pilot.press("o", "O")
        assert "sort: name ▲" in str(table.border_title)
        await pilot.press("slash", "z", "z", "enter")
        assert str(table.border_title).endswith("no container matches")
        assert table.selected_container() is None


async def test_j_k_g_g_move_the_table_cursor(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        table.focus()
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("k")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == len(table.shown) - 1
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_the_container_screen_offers_no_acting_key_in_read_only(backend: SimulatedBackend) -> None:
    app = make_app(backend, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        app.dashboard.open_container()
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen))
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert "container.logs" in shown and not shown & {"container.stop", "container.restart"}


async def test_below_80x24_one_line_says_so(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(70, 20)) as pilot:
        await run_cycle(app, pilot)
        line = app.query_one("#too-small", Static)
        assert line.display and "terminal 70x20 is below 80x24" in str(line.render())
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        assert not app.query_one("#too-small", Static).display
