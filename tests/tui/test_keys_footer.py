"""The Dashboard's footer (tui/widgets/keys_footer.py): rebuilt once per burst of binding
signals, not at all when the keys it shows did not change, and again when they did."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from sutazai_tui.tui.widgets.keys_footer import KeysFooter
from tests.tui_support import wait_until


class CountingFooter(KeysFooter):
    rebuilds = 0

    async def recompose(self) -> None:
        type(self).rebuilds += 1
        await super().recompose()


class Keys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "stop", "Stop"),
        Binding("r", "restart", "Restart"),
    ]
    stop_allowed = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield CountingFooter(show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "stop" and not self.stop_allowed else True

    def action_stop(self) -> None: ...

    def action_restart(self) -> None: ...


def shown(app: Keys) -> dict[str, bool]:
    """Each footer key's description and whether it is shown enabled."""
    return {key.description: not key._disabled for key in app.query(FooterKey)}


async def test_a_burst_of_binding_signals_rebuilds_the_footer_once_and_only_on_change() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: shown(app) == {"Stop": True, "Restart": True})
        first = CountingFooter.rebuilds
        assert first >= 1
        for _ in range(5):  # focus, stack and refresh_bindings signals with the same keys
            app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert CountingFooter.rebuilds == first  # nothing it shows changed: no rebuild at all
        app.stop_allowed = False
        for _ in range(5):
            app.screen.refresh_bindings()
        await wait_until(pilot, lambda: shown(app) == {"Stop": False, "Restart": True})
        assert CountingFooter.rebuilds == first + 1  # five signals, one rebuild
