"""The wire under HttpSource: capped body reading, JSON parsing, and naming transport failures.

Each failure gets a machine-readable kind (EndpointStatus.failure) and one line naming the fix;
`Progress` (httpcore trace events) tells "accepted and never answered" from "unreachable".
"""

from __future__ import annotations

import json
import socket
import ssl
import zlib
from typing import Any
from urllib.parse import urlsplit

import httpx

from sutazai_tui.models import State
from sutazai_tui.sources.backend.classify import Verdict


class Failure(Exception):
    """A request that produced no judgeable answer; `kind` is EndpointStatus.failure."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    """The decoded body, or Failure('too-large') as soon as it passes `cap` bytes."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        raise Failure("too-large", f"answer of {int(length):,} bytes exceeds the {cap:,}-byte cap")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        inflater: Any = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflater = zlib.decompressobj()
    elif encoding in ("identity", ""):
        inflater = None
    else:
        raise Failure("bad-encoding", f"answer uses unsupported content-encoding {encoding!r}")
    body = bytearray()
    raw = 0
    async for chunk in response.aiter_raw():
        raw += len(chunk)
        if inflater is None:
            body += chunk
        else:
            try:
                body += inflater.decompress(chunk, cap + 1 - len(body))
            except zlib.error:
                raise Failure("bad-encoding", f"answer is not valid {encoding} data") from None
            if inflater.unconsumed_tail:
                body += b"x"  # output hit the cap with input left: too large
        if len(body) > cap or raw > cap:
            raise Failure("too-large", f"answer exceeds the {cap:,}-byte cap (cut off)")
    return bytes(body)


def parse_json(body: bytes) -> Any:
    """JSON from a body, or Failure('bad-json') saying what it looked like."""
    if not body.strip():
        raise Failure("bad-json", "empty answer where JSON was expected")
    try:
        return json.loads(body)
    except RecursionError:
        raise Failure("bad-json", "answer is JSON nested too deeply to read") from None
    except (UnicodeDecodeError, ValueError):
        head = body[:200].decode("utf-8", "replace").lstrip().lower()
        if head.startswith(("<!doctype", "<html", "<")):
            raise Failure("bad-json", "answer is an HTML page, not JSON (a proxy error page?)") from None
        raise Failure("bad-json", "answer is not valid JSON") from None


def retry_after(response: httpx.Response, body: Any) -> float:
    """Seconds the backend asks us to wait: Retry-After, else its body's retry_after, else 10."""
    header = response.headers.get("retry-after", "")
    if header.strip().isdigit():
        return float(header.strip())
    if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
        return float(body["retry_after"])
    return 10.0


class Progress:
    """How far a request got, from httpcore's trace events: tells 'hung' from 'unreachable'."""

    def __init__(self) -> None:
        self.connected = False
        self.tls_started = False
        self.tls_done = False
        self.headers = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event in ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete"):
            self.connected = True
        elif event == "connection.start_tls.started":
            self.tls_started = True
        elif event == "connection.start_tls.complete":
            self.tls_done = True
        elif event.endswith("receive_response_headers.complete"):
            self.headers = True


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def describe_connect_error(exc: Exception, url: str) -> Failure:
    """A connect error as a failure kind and a line that names the likely fix."""
    chain = _chain(exc)
    host = urlsplit(url).netloc
    low = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in low or "certificate" in low:
        return Failure(
            "tls",
            f"TLS handshake with {host} failed — check the URL scheme (http/https), verify_tls or ca_bundle",
        )
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in low:
        return Failure("refused", f"connection refused at {host} — is the backend running on that port?")
    if any(isinstance(e, socket.gaierror) for e in chain) or "name or service" in low or "resolution" in low:
        return Failure("dns", f"unknown host {urlsplit(url).hostname!r} — check base_url")
    return Failure("connect", f"cannot connect to {host}: {str(chain[-1])[:100] or type(exc).__name__}")


def timeout_verdict(progress: Progress, timeout: float) -> Verdict:
    """What a request that hit its deadline means, from how far it got."""
    t = timeout
    if progress.headers:
        return Verdict(
            State.DOWN,
            f"answer still incomplete after the {t:g} s deadline (trickling body)",
            failure="timeout-body",
        )
    if progress.tls_started and not progress.tls_done:
        return Verdict(
            State.DOWN,
            f"TLS handshake got no answer within {t:g} s — is this a plain-HTTP port? try http://",
            failure="tls",
        )
    if progress.connected:
        return Verdict(
            State.DOWN,
            f"accepts connections but sent no answer within the {t:g} s timeout (hung?)",
            failure="timeout-connected",
        )
    return Verdict(State.DOWN, f"could not connect within the {t:g} s timeout", failure="timeout-connect")


def broken_verdict(exc: Exception, progress: Progress) -> Verdict:
    """What a connection broken by the other side means, from how far it got."""
    text = str(exc).lower()
    if not progress.headers and ("illegal" in text or "invalid" in text or "malformed" in text):
        return Verdict(
            State.DOWN, "answered something that is not HTTP (TLS on a plain port?)", failure="tls"
        )
    if progress.headers:
        return Verdict(State.DOWN, "connection reset in the middle of the answer", failure="reset")
    return Verdict(State.DOWN, "connection closed before any answer", failure="reset")
