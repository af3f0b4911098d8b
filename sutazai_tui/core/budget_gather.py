"""Changes to one shared budget file asked for at once, made in one locked read and write.

Why: each change to the host's budget file (core/budget.py) is a locked read, a write and a rename
on disk, and a cycle asked for one per request start and one per end: 6 a cycle, 72 a minute at
`--interval 5` with three endpoints (on disk when XDG_RUNTIME_DIR is unset). A cycle's requests
start together (its endpoints are polled at once), so their takes are gathered in the same turn
of the event loop; their answers arrive close together, so their ends are gathered for
`gather` seconds (core/budget.py: DONE_GATHER_S), or until the last request in flight ended
(`last`: a cycle, `check`'s above all, waits for no timer then). Then 2 a cycle. The changes are made in the
order asked, each caller gets its own result or error, and a caller gone before the change was
made (cancelled) has its change dropped. Nothing waits longer than that: every other process
still sees a request before it is sent, and its end within the gathering time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Change = Callable[[dict[str, Any]], Any]
Apply = Callable[[Path, str, Callable[[dict[str, Any]], None]], Awaitable[None]]


class Gathering:
    """Per file, the changes waiting for the next locked read and write (`apply`)."""

    def __init__(self, apply: Apply) -> None:
        self._apply = apply
        self._waiting: dict[Path, list[tuple[Change, asyncio.Future[Any]]]] = {}
        self._timers: dict[Path, asyncio.TimerHandle] = {}

    async def change(
        self,
        path: Path,
        origin: str,
        change: Callable[[dict[str, Any]], T],
        gather: float,
        last: bool = False,
    ) -> T:
        """`change` made in the next write of `path`, with those asked for until then (`gather` s
        after the first, or now if `last`; 0: this turn of the event loop); its result, or its
        error, raised here."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()
        if (waiting := self._waiting.get(path)) is not None:
            waiting.append((change, done))
        else:
            self._waiting[path] = [(change, done)]
        now = last or gather <= 0  # a start is never held back by ends being gathered
        if path not in self._timers or now:
            if (timer := self._timers.pop(path, None)) is not None:
                timer.cancel()
            self._timers[path] = loop.call_later(
                0 if now else gather, lambda: loop.create_task(self._flush(path, origin))
            )
        return await done

    async def _flush(self, path: Path, origin: str) -> None:
        self._timers.pop(path, None)
        asked = [(change, done) for change, done in self._waiting.pop(path, []) if not done.cancelled()]
        if not asked:
            return
        results: list[tuple[asyncio.Future[Any], Any, Exception | None]] = []

        def changes(state: dict[str, Any]) -> None:
            for change, done in asked:
                try:
                    results.append((done, change(state), None))
                except Exception as exc:  # the caller's own error, raised in the caller
                    results.append((done, None, exc))

        try:
            await self._apply(path, origin, changes)
        except BaseException as exc:  # the file's trouble reaches every caller of this write
            for _, done in asked:
                if not done.done():
                    done.set_exception(exc)
            raise
        for done, result, error in results:
            if done.done():
                continue
            if error is None:
                done.set_result(result)
            else:
                done.set_exception(error)
