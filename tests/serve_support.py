"""Helpers for tests of `sutazai-tui serve`: a free port, the URL it printed, its login, a raw websocket."""

from __future__ import annotations

import base64
import os
import re
import socket
import time
from pathlib import Path

import httpx

URL = re.compile(r"serving on (http://\S+/\?key=\S+) ")


def free_port() -> int:
    """A port nobody listens on right now (127.0.0.1)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def printed_url(log: Path, within_s: float = 30) -> str:
    """The URL (with this start's key) `serve` printed in its log."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        found = URL.search(log.read_text(errors="replace"))
        if found:
            return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"serve printed no URL: {log.read_text(errors='replace')!r}")


def login(url: str, within_s: float = 30) -> str:
    """Exchange the printed URL's key for the session cookie, as a browser does; the Cookie header."""
    deadline = time.monotonic() + within_s
    while True:
        try:
            answer = httpx.get(url, timeout=10, follow_redirects=False)
            break
        except httpx.TransportError:  # printed, not listening yet
            assert time.monotonic() < deadline, f"serve did not listen within {within_s} s"
            time.sleep(0.05)
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer
    set_cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie, set_cookie
    return set_cookie.split(";", 1)[0]


def handshake(port: int, *, cookie: str = "", origin: str | None = None) -> tuple[socket.socket, bytes]:
    """Open /ws with a raw upgrade request; the socket and the answer's head (and what followed)."""
    sock = socket.create_connection(("127.0.0.1", port), 5)
    key = base64.b64encode(os.urandom(16)).decode()
    extra = (f"Cookie: {cookie}\r\n" if cookie else "") + (f"Origin: {origin}\r\n" if origin else "")
    sock.sendall(
        f"GET /ws?width=80&height=24 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}"
        f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            break
        head += chunk
    return sock, head
