"""A misbehaving HTTP server on 127.0.0.1: one path per way a backend can hurt a monitor."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable

Writer = asyncio.StreamWriter
CRLF = "\r\n"
TLS_ALERT = b"\x15\x03\x01\x00\x02\x02\x28"  # what a TLS server sends to a plain HTTP request


def _head(code: int, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {code} X", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return (CRLF.join(lines) + CRLF + CRLF).encode()


def _json(code: int, body: object, headers: dict[str, str] | None = None) -> bytes:
    payload = json.dumps(body).encode()
    return _head(code, {"Content-Type": "application/json", **(headers or {})}, len(payload)) + payload


def _text(code: int, body: str) -> bytes:
    payload = body.encode()
    return _head(code, {"Content-Type": "text/plain; version=0.0.4"}, len(payload)) + payload


# The November 2025 line's /metrics: two services up, one down, and lines a parser must skip.
METRICS = """# HELP backend_service_status Service health (1 up, 0 down)
# TYPE backend_service_status gauge
backend_service_status{service="redis"} 0.0
backend_service_status{service="neo4j",instance="a,b"} 1.0
backend_service_status{service="qdrant"} 1 1700000000000
backend_requests_total{path="/health"} 42.0
"""


def _cancel_all(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel handlers still running (hung ones) so the loop closes without warnings."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


class HostileServer:
    """Serves each misbehaviour at its own path; runs in a daemon thread with its own loop."""

    BOMB_MB = 64

    def __init__(self) -> None:
        self.port = 0
        self.requests: Counter[str] = Counter()
        self.auth_seen: list[str] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._bomb = gzip.compress(b"\0" * self.BOMB_MB * 1024 * 1024, compresslevel=9)
        self.routes: dict[str, Callable[[Writer, str], Awaitable[None]]] = {
            "/hang": self._hang,
            "/trickle": self._trickle,
            "/huge": self._huge,
            "/huge-chunked": self._huge_chunked,
            "/gzip-bomb": self._gzip_bomb,
            "/not-json": self._static(_head(200, length=9) + b"it works!"),
            "/deep": self._deep,
            "/wrong-types": self._static(_json(200, {"status": 42, "services": ["redis"]})),
            "/empty": self._static(_head(200, length=0)),
            "/html-error": self._html_error,
            "/loop": self._static(_head(302, {"Location": "/loop"}, 0)),
            "/429": self._static(
                _json(429, {"error": "Burst limit exceeded", "retry_after": 7}, {"Retry-After": "7"})
            ),
            "/401": self._static(_json(401, {"error": "Unauthorized", "detail": "Authentication required"})),
            "/403": self._static(_json(403, {"error": "Forbidden", "detail": "insufficient scope"})),
            "/403-block": self._static(
                _json(
                    403,
                    {"error": "IP temporarily blocked due to repeated violations"},
                    {"X-Block-Reason": "Repeated rate limit violations", "Retry-After": "60"},
                )
            ),
            "/metrics": self._static(_text(200, METRICS)),
            "/metrics-401": self._static(_text(401, "# ERROR: Authentication required\n")),
            "/500": self._static(_json(500, {"detail": "Internal server error", "type": "RuntimeError"})),
            "/reset": self._reset,
            "/tls": self._static(TLS_ALERT),
            "/echo-auth": self._echo_auth,
            "/ok": self._static(_json(200, {"status": "healthy", "services": {"redis": "healthy"}})),
            "/hostile": self._hostile,
            "/mcp-503": self._static(_json(503, {"detail": f"MCP bridge down: {MCP_503}"})),
            "/click": self._static(_json(503, {"detail": CORPUS[0]})),
        }

    @property
    def url(self) -> str:
        """Base URL; append a route's path."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        """Listen on a free loopback port in a daemon thread."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            server = loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            server.close()
            _cancel_all(loop)
            loop.close()

        self._thread = threading.Thread(target=run, name="hostile-server", daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop the loop; hung handlers die with the daemon thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)

    async def _serve(self, reader: asyncio.StreamReader, writer: Writer) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            path = head.split(" ", 2)[1]
            self.requests[path] += 1
            handler = self.routes.get(path, self._static(_json(404, {"detail": "Not Found"})))
            await handler(writer, head)
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _static(data: bytes) -> Callable[[Writer, str], Awaitable[None]]:
        async def send(writer: Writer, head: str) -> None:
            writer.write(data)
            await writer.drain()

        return send

    async def _hang(self, writer: Writer, head: str) -> None:
        await asyncio.sleep(3600)  # accepted, never answered

    async def _trickle(self, writer: Writer, head: str) -> None:
        writer.write(_head(200, {"Content-Type": "application/json"}, 1000))
        for _ in range(1000):
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(1)  # one byte a second, the slow-loris answer

    async def _huge(self, writer: Writer, head: str) -> None:
        size = 200 * 1024 * 1024
        writer.write(_head(200, {"Content-Type": "application/json"}, size))
        chunk = b" " * 65536
        for _ in range(size // len(chunk)):
            writer.write(chunk)
            await writer.drain()

    async def _huge_chunked(self, writer: Writer, head: str) -> None:
        writer.write(_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        chunk = b" " * 65536
        for _ in range(3200):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
        writer.write(b"0\r\n\r\n")

    async def _gzip_bomb(self, writer: Writer, head: str) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        writer.write(_head(200, headers, len(self._bomb)) + self._bomb)
        await writer.drain()

    async def _deep(self, writer: Writer, head: str) -> None:
        body = b"[" * 100_000 + b"]" * 100_000
        writer.write(_head(200, {"Content-Type": "application/json"}, len(body)) + body)
        await writer.drain()

    async def _html_error(self, writer: Writer, head: str) -> None:
        body = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"
        writer.write(_head(200, {"Content-Type": "text/html"}, len(body)) + body)
        await writer.drain()

    async def _reset(self, writer: Writer, head: str) -> None:
        writer.write(_head(200, {"Content-Type": "application/json"}, 5000) + b'{"status": "hea')
        await writer.drain()
        writer.transport.abort()  # RST in the middle of the body

    async def _hostile(self, writer: Writer, head: str) -> None:
        # Every string hostile, a new rotation each request; the MCP route's 503 shape (FastAPI detail).
        n = self.requests["/hostile"]
        writer.write(_json(503 if n % 2 else 200, hostile_body(n)))
        await writer.drain()

    async def _echo_auth(self, writer: Writer, head: str) -> None:
        auth = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in head.split(CRLF)
                if ln.lower().startswith("authorization:")
            ),
            "",
        )
        self.auth_seen.append(auth)
        body = {"status": "healthy", "services": {"echo": auth}, "detail": f"you sent {auth}"}
        writer.write(_json(200, body))
        await writer.drain()


