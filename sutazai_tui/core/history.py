"""What the monitor remembers: recent snapshots (bounded), state-change events, staleness."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

from sutazai_tui.models import (
    EndpointStatus,
    Event,
    Snapshot,
    State,
    container_reason,
    container_state,
)

MAX_EVENTS = 1000


def subject_states(snapshot: Snapshot) -> dict[str, tuple[State, str]]:
    """Every subject of a snapshot with its state and reason, keyed as events name them."""
    found = {e.name: (e.state, e.reason) for e in snapshot.endpoints}
    if snapshot.containers is not None:
        found["engine"] = (snapshot.containers.state, snapshot.containers.reason)
        for c in snapshot.containers.containers:
            found[f"container:{c.name}"] = (container_state(c), container_reason(c))
    return found


class History:
    """A ring buffer of snapshots plus the events derived from them; memory stays bounded."""

    def __init__(self, size: int = 240, interval: float = 30.0) -> None:
        self.snapshots: deque[Snapshot] = deque(maxlen=size)
        self.events: deque[Event] = deque(maxlen=MAX_EVENTS)
        self.interval = interval
        self._states: dict[str, State] = {}
        self._last_good: dict[str, datetime] = {}

    @property
    def latest(self) -> Snapshot | None:
        """The newest snapshot, if any."""
        return self.snapshots[-1] if self.snapshots else None

    def add(self, snapshot: Snapshot) -> list[Event]:
        """Keep a snapshot; return the events it caused (state changes since the last one)."""
        first = not self.snapshots
        self.snapshots.append(snapshot)
        for e in snapshot.endpoints:
            if e.failure is None and not e.carried and e.checked_at is not None:
                self._last_good[e.name] = e.checked_at
        events: list[Event] = []
        current = subject_states(snapshot)
        for subject, (state, reason) in current.items():
            old = self._states.get(subject)
            if old == state or (old is None and (first or subject == "engine") and state is State.OK):
                continue
            events.append(Event(at=snapshot.taken_at, subject=subject, old=old, new=state, reason=reason))
        for subject in self._states.keys() - current.keys():
            if subject.startswith("container:"):
                reason = "no longer listed (removed)"
                events.append(
                    Event(at=snapshot.taken_at, subject=subject, old=self._states[subject], reason=reason)
                )
        self._states = {s: st for s, (st, _) in current.items()}
        self.events.extend(events)
        return events

    def note(self, event: Event) -> None:
        """Record an event that did not come from a snapshot (an operator action, a note)."""
        self.events.append(event)

    def latencies(self, name: str, count: int = 30) -> list[float | None]:
        """The endpoint's latency over the last `count` snapshots, oldest first (None = no answer)."""
        series: list[float | None] = []
        for snap in list(self.snapshots)[-count:]:
            e = snap.endpoint(name)
            series.append(e.latency_ms if e is not None and e.failure is None else None)
        return series

    def last_good(self, name: str) -> datetime | None:
        """When the endpoint last gave a usable answer."""
        return self._last_good.get(name)

    def _too_old(self, when: datetime, now: datetime) -> bool:
        return now - when > timedelta(seconds=2 * self.interval)

    def display_state(self, endpoint: EndpointStatus, now: datetime | None = None) -> tuple[State, str]:
        """The state a panel should show now: STALE when what it shows is older than 2 intervals."""
        now = now or datetime.now(UTC)
        latest = self.latest
        if latest is not None and self._too_old(latest.taken_at, now):
            age = _age(now - latest.taken_at)
            return State.STALE, f"no poll has completed for {age}; showing data from then"
        if endpoint.carried:
            good = self.last_good(endpoint.name)
            if good is None or self._too_old(good, now):
                return State.STALE, endpoint.reason
        return endpoint.state, endpoint.reason

    def stale_reason(self, now: datetime | None = None) -> str | None:
        """Why the header should say STALE, or None when everything shown is fresh."""
        now = now or datetime.now(UTC)
        latest = self.latest
        if latest is None:
            return None
        if self._too_old(latest.taken_at, now):
            return f"last poll {_age(now - latest.taken_at)} ago"
        old = [
            f"{e.name} last answered {_age(now - good)} ago"
            for e in latest.endpoints
            if e.failure is not None and (good := self.last_good(e.name)) and self._too_old(good, now)
        ]
        return "; ".join(old) or None


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
