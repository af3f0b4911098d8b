"""The one way outside text reaches a widget: as literal text, never parsed as markup.

Textual parses a plain `str` as content markup in `Static`, `notify`, `border_title`, `Tree` labels
and `DataTable` cells: a backend's `[@click=screen.emergency_stop]…` would become a clickable
action and an unbalanced `[/]prod` a crash (MarkupError). Every surface that shows text from
outside takes it through here: `Content`/rich `Text` objects (never parsed), or, where only a
string fits, one escaped with `escape`. The text is cleaned again on the way (util/clean.py is
idempotent), so a string that skipped the boundary still cannot put an escape on the terminal.
"""

from __future__ import annotations

from rich.console import JustifyMethod
from rich.style import Style
from rich.text import Text
from textual.content import Content
from textual.markup import escape as _escape_markup

from sutazai_tui.util.clean import clean


def content(text: object, multiline: bool = True) -> Content:
    """Outside text as a `Content` for `Static`, `border_title`, notices: shown as written."""
    return Content(clean(str(text), multiline))


def rich_text(text: object, style: str | Style = "", justify: JustifyMethod | None = None) -> Text:
    """Outside text as a rich `Text` for `DataTable` cells and `Tree` labels (one line)."""
    return Text(clean(str(text)), style=style, justify=justify)


def escape(text: object) -> str:
    """Outside text as markup that reads back as the text itself, for a string-only slot."""
    return _escape_markup(clean(str(text), multiline=True))
