"""The local engine's container list, asked as the TUI starts, before Textual is even imported.

The engine answers on its own CPU while ours imports Textual, reads the settings and draws the
Dashboard; the warm-up (Session.warm_up, DockerSource.connect) then shows that list at once,
before it imports httpx and builds the Monitor (docs/architecture.md "The first answers"). Only a
unix:// socket is asked, with the standard library alone (one GET, HTTP/1.0: the engine closes
the connection after its answer); the answer is used only if the settings name the same socket.
Best effort: any fault (no socket, refused, an error status, a body that is not a JSON list)
leaves no early list, and the warm-up asks the engine as it always did, reporting the fault there.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any

from sutazai_tui import __version__

EARLY_WAIT_S = 2.0  # how long the warm-up waits for this list before asking the engine itself
MAX_BYTES = 64 << 20  # an answer larger than this is not read (10,000 containers are ~30 MiB)


class EarlyList:
    """One `GET /containers/json?all=1` on a unix socket, in a daemon thread started at once."""

    def __init__(self, path: str, timeout: float) -> None:
        self.path, self.timeout = path, timeout
        self._rows: list[dict[str, Any]] | None = None
        self._done = threading.Event()
        threading.Thread(target=self._ask, name="sutazai-early-list", daemon=True).start()

    def _ask(self) -> None:
        try:
            self._rows = rows_of(self._get())
        except (OSError, ValueError):
            pass  # the warm-up asks again and reports what is wrong
        finally:
            self._done.set()

    def _get(self) -> bytes:
        request = (
            "GET /containers/json?all=1 HTTP/1.0\r\nHost: docker\r\n"
            f"User-Agent: sutazai-tui/{__version__}\r\n\r\n"
        )
        got = bytearray()
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            sock.connect(self.path)
            sock.sendall(request.encode())
            while chunk := sock.recv(1 << 16):
                got += chunk
                if len(got) > MAX_BYTES:
                    raise ValueError("answer too large")
        return bytes(got)

    def rows(self, wait_s: float) -> list[dict[str, Any]] | None:
        """The engine's rows, waiting up to `wait_s` for them; None if it failed or is still out."""
        self._done.wait(wait_s)
        return self._rows


def rows_of(answer: bytes) -> list[dict[str, Any]]:
    """The list rows of an HTTP answer; ValueError unless a 200 whose body is a JSON list of objects."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or status[1] != b"200":
        raise ValueError(f"engine answered {bytes(head[:40])!r}")
    rows = json.loads(body)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ValueError("not a list of containers")
    return rows


_asked: EarlyList | None = None


def ask(path: str | None, timeout: float = 5.0) -> None:
    """Ask the engine on socket `path` for its list now (a unix socket path; None: nothing)."""
    global _asked
    if path is not None and _asked is None:
        _asked = EarlyList(path, timeout)


def early_rows(path: str | None, wait_s: float) -> list[dict[str, Any]] | None:
    """The rows `ask` got from socket `path`, once (the next caller asks the engine itself)."""
    global _asked
    asked = _asked
    if asked is None or path is None or asked.path != path:
        return None
    _asked = None
    return asked.rows(wait_s)
