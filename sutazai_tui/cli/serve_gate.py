"""Who may open `serve`'s page: whoever holds the URL it printed, from that page's own origin.

textual-serve has no login, so any web page the operator has open could open `ws://127.0.0.1:PORT/ws`
and type into the monitor, and any local user could browse to it. The gate is an aiohttp middleware
wrapped around textual-serve's app (no private method of it is replaced):

- a fresh secret per start (256 bits, `secrets`), only in the URL `serve` prints;
- `GET /?key=SECRET` exchanges it for a session cookie (`HttpOnly; SameSite=Strict`) and redirects to
  `/`, so the secret does not stay in the address bar, the history or a Referer;
- every request needs that cookie; the websocket also needs an `Origin` equal to the served origin
  (a page elsewhere cannot borrow the cookie's tab: SameSite keeps the cookie home, the Origin check
  refuses the rest). Anything else is a 403 before a byte of screen is sent, logged in one line.

What a tab may do once in (`--allow-actions`) is the tab's business (tui/controllers/actions.py).
See docs/security.md.
"""

from __future__ import annotations

import hmac
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO
from urllib.parse import quote

from aiohttp import web

COOKIE = "sutazai_tui_session"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeGate:
    """The secret, the session it is exchanged for, and the middleware that checks both."""

    def __init__(self, origin: str, log: TextIO | None = None) -> None:
        self.origin = origin  # e.g. http://127.0.0.1:8000: what a browser sends as Origin
        self.secret = secrets.token_urlsafe(32)  # 256 bits, in the printed URL only
        self.session = secrets.token_urlsafe(32)  # what the cookie carries (never the secret itself)
        self._log = log or sys.stderr
        self.refused = 0

    @property
    def url(self) -> str:
        """The URL `serve` prints: the only way in."""
        return f"{self.origin}/?key={quote(self.secret)}"

    def _holds(self, request: web.Request) -> bool:
        return hmac.compare_digest(request.cookies.get(COOKIE, ""), self.session)

    def _refuse(self, request: web.Request, why: str) -> web.Response:
        self.refused += 1
        peer = request.remote or "?"
        # One line where serve logs; the path only, never the query (it may hold a guessed key).
        print(
            f"sutazai-tui serve: refused {request.method} {request.path} from {peer}: {why}", file=self._log
        )
        self._log.flush()
        body = "403: open the URL `sutazai-tui serve` printed (it holds this start's key)\n"
        return web.Response(status=403, text=body, headers={"Cache-Control": "no-store"})

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Exchange the key for the cookie; let in only the cookie (and, for /ws, the right Origin)."""
        key = request.query.get("key")
        if key is not None:
            if not hmac.compare_digest(key, self.secret):
                return self._refuse(request, "wrong key")
            found = web.HTTPSeeOther("/")
            found.set_cookie(COOKIE, self.session, httponly=True, samesite="Strict", path="/")
            found.headers["Referrer-Policy"] = "no-referrer"
            found.headers["Cache-Control"] = "no-store"
            return found
        if not self._holds(request):
            return self._refuse(request, "no session cookie (not opened through the printed URL)")
        if request.path == "/ws":
            origin = request.headers.get("Origin")
            if origin != self.origin:
                return self._refuse(request, f"Origin {origin!r} is not {self.origin}")
        response = await handler(request)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
