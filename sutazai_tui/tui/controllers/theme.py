"""The theme: the one at start (the settings', or the palette's pick kept from an earlier run)
and each pick in the palette kept for the next start (config/uistate.py).

A plain controller: it gets the Textual app whose theme it sets and the settings it reads.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sutazai_tui.config.errors import ConfigError
from sutazai_tui.config.uistate import picked_theme, remember

if TYPE_CHECKING:  # light at import: the app imports this before its first frame
    from textual.app import App

    from sutazai_tui.config.settings import Settings

# Greys for the state variables under NO_COLOR: error (DOWN) brightest, success (OK) dimmest.
# Textual's monochrome filter greys colours by luminance, which would make red (DOWN, critical)
# the dimmest word on screen: here the worst is the brightest, OK the dimmest.
MONOCHROME_STATES = {"error": "#ffffff", "warning": "#d0d0d0", "secondary": "#b0b0b0", "success": "#8c8c8c"}


class KeptTheme:
    """Applies the start theme now (ConfigError for a name Textual lacks); `picked` keeps a new one."""

    def __init__(self, app: App[Any], settings: Settings) -> None:
        self._app, self._state_dir = app, settings.state_dir
        theme = settings.theme
        if theme is not None and theme not in app.available_themes:
            names = ", ".join(sorted(app.available_themes))
            raise ConfigError(
                f"invalid setting 'theme' = {theme!r}: not a Textual theme — use one of: {names}"
            )
        # A theme picked in the palette at an earlier run wins over the file; a name Textual no
        # longer has is passed over, never fatal: the user did not type it here.
        picked = picked_theme(settings.state_dir, os.environ)
        if picked is not None and picked in app.available_themes:
            theme = picked
        if theme is not None:
            app.theme = theme
        self._kept = app.theme

    def picked(self, theme: str) -> None:
        """A theme picked now (the palette's "Theme" entry): kept for the next start."""
        if theme == self._kept:
            return  # the theme applied at start
        try:
            remember(self._state_dir, "theme", theme)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self._app.notify(
                f"theme not kept for the next start: {reason} in {self._state_dir}", markup=False
            )
            return
        self._kept = theme
