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


def restart_times(history: Iterable[ContainerStats], now: datetime) -> list[datetime]:
    """The restarts one container's readings (oldest first, same id) show, with their times."""
    found: list[datetime] = []
    count: int | None = None
    for c in history:
        at = last_restart(c, now)
        if count is None:
            if dense_in_one_inspect(c, now) and at is not None:
                found += [at] * RISE
        elif c.restart_count > count and at is not None:
            found += [at] * (c.restart_count - count)
        count = c.restart_count
    return found


def mark(c: ContainerStats, restarts: Sequence[datetime], now: datetime) -> ContainerStats:
    """The reading with `looping_since` / `last_restart_at` set from these restart times."""
    last = last_restart(c, now)
    if not is_loop(restarts, now) and not (c.state == "restarting" and c.restart_count > 0):
        return c.model_copy(update={"last_restart_at": last}) if last != c.last_restart_at else c
    window = [t for t in restarts if (_aware(now) - t).total_seconds() <= _KEEP_S]
    since = min(window) if window else last
    return c.model_copy(update={"looping_since": since, "last_restart_at": last})


class LoopTracker:
    """Keeps each container id's restart times between cycles and marks its readings."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, list[datetime]]] = {}

    def mark_all(self, found: Sequence[ContainerStats], now: datetime | None = None) -> list[ContainerStats]:
        """Every reading marked; ids no longer listed are forgotten."""
        now = _aware(now or datetime.now(UTC))
        marked, kept = [], {}
        for c in found:
            count, times = self._seen.get(c.id, (None, []))
            at = last_restart(c, now)
            if count is None:
                times = [at] * RISE if at is not None and dense_in_one_inspect(c, now) else []
            elif c.restart_count > count and at is not None:
                times = times + [at] * (c.restart_count - count)
            times = [t for t in times if now - t <= timedelta(seconds=_KEEP_S)]
            kept[c.id] = (c.restart_count, times)
            marked.append(mark(c, times, now))
        self._seen = kept
        return marked
