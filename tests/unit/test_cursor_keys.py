"""The list widgets' vi keys (tui/widgets/cursor_keys.py): keys, the widget's actions, keymap ids."""

from __future__ import annotations

from textual.binding import Binding

from sutazai_tui.tui.widgets.cursor_keys import cursor_keys
from sutazai_tui.tui.widgets.findings import FindingsPanel


def test_j_k_g_G_move_with_the_widgets_own_actions_under_scoped_ids() -> None:
    keys = cursor_keys("table", first="first_row", last="last_row")
    assert all(isinstance(b, Binding) and not b.show for b in keys)
    got = [(b.key, b.action, b.description, b.id) for b in keys if isinstance(b, Binding)]
    assert got == [
        ("j", "cursor_down", "Down", "table.down"),
        ("k", "cursor_up", "Up", "table.up"),
        ("g", "first_row", "First", "table.first"),
        ("G", "last_row", "Last", "table.last"),
    ]


def test_the_findings_panel_keeps_its_ids_and_optionlist_actions() -> None:
    ids = {b.id: b.action for b in FindingsPanel.BINDINGS if isinstance(b, Binding)}
    assert ids == {
        "findings.down": "cursor_down",
        "findings.up": "cursor_up",
        "findings.first": "first",
        "findings.last": "last",
    }
