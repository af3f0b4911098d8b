"""Alerts for transitions into DOWN or EMERGENCY on screen: the bell and notifications.

A plain controller: it gets the bell and `notify` to use (`notify_problem`: a session's trouble
outside a cycle). Which events alert is the session's
call (`Cycle.alerts`), and the session runs the `on_state_change` hook (session/session.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sutazai_tui.core.alerts import alert_message
from sutazai_tui.models import Event

if TYPE_CHECKING:
    from textual.app import App

    from sutazai_tui.session.session import Session, Severity

MAX_TOASTS = 3  # more alerts than this in one cycle make one summary notification
Notify = Callable[..., None]


class AlertsController:
    """Rings and notifies, once per cycle that brought alerts."""

    def __init__(self, bell: Callable[[], None], notify: Notify) -> None:
        self.bell = bell
        self.notify = notify

    def alert(self, alerts: Sequence[Event], bell: bool) -> None:
        """Bell (unless `bell` is off) and notifications for one cycle's alerts."""
        if not alerts:
            return
        if bell:
            self.bell()
        if len(alerts) > MAX_TOASTS:  # an engine outage must not bury the screen in toasts
            names = ", ".join(e.subject.removeprefix("container:") for e in alerts[:MAX_TOASTS])
            self.notify(
                f"{len(alerts)} went DOWN/EMERGENCY: {names}, …", severity="error", timeout=10, markup=False
            )
        for event in alerts if len(alerts) <= MAX_TOASTS else ():
            self.notify(alert_message(event), severity="error", timeout=10, markup=False)


def notify_problem(app: App[Any], session: Session, text: str, severity: Severity) -> None:
    """A session's trouble outside a cycle (containers off, recording stopped): one notification
    (a line in the log when the app is not running yet)."""
    prefix = f"{session.name}: " if session.key else ""
    if app.is_running:
        app.notify(prefix + text, severity=severity, timeout=30 if severity == "error" else 10, markup=False)
    else:
        app.log.error(prefix + text)