# One corpus of hostile text, walked through every surface (tests/*/test_*hostile*.py): each string
# must be shown literally, crash nothing and put no ESC, BEL or C1 byte on a terminal or in a file.
MCP_503 = (
    "1 validation error for MCPStatus\nmode\n  Field required [type=missing, "
    "input_value={'mode': 'dind'}, input_type=dict]"
)
CORPUS: tuple[str, ...] = (
    "[@click=screen.emergency_stop]MCP bridge down - click to dismiss[/]",
    "[@click=screen.confirm]ok[/]",
    "[link=https://evil.example/x]docs[/link]",
    "[/]prod",
    "[b]unclosed",
    MCP_503,
    "\x1b]52;c;UFdORUQ=\x07",  # OSC 52: writes the clipboard
    "\x1b]0;pwned-title\x07",  # OSC 0: retitles the pane
    "\x1b[2J\x1b[31mred",  # clears the screen
    "\x9b31m\x9d0;c1\x9c",  # C1 CSI, OSC, ST
    "abc\u202eevil\u2066x\u2069",  # bidi override and isolates
    "ok\nNEWLINE-INJECTED SUTAZAI OK - fake",
    "![x](https://evil.example/pixel.png) [docs](javascript:alert(1)) <img src=x onerror=alert(1)>",
    "\udcff\udcfe invalid utf-8 carried as surrogates",
    "L" * 10_000,
)
# What may never appear in what a surface emits: ESC, BEL, C1 controls, bidi controls.
FORBIDDEN = re.compile("[\x07\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_body(i: int = 0) -> dict[str, object]:
    """A backend answer whose every string is hostile (rotating through the corpus from `i`)."""
    text = [CORPUS[(i + k) % len(CORPUS)] for k in range(len(CORPUS))]
    return {
        "status": text[0],
        "detail": text[5 % len(text)],
        "message": text[1],
        "services": {text[2][:30]: text[3], "redis": text[4], "neo4j": text[6]},
        "error": text[7],
    }
