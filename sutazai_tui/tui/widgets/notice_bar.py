"""The notice area: what toasts would say, on lines of its own above the footer, never over state.

On the Dashboard a toast would cover the endpoint panels' state words (three stacked toasts hid
all three panels at 80x24), so the Dashboard hides Textual's toasts and this shows the live
notifications instead: the newest, "+N earlier" for the rest, for as long as the toast would
have lived. It takes a row from the container table while it shows (the table scrolls), none
otherwise. The finding and container screens have one too (their first lines are the finding's
severity and since when, the container's state); the logs and the dialogs keep their toasts.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.markup import MarkupError
from textual.notifications import Notification
from textual.widgets import Static

from sutazai_tui.tui.literal import content

# Not only colour: under NO_COLOR the word says how bad it is.
_BADGE = {"error": ("ERROR", "bold reverse $error"), "warning": ("WARNING", "bold $warning")}


def _message(note: Notification) -> Content:
    """The message as the toast would show it: markup only where the caller asked for it (our own
    words), outside text literal and cleaned; markup that does not parse is shown as written."""
    if note.markup:
        try:
            return Content.from_markup(note.message)
        except MarkupError:
            pass
    return content(note.message)


def notice_text(notifications: Iterable[Notification]) -> Content | None:
    """The newest live notification as one text (its lines joined), "+N earlier" for the others."""
    live = [n for n in notifications if not n.has_expired]
    if not live:
        return None
    newest = max(live, key=lambda n: n.raised_at)
    body = _message(newest)
    body = Content(" ").join(line for line in body.split("\n") if line.plain.strip())
    parts: list[Content] = []
    if newest.severity in _BADGE:
        word, style = _BADGE[newest.severity]
        parts += [Content.styled(f" {word} ", style), Content(" ")]
    if newest.title:
        parts.append(Content.styled(f"{newest.title}: ", "bold"))
    parts.append(body)
    if len(live) > 1:
        parts.append(Content.styled(f"  (+{len(live) - 1} earlier)", "$text-muted"))
    return Content.assemble(*parts)


class NoticeBar(Static):
    """The Dashboard's notices (hidden while there are none)."""

    def __init__(self) -> None:
        super().__init__(id="notice")
        self.display = False
        self.shown: Content | None = None

    def show_notices(self, notifications: Iterable[Notification]) -> None:
        """Show the newest live notification, or hide."""
        text = notice_text(notifications)
        if text == self.shown:
            return
        self.shown = text
        self.display = text is not None
        self.update(text or "")
