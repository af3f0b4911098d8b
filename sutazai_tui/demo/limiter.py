"""The simulated backend's rate limiter, as measured on the real one.

The real one: docs/backend.md "The rate limiter and the host budget".

Per client IP: fixed 10 s buckets of at most 10 requests (all paths together); per calendar minute
120 requests on paths starting `/health` and 60 on every other path; every refusal is a violation,
and the 5th blocks the IP for an hour with a 403 that names why (X-Block-Reason) and a misleading
`Retry-After: 60`. Every answer carries the X-RateLimit-* headers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BURST_LIMIT = 10
BURST_WINDOW_S = 10.0
HEALTH_PER_MINUTE = 120
OTHER_PER_MINUTE = 60
MAX_VIOLATIONS = 5
BLOCK_S = 3600.0
BLOCK_REASON = "Repeated rate limit violations"


@dataclass
class Refusal:
    """An answer the limiter gives instead of the route's."""

    code: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def per_minute(path: str) -> int:
    """The path's calendar-minute limit."""
    return HEALTH_PER_MINUTE if path.startswith("/health") else OTHER_PER_MINUTE


class RateLimiter:
    """The backend's limiter, per client address. `clock` is wall time (buckets are calendar-based)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._burst: Counter[tuple[str, int]] = Counter()
        self._minute: Counter[tuple[str, int, bool]] = Counter()
        self.violations: Counter[str] = Counter()
        self._blocked_until: dict[str, float] = {}

    def blocked(self, client: str) -> bool:
        """Whether the client's IP is blocked now."""
        return self._blocked_until.get(client, 0.0) > self._clock()

    def check(self, client: str, path: str) -> Refusal | None:
        """None when the request may pass (and it is counted), else the 429/403 answer to give."""
        now = self._clock()
        if self.blocked(client):
            body = {"error": "IP temporarily blocked due to repeated violations"}
            return Refusal(403, body, {"X-Block-Reason": BLOCK_REASON, "Retry-After": "60"})
        bucket = (client, int(now // BURST_WINDOW_S))
        minute = (client, int(now // 60), path.startswith("/health"))
        if self._burst[bucket] >= BURST_LIMIT:
            return self._violation(client, "Burst limit exceeded", int(BURST_WINDOW_S))
        if self._minute[minute] >= per_minute(path):
            return self._violation(client, "Rate limit exceeded", max(1, 60 - int(now % 60)))
        self._burst[bucket] += 1
        self._minute[minute] += 1
        return None

    def _violation(self, client: str, error: str, retry: int) -> Refusal:
        self.violations[client] += 1
        if self.violations[client] >= MAX_VIOLATIONS:
            self._blocked_until[client] = self._clock() + BLOCK_S
        return Refusal(429, {"error": error, "retry_after": retry}, {"Retry-After": str(retry)})

    def headers(self, client: str, path: str) -> dict[str, str]:
        """The X-RateLimit-* headers every answer carries: the path's minute budget left."""
        now = self._clock()
        limit = per_minute(path)
        used = self._minute[(client, int(now // 60), path.startswith("/health"))]
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": str(int(now // 60 + 1) * 60),
            "X-RateLimit-Policy": f"{limit}/minute, {BURST_LIMIT}/10sec",
        }
