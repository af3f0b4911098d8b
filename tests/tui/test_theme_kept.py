"""A theme picked in the command palette is kept in the state folder and read back at the next start."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from textual.command import CommandList, CommandPalette

from sutazai_tui.config.settings import load_settings
from sutazai_tui.config.uistate import remember, ui_state_path
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import make_app
from tests.tui_support import wait_until


def highlighted(app: SutazaiApp) -> str:
    """The palette's highlighted entry, once its search has answered ('' until then)."""
    if not isinstance(app.screen, CommandPalette):
        return ""
    options = app.screen.query_one(CommandList)
    index = options.highlighted
    return "" if index is None else str(options.get_option_at_index(index).prompt)


def app_from(config: Path, backend: SimulatedBackend) -> SutazaiApp:
    settings = load_settings(config, base_url=backend.url, containers=False, interval="60")
    return make_app(settings, demo_session(settings, SimulatedFleet(backend)))


async def test_a_palette_pick_outlives_the_run_and_the_file_is_untouched(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n')
    before = config.read_bytes()
    app = app_from(config, backend)
    kept = ui_state_path(app.sessions[0].settings.state_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.theme == "nord" and not kept.exists()  # the file's theme, applied: nothing to keep
        await pilot.press("ctrl+p")
        for search, entry in (("theme", "Theme\n"), ("gruvbox", "gruvbox")):  # then the theme picker
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*search)
            await wait_until(pilot, lambda e=entry: highlighted(app).startswith(e))  # type: ignore[misc]
            await pilot.press("enter")
        await wait_until(pilot, lambda: app.theme == "gruvbox" and kept.exists())
    assert json.loads(kept.read_text()) == {"theme": "gruvbox"}
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert config.read_bytes() == before

    again = app_from(config, backend)
    async with again.run_test(size=(100, 30)):
        assert again.theme == "gruvbox"


async def test_a_pick_textual_no_longer_has_is_passed_over(backend: SimulatedBackend, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "nord"\n')
    remember(load_settings(config).state_dir, "theme", "a-theme-from-another-version")
    app = app_from(config, backend)
    async with app.run_test(size=(100, 30)):
        assert app.theme == "nord"
