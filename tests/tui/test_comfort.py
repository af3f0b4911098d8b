"""Logs, inspect, sort, state filter, keymap, theme and alerts, driven by Pilot on the simulated fleet."""

from __future__ import annotations

import gc
import json
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets.data_table import ColumnKey

from sutazai_tui.config.settings import ConfigError
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import State, container_state
from sutazai_tui.sources.engine.details import LOG_TAIL
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.keymap import binding_ids, check_keymap
from sutazai_tui.tui.screens.inspect import InspectScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.container_order import worst_first
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.tui_support import make_app, run_cycle, wait_until


async def test_l_shows_the_last_lines_follow_polls_and_search_jumps(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("down")
        chosen = app.dashboard.selected_container()
        assert chosen is not None
        await pilot.press("l")
        screen = app.screen
        assert isinstance(screen, LogsScreen) and screen.container == chosen.name
        await wait_until(pilot, lambda: len(screen.lines) > 0)
        assert len(screen.lines) == LOG_TAIL  # the fleet has 10 min of lines; the view keeps the tail
        assert all(line.text.startswith(chosen.name) for line in screen.lines)
        assert chosen.name in app.export_screenshot()

        await pilot.press("f")
        assert screen.follow and "follow ON" in str(screen.query_one("#logs-status").render())
        newest = screen.lines[-1].ts_ns
        await wait_until(pilot, lambda: screen.lines[-1].ts_ns > newest)
        assert len(screen.lines) == LOG_TAIL  # new lines pushed old ones out
        stamps = [line.ts_ns for line in screen.lines]
        assert stamps == sorted(set(stamps))  # no line twice across polls
        await pilot.press("f")
        assert not screen.follow

        await pilot.press("slash", *"heartbeat")
        assert screen.matches and all("heartbeat" in screen.lines[i].text for i in screen.matches)
        await pilot.press("enter")  # from the tail: the newest match first, then back in time
        last = len(screen.matches) - 1
        assert screen.match_at == last
        assert f"match {last + 1}/{last + 1}" in str(screen.query_one("#logs-status").render())
        await pilot.press("n")
        assert screen.match_at == last - 1
        box = screen.query_one("#logs-box")
        at = max(0, screen.matches[last - 1] - box.size.height // 2)
        await wait_until(pilot, lambda: box.scroll_y == min(box.max_scroll_y, at))
        await pilot.press("G")
        await wait_until(pilot, lambda: box.scroll_y == box.max_scroll_y)
        await pilot.press("g")
        await wait_until(pilot, lambda: box.scroll_y == 0)
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"no-such-text", "enter")
        assert screen.matches == [] and "no match" in str(screen.query_one("#logs-status").render())
        await pilot.press("escape")
        assert not isinstance(app.screen, LogsScreen)


async def test_i_shows_the_config_tree_with_env_names_only(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        table.move_cursor(row=[c.name for c in table.shown].index("sutazai-backend"))
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, InspectScreen)
        await wait_until(pilot, lambda: screen.view is not None)
        labels = screen.labels()
        for needle in ("image", "ports", "mounts", "restart policy", "health check", "labels", "env"):
            assert needle in labels
        assert "SECRET_KEY=•••" in labels and "sutazai/backend:latest" in labels
        assert "SECRET_KEY=•••" in app.export_screenshot()
        await pilot.press("escape")
        assert not isinstance(app.screen, InspectScreen)


async def test_o_cycles_the_sort_column_and_shift_o_reverses(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.HANG
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        names = [c.name for c in table.shown]
        assert names[0] == "sutazai-backend" and names == [c.name for c in worst_first(table.shown)]
        # The primary backend's row stays on top whatever the order; the rest follow the column.
        rest = [n for n in names if n != "sutazai-backend"]
        await pilot.press("o")
        assert table.sort_column == "name" and [c.name for c in table.shown] == [
            "sutazai-backend",
            *sorted(rest),
        ]
        await pilot.press("O")
        assert [c.name for c in table.shown] == ["sutazai-backend", *sorted(rest, reverse=True)]
        assert "sort: name ▲" in str(table.border_title)
        assert str(table.columns[ColumnKey("name")].label) == "NAME ▲"  # the sorted column is marked
        await pilot.press("o", "o", "o")  # state, health, restarts
        assert table.sort_column == "restarts"
        restarts = [c.restart_count for c in table.shown]
        assert restarts == sorted(restarts, reverse=True) and restarts[0] > 0
        for _ in range(len(names) + 10):
            await pilot.press("o")
            if table.sort_column is None:
                break
        assert table.sort_column is None and [c.name for c in table.shown] == names


async def test_v_lists_only_containers_that_are_not_ok(backend: SimulatedBackend) -> None:
    backend.forced_phase = answers.HANG
    app = make_app(backend)
    async with app.run_test(size=(100, 30)) as pilot:
        await run_cycle(app, pilot)
        table = app.query_one(ContainerTable)
        everyone = len(table.shown)
        await pilot.press("v")
        assert table.troubled_only and 0 < len(table.shown) < everyone
        assert all(container_state(c) is not State.OK for c in table.shown)
        assert "sutazai-backend" in [c.name for c in table.shown]
        await pilot.press("v")
        assert len(table.shown) == everyone


async def test_keymap_moves_a_binding_to_another_key(backend: SimulatedBackend) -> None:
    app = make_app(backend, keymap={"logs": "L", "sort": "comma"})
    async with app.run_test(size=(100, 30)) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("l")
        assert not isinstance(app.screen, LogsScreen)
        await pilot.press("comma")
        assert app.query_one(ContainerTable).sort_column == "name"
        await pilot.press("L")
        assert isinstance(app.screen, LogsScreen)


def test_keymap_conflicts_and_unknown_ids_are_one_line_errors() -> None:
    assert {"logs", "inspect", "poll_now", "quit", "logs.follow"} <= set(binding_ids(SutazaiApp))
    assert check_keymap({"logs": "i", "inspect": "l"}, SutazaiApp) == {"logs": "i", "inspect": "l"}
    assert check_keymap({"filter": "/"}, SutazaiApp) == {"filter": "slash"}
    assert check_keymap({"stop": "X"}, SutazaiApp) == {"stop": "X"}
    for keymap, needle in (
        ({"logs": "r"}, "'logs' = 'r' clashes with 'poll_now'"),
        ({"logs": "X", "inspect": "X"}, "clashes with"),
        ({"no_such_binding": "z"}, "unknown binding id 'no_such_binding'"),
        ({"logs.follow": "n"}, "'logs.follow' = 'n' clashes with 'logs.next' on the same key (LogsScreen)"),
    ):
        with pytest.raises(ConfigError, match="keymap") as caught:
            check_keymap(keymap, SutazaiApp)
        assert needle in str(caught.value) and "\n" not in str(caught.value)


async def test_t_in_logs_shows_the_engine_time_of_each_line(backend: SimulatedBackend) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        await pilot.press("down", "l")
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        await wait_until(pilot, lambda: len(screen.lines) > 0)
        plain = screen.text.splitlines()
        await pilot.press("t")
        stamped = screen.text.splitlines()
        last = screen.lines[-1]
        at = datetime.fromtimestamp(last.ts_ns / 1e9, UTC)
        assert stamped[-1] == f"{at:%H:%M:%S}.{at.microsecond // 1000:03d}  {last.text}"
        assert all(re.match(r"\d\d:\d\d:\d\d\.\d{3}  ", line) for line in stamped)
        assert "times UTC" in str(screen.query_one("#logs-status").render())
        await pilot.press("t")
        assert screen.text.splitlines() == plain


async def test_boot_paints_first_then_installs_the_dashboard(backend: SimulatedBackend) -> None:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.tui.factory import boot_app, prepared
    from sutazai_tui.tui.prepared import Prepared
    from sutazai_tui.tui.screens.boot import BootScreen
    from sutazai_tui.tui.screens.help import HelpScreen
    from sutazai_tui.tui.screens.live import LiveScreen

    gate = threading.Event()  # the settings are "still loading" until the test has seen the frame

    def prepare() -> Prepared:
        assert gate.wait(10)
        return prepared(Settings(base_url=backend.url, containers=False, theme="nord"))

    app = boot_app(prepare, backend.url)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, BootScreen) and not app.built
        assert f"{backend.url} · loading settings" in str(app.screen.query_one("#boot").render())
        await pilot.press("slash", "b", "a", "c", "k", "enter", "question_mark")  # typed while booting
        gate.set()
        # Kept and applied in order once the Dashboard is there: the filter, then the help.
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert app.built and app.dashboard.query_one(ContainerTable).name_filter == "back"
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen))
        assert app.screen is app.dashboard and app.theme == "nord"
        await run_cycle(app, pilot)
        assert "HTTP 200" in app.export_screenshot().replace("&#160;", " ")


