"""The first cycle's CPU figures: a second counters read one window after the first, while the
inspects still run, so the first CPU % does not wait for every inspect (nor for a cycle later).

Why: CPU % is a difference of two counter samples (sources/engine/stats.py). The first cycle has
no earlier sample; at 100 containers on a loaded engine its inspects take seconds, longer than
the window, so the second sample taken beside them gives the first cycle its CPU figures (shown
early in the table through the source's `listed` hook: docs/architecture.md "The first answers").
When the inspects are quicker the cycle does not wait: the session's follow-up reads it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

Counted = tuple[dict[str, Mapping[str, Any]], list[str]]  # counters by container id, problems


class FirstCpu:
    """One second read of the counters, `window` seconds after `first` ended."""

    def __init__(
        self,
        first: asyncio.Future[Counted],
        again: Callable[[], Awaitable[Counted]],
        note: Callable[[Mapping[str, Mapping[str, Any]]], None],
        window: float,
    ) -> None:
        self._first, self._again, self._note, self._window = first, again, note, window
        self.reading = False  # the window is over and the second read runs: worth waiting for
        self.second_at = 0.0  # when the second read ended (monotonic)
        self._inspected = False  # the cycle's answer is due: nothing early to show any more
        self._task: asyncio.Task[Counted] | None = None

    def start(self, show: Callable[[Counted], None]) -> None:
        """Begin: the second read runs beside whatever the cycle awaits next (the inspects)."""
        self._task = asyncio.ensure_future(self._read(show))

    async def result(self, wait: bool) -> Counted | None:
        """After the inspects: the second read's counters when `wait` (`check` waits the window
        out; started now if not yet), or when it is under way or done; else None, and it is
        given up (the session's follow-up reads them)."""
        self._inspected = True
        if self._task is None:
            self.start(lambda _: None)
        assert self._task is not None
        if wait or self.reading or self._task.done():
            return await self._task
        self.give_up()
        return None

    def give_up(self) -> None:
        """Cancel the second read (the cycle failed, or the follow-up will read instead)."""
        if self._task is not None:
            self._task.cancel()

    async def _read(self, show: Callable[[Counted], None]) -> Counted:
        """The second read's counters; `show` gets them first (the table's early CPU figures)."""
        numbers, _ = await asyncio.shield(self._first)  # cancelling this read leaves the first alone
        first_at = time.monotonic()
        self._note(numbers)  # each container's first CPU sample
        await asyncio.sleep(max(0.0, self._window - (time.monotonic() - first_at)))
        self.reading = True
        counted = await self._again()
        self.second_at = time.monotonic()
        if not self._inspected:
            show(counted)
        return counted


def running_ids(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The ids of the listed containers that run (the ones with counters to read)."""
    return [str(r["Id"]) for r in rows if r.get("State") == "running"]
