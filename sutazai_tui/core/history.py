"""What the monitor remembers: recent snapshots (bounded), state-change events, staleness.

Compact (issue 19): a full snapshot at 100 containers is ~0.38 MiB of models, so a 240-snapshot
ring of them was ~90 MiB. Only the newest FULL_SNAPSHOTS keep their containers whole. Older ones
keep every field that diagnosis and the views read of the past (identity, state, health,
restarts, exit, times, env names, labels) in container records shared between snapshots while
nothing changes — so an old snapshot costs a tuple of references — and drop the per-cycle
numbers (CPU, memory, I/O, pids), which live on as per-container series in arrays
(`series`). `snapshots` is still every snapshot, oldest first; a recording keeps the full ones.
An old snapshot's endpoints take the values that did not change (services, details, texts) from
the cycle before, and its models share pydantic's per-model field set with every model of the same
shape: 9.6 -> 5.2 KiB a slimmed cycle at 100 containers (issue 31), plus the series' 1.6 KiB.
"""

from __future__ import annotations

from array import array
from collections import deque
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import BaseModel

from sutazai_tui.models import (
    FRESH_INTERVALS,
    ContainerStats,
    EndpointStatus,
    Event,
    Snapshot,
    State,
    container_reason,
    container_state,
)

MAX_EVENTS = 1000
FULL_SNAPSHOTS = 4  # the newest this many keep their containers whole (views read the latest)
NUMBERS: tuple[str, ...] = ("cpu_percent", "mem_used", "mem_limit", "mem_percent", "net_rx", "net_tx")
NUMBERS += ("blk_read", "blk_write", "pids")
SERIES = ("cpu_percent", "mem_used")  # kept per container as arrays for the whole ring
_DROPPED = dict.fromkeys(NUMBERS)
_SHARED = ("url", "reason", "failure", "status", "services", "message", "details")  # of an endpoint
_M = TypeVar("_M", bound=BaseModel)
_MISSING = float("nan")  # a cycle without that number (first CPU cycle, not running, not listed)


