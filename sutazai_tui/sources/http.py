"""Polling the backend's endpoints: one AsyncClient, all endpoints at once, a hard deadline each.

The deadline wraps the whole request (connect, headers and body), so a server that accepts and
never answers, or trickles a byte a second, costs at most `timeout` seconds. Bodies are read raw
and decompressed here with a cap, so neither a huge body nor a gzip bomb is ever held whole.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
import zlib
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from sutazai_tui import __version__
from sutazai_tui.config.settings import EndpointConfig, Settings
from sutazai_tui.models import EndpointKind, EndpointStatus, State
from sutazai_tui.sources.classify import Verdict, judge
from sutazai_tui.util.redact import Redactor

BUDGET_WINDOW_S = 10.0
MAX_REDIRECTS = 3


class Failure(Exception):
    """A request that produced no judgeable answer; `kind` is EndpointStatus.failure."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


class RequestBudget:
    """At most `limit` requests per sliding window to one origin: we must never trip its limiter."""

    def __init__(
        self, limit: int, window: float = BUDGET_WINDOW_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}

    def _recent(self, origin: str) -> deque[float]:
        sent = self._sent.setdefault(origin, deque())
        now = self._clock()
        while sent and now - sent[0] >= self.window:
            sent.popleft()
        return sent

    def take(self, origin: str) -> bool:
        """Spend one request on `origin` if the window allows it."""
        sent = self._recent(origin)
        if len(sent) >= self.limit:
            return False
        sent.append(self._clock())
        return True

    def free_in(self, origin: str) -> float:
        """Seconds until the next request to `origin` is allowed."""
        sent = self._recent(origin)
        if len(sent) < self.limit:
            return 0.0
        return max(0.0, self.window - (self._clock() - sent[0]))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


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


def _retry_after(response: httpx.Response, body: Any) -> float:
    header = response.headers.get("retry-after", "")
    if header.strip().isdigit():
        return float(header.strip())
    if isinstance(body, dict) and isinstance(body.get("retry_after"), int | float):
        return float(body["retry_after"])
    return 10.0


class _Progress:
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


def _describe_connect_error(exc: Exception, url: str) -> Failure:
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


