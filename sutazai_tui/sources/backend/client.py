"""Polling the backend's endpoints: one AsyncClient, all endpoints at once, a hard deadline each.

The deadline wraps the whole request (connect, headers and body), so a server that accepts and
never answers, or trickles a byte a second, costs at most `timeout` seconds. Bodies are read raw
and decompressed with a cap (wire.py), so neither a huge body nor a gzip bomb is ever held whole.
Endpoints we could not ask (budget, 429, the backend's IP block) are UNKNOWN with the age of their
last real verdict; the detailed-health paths of both backend lines are found by trying (lines.py).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from sutazai_tui import __version__
from sutazai_tui.config.settings import EndpointConfig, Settings, redactor_for
from sutazai_tui.models import FRESH_INTERVALS, EndpointKind, EndpointStatus, State
from sutazai_tui.sources.backend.classify import Verdict
from sutazai_tui.sources.backend.gate import (
    Budget,
    Heard,
    LocalBudget,
    Refusal,
    SharedAnswer,
    capped_wait,
    endpoint_pace,
    origin_of,
    recleaned,
)
from sutazai_tui.sources.backend.releases import DETAILED_PATHS, DISCOVERING, join_lines, judge_any
from sutazai_tui.sources.backend.wire import (
    Failure,
    Progress,
    broken_verdict,
    describe_connect_error,
    parse_json,
    read_capped,
    retry_after,
    timeout_verdict,
)
from sutazai_tui.sources.tls import lazy_tls_mounts
from sutazai_tui.util import fmt
from sutazai_tui.util.clean import clean_tree
from sutazai_tui.util.redact import Redactor

MAX_REDIRECTS = 3
# While the backend's limiter blocks our IP (403 + X-Block-Reason, for up to an hour) every request
# is wasted and may lengthen the block: ask again this rarely, on any path of that origin.
BLOCK_BACKOFF_S = 300.0


class HttpSource:
    """Polls every configured endpoint once per call to `poll`."""

    def __init__(
        self, settings: Settings, clock: Callable[[], float] = time.monotonic, budget: Budget | None = None
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._endpoints = settings.all_endpoints()
        self._pace = endpoint_pace(settings)  # each endpoint asked at most this often (s)
        self._redactor = redactor_for(settings)
        # The Monitor injects the host-wide budget (core/budget.py); alone, a source counts for itself.
        self.budget: Budget = budget if budget is not None else LocalBudget(settings.request_budget, clock)
        self._not_before: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}
        self._block_reason: dict[str, str] = {}
        self._last: dict[str, EndpointStatus] = {}
        self._heard_from: dict[str, list[Heard]] = {}  # answers since the budget last heard, by origin
        # Both backend lines, found by trying: each detailed-health path is asked until it gives an
        # HTTP answer; a 404 is remembered as absent, a 401/403 is parked (shown, never re-asked).
        self._detailed = self._detailed_candidates(settings)
        self._present: set[str] = set()
        self._absent: set[str] = set()
        self._parked: dict[str, EndpointStatus] = {}
        # Try them only while the backend gives HTTP answers: a hung or refusing backend would make
        # every cycle spend the budget on paths that cannot be found then.
        self._answering = True
        verify: ssl.SSLContext | bool = settings.verify_tls
        if settings.verify_tls and settings.ca_bundle:
            verify = ssl.create_default_context(cafile=str(settings.ca_bundle))
        # The CA bundle is loaded on the first https:// request, not here (sources/tls.py).
        self._client = httpx.AsyncClient(
            **lazy_tls_mounts(verify, trust_env=False),
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(settings.timeout),
            headers={"Accept-Encoding": "gzip, deflate", "User-Agent": f"sutazai-tui/{__version__}"},
            trust_env=False,
            event_hooks={"response": [self._heard]},
        )

    @property
    def redactor(self) -> Redactor:
        """The redactor that knows this source's secrets, for anyone else printing backend text."""
        return self._redactor

    async def _heard(self, response: httpx.Response) -> None:
        # Every answer, redirects included: what the backend says is left binds the whole host.
        # Kept until the request's end, which hands them to the budget in its one change.
        origin = origin_of(str(response.request.url))
        self._heard_from.setdefault(origin, []).append((response.status_code, response.headers))

    def _hearings(self, url: str) -> list[Heard]:
        return self._heard_from.pop(origin_of(url), [])

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def poll(self) -> tuple[EndpointStatus, ...]:
        """Every endpoint, concurrently, read together (lines.join_lines); never raises."""
        asking = [
            e
            for e in self._detailed
            if e.name not in self._absent
            and e.name not in self._parked
            and (self._answering or e.name in self._present)
        ]
        answers = await asyncio.gather(*(self._poll_one(e) for e in [*self._endpoints, *asking]))
        found = dict(zip([e.name for e in asking], answers[len(self._endpoints) :], strict=True))
        statuses = list(answers[: len(self._endpoints)])
        self._answering = any(s.http_code is not None for s in statuses) or not statuses
        for e in self._detailed:
            status = self._discovered(e, found.get(e.name))
            if status is not None:
                statuses.append(status)
        return join_lines(statuses)

    @staticmethod
    def _detailed_candidates(settings: Settings) -> list[EndpointConfig]:
        """The detailed-health paths to try: with the default endpoints, unless configured already."""
        if not settings.default_endpoints:
            return []
        names = {e.name for e in settings.all_endpoints()}
        urls = {settings.endpoint_url(e) for e in settings.all_endpoints()}
        return [
            EndpointConfig(name=name, url=path, kind=EndpointKind.DETAILED)
            for name, path in DETAILED_PATHS
            if name not in names and settings.base_url + path not in urls
        ]

    def _discovered(self, endpoint: EndpointConfig, status: EndpointStatus | None) -> EndpointStatus | None:
        """A detailed path's status to show this cycle, learning from its first HTTP answer."""
        if endpoint.name in self._parked:
            return self._parked[endpoint.name]
        if status is None or endpoint.name in self._present:
            return status
        if status.not_asked:
            # Not asked (budget, 429): it may be the one answer that tells the services. Kept as a
            # candidate so a liveness-only /health is UNKNOWN, never OK (join_lines drops it otherwise).
            return status.model_copy(update={"details": {**status.details, DISCOVERING: True}})
        if status.http_code is None:
            return None  # no answer yet (down, refused): try again next cycle
        if status.http_code == 404:
            self._absent.add(endpoint.name)  # this backend line does not have it
            return None
        if status.failure == "auth":
            # Present but closed to us: asking every cycle would spend the budget on a refusal.
            reason = f"present, but {status.reason}; not polled again this session"
            self._parked[endpoint.name] = parked = status.model_copy(
                update={"state": State.UNKNOWN, "reason": reason}
            )
            return parked
        self._present.add(endpoint.name)
        return status

    def _token_for(self, endpoint: EndpointConfig, url: str) -> str | None:
        if endpoint.token:
            return endpoint.token.get_secret_value()
        if self._settings.token and url.startswith(self._settings.base_url + "/"):
            return self._settings.token.get_secret_value()
        return None

    def _not_asked(
        self,
        endpoint: EndpointConfig,
        url: str,
        failure: str,
        reason: str,
        wait: float,
        answer: EndpointStatus | None = None,
    ) -> EndpointStatus:
        """Not asked this cycle (budget, 429, IP block): UNKNOWN, with the age of the last real verdict.

        Skipping a request says nothing new about the backend, so the old verdict is not repeated as
        if it were today's; it is kept in `last_state` so `check` never improves because of it.
        """
        retry_at = datetime.now(UTC) + timedelta(seconds=wait)
        last = self._last.get(endpoint.name)
        update: dict[str, Any] = {
            "state": State.UNKNOWN,
            "failure": failure,
            "retry_at": retry_at,
            "carried": answer is None,
        }
        if last is None:
            base = answer or EndpointStatus(name=endpoint.name, url=url, kind=endpoint.kind)
            return base.model_copy(update={**update, "reason": f"{reason}; no earlier answer"})
        age = fmt.since(last.checked_at)
        update |= {
            "reason": f"{reason}; last real verdict {last.state} {age} ago: {last.reason}",
            "last_state": last.state,
            "last_checked_at": last.checked_at,
        }
        if answer is not None:  # this cycle's refusal: its code, latency and time, the old data
            update |= {
                "http_code": answer.http_code,
                "latency_ms": answer.latency_ms,
                "checked_at": answer.checked_at,
            }
        return last.model_copy(update=update)

    async def _poll_one(self, endpoint: EndpointConfig) -> EndpointStatus:
        url = self._settings.endpoint_url(endpoint)
        now = self._clock()
        origin = origin_of(url)
        blocked = self._blocked_until.get(origin, 0.0) - now
        if blocked > 0:
            reason = f"not asked: {self._block_reason[origin]} (next try in {blocked:.0f} s)"
            return self._not_asked(endpoint, url, "blocked", reason, blocked)
        wait = self._not_before.get(endpoint.name, 0.0) - now
        if wait > 0:
            reason = f"not asked: rate-limited (429), next request in {wait:.0f} s"
            return self._not_asked(endpoint, url, "rate-limited", reason, wait)
        if self._pace > self._settings.interval and (heard := self._host_answer(endpoint, url, self._pace)):
            why = f"each endpoint is asked every {self._pace:.1f} s, as this host's budget allows"
            return self._shared(endpoint, heard, why, self._pace - heard.age)
        refusal = await self.budget.take(url)
        if refusal is not None:
            return self._over_budget(endpoint, url, refusal)
        status: EndpointStatus | None = None
        try:
            status = await self._request(endpoint, url)
        finally:  # one budget change per request: its end, what was heard, the answer to share
            sharable = status is not None and not status.not_asked and status.failure != "blocked"
            shared = status if sharable else None
            await self.budget.done(url, self._hearings(url), shared)
        if status.failure == "blocked":
            self._blocked_until[origin] = self._clock() + BLOCK_BACKOFF_S
            self._block_reason[origin] = status.reason
            return self._not_asked(endpoint, url, "blocked", status.reason, BLOCK_BACKOFF_S, status)
        if status.not_asked:
            wait = max(0.0, self._not_before.get(endpoint.name, 0.0) - self._clock())
            return self._not_asked(endpoint, url, status.failure or "", status.reason, wait, status)
        self._last[endpoint.name] = status
        return status

    def _host_answer(self, endpoint: EndpointConfig, url: str, max_age: float) -> SharedAnswer | None:
        """The host's last answer for `url` (cleaned again: another process wrote the file), if
        younger than `max_age`; it also becomes this source's last verdict when it is newer."""
        heard = self.budget.last_answer(url, float("inf"))
        if heard is None:
            return None
        heard = replace(heard, status=recleaned(heard.status, endpoint.name, url, self._redactor))
        mine = self._last.get(endpoint.name)
        if mine is None or _newer(heard.status, mine):
            self._last[endpoint.name] = heard.status.model_copy(update={"name": endpoint.name})
        return heard if heard.age < max_age else None

    def _shared(self, endpoint: EndpointConfig, heard: SharedAnswer, why: str, wait: float) -> EndpointStatus:
        """A real verdict heard on this host, judged, not asked again now: says why and its age."""
        who = "this process" if heard.mine else "another sutazai-tui process"
        reason = f"shared: {why}; answer from {who} {heard.age:.0f} s ago: {heard.status.reason}"
        retry_at = datetime.now(UTC) + timedelta(seconds=max(0.0, wait))
        update = {"name": endpoint.name, "reason": reason, "retry_at": retry_at, "carried": True}
        return heard.status.model_copy(update=update)

    def _over_budget(self, endpoint: EndpointConfig, url: str, refusal: Refusal) -> EndpointStatus:
        """Over the budget: the host's answer while it is fresh (younger than FRESH_INTERVALS
        paces, the line past which every view says STALE), else not asked: UNKNOWN saying why and
        how many share. Fresh meant younger than one interval before: three monitors at 5 s, whose
        cycles fell between each other's asks, found answers 5-6 s old and flapped OK/UNKNOWN."""
        shared = self._host_answer(endpoint, url, FRESH_INTERVALS * self._pace)
        if shared is not None:
            return self._shared(endpoint, shared, refusal.why, refusal.wait)
        n = refusal.sharing
        others = "" if n is None else f" (shared with {n} other sutazai-tui process{'es' * (n != 1)})"
        reason = f"not asked: {refusal.why}{others}; next request in {refusal.wait:.0f} s"
        return self._not_asked(endpoint, url, "skipped-budget", reason, refusal.wait)

    async def _request(self, endpoint: EndpointConfig, url: str) -> EndpointStatus:
        token = self._token_for(endpoint, url)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        progress = Progress()
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
            verdict = timeout_verdict(progress, self._settings.timeout)
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
            f = describe_connect_error(exc, url)
            verdict = Verdict(State.DOWN, f.reason, failure=f.kind)
        except (
            httpx.RemoteProtocolError,
            httpx.ReadError,
            httpx.WriteError,
            httpx.LocalProtocolError,
        ) as exc:
            latency = (self._clock() - started) * 1000
            verdict = broken_verdict(exc, progress)
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
            details={
                clean.clean(k, 40): clean.clean(v, 80) if isinstance(v, str) else clean_tree(v)
                for k, v in verdict.details.items()
            },
        )

    def _verdict(
        self, endpoint: EndpointConfig, url: str, response: httpx.Response, body: bytes, latency_ms: float
    ) -> Verdict:
        code = response.status_code
        text_kinds = (EndpointKind.GENERIC, EndpointKind.PROMETHEUS)
        needs_json = endpoint.kind not in text_kinds and code not in (404,) and code < 500
        parsed: Any = None
        try:
            parsed = parse_json(body)
        except Failure as exc:
            if needs_json and code not in (429, 403):
                return Verdict(State.DOWN, f"HTTP {code}: {exc.reason}", failure=exc.kind)
        if code == 429:
            wait, capped = capped_wait(retry_after(response, parsed))
            self._not_before[endpoint.name] = self._clock() + wait
            return Verdict(
                State.UNKNOWN,
                f"not asked: the backend rate-limited us (429), backing off {wait:.0f} s{capped}",
                failure="rate-limited",
            )
        text = body[: self._settings.max_body_bytes].decode("utf-8", "replace")
        verdict = judge_any(
            endpoint.kind,
            code,
            parsed,
            text,
            has_token=bool(self._token_for(endpoint, url)),
            block_reason=response.headers.get("x-block-reason"),
        )
        limit_ms = self._settings.latency_threshold * 1000
        if verdict.state is State.OK and latency_ms > limit_ms:
            verdict.state = State.DEGRADED
            verdict.reason = (
                f"slow: {latency_ms / 1000:.2f} s (threshold {limit_ms / 1000:g} s); {verdict.reason}"
            )
        return verdict


def _newer(a: EndpointStatus, b: EndpointStatus) -> bool:
    return a.checked_at is not None and (b.checked_at is None or a.checked_at > b.checked_at)
