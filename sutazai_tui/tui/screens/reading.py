"""The keys every screen you read shares: j/k scroll, g/G top and bottom, escape/q back.

One definition, so the finding, logs and container screens move and close alike; each screen
puts them in its BINDINGS in the order its help lists them. Ids are `<scope>.<what>`, the names
the `[keymap]` setting remaps.
"""

from __future__ import annotations

from textual.binding import Binding


def scroll_keys(scope: str) -> list[Binding]:
    """j/k: down and up a line (the screen's `action_scroll`)."""
    return [
        Binding("j", "scroll(1)", "Down", show=False, id=f"{scope}.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id=f"{scope}.up"),
    ]


def edge_keys(scope: str) -> list[Binding]:
    """g/G: the top and the bottom (the screen's `action_edge`)."""
    return [
        Binding("g", "edge(0)", "Top", show=False, id=f"{scope}.top"),
        Binding("G", "edge(1)", "Bottom", show=False, id=f"{scope}.bottom"),
    ]


def back_keys(scope: str) -> list[Binding]:
    """escape (in the footer) and q: back (the screen's `action_close`)."""
    return [
        Binding("escape", "close", "Back", id=f"{scope}.close"),
        Binding("q", "close", "Back", show=False, id=f"{scope}.close_q"),
    ]
