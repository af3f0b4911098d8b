"""How states look: a word and a theme colour, the same in every widget.

Colours are theme variables only; the word always comes with them, so the screen stays readable
with NO_COLOR or 16 colours.
"""

from __future__ import annotations

from rich.style import Style as RichStyle
from textual.color import Color, ColorParseError
from textual.content import Content

from sutazai_tui.models import State

# The theme variable behind each state's colour.
STATE_VARIABLE: dict[State, str] = {
    State.OK: "success",
    State.DEGRADED: "warning",
    State.EMERGENCY: "error",
    State.DOWN: "error",
    State.STALE: "secondary",
    State.UNKNOWN: "foreground-muted",
}

_GOOD_WORDS = frozenset({"healthy", "configured", "ok", "operational", "connected", "available", "running"})
_WAIT_WORDS = frozenset({"initializing", "starting", "degraded", "not_connected", "restarting", "created"})


def state_style(state: State) -> str:
    """The Content style of a state word; EMERGENCY is a filled block, unlike DOWN even without colour."""
    variable = STATE_VARIABLE[state]
    if state is State.EMERGENCY:
        return f"bold $text on ${variable}"
    return f"bold ${variable}"


def state_word(state: State) -> Content:
    """The state as a styled word."""
    return Content.styled(state.value, state_style(state))


def word_style(word: str | None) -> str:
    """A colour for a sub-service or container state word the backend or engine reports."""
    if word is None:
        return "$text-muted"
    low = word.lower()
    if low in _GOOD_WORDS:
        return "$success"
    if low in _WAIT_WORDS:
        return "$warning"
    return "$error"


def level_style(percent: float | None) -> str:
    """A colour for a usage percentage: warning from 75 %, error from 90 %."""
    if percent is None or percent < 75:
        return ""
    return "$warning" if percent < 90 else "$error"


def rich_style(variables: dict[str, str], variable: str, bold: bool = False) -> RichStyle:
    """A Rich style for widgets that take Rich text (DataTable), resolved from the theme's variables."""
    try:
        color = Color.parse(variables[variable]).rich_color
    except (KeyError, ColorParseError):  # e.g. "auto 60%": contrast-relative, no fixed colour
        return RichStyle(bold=bold)
    return RichStyle(color=color, bold=bold)
