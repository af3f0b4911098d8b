"""What the HTTP source asks before each request: may I send it, and what did the host last hear?

The source only knows this interface; the budget shared by every process on the host lives in
core/budget.py (docs/architecture.md: the budget is core policy) and is injected by the Monitor, because
sources/ may not import core/. `LocalBudget` is the fallback for a source built on its own: it
counts this process's requests only and remembers this process's answers.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from sutazai_tui.models import EndpointStatus
from sutazai_tui.util.clean import clean_tree

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.util.redact import Redactor

BUDGET_WINDOW_S = 10.0
# The longest anyone on this host backs off for one answer: the limiter's own block (an hour).
# A `Retry-After: 99999999` must not stop every monitor on the host for three years.
MAX_BACKOFF_S = 3600.0


def endpoint_pace(settings: Settings) -> float:
    """How often one monitor may ask each endpoint: the interval, or longer when a cycle's
    requests would spend more than the host's budget gives (3 endpoints against 8 per 10 s: every
    3.75 s). Asked faster, the budget let a burst through and then nothing for the rest of its
    window, and endpoints went UNKNOWN for several cycles of every window."""
    per_cycle = len(settings.all_endpoints())
    return max(settings.interval, BUDGET_WINDOW_S * per_cycle / settings.request_budget)


def recleaned(status: EndpointStatus, name: str, url: str, clean: Redactor) -> EndpointStatus:
    """A shared answer's outside text cleaned (and its name and URL ours) before it is shown: the
    file it came from is written by another process."""
    return status.model_copy(
        update={
            "name": name,
            "url": url,
            "reason": clean.clean(status.reason),
            "status": clean.clean_optional(status.status, 60),
            "services": {
                clean.clean(k, 40): clean.clean(v, 40) for k, v in list(status.services.items())[:40]
            },
            "message": clean.clean_optional(status.message),
            "details": {
                clean.clean(k, 40): clean.clean(v, 80) if isinstance(v, str) else clean_tree(v)
                for k, v in status.details.items()
            },
        }
    )


def capped_wait(asked: float) -> tuple[float, str]:
    """A wait the backend asked for, bounded to [0, MAX_BACKOFF_S], and what to add to the reason."""
    if not math.isfinite(asked) or asked < 0:
        return 0.0, f" (it asked {asked!r} s: ignored)"
    if asked > MAX_BACKOFF_S:
        return MAX_BACKOFF_S, f" (it asked {asked:.0f} s: capped at {MAX_BACKOFF_S:.0f} s)"
    return asked, ""


def origin_of(url: str) -> str:
    """The key a backend's budget is counted under: scheme://host:port."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"


# One HTTP answer's status code and headers, as the response hook saw it.
Heard = tuple[int, Mapping[str, str]]


@dataclass(frozen=True)
class Refusal:
    """Why a request may not be sent now, and for how long."""

    why: str
    """e.g. "this host's request budget is spent"."""
    wait: float
    """Seconds until a request may be sent again."""
    sharing: int | None = None
    """Other sutazai-tui processes seen spending the same budget (None: a budget of this process only)."""


@dataclass(frozen=True)
class SharedAnswer:
    """The last answer heard on this host for one URL."""

    status: EndpointStatus
    age: float
    """Seconds since it was heard."""
    mine: bool
    """True when this process heard it."""


class Budget(Protocol):
    """The request budget a source spends; `HttpSource(budget=...)` takes any implementation."""

    async def take(self, url: str) -> Refusal | None:
        """Spend one request on `url`, or say why not (nothing is spent then)."""

    async def done(self, url: str, heard: Sequence[Heard] = (), answer: EndpointStatus | None = None) -> None:
        """The request `take` allowed has ended (answered, failed or timed out), in one change:

        learn from every HTTP answer it got (`heard`: the backend's X-RateLimit-* headers, a 429's
        Retry-After, a block), and keep the judged `answer` for processes that may not ask (a
        429 is not kept).
        """

    def last_answer(self, url: str, max_age: float) -> SharedAnswer | None:
        """The last answer for `url` heard on this host if younger than `max_age` seconds."""


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


class LocalBudget:
    """This process's requests only: for a source used alone (tests, tools), not for monitors.

    It shares no answers: a source alone that may not ask says so (UNKNOWN with its last verdict).
    """

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.counter = RequestBudget(limit, clock=clock)

    async def take(self, url: str) -> Refusal | None:
        """Spend one request unless this process's window is full."""
        origin = origin_of(url)
        if self.counter.take(origin):
            return None
        limit = self.counter.limit
        return Refusal(f"request budget of {limit}/10 s spent", self.counter.free_in(origin))

    async def done(self, url: str, heard: Sequence[Heard] = (), answer: EndpointStatus | None = None) -> None:
        """Counted when taken; nothing to learn (the source backs off a 429 or a block itself) or share."""

    def last_answer(self, url: str, max_age: float) -> SharedAnswer | None:
        """No other viewer to have heard one."""
        return None
