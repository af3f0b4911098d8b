"""textual-serve's server, made to leave no process behind (issue 15).

textual-serve starts each tab's app through a shell and, when the tab goes, asks it to quit and
waits for it without a limit; on SIGTERM it waits up to a minute for its websockets. Here:
- each tab's app is exec'd (no shell in between) in its own process group, with a driver that
  ends it when its input ends, its parent goes or a signal comes (tui/web_driver.py);
- a closed tab ends its process within a bounded time: quit, end of input, SIGTERM, SIGKILL;
- SIGTERM, SIGHUP and SIGINT end `serve` within 2 s, and every tab process with it;
- textual-serve's aiohttp app is wrapped in the gate (serve_gate.py): only the printed URL's holder,
  from the served origin, gets a tab; each tab's process learns its peer address, its tab id and
  whether it may act (`SUTAZAI_TUI_SERVE_TAB`), for the audit. No access log: URLs are not logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import shlex
import signal
import time
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from sutazai_tui.cli.serve_gate import ServeGate
from sutazai_tui.cli.serve_poller import SharedPoller
from sutazai_tui.tui.controllers.actions import SERVE_TAB_ENV

TAB_ENV = SERVE_TAB_ENV  # read by the tab (tui/controllers/actions.py: ServeDoor)

DRIVER = "sutazai_tui.tui.web_driver:GuardedWebDriver"
QUIT_S = 0.8  # a closing tab's app gets this long to quit, then SIGTERM, as long again, then SIGKILL
SHUTDOWN_S = 0.3  # at serve's end: a tab's SIGTERM, the poller's cleanup, aiohttp's open connections


def _signal_group(process: asyncio.subprocess.Process, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the app and anything it started: it leads its own group


async def end_process(
    process: asyncio.subprocess.Process, grace: float = QUIT_S, term: float = QUIT_S
) -> None:
    """Wait `grace` s for the process to end by itself, then SIGTERM its group (`term` s), then SIGKILL."""
    for sig, wait in ((None, grace), (signal.SIGTERM, term), (signal.SIGKILL, QUIT_S)):
        if sig is not None:
            _signal_group(process, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), wait)
            return


class TabProcess(AppService):
    """One tab's app process: exec'd, its own process group, ended for sure when the tab goes."""

    def __init__(
        self,
        argv: list[str],
        children: set[asyncio.subprocess.Process],
        door: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self._argv = argv
        self._children = children
        self._door = door or {}

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment["TEXTUAL_DRIVER"] = DRIVER
        environment.update(self._door)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        pipe = asyncio.subprocess.PIPE
        self._process = process = await asyncio.create_subprocess_exec(
            *self._argv,
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
            env=self._build_environment(width, height),
            start_new_session=True,
        )
        self._children.add(process)
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit, close its input, and make sure it ends (safe to call twice)."""
        process, task = self._process, self._task
        self._task = None
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send_meta({"type": "quit"}), QUIT_S)
            with contextlib.suppress(Exception):
                self.stdin.close()  # end of input: the driver ends the app even before its first frame
            await end_process(process)
        self._children.discard(process)
        if task is not None:
            task.cancel()  # it reads the app's output, which has ended
            with contextlib.suppress(BaseException):
                await task


class TabServer(Server):
    """The server behind `sutazai-tui serve`."""

    def __init__(
        self,
        argv: list[str],
        poller: SharedPoller | None = None,
        *,
        allow_actions: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.gate = ServeGate(self.public_url)
        self.allow_actions = allow_actions
        self.argv = argv
        self.children: set[asyncio.subprocess.Process] = set()
        self.poller = poller
        self._polling: asyncio.Task[None] | None = None

    async def on_startup(self, app: web.Application) -> None:
        """Start the one monitor every tab follows."""
        await super().on_startup(app)
        if self.poller is not None:
            self._polling = asyncio.create_task(self.poller.run())
            self._polling.add_done_callback(self._poller_ended)

    def _poller_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            # Tabs would freeze on their last cycle without a word: say it where serve logs.
            self.console.print(f"sutazai-tui serve: monitoring stopped: {type(error).__name__}: {error}")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: its app process lives exactly as long as its websocket."""
        # heartbeat: a peer that vanished without a FIN is noticed; timeout: closing never hangs.
        websocket = web.WebSocketResponse(heartbeat=15, timeout=1.0)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        tab: TabProcess | None = None
        try:
            await websocket.prepare(request)
            tab = TabProcess(
                self.argv,
                self.children,
                self._door(request),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await tab.start(width, height)
            await self._process_messages(websocket, tab)
        except (asyncio.CancelledError, ConnectionError):
            pass
        except Exception as error:  # a malformed message from a tab: that tab ends, not serve
            self.console.print(f"sutazai-tui serve: tab ended: {type(error).__name__}: {error}")
        finally:
            if tab is not None:
                await asyncio.shield(tab.stop())
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    def _door(self, request: web.Request) -> dict[str, str]:
        """What the tab's process is told about its door: peer address, a tab id, may it act."""
        peer = request.transport.get_extra_info("peername") if request.transport else None
        where = (
            f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else request.remote or "?"
        )
        door = {"peer": where, "tab": secrets.token_hex(4), "allow": self.allow_actions}
        return {TAB_ENV: json.dumps(door)}

    async def guarded_app(self) -> web.Application:
        """textual-serve's aiohttp app, behind the gate."""
        app = await self._make_app()
        app.middlewares.append(self.gate.middleware)
        return app

    async def on_shutdown(self, app: web.Application) -> None:
        """Serve is ending: every tab process ends first, so no connection waits for one."""
        if self._polling is not None:
            self._polling.cancel()  # its cleanup runs while the tabs end: serve has 2 s in all
        await asyncio.gather(*(end_process(p, grace=0, term=SHUTDOWN_S) for p in list(self.children)))
        if self._polling is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._polling, SHUTDOWN_S)

    def end_children_now(self) -> None:
        """Last resort, without a loop: SIGTERM every tab's group, then SIGKILL what is left."""
        for process in list(self.children):
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + QUIT_S
        while time.monotonic() < deadline and any(_alive(p.pid) for p in self.children):
            time.sleep(0.05)
        for process in list(self.children):
            _signal_group(process, signal.SIGKILL)

    def initialize_logging(self) -> None:
        """textual-serve's log, without a line per request of the monitor (httpx logs at INFO)."""
        super().initialize_logging()
        logging.getLogger("httpx").setLevel(logging.WARNING)

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT, SIGTERM or SIGHUP; then end every tab process and return."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self.guarded_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=lambda *args: None,
                access_log=None,  # request lines would carry the key of a first visit
                shutdown_timeout=SHUTDOWN_S,
            )
        finally:
            self.end_children_now()


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return waited == 0


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
