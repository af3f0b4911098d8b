"""A Monitor that asks nobody: each cycle is the next snapshot another process recorded.

`sutazai-tui serve` runs one real monitor and records it; every browser tab runs the app on a
`RecordingFollower` over that recording (`--follow PATH`). The tab renders exactly what a live
monitor would give it (the same widgets, history, findings and actions through the core's rules
and the audit), and opening ten tabs costs the backend no extra request.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from pathlib import Path

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import Snapshot
from sutazai_tui.records.recording import Recording, RecordingError, read_recording
from sutazai_tui.sources.backend.client import HttpSource
from sutazai_tui.sources.engine.base import Listed

LOOK_S = 0.25  # how often the recording is looked at while waiting for its next cycle


class RecordingFollower(Monitor):
    """`cycle()` waits for the next snapshot in `path` (written by `serve`'s monitor) and returns it.

    The first cycle also puts the recording's earlier snapshots into the history, so a tab opened
    late has its sparklines and findings at once. A missing or unreadable file is waited for.
    """

    def __init__(self, settings: Settings, path: Path) -> None:
        # A source that is never polled: no request leaves a tab (nor a budget file entry).
        super().__init__(settings, http=HttpSource(settings))
        self.path = path
        self._last: datetime | None = None
        self._seen: tuple[int, int, int] | None = None  # (inode, size, mtime) read last time
        self.problem: str | None = None

    def _read(self) -> Recording | None:
        try:
            recording = read_recording(self.path, cache=None)
        except RecordingError as exc:
            self.problem = str(exc)
            return None
        self.problem = None
        return recording

    def _new_frames(self) -> list[Snapshot]:
        try:
            st = self.path.stat()
        except OSError as exc:
            self.problem = f"{self.path}: {exc.strerror}"
            return []
        if (st.st_ino, st.st_size, st.st_mtime_ns) == self._seen:
            return []  # unchanged: not parsed again (ten tabs look four times a second)
        self._seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        recording = self._read()
        if recording is None:
            return []
        fresh = [f for f in recording if self._last is None or f.taken_at > self._last]
        if self._last is None:  # a new tab keeps only a history's worth: validate no more than that
            fresh = fresh[-self.settings.history_size :]
        found: list[Snapshot] = []
        for frame in fresh:
            with contextlib.suppress(ValueError):  # one bad line must not stop the tab
                found.append(frame.load())
        return found

    async def cycle(self, listed: Listed | None = None) -> Snapshot:
        """The next recorded snapshot (waiting for it); the first call fills the history too.
        A recording has no early answer (`listed`): its snapshots are whole."""
        del listed
        while True:
            snapshots = await asyncio.to_thread(self._new_frames)
            if snapshots:
                break
            await asyncio.sleep(LOOK_S)
        if self._last is None:
            for earlier in snapshots[-self.settings.history_size : -1]:
                self.history.add(earlier)
        latest = snapshots[-1]
        self._last = latest.taken_at
        return latest
