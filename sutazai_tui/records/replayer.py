"""Replay: the live TUI's own widgets fed from a recording, one recorded cycle at a time.

`Replayer` is the position in a recording (frame, speed, playing) and rebuilds the `History` the
panels read at any frame, so stepping back shows exactly what was shown then; it imports no
textual. The launcher (`sutazai_tui.tui.launch`) opens the file and runs the app over it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import Snapshot
from sutazai_tui.records.recording import Frame, Recording, RecordingError
from sutazai_tui.util.when import parse_when

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
# Frames put back into a History on a jump: the sparklines' span (app.SPARK_CYCLES). An endpoint
# whose last good answer is older than that is STALE either way, so the panels cannot tell.
REBUILD_FRAMES = 60


class Replayer:
    """Where a replay stands in its recording, and the History the panels read at that frame."""

    def __init__(self, recording: Recording, history_size: int = 240) -> None:
        self.recording = recording
        self.history_size = history_size
        self.index = 0
        self.speed = SPEEDS[0]
        self.playing = False
        self._history: History | None = None
        self._history_index = -1

    @property
    def frame(self) -> Frame:
        """The frame on screen."""
        return self.recording[self.index]

    @property
    def last(self) -> int:
        """Index of the last frame."""
        return len(self.recording) - 1

    @property
    def delay(self) -> float:
        """Seconds between frames while playing: the recorded interval divided by the speed."""
        return self.recording.header.interval / self.speed

    def faster(self) -> None:
        """Double the speed, up to the fastest."""
        self.speed = SPEEDS[min(SPEEDS.index(self.speed) + 1, len(SPEEDS) - 1)]

    def slower(self) -> None:
        """Halve the speed, down to 1x."""
        self.speed = SPEEDS[max(SPEEDS.index(self.speed) - 1, 0)]

    def move(self, index: int) -> tuple[Snapshot, History]:
        """Go to frame `index` (clamped): its snapshot and the History as live had it then.

        One step forward adds a snapshot to the same History (cheap); any other move builds a
        new one from the frames before. The events are always those recorded up to the frame,
        operator actions included. RecordingError (one line) if the frame's line is bad; the
        position is unchanged then.
        """
        rec = self.recording
        index = max(0, min(index, self.last))
        snapshot = rec.snapshot(index)
        if self._history is not None and index == self._history_index + 1:
            history = self._history
            history.add(snapshot)
        elif self._history is not None and index == self._history_index:
            history = self._history
        else:
            history = History(self.history_size, rec.header.interval)
            for k in range(max(0, index + 1 - REBUILD_FRAMES), index):
                try:
                    history.add(rec.snapshot(k))
                except RecordingError:
                    continue  # a bad line earlier costs a sparkline bar, not the frame
            history.add(snapshot)
        history.events.clear()
        history.events.extend(rec.events_until(index))
        self._history, self._history_index, self.index = history, index, index
        return snapshot, history

    def position(self) -> str:
        """The header's text: recorded time (local), frame i/n, speed and whether it plays."""
        when = self.frame.taken_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        mark = "▶" if self.playing else "⏸"
        return f"{when} {self.index + 1}/{len(self.recording)} {mark} {self.speed}x"


def fixed_clock(at: datetime) -> Callable[[], datetime]:
    """A clock that always says `at`: the replay's "now" is the shown frame's time."""
    return lambda: at


def parse_jump(text: str, recording: Recording) -> datetime:
    """The time typed at `t`: HH:MM[:SS] on the recording's date, an ISO time, or an age back from
    the recording's end (`15m`); ValueError (one line).

    Times without a zone are local, like every time on screen. HH:MM on a recording that spans
    midnight means the first day on which that time falls inside the recording.
    """
    return parse_when(text, window=(recording.start, recording.end))


def replay_settings(settings: Settings, recording: Recording) -> Settings:
    """The user's settings (where snapshots and reports go) with the recording's interval.

    No configured endpoints: the panels are those the recording has, mounted by its first frame.
    """
    first = recording.snapshot(0)
    update: dict[str, Any] = {
        "interval": recording.header.interval,
        "record": None,
        "default_endpoints": False,
        "endpoints": [],
        "containers": first.containers is not None,
    }
    return settings.model_copy(update=update)
