"""The driver of an app process behind `sutazai-tui serve`: textual-serve's, made sure to end.

Seen in the field (issue 15): a tab closed before the first frame left an app process running,
surviving `serve` and ignoring SIGTERM. This driver ends the process, within END_S seconds, when
- SIGTERM or SIGHUP arrives (a plain signal handler: it runs even when the event loop is stuck),
- its input ends (serve closed our stdin: the websocket is gone),
- its output breaks (nobody reads the frames any more), or
- its parent changes (serve died and we were re-parented).
Each first asks the app to exit cleanly, and a timer makes sure the process is gone anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import threading
from typing import Any

from textual.drivers.web_driver import WebDriver

END_S = 1.5  # a clean exit gets this long; then the process leaves regardless (the rule says 2 s)
WATCH_S = 0.5  # how often the parent is looked at


class GuardedWebDriver(WebDriver):
    """WebDriver that always ends its process once its browser tab or its `serve` is gone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parent = os.getppid()
        self._ending = threading.Event()
        self._exit_loop: asyncio.AbstractEventLoop | None = None
        write = self._write

        def guarded_write(data: bytes) -> int:
            try:
                return write(data)
            except OSError:  # the pipe to serve is broken: frames go nowhere, so stop making them
                self.end()
                return len(data)

        self._write = functools.partial(guarded_write)

    def start_application_mode(self) -> None:
        """Start as textual-serve's driver does, then take over SIGTERM/SIGHUP and watch the parent."""
        self._exit_loop = asyncio.get_running_loop()
        super().start_application_mode()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self._on_signal)
        threading.Thread(target=self._watch_parent, name="serve-lifeline", daemon=True).start()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.end()

    def run_input_thread(self) -> None:
        """Read the tab's input; when it ends without the app exiting, the tab is gone: end."""
        super().run_input_thread()
        if not self.exit_event.is_set():
            self.end()

    def _watch_parent(self) -> None:
        while not self._ending.wait(WATCH_S):
            if os.getppid() != self._parent:
                self.end()

    def end(self) -> None:
        """Ask the app to exit; leave after END_S seconds whatever it does (idempotent)."""
        if self._ending.is_set():
            return
        self._ending.set()
        timer = threading.Timer(END_S, os._exit, args=(0,))
        timer.daemon = True
        timer.start()
        loop = self._exit_loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the timer ends us
                loop.call_soon_threadsafe(self._app.exit)