async def test_the_collector_kept_off_while_booting_is_on_once_the_dashboard_is_drawn(
    backend: SimulatedBackend,
) -> None:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.tui.factory import boot_app, prepared
    from sutazai_tui.tui.prepared import Prepared
    from sutazai_tui.tui.screens.live import LiveScreen

    gate = threading.Event()

    def prepare() -> Prepared:
        assert gate.wait(10)
        return prepared(Settings(base_url=backend.url, containers=False))

    gc.disable()  # as the command line does before it imports Textual (cli/monitor.py)
    try:
        app = boot_app(prepare, backend.url)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert not gc.isenabled()  # the BootScreen is drawn, the settings still loading
            gate.set()
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen))
            await wait_until(pilot, gc.isenabled)
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("text", "needle"),
    [('[keymap]\nlogs = "q"\n', "clashes with 'quit'"), ('theme = "no-such-theme"\n', "not a Textual theme")],
)
async def test_a_bad_setting_found_after_the_first_frame_ends_the_app_with_one_line(
    tmp_path: Path, text: str, needle: str
) -> None:
    from sutazai_tui.config.settings import load_settings
    from sutazai_tui.tui.factory import boot_app, prepared

    config = tmp_path / "config.toml"
    config.write_text(text)
    app = boot_app(lambda: prepared(load_settings(config, containers=False)), "")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.boot_error is not None)
    assert app.return_code == 2 and needle in (app.boot_error or "") and "\n" not in (app.boot_error or "")


