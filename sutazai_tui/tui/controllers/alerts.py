"""Alerts for transitions into DOWN or EMERGENCY: the bell, notifications, the `on_state_change` hook.

A plain controller: it gets the bell and `notify` to use and reads the settings of the session
shown when it alerts. Hooks run in a thread (each is bounded by `hook_timeout`); a failing hook
is one notification.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.alerts import alert_events, alert_message, run_hook
from sutazai_tui.models import Event

MAX_TOASTS = 3  # more alerts than this in one cycle make one summary notification
Notify = Callable[..., None]


class AlertsController:
    """Rings, notifies, and hands back the events the hook must hear about."""

    def __init__(self, bell: Callable[[], None], notify: Notify) -> None:
        self.bell = bell
        self.notify = notify

    def alert(self, events: Sequence[Event], settings: Settings) -> list[Event]:
        """Bell and notifications now; the events for `run_hooks` (empty: no hook to run)."""
        bad = alert_events(events)
        if not bad:
            return []
        if settings.bell:
            self.bell()
        if len(bad) > MAX_TOASTS:  # an engine outage must not bury the screen in toasts
            names = ", ".join(e.subject.removeprefix("container:") for e in bad[:MAX_TOASTS])
            self.notify(f"{len(bad)} went DOWN/EMERGENCY: {names}, …", severity="error", timeout=10)
        for event in bad if len(bad) <= MAX_TOASTS else ():
            self.notify(alert_message(event), severity="error", timeout=10)
        return bad if settings.on_state_change else []

    async def run_hooks(self, events: Sequence[Event], settings: Settings) -> None:
        """`on_state_change` once per event, in a thread; failures make one notification."""
        argv, timeout = list(settings.on_state_change or ()), settings.hook_timeout

        def run_all() -> list[str]:
            return [p for event in events if (p := run_hook(argv, event, timeout)) is not None]

        # One notification per batch: a hook that fails for every subject of an outage must not
        # bury the screen in identical toasts (the alerts themselves are summarised the same way).
        problems = await asyncio.to_thread(run_all)
        if problems:
            more = f" (and {len(problems) - 1} more failed runs)" if len(problems) > 1 else ""
            self.notify(problems[0] + more, severity="warning", timeout=10)
