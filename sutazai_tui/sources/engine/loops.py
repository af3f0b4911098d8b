"""Restart loops from counts and times: ≥ 3 restarts within 5 minutes, with hysteresis.

A loop caught between two attempts looks like a container that runs (state `running`, up for a
second), so the state alone misses it. Two readings count restarts instead:
- one inspect: `RestartCount` against the container's creation and its last start — N restarts
  between `Created` and the last (re)start, at a rate of ≥ 3 per 5 minutes, is a loop even on the
  first look (`check` has only one);
- across cycles: each rise of `RestartCount` is a restart at that start time.
The loop holds until no restart happened for 5 minutes (then it ends, once): a row does not flip
to OK between attempts, and the finding does not alternate CRITICAL and WARNING.
Pure over `ContainerStats`; `LoopTracker` keeps the restart times of each container id between
cycles (the engine source and the simulated fleet each own one; diagnosis rebuilds the same from
its history for recordings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from sutazai_tui.models import ContainerStats

RISE = 3  # restarts ...
WINDOW_S = 300.0  # ... within this many seconds make a loop; and none for this long ends it
_KEEP_S = 2 * WINDOW_S


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def last_restart(c: ContainerStats, now: datetime) -> datetime | None:
    """When it last restarted: its last start (running), or now (waiting to restart); None if never."""
    if c.restart_count <= 0:
        return None
    if c.state == "restarting":
        return _aware(now)
    if c.state == "running" and c.started_at is not None:
        return _aware(c.started_at)
    if c.finished_at is not None:  # exited after its last restart: that start was before
        return _aware(c.started_at) if c.started_at is not None else _aware(c.finished_at)
    return _aware(c.started_at) if c.started_at is not None else None


def dense_in_one_inspect(c: ContainerStats, now: datetime) -> bool:
    """Whether RestartCount against Created and the last start says ≥ RISE restarts per WINDOW_S."""
    last = last_restart(c, now)
    if c.restart_count < RISE or c.created_at is None or last is None:
        return False
    span = max(1.0, (last - _aware(c.created_at)).total_seconds())
    return c.restart_count * WINDOW_S / span >= RISE


def is_loop(restarts: Sequence[datetime], now: datetime) -> bool:
    """≥ RISE restarts within some WINDOW_S, the last of them within WINDOW_S of now."""
    times = sorted(_aware(t) for t in restarts)
    if len(times) < RISE or (_aware(now) - times[-1]).total_seconds() > WINDOW_S:
        return False
    return any(
        (times[i + RISE - 1] - times[i]).total_seconds() <= WINDOW_S for i in range(len(times) - RISE + 1)
    )


def restart_times(history: Iterable[tuple[ContainerStats, datetime]]) -> list[datetime]:
    """The restarts one container's readings (oldest first, same id, each with when it was read) show.

    Readings whose count never moved and that never caught it `restarting` show what the first one
    alone shows (a dense first inspect, or nothing): the usual case, read at once. Walked reading by
    reading, the full ring's 240 readings of 100 containers were the diagnosis's largest cost.
    """
    readings = list(history)
    first = readings[0][0].restart_count if readings else 0
    if all(c.restart_count == first and c.state != "restarting" for c, _ in readings):
        readings = readings[:1]
    found: list[datetime] = []
    count: int | None = None
    before = None
    for c, now in readings:
        at = last_restart(c, now) or _aware(now)  # no times (an old recording): when it was read
        if count is None or before is None:
            if dense_in_one_inspect(c, now):
                found += [at] * RISE
        elif c.restart_count > count:
            found += rise(c.restart_count - count, before, at, _aware(now))
        found += caught_restarting(c, found, _aware(now))
        count, before = c.restart_count, _aware(now)
    return found


def caught_restarting(c: ContainerStats, times: Sequence[datetime], now: datetime) -> list[datetime]:
    """Caught `restarting` (its policy is restarting it after a failure): a loop now, and one that
    holds like any other — the times that make it one, unless they are there already."""
    if c.state != "restarting":
        return []
    recent = [t for t in times if (now - t).total_seconds() <= WINDOW_S]
    return [now] * max(0, RISE - len(recent))


def rise(k: int, before: datetime, at: datetime, now: datetime) -> list[datetime]:
    """k restarts seen between a reading at `before` and one at `now` whose last restart was `at`
    (`now` when `at` predates `before`: times that did not move with the count): the last then,
    the others as early as they may have been (right after `before`), so a count that rose over a
    long gap is never taken for a burst."""
    last = at if at >= before else now
    return [before] * (k - 1) + [last]


def mark(c: ContainerStats, restarts: Sequence[datetime], now: datetime) -> ContainerStats:
    """The reading with `looping_since` / `last_restart_at` set from these restart times."""
    last = last_restart(c, now)
    if not is_loop(restarts, now) and c.state != "restarting":
        return c.model_copy(update={"last_restart_at": last}) if last != c.last_restart_at else c
    window = [t for t in restarts if (_aware(now) - t).total_seconds() <= _KEEP_S]
    since = min(window) if window else last
    return c.model_copy(update={"looping_since": since, "last_restart_at": last})


class LoopTracker:
    """Keeps each container id's restart times between cycles and marks its readings."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, list[datetime], datetime]] = {}

    def mark_all(self, found: Sequence[ContainerStats], now: datetime | None = None) -> list[ContainerStats]:
        """Every reading marked; ids no longer listed are forgotten."""
        now = _aware(now or datetime.now(UTC))
        marked, kept = [], {}
        for c in found:
            count, times, before = self._seen.get(c.id, (None, [], now))
            at = last_restart(c, now) or now
            if count is None:
                times = [at] * RISE if dense_in_one_inspect(c, now) else []
            elif c.restart_count > count:
                times = times + rise(c.restart_count - count, before, at, now)
            times = times + caught_restarting(c, times, now)
            times = [t for t in times if now - t <= timedelta(seconds=_KEEP_S)]
            kept[c.id] = (c.restart_count, times, now)
            marked.append(mark(c, times, now))
        self._seen = kept
        return marked
