"""The first frame: one line saying what is being watched, drawn before settings and heavy modules load.

`SutazaiApp` shows it while a worker thread reads the settings and imports the Dashboard's modules
(pydantic, httpx, the docker SDK, the screens); the Dashboard replaces it when they are ready.
Keys typed meanwhile are kept and handed to the Dashboard, in order, once it is on screen.
Only Textual's own modules are imported here.
"""

from __future__ import annotations

import asyncio
import contextlib

from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class BootScreen(Screen[None]):
    """`sutazai-tui · <target> · loading settings…` until the Dashboard is ready."""

    DEFAULT_CSS = """
    BootScreen #boot { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.typed: list[events.Key] = []  # replayed to the Dashboard once it is on screen

    def on_screen_suspend(self) -> None:
        """The Dashboard came over it: hand it the keys typed meanwhile."""
        if self.typed:
            typed, self.typed = self.typed, []
            self.app.run_worker(replay_keys(self.app, self, typed), group="boot", exit_on_error=False)

    def on_key(self, event: events.Key) -> None:
        """A key typed before the Dashboard exists is kept for it (`q` and ctrl+c still quit now)."""
        if event.key in ("q", "ctrl+c"):
            return
        self.typed.append(events.Key(event.key, event.character))
        event.stop()
        event.prevent_default()

    def compose(self) -> ComposeResult:
        """The header's place, with the target the command line named (if it named one)."""
        yield Static(f"sutazai-tui · {self.target} · loading settings…", id="boot", markup=False)


KEY_REPLAY_GAP_S = 0.05  # how often keys typed while booting look for the Dashboard
KEY_SETTLE_S = 1.0  # the longest one queue is waited on while a replayed key is handled


async def replay_keys(app: App[int], boot: Screen[None], typed: list[events.Key]) -> None:
    """Hand the keys typed while booting to the screen over the BootScreen, in order."""
    # Textual offers no event for "this screen is now the current one": look each 50 ms.
    while app.screen is boot or not app.screen.is_mounted:  # noqa: ASYNC110
        await asyncio.sleep(KEY_REPLAY_GAP_S)
    for key in typed:  # one at a time, as typed: a key that moves focus (`/` opens the
        app.post_message(key)  # filter) has done so before the next (its text) arrives
        await settled(app)


async def settled(app: App[int]) -> None:
    """Return once a key posted to the app has been handled, focus moves included.

    A key goes app → screen (its binding runs there) → app (a focus change is queued back on the
    app), so each of those queues is drained in turn. Waiting for the process to look idle, as
    Textual's Pilot does, returned too early on a loaded machine and the first letter after `/`
    went to the table instead of the filter. A queue that closes meanwhile (the key quit or
    switched screens) is waited on for at most a second.
    """
    for pump in (app, app.screen, app):
        with contextlib.suppress(TimeoutError, AssertionError):
            await asyncio.wait_for(pump.wait_for_refresh(), KEY_SETTLE_S)
