"""TLS for our httpx clients, loaded only when a request needs it (docs/security.md, "TLS").

Why: httpx builds a verifying SSL context, loading certifi's CA bundle, for every client it makes,
whether or not the client ever speaks TLS: 2.8 MiB RSS for the first client of a process and
0.75 MiB for each after it (measured with bench/tui_weight.py). The backend is usually asked over
plain http:// on the same host, and the engine's local socket never speaks TLS at all.

- `lazy_tls_mounts(verify)`: https:// requests go through a transport whose SSL context is built on
  the first https:// request, from exactly the `verify` the client was given (True: certifi's
  bundle, as httpx does by default; a context of the operator's CA; False only where the operator
  turned verification off). Nothing about verification changes: only when the bundle is loaded.
- `NO_TLS`: the context given to transports that must never speak TLS (plain http://, a unix
  socket). It verifies as strictly as any (certificates required, host names checked) and trusts
  no authority, so a TLS handshake through it fails closed instead of being weakened.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

import httpx


def _no_tls() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname by default
    ctx.verify_mode, ctx.check_hostname = ssl.CERT_REQUIRED, True
    return ctx


NO_TLS = _no_tls()


class LazyTLSTransport(httpx.AsyncBaseTransport):
    """An AsyncHTTPTransport for https:// made on its first request, with the client's `verify`."""

    def __init__(self, verify: ssl.SSLContext | bool, **options: Any) -> None:
        self._verify, self._options = verify, options
        self._made: httpx.AsyncHTTPTransport | None = None
        self._lock = threading.Lock()

    @property
    def made(self) -> bool:
        """Whether an https:// request has built the real transport (and loaded its CAs)."""
        return self._made is not None

    def _transport(self) -> httpx.AsyncHTTPTransport:
        with self._lock:
            if self._made is None:
                self._made = httpx.AsyncHTTPTransport(verify=self._verify, **self._options)
            return self._made

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._transport().handle_async_request(request)

    async def aclose(self) -> None:
        if self._made is not None:
            await self._made.aclose()


def lazy_tls_mounts(verify: ssl.SSLContext | bool, **options: Any) -> dict[str, Any]:
    """AsyncClient arguments: plain http:// without a CA bundle, https:// verified as `verify` says.

    `options` are the transport's (limits, http2...), the same for both schemes.
    """
    return {
        "transport": httpx.AsyncHTTPTransport(verify=NO_TLS, **options),
        "mounts": {"https://": LazyTLSTransport(verify, **options)},
    }
