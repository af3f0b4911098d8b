"""A simulated SutazAI backend: a real HTTP/1.1 server on 127.0.0.1, scenario-driven.

It answers like the real builds (answers.py, builds.py), rate-limits like the real one on the
August line (limiter.py: 10 per 10 s bucket, per-minute limits, X-RateLimit-* headers, the 403
block after 5 violations), and fails the ways the real start-up deadlock did: connection refused
(nothing listens yet), accepted and reset at once (Docker's proxy), or, for the seed's incident
timeline, accepted and never answered.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable

from sutazai_tui.demo import answers
from sutazai_tui.demo.builds import Answer, BuildState
from sutazai_tui.demo.limiter import BURST_LIMIT, BURST_WINDOW_S, MAX_VIOLATIONS, RateLimiter

__all__ = ["BURST_LIMIT", "BURST_WINDOW_S", "MAX_VIOLATIONS", "RateLimiter", "SimulatedBackend"]

_REASONS = {
    200: "OK",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


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
        loop: bool = False,
    ) -> None:
        if scenario not in answers.SCENARIOS:
            names = ", ".join(answers.SCENARIOS)
            raise ValueError(f"unknown scenario {scenario!r}; choose one of {names}")
        self.scenario = scenario
        self.host = host
        self.port = port
        self.phase_seconds = phase_seconds
        self.loop = loop  # a scenario of several phases starts again after its last (`--demo`)
        self.slow_s = slow_s
        self.limiter = RateLimiter() if rate_limit else None
        self.build = BuildState()
        self._clock = clock
        self._started_at = clock()
        self._paused_at: float | None = None  # the simulation's clock stands still from here
        self.forced_phase: str | None = None
        self.requests: Counter[str] = Counter()
        self.request_times: list[float] = []
        self._server: asyncio.Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._hung: set[asyncio.Future[bytes]] = set()
        self._reserved: socket.socket | None = None
        self._changes: set[asyncio.Task[None]] = set()

    @property
    def _refusing(self) -> bool:
        """A scenario whose backend never listens: the deadlock, or one that dies before binding."""
        timeline = answers.SCENARIOS[self.scenario]
        return len(timeline) == 1 and timeline[0] in answers.REFUSING

    @property
    def url(self) -> str:
        """The base URL to point the monitor at."""
        return f"http://{self.host}:{self.port}"

    @property
    def phase(self) -> str:
        """The phase being played now (forced by a test, or from the scenario's timeline)."""
        if self.forced_phase is not None:
            return self.forced_phase
        return answers.SCENARIOS[self.scenario][self._where()[0]]

    def _elapsed(self) -> float:
        """Seconds into the scenario on the simulation's clock (which stands still while paused)."""
        return (self._paused_at if self._paused_at is not None else self._clock()) - self._started_at

    def _where(self) -> tuple[int, int]:
        """(the phase's index in the timeline, how many times the scenario played through before)."""
        length = len(answers.SCENARIOS[self.scenario])
        step = int(self._elapsed() / self.phase_seconds)
        if self.loop and length > 1:
            return step % length, step // length
        return min(step, length - 1), 0

    @property
    def paused(self) -> bool:
        """Whether the simulation's clock stands still."""
        return self._paused_at is not None

    def pause_clock(self, paused: bool) -> None:
        """Stop the scenario's clock (the demo's `p`: what is on screen stays what the backend and
        its logs say) or let it run on from where it stood."""
        if paused and self._paused_at is None:
            self._paused_at = self._clock()
        elif not paused and self._paused_at is not None:
            self._started_at += self._clock() - self._paused_at
            self._paused_at = None

    def paused_for(self) -> float:
        """Seconds the simulation's clock has stood still so far (0 while it runs): the fleet's
        logs stop at the paused moment too."""
        return self._clock() - self._paused_at if self._paused_at is not None else 0.0

    def position(self) -> str:
        """Which scenario, which phase of how many, and how long until the next: `incident 2/4
        emergency, next in 12 s`; on a loop which play-through too: `incident 4/4 recovered, loop 2,
        again in 12 s` (a scenario that does not loop says nothing after its last phase)."""
        timeline = answers.SCENARIOS[self.scenario]
        if self.forced_phase is not None:
            return f"{self.scenario}: {self.forced_phase}"
        index, lap = self._where()
        where = f"{self.scenario} {index + 1}/{len(timeline)} {timeline[index]}"
        looping = self.loop and len(timeline) > 1
        if looping:
            where += f", loop {lap + 1}"
        if looping or index + 1 < len(timeline):
            left = self.phase_seconds - self._elapsed() % self.phase_seconds
            where += f", {'again' if index + 1 == len(timeline) else 'next'} in {math.ceil(left)} s"
        return where

    @property
    def dependencies(self) -> dict[str, str]:
        """What is really up behind the phase being played (name -> up/down); {} when not modelled."""
        return dict(answers.DEPENDENCIES.get(self.phase, {}))

    def _bind(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        return sock

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one); a refusing scenario binds but never listens."""
        self._loop = asyncio.get_running_loop()
        sock = self._bind()
        self._started_at = self._clock()
        if self._refusing:
            # Bound, not listening: connections are refused, as on the real container's port while
            # the lifespan deadlocks (uvicorn binds only after it), and the port stays ours.
            self._reserved = sock
            return
        self._server = await asyncio.start_server(self._serve, sock=sock)

    async def stop(self) -> None:
        """Stop listening and drop hung connections."""
        for fut in list(self._hung):
            fut.cancel()
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    @property
    def listening(self) -> bool:
        """Whether connections are accepted now (False while the simulated container is stopped)."""
        return self._server is not None

    def container_stopped(self, stopped: bool) -> None:
        """The simulated container stopped (its port refuses: nothing listens) or started again.

        Safe from any thread: the change runs on the backend's own loop. A refusing scenario (the
        lifespan deadlock) never listens, started or not.
        """
        loop = self._loop
        if loop is None or not loop.is_running():
            return  # not started: nothing listens either way
        try:
            same = asyncio.get_running_loop() is loop
        except RuntimeError:
            same = False
        if same and stopped:
            self._refuse()
        elif same:
            # Cannot block our own loop: listen now (the kernel queues connections at once), serve
            # from its next turn.
            if self._reserved is not None and not self._refusing:
                self._reserved.listen(100)
            task = loop.create_task(self._listen_again())
            self._changes.add(task)
            task.add_done_callback(self._changes.discard)
        else:
            asyncio.run_coroutine_threadsafe(self._change(stopped), loop).result(10)

    async def _change(self, stopped: bool) -> None:
        if stopped:
            self._refuse()
        else:
            await self._listen_again()

    def _refuse(self) -> None:
        # Close the listener, keep the port bound but not listening: connections are refused (as
        # on a stopped container's published port) and nothing else takes the port meanwhile.
        if self._server is None:
            return
        for fut in list(self._hung):
            fut.cancel()
        self._server.close()
        self._server = None
        self._reserved = self._bind()

    async def _listen_again(self) -> None:
        if self._server is not None or self._reserved is None:
            return
        if self._refusing:
            return  # the deadlocked build never gets to listen
        sock, self._reserved = self._reserved, None
        self._server = await asyncio.start_server(self._serve, sock=sock)

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
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split()
        path = parts[1].split("?", 1)[0] if len(parts) >= 2 else "/"
        authorized = any(line.lower().startswith("authorization: bearer ") for line in lines[1:])
        self.requests[path] += 1
        self.request_times.append(self._clock())
        client = str((writer.get_extra_info("peername") or ("?",))[0])
        if self.phase == answers.RESET:
            # Docker's userland proxy: it accepted, the container refused it, so it resets at once.
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.close()
            return
        try:
            code, body, extra = await self._answer(path, client, reader, authorized)
            if isinstance(body, str):
                payload, ctype = body.encode(), "text/plain; version=0.0.4; charset=utf-8"
            else:
                payload, ctype = json.dumps(body).encode(), "application/json"
            headers = [
                f"HTTP/1.1 {code} {_REASONS.get(code, 'Status')}",
                f"Content-Type: {ctype}",
                f"Content-Length: {len(payload)}",
                "Connection: close",
                *(f"{k}: {v}" for k, v in extra.items()),
            ]
            writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + payload)
            await writer.drain()
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(
        self, path: str, client: str, reader: asyncio.StreamReader, authorized: bool
    ) -> tuple[int, dict[str, object] | str, dict[str, str]]:
        phase = self.phase
        limiter = self.limiter if phase not in answers.UNLIMITED else None
        if limiter is not None:
            refused = limiter.check(client, path)
            if refused is not None:
                return refused.code, refused.body, {**limiter.headers(client, path), **refused.headers}
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
        if phase == answers.DEGRADED and path == "/health":
            await asyncio.sleep(self.slow_s)  # the simulated slowness itself, not a test wait
        answer: Answer = answers.respond(path, phase, self.build, authorized)
        extra = limiter.headers(client, path) if limiter is not None else {}
        return answer[0], answer[1], extra
