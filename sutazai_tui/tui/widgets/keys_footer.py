"""The Dashboard's footer: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer rebuilds all its key widgets (~20 on the Dashboard, each styled by CSS) after
every "bindings updated" signal, and the screen sends one for each focus change, screen change
and `refresh_bindings`: five times in the Dashboard's first half second, 20-45 ms each on the
event loop, while the first engine list waited behind them (docs/operating.md "What it costs").
This one waits for the next refresh once, however many signals came meanwhile, and rebuilds only
if the keys, their labels, their state (enabled) or their tooltips differ from what it shows.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Footer whose rebuilds are coalesced and skipped when nothing it shows changed."""

    _shown: tuple[object, ...] | None = None  # what the last rebuild showed
    _due = False  # a rebuild check is already waiting for the next refresh

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's signal handler: as Footer's, but one pending check at a time."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._due:
            self._due = True
            self.call_after_refresh(self._rebuild_if_changed)

    def shown_keys(self) -> tuple[object, ...]:
        """Everything `compose` reads from the screen's bindings and the app's key display."""
        app = self.app
        return tuple(
            (binding, enabled, tooltip, app.get_key_display(binding))
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )

    async def _rebuild_if_changed(self) -> None:
        self._due = False
        if not self.is_attached:
            return
        shown = self.shown_keys()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()