class HttpSource:
    """Polls every configured endpoint once per call to `poll`."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._endpoints = settings.all_endpoints()
        tokens = [e.token.get_secret_value() for e in self._endpoints if e.token]
        if settings.token:
            tokens.append(settings.token.get_secret_value())
        self._redactor = Redactor(tokens)
        self.budget = RequestBudget(settings.request_budget, clock=clock)
        self._not_before: dict[str, float] = {}
        self._last: dict[str, EndpointStatus] = {}
        verify: ssl.SSLContext | bool = settings.verify_tls
        if settings.verify_tls and settings.ca_bundle:
            verify = ssl.create_default_context(cafile=str(settings.ca_bundle))
        self._client = httpx.AsyncClient(
            verify=verify,
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(settings.timeout),
            headers={"Accept-Encoding": "gzip, deflate", "User-Agent": f"sutazai-tui/{__version__}"},
            trust_env=False,
        )

    @property
    def redactor(self) -> Redactor:
        """The redactor that knows this source's secrets, for anyone else printing backend text."""
        return self._redactor

    @property
    def endpoint_names(self) -> list[str]:
        """The endpoints polled, in panel order."""
        return [e.name for e in self._endpoints]

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def poll(self) -> tuple[EndpointStatus, ...]:
        """Every endpoint, concurrently; never raises."""
        return tuple(await asyncio.gather(*(self._poll_one(e) for e in self._endpoints)))

    def _token_for(self, endpoint: EndpointConfig, url: str) -> str | None:
        if endpoint.token:
            return endpoint.token.get_secret_value()
        if self._settings.token and url.startswith(self._settings.base_url + "/"):
            return self._settings.token.get_secret_value()
        return None

    def _carry(
        self, endpoint: EndpointConfig, url: str, failure: str, reason: str, wait: float
    ) -> EndpointStatus:
        """Not asked this cycle: keep the last answer's data, say why and until when."""
        retry_at = datetime.now(UTC) + timedelta(seconds=wait)
        last = self._last.get(endpoint.name)
        if last is None:
            return EndpointStatus(
                name=endpoint.name,
                url=url,
                kind=endpoint.kind,
                state=State.UNKNOWN,
                reason=reason,
                failure=failure,
                retry_at=retry_at,
                carried=True,
            )
        # Keep the last real verdict: skipping a request says nothing new about the backend.
        update = {
            "reason": f"{reason}; last answer: {last.reason}",
            "failure": failure,
            "retry_at": retry_at,
            "carried": True,
        }
        return last.model_copy(update=update)

    async def _poll_one(self, endpoint: EndpointConfig) -> EndpointStatus:
        url = self._settings.endpoint_url(endpoint)
        now = self._clock()
        wait = self._not_before.get(endpoint.name, 0.0) - now
        if wait > 0:
            return self._carry(
                endpoint, url, "rate-limited", f"rate-limited (429): next request in {wait:.0f} s", wait
            )
        origin = _origin(url)
        if not self.budget.take(origin):
            wait = self.budget.free_in(origin)
            reason = f"skipped: request budget of {self.budget.limit}/10 s spent (next in {wait:.0f} s)"
            return self._carry(endpoint, url, "skipped-budget", reason, wait)
        status = await self._request(endpoint, url)
        if status.failure != "rate-limited":
            self._last[endpoint.name] = status
        return status

    async def _request(self, endpoint: EndpointConfig, url: str) -> EndpointStatus:
        token = self._token_for(endpoint, url)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        progress = _Progress()
        started = self._clock()
        checked_at = datetime.now(UTC)
        code: int | None = None
        try:
            async with asyncio.timeout(self._settings.timeout):
                async with self._client.stream(
                    "GET", url, headers=headers, extensions={"trace": progress}
                ) as response:
                    code = response.status_code
                    body = await read_capped(response, self._settings.max_body_bytes)
            latency = (self._clock() - started) * 1000
            verdict = self._verdict(endpoint, url, response, body, latency)
        except TimeoutError:
            latency = (self._clock() - started) * 1000
            verdict = self._timeout_verdict(progress)
        except Failure as exc:
            latency = (self._clock() - started) * 1000
            state = State.DOWN
            verdict = Verdict(state, exc.reason, failure=exc.kind)
        except httpx.TooManyRedirects:
            latency = (self._clock() - started) * 1000
            verdict = Verdict(
                State.DOWN,
                f"more than {MAX_REDIRECTS} redirects (a loop?) — point the URL at the final address",
                failure="redirects",
            )
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            latency = (self._clock() - started) * 1000
            f = _describe_connect_error(exc, url)
            verdict = Verdict(State.DOWN, f.reason, failure=f.kind)
        except (
            httpx.RemoteProtocolError,
            httpx.ReadError,
            httpx.WriteError,
            httpx.LocalProtocolError,
        ) as exc:
            latency = (self._clock() - started) * 1000
            verdict = self._broken_verdict(exc, progress)
        except httpx.HTTPError as exc:
            latency = (self._clock() - started) * 1000
            verdict = Verdict(
                State.DOWN, f"request failed: {type(exc).__name__}: {str(exc)[:100]}", failure="http-error"
            )
        clean = self._redactor
        return EndpointStatus(
            name=endpoint.name,
            url=url,
            kind=endpoint.kind,
            state=verdict.state,
            reason=clean.clean(verdict.reason),
            http_code=code,
            latency_ms=round(latency, 1),
            checked_at=checked_at,
            failure=verdict.failure,
            status=clean.clean_optional(verdict.status, 60),
            services={clean.clean(k, 40): clean.clean(v, 40) for k, v in list(verdict.services.items())[:40]},
            message=clean.clean_optional(verdict.message),
            details={k: clean.clean(v, 80) if isinstance(v, str) else v for k, v in verdict.details.items()},
        )

    def _timeout_verdict(self, progress: _Progress) -> Verdict:
        t = self._settings.timeout
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

    def _broken_verdict(self, exc: Exception, progress: _Progress) -> Verdict:
        text = str(exc).lower()
        if not progress.headers and ("illegal" in text or "invalid" in text or "malformed" in text):
            return Verdict(
                State.DOWN, "answered something that is not HTTP (TLS on a plain port?)", failure="tls"
            )
        if progress.headers:
            return Verdict(State.DOWN, "connection reset in the middle of the answer", failure="reset")
        return Verdict(State.DOWN, "connection closed before any answer", failure="reset")

    def _verdict(
        self, endpoint: EndpointConfig, url: str, response: httpx.Response, body: bytes, latency_ms: float
    ) -> Verdict:
        code = response.status_code
        needs_json = endpoint.kind is not EndpointKind.GENERIC and code not in (404,) and code < 500
        parsed: Any = None
        try:
            parsed = parse_json(body)
        except Failure as exc:
            if needs_json and code != 429:
                return Verdict(State.DOWN, f"HTTP {code}: {exc.reason}", failure=exc.kind)
        if code == 429:
            wait = _retry_after(response, parsed)
            self._not_before[endpoint.name] = self._clock() + wait
            return Verdict(
                State.DEGRADED, f"rate-limited (429): backing off {wait:.0f} s", failure="rate-limited"
            )
        verdict = judge(endpoint.kind, code, parsed, has_token=bool(self._token_for(endpoint, url)))
        limit_ms = self._settings.latency_threshold * 1000
        if verdict.state is State.OK and latency_ms > limit_ms:
            verdict.state = State.DEGRADED
            verdict.reason = (
                f"slow: {latency_ms / 1000:.2f} s (threshold {limit_ms / 1000:g} s); {verdict.reason}"
            )
        return verdict