def _key(c: ContainerStats) -> tuple[object, ...]:
    """What makes two slim records of one container the same (everything but the numbers)."""
    return tuple(v for k, v in c.__dict__.items() if k not in _DROPPED and k not in ("labels", "env_names"))


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

    def __init__(self, size: int = 240, interval: float = 30.0, pace: float | None = None) -> None:
        self.snapshots: deque[Snapshot] = deque(maxlen=size)
        self.events: deque[Event] = deque(maxlen=MAX_EVENTS)
        self.interval = interval
        # How often each endpoint may be asked (sources/backend/gate.py endpoint_pace): an answer
        # carried or shared is stale past FRESH_INTERVALS of it, not of a shorter interval.
        self.pace = max(interval, pace or interval)
        self._states: dict[str, State] = {}
        self._last_good: dict[str, datetime] = {}
        self._slim: dict[str, ContainerStats] = {}  # the last slim record per container id
        # Per container name: one array per SERIES field, aligned with `snapshots` (NaN = none).
        self._series: dict[str, tuple[array[float], ...]] = {}
        self._endpoints: dict[str, EndpointStatus] = {}  # the last slimmed cycle's, by name
        self._shapes: dict[frozenset[str], set[str]] = {}  # field sets shared between models

    @property
    def latest(self) -> Snapshot | None:
        """The newest snapshot, if any."""
        return self.snapshots[-1] if self.snapshots else None

    def add(self, snapshot: Snapshot) -> list[Event]:
        """Keep a snapshot; return the events it caused (state changes since the last one)."""
        first = not self.snapshots
        self.snapshots.append(snapshot)
        self._record_series(snapshot)
        if len(self.snapshots) > FULL_SNAPSHOTS:
            self.snapshots[-FULL_SNAPSHOTS - 1] = self._slimmed(self.snapshots[-FULL_SNAPSHOTS - 1])
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

    def refine_latest(self, snapshot: Snapshot) -> None:
        """Put a later reading of the newest snapshot in its place (the first cycle's CPU figures,
        read a moment after it): same cycle, same states, so no events; its series values too."""
        if not self.snapshots or self.snapshots[-1].cycle != snapshot.cycle:
            return
        self.snapshots[-1] = snapshot
        listed = {c.name: c for c in snapshot.containers.containers} if snapshot.containers else {}
        for name, arrays in self._series.items():
            if (c := listed.get(name)) is not None:
                for field, values in zip(SERIES, arrays, strict=True):
                    value = getattr(c, field)
                    values[-1] = _MISSING if value is None else float(value)

    def series(self, container: str, field: str) -> list[float | None]:
        """A container's `field` (one of SERIES) over the snapshots kept, oldest first."""
        arrays = self._series.get(container)
        if arrays is None:
            return [None] * len(self.snapshots)
        return [None if v != v else v for v in arrays[SERIES.index(field)]]  # NaN -> None

    def _record_series(self, snapshot: Snapshot) -> None:
        """Append this cycle's numbers to every series; forget containers gone from the ring."""
        size = self.snapshots.maxlen or len(self.snapshots)
        listed = {c.name: c for c in snapshot.containers.containers} if snapshot.containers else {}
        for name in listed.keys() - self._series.keys():
            held = len(self.snapshots) - 1  # earlier cycles did not have it
            self._series[name] = tuple(array("d", [_MISSING] * held) for _ in SERIES)
        for name, arrays in list(self._series.items()):
            c = listed.get(name)
            for field, values in zip(SERIES, arrays, strict=True):
                value = getattr(c, field) if c is not None else None
                values.append(_MISSING if value is None else float(value))
                if len(values) > size:
                    del values[0]
            if c is None and all(v != v for v in arrays[0]):  # not listed anywhere in the ring
                del self._series[name]

    def _slimmed(self, snapshot: Snapshot) -> Snapshot:
        """The snapshot with its containers as shared slim records (see the module docstring),
        its endpoints' unchanged values shared with the last cycle's, its models' field sets shared."""
        update: dict[str, object] = {"endpoints": tuple(self._endpoint(e) for e in snapshot.endpoints)}
        status = snapshot.containers
        if status is not None and status.containers:
            slim = tuple(self._slim_one(c) for c in status.containers)
            if len(self._slim) > 4 * len(slim) + 64:  # containers long gone: keep the cache bounded
                live = {c.id for c in slim}
                self._slim = {k: v for k, v in self._slim.items() if k in live}
            update["containers"] = self._shape(status.model_copy(update={"containers": slim}))
        if snapshot.host is not None:
            self._shape(snapshot.host)
        if len(self._endpoints) > 2 * len(snapshot.endpoints) + 16:  # endpoints gone (a new target)
            names = {e.name for e in snapshot.endpoints}
            self._endpoints = {k: v for k, v in self._endpoints.items() if k in names}
        return self._shape(snapshot.model_copy(update=update))

    def _endpoint(self, e: EndpointStatus) -> EndpointStatus:
        """`e`, its values equal to the last slimmed cycle's taken from that one (one copy held)."""
        last = self._endpoints.get(e.name)
        if last is not None:
            same = {
                f: v for f in _SHARED if (v := getattr(last, f)) is not getattr(e, f) and v == getattr(e, f)
            }
            if same:
                e = e.model_copy(update=same)
        self._endpoints[e.name] = e
        return self._shape(e)

    def _shape(self, model: _M) -> _M:
        """The model with its field set (pydantic keeps one per model, ~0.7 KiB) shared with every
        model that set the same fields; read only, never changed in place (the models are frozen)."""
        fields = model.__pydantic_fields_set__
        shared = self._shapes.setdefault(frozenset(fields), fields)
        if shared is not fields:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        if len(self._shapes) > 256:  # shapes are few; never let them pile up
            self._shapes.clear()
        return model

    def _slim_one(self, c: ContainerStats) -> ContainerStats:
        last = self._slim.get(c.id)
        if last is not None and _key(last) == _key(c) and last.labels == c.labels:
            return last
        made: ContainerStats = c.model_copy(update=_DROPPED)
        self._slim[c.id] = made
        return made

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

    def _too_old(self, when: datetime, now: datetime, period: float | None = None) -> bool:
        return now - when > timedelta(seconds=FRESH_INTERVALS * (period or self.interval))

    def answer_time(self, endpoint: EndpointStatus) -> datetime | None:
        """When what a panel shows for `endpoint` was heard: its own time if it carries one (a
        carried or shared answer keeps the time it was heard, by whichever process), else the
        last good answer this history saw."""
        return endpoint.checked_at or endpoint.last_checked_at or self.last_good(endpoint.name)

    def display_state(self, endpoint: EndpointStatus, now: datetime | None = None) -> tuple[State, str]:
        """The state a panel should show now: STALE when what it shows is older than 2 intervals."""
        now = now or datetime.now(UTC)
        latest = self.latest
        if latest is not None and self._too_old(latest.taken_at, now):
            age = _age(now - latest.taken_at)
            return State.STALE, f"no poll has completed for {age}; showing data from then"
        if endpoint.carried:
            heard = self.answer_time(endpoint)
            if heard is None or self._too_old(heard, now, self.pace):
                return State.STALE, endpoint.reason
        return endpoint.state, endpoint.reason

    def stale_reason(self, now: datetime | None = None) -> str | None:
        """Why the header should say STALE, short enough for 80 columns; None when fresh.

        Only data older than the interval allows is stale: the last poll, or an answer carried
        from an earlier cycle or shared by another process. An endpoint asked this cycle that
        failed is fresh news (its panel says DOWN), not stale.
        """
        now = now or datetime.now(UTC)
        latest = self.latest
        if latest is None:
            return None
        if self._too_old(latest.taken_at, now):
            return f"last poll {_age(now - latest.taken_at)} ago"
        old: list[tuple[str, timedelta | None]] = []
        for e in latest.endpoints:
            if not e.carried:
                continue
            heard = self.answer_time(e)
            if heard is None or self._too_old(heard, now, self.pace):
                old.append((e.name, None if heard is None else now - heard))
        if not old:
            return None
        names = ", ".join(name for name, _ in old)
        ages = [age for _, age in old if age is not None]
        return f"{names}: {_age(max(ages))} old" if ages else f"{names}: no answer yet"


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
