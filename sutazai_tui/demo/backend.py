"""A simulated SutazAI backend: a real HTTP/1.1 server on 127.0.0.1, scenario-driven.

It answers like the real one (answers.py), rate-limits like the real one (10 requests per 10 s
per client across all paths, 5 breaches block the client for an hour), and can hang the way the
real one did in its start-up deadlock: accept the connection and never answer.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from sutazai_tui.demo import answers

BURST_LIMIT = 10
BURST_WINDOW_S = 10.0
MAX_VIOLATIONS = 5
BLOCK_S = 3600.0


class RateLimiter:
    """The backend's burst limiter, per client address."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, deque[float]] = {}
        self.violations: Counter[str] = Counter()
        self._blocked_until: dict[str, float] = {}

    def check(self, client: str) -> tuple[int, dict[str, Any]] | None:
        """None when the request may pass, else the 429/403 answer to give."""
        now = self._clock()
        if self._blocked_until.get(client, 0.0) > now:
            return 403, {"error": "IP blocked", "detail": "Too many rate limit violations"}
        seen = self._seen.setdefault(client, deque())
        while seen and now - seen[0] >= BURST_WINDOW_S:
            seen.popleft()
        if len(seen) >= BURST_LIMIT:
            self.violations[client] += 1
            if self.violations[client] >= MAX_VIOLATIONS:
                self._blocked_until[client] = now + BLOCK_S
            return 429, {"error": "Burst limit exceeded", "retry_after": 10}
        seen.append(now)
        return None


class SimulatedBackend:
    """The fake backend; start it on an event loop (`start`) or in its own thread (`start_thread`)."""

    def __init__(
        self,
        scenario: str = "healthy",
        host: str = "127.0.0.1",
        port: int = 0,
        phase_seconds: float = 15.0,
        rate_limit: bool = True,
        slow_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if scenario not in answers.SCENARIOS:
            names = ", ".join(answers.SCENARIOS)
            raise ValueError(f"unknown scenario {scenario!r}; choose one of {names}")
        self.scenario = scenario
        self.host = host
        self.port = port
        self.phase_seconds = phase_seconds
        self.slow_s = slow_s
        self.limiter = RateLimiter(clock) if rate_limit else None
        self._clock = clock
        self._started_at = clock()
        self.forced_phase: str | None = None
        self.requests: Counter[str] = Counter()
        self.request_times: list[float] = []
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._hung: set[asyncio.Future[bytes]] = set()

    @property
    def url(self) -> str:
        """The base URL to point the monitor at."""
        return f"http://{self.host}:{self.port}"

    @property
    def phase(self) -> str:
        """The phase being played now (forced by a test, or from the scenario's timeline)."""
        if self.forced_phase is not None:
            return self.forced_phase
        timeline = answers.SCENARIOS[self.scenario]
        step = int((self._clock() - self._started_at) / self.phase_seconds)
        return timeline[min(step, len(timeline) - 1)]

    def restart_timeline(self) -> None:
        """Play the scenario again from its first phase (the demo's "restart the backend")."""
        self._started_at = self._clock()

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        self._started_at = self._clock()

    async def stop(self) -> None:
        """Stop listening and drop hung connections."""
        for fut in list(self._hung):
            fut.cancel()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def start_thread(self) -> SimulatedBackend:
        """Run on a private event loop in a daemon thread; returns once it listens."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self.start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="simulated-backend", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("simulated backend did not start within 10 s")
        return self

    def stop_thread(self) -> None:
        """Stop a backend started with `start_thread`."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
            writer.close()
            return
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split()
        path = parts[1].split("?", 1)[0] if len(parts) >= 2 else "/"
        self.requests[path] += 1
        self.request_times.append(self._clock())
        client = str((writer.get_extra_info("peername") or ("?",))[0])
        try:
            code, body = await self._answer(path, client, reader)
            payload = json.dumps(body).encode()
            reason = {
                200: "OK",
                404: "Not Found",
                429: "Too Many Requests",
                403: "Forbidden",
                503: "Service Unavailable",
            }
            headers = [
                f"HTTP/1.1 {code} {reason.get(code, 'Status')}",
                "Content-Type: application/json",
                f"Content-Length: {len(payload)}",
                "Connection: close",
            ]
            if code == 429:
                headers.append("Retry-After: 10")
            writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
            await writer.drain()
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, path: str, client: str, reader: asyncio.StreamReader
    ) -> tuple[int, dict[str, Any]]:
        if self.limiter is not None:
            refused = self.limiter.check(client)
            if refused is not None:
                return refused
        phase = self.phase
        if phase == answers.HANG:
            # The deadlock: connection accepted, no answer, ever. Wait for the client to give up
            # (EOF), not forever: a long demo must not pile up one socket per abandoned request.
            hung = asyncio.ensure_future(reader.read())
            self._hung.add(hung)
            try:
                await hung
            finally:
                self._hung.discard(hung)
            raise ConnectionResetError("client gave up on the hung request")
        route = answers.ROUTES.get(path)
        if route is None:
            return 404, {"detail": "Not Found"}
        if phase == answers.DEGRADED and path == "/health":
            await asyncio.sleep(self.slow_s)  # the simulated slowness itself, not a test wait
        return route(phase)
