"""Replay in the TUI: the recording's frames through the live widgets, and the keys that move through it.

A mixin of `SutazaiApp` by way of `RecordingMixin` (app_recording.py), itself an `App` so the type
checker knows Textual's API; it declares the attributes of SutazaiApp it uses. Its keys exist only
while a recording is open (`check_action` hides them from the live footer and help).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.events import Mount
from textual.timer import Timer

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import Event, Finding, Snapshot
from sutazai_tui.records.recording import Recording, RecordingError
from sutazai_tui.records.replayer import Replayer, fixed_clock, parse_jump
from sutazai_tui.tui.screens.time_prompt import TimePrompt

if TYPE_CHECKING:
    from sutazai_tui.session.session import Session

REPLAY_BINDINGS: list[BindingType] = [
    Binding("space", "replay_play", "Play", id="replay.play"),
    Binding("left_square_bracket", "replay_step(-1)", "Back", key_display="[", id="replay.back"),
    Binding("right_square_bracket", "replay_step(1)", "Step", key_display="]", id="replay.step"),
    Binding("t", "replay_jump", "Time", id="replay.jump"),
    Binding("g", "replay_edge(False)", "First cycle", show=False, id="replay.first"),
    Binding("G", "replay_edge(True)", "Last cycle", show=False, id="replay.last"),
    Binding("plus", "replay_speed(True)", "Faster", key_display="+", show=False, id="replay.faster"),
    Binding("minus", "replay_speed(False)", "Slower", key_display="-", show=False, id="replay.slower"),
]
_REPLAY_ACTIONS = frozenset({"replay_play", "replay_step", "replay_jump", "replay_edge", "replay_speed"})


class ReplayMixin(App[int]):
    """Replay mode: one recorded cycle on screen at a time."""

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...
        @property
        def history(self) -> History: ...

    snapshot: Snapshot | None
    clock: Callable[[], datetime]
    shown: Session
    show_snapshot: Callable[[Snapshot, Sequence[Event]], None]
    show_findings: Callable[[Sequence[Finding]], None]
    _refresh_header: Callable[[datetime], None]

    replayer: Replayer | None = None
    _play_timer: Timer | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Replay keys exist only in replay: hidden from the footer and help when live."""
        if action in _REPLAY_ACTIONS and self.replayer is None:
            return False
        return super().check_action(action, parameters)

    def open_replay(self, recording: Recording) -> None:
        """Show this recording instead of polling; its first frame appears once mounted."""
        self.replayer = Replayer(recording, self.settings.history_size)

    def replay_position(self) -> str | None:
        """The header's replay text: recorded time, frame i/n, speed."""
        return self.replayer.position() if self.replayer is not None else None

    @on(Mount)
    def _replay_mounted(self) -> None:
        if self.replayer is None:
            return
        self.show_frame(0)
        for note in self.replayer.recording.notes:
            self.notify(f"recording: {note}", severity="warning", timeout=15)

    def show_frame(self, index: int) -> None:
        """Put frame `index` on screen: panels, table, events and findings as they were then."""
        replayer = self.replayer
        if replayer is None:
            return
        try:
            snapshot, history = replayer.move(index)
        except RecordingError as exc:
            self._stop_playing()
            self.notify(str(exc), severity="error", timeout=15)
            return
        frame = replayer.frame
        self.shown.history = history
        self.clock = fixed_clock(frame.taken_at)  # the frame's own time: old data is not STALE
        self.show_snapshot(snapshot, frame.events)
        self.show_findings(frame.findings or ())

    def action_replay_step(self, delta: int) -> None:
        """One recorded cycle forward (1) or back (-1)."""
        if self.replayer is not None:
            self.show_frame(self.replayer.index + delta)

    def action_replay_edge(self, last: bool) -> None:
        """The first or the last recorded cycle."""
        if self.replayer is not None:
            self.show_frame(self.replayer.last if last else 0)

    def action_replay_speed(self, faster: bool) -> None:
        """Double or halve the playing speed."""
        if self.replayer is not None:
            if faster:
                self.replayer.faster()
            else:
                self.replayer.slower()
            self._refresh_header(self.clock())

    def action_replay_play(self) -> None:
        """Play from here at the recorded interval / speed, or pause; at the end, play from the start."""
        replayer = self.replayer
        if replayer is None:
            return
        if replayer.playing:
            self._stop_playing()
            return
        if replayer.index >= replayer.last:
            self.show_frame(0)
        replayer.playing = True
        self._play_timer = self.set_timer(replayer.delay, self._play_next)
        self._refresh_header(self.clock())

    def _play_next(self) -> None:
        replayer = self.replayer
        if replayer is None or not replayer.playing:
            return
        self.show_frame(replayer.index + 1)
        if not replayer.playing:
            return  # a bad frame stopped it
        if replayer.index >= replayer.last:
            self._stop_playing()
            self.notify("end of the recording", timeout=5)
            return
        self._play_timer = self.set_timer(replayer.delay, self._play_next)

    def _stop_playing(self) -> None:
        if self._play_timer is not None:
            self._play_timer.stop()
            self._play_timer = None
        if self.replayer is not None and self.replayer.playing:
            self.replayer.playing = False
            self._refresh_header(self.clock())

    def action_replay_jump(self) -> None:
        """Ask for a time and show the last cycle recorded at or before it."""
        replayer = self.replayer
        if replayer is None:
            return
        rec = replayer.recording
        start, end = (t.astimezone().strftime("%Y-%m-%d %H:%M:%S") for t in (rec.start, rec.end))
        self.push_screen(TimePrompt(f"recorded {start} → {end}"), self._jump_to)

    def _jump_to(self, text: str | None) -> None:
        replayer = self.replayer
        if replayer is None or not text:
            return
        try:
            when = parse_jump(text, replayer.recording)
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        rec = replayer.recording
        self.show_frame(rec.frame_at(when))
        if when < rec.start or when > rec.end:
            edge = "first" if when < rec.start else "last"
            self.notify(
                f"{text.strip()} is outside the recording: showing its {edge} cycle", severity="warning"
            )
