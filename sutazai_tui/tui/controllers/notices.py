"""Where notifications show: on the Dashboard, the finding and the container screens their notice
lines (tui/widgets/notice_bar.py), since a toast there would cover state words (the panels', the
finding's severity, the container's state); toasts on every other screen."""

from __future__ import annotations

from textual.app import App


class NoticesApp(App[int]):
    """The app's notification routing: a screen with notice lines (`show_notices`) gets them there."""

    # Routine notifications (Textual's default 5 s) go sooner: the event log keeps every one of them.
    NOTIFICATION_TIMEOUT = 4.0

    def _refresh_notifications(self) -> None:
        screen = self.screen_stack[-1] if self.screen_stack else None
        show = getattr(screen, "show_notices", None)
        if callable(show):
            show(self._notifications)
            return
        super()._refresh_notifications()