async def test_theme_setting_applies(backend: SimulatedBackend) -> None:
    app = make_app(backend, theme="nord")
    async with app.run_test(size=(80, 24)):
        assert app.theme == "nord"


HOOK = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"


async def test_going_down_rings_notifies_and_runs_the_hook(backend: SimulatedBackend, tmp_path: Path) -> None:
    out = tmp_path / "event.json"
    # A timeout a loaded machine cannot miss on a healthy answer: the first cycles must not alert.
    app = make_app(backend, timeout=2.0, on_state_change=[sys.executable, "-c", HOOK, str(out)])
    bells: list[None] = []
    app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        backend.forced_phase = answers.RECOVERED
        await run_cycle(app, pilot)
        assert not bells and not out.exists()
        backend.forced_phase = answers.HANG
        await run_cycle(app, pilot)
        assert len(bells) == 1  # one bell per cycle, however many went down
        await wait_until(pilot, lambda: out.exists() and out.stat().st_size > 0)
        event = json.loads(out.read_text())
        assert event["new"] in ("DOWN", "EMERGENCY") and event["kind"] == "state"
        # four subjects went DOWN at once (3 endpoints, the backend): one summary, not four toasts
        alerts = [n.message for n in app._notifications if "DOWN" in n.message]
        assert len(alerts) == 1 and alerts[0].startswith("4 went DOWN/EMERGENCY: ")


async def test_a_failing_hook_is_one_notification(backend: SimulatedBackend) -> None:
    failing = [sys.executable, "-c", "raise SystemExit(3)"]
    app = make_app(backend, timeout=2.0, bell=False, on_state_change=failing)
    async with app.run_test(size=(100, 30)) as pilot:
        backend.forced_phase = answers.RECOVERED
        await run_cycle(app, pilot)
        backend.forced_phase = answers.HANG
        await run_cycle(app, pilot)
        await wait_until(pilot, lambda: any("exited 3" in n.message for n in app._notifications))
        # every hook run has ended: no more failures to come
        await wait_until(pilot, lambda: not app.shown.hooks_running)
        await pilot.pause()
        failures = [n.message for n in app._notifications if "hook" in n.message]
        # four subjects went DOWN, the hook failed for each: one notification says so, on one line
        # the hook is named by its program's file name, whatever this interpreter is called
        hook = Path(sys.executable).name
        assert failures == [f"on_state_change hook {hook} exited 3 (and 3 more failed runs)"]
