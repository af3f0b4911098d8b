"""The vi and k9s keys a list widget shares beside the arrows: j/k down and up, g/G first and last.

One definition, so the findings list and any other cursor widget move alike. Ids are
`<scope>.<what>`, the names the `[keymap]` setting remaps (tui/keymap.py).
"""

from __future__ import annotations

from textual.binding import Binding, BindingType


def cursor_keys(scope: str, *, first: str, last: str) -> list[BindingType]:
    """j/k: the widget's own cursor_down/cursor_up; g/G: its `first` and `last` actions (their
    names differ by widget: OptionList's `first`, DataTable's `first_row`)."""
    moves = (("j", "cursor_down", "Down", "down"), ("k", "cursor_up", "Up", "up"))
    edges = (("g", first, "First", "first"), ("G", last, "Last", "last"))
    return [
        Binding(key, action, label, show=False, id=f"{scope}.{what}")
        for key, action, label, what in moves + edges
    ]
