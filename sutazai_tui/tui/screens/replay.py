"""The replayed Dashboard: a recording's frames through the live widgets, and the keys that move
through it. It has no live keys at all (poll, pause, actions, logs): nothing to hide.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.timer import Timer

from sutazai_tui.records.recording import Recording, RecordingError
from sutazai_tui.records.replayer import Replayer, fixed_clock, parse_jump
from sutazai_tui.session.session import Session
from sutazai_tui.tui.screens.dashboard import FILTER, HELP, SNAPSHOT, TABLE, Dashboard
from sutazai_tui.tui.screens.time_prompt import TimePrompt
from sutazai_tui.tui.widgets.header import HeaderView

if TYPE_CHECKING:
    from sutazai_tui.util.redact import Redactor

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


class ReplayScreen(Dashboard):
    """One recorded cycle on screen at a time (without a recording: what tests feed it)."""

    BINDINGS: ClassVar[list[BindingType]] = [SNAPSHOT, *REPLAY_BINDINGS, *TABLE, FILTER, HELP]
    TABLE_EDGE_KEYS: ClassVar[bool] = False  # g/G are the first/last cycle here, not the first/last row

    def __init__(
        self,
        session: Session,
        recording: Recording | None = None,
        *,
        clock: Callable[[], datetime],
        config_path: Path | None = None,
    ) -> None:
        super().__init__(session, clock=clock, config_path=config_path)
        history_size = session.settings.history_size
        self.replayer = Replayer(recording, history_size) if recording is not None else None
        self._play_timer: Timer | None = None

    def mounted(self) -> None:
        """Show the first frame and the recording's notes."""
        if self.replayer is None:
            return
        self.show_frame(0)
        for note in self.replayer.recording.notes:
            self.notify(f"recording: {note}", severity="warning", timeout=15, markup=False)

    def header_view(self, now: datetime) -> HeaderView:
        """The recorded target, REPLAY, and where in the recording this frame is."""
        view = super().header_view(now)
        target = self.snapshot.target if self.snapshot is not None else view.target
        position = self.replayer.position() if self.replayer is not None else None
        return replace(view, target=target, replay=True, replay_position=position)

    def bundle_redactor(self) -> Redactor | None:
        """Nothing to scrub: the recording was redacted when it was written."""
        return None

    def report_source(self) -> Path | None:
        """The replayed recording."""
        return self.replayer.recording.path if self.replayer is not None else None

    def show_frame(self, index: int) -> None:
        """Put frame `index` on screen: panels, table, events and findings as they were then."""
        replayer = self.replayer
        if replayer is None:
            return
        try:
            snapshot, history = replayer.move(index)
        except RecordingError as exc:
            self._stop_playing()
            self.notify(str(exc), severity="error", timeout=15, markup=False)
            return
        frame = replayer.frame
        self.session.history = history
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
            self.refresh_header()

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
        self.refresh_header()

    def _play_next(self) -> None:
        replayer = self.replayer
        if replayer is None or not replayer.playing:
            return
        self.show_frame(replayer.index + 1)
        if not replayer.playing:
            return  # a bad frame stopped it
        if replayer.index >= replayer.last:
            self._stop_playing()
            self.notify("end of the recording", timeout=5, markup=False)
            return
        self._play_timer = self.set_timer(replayer.delay, self._play_next)

    def _stop_playing(self) -> None:
        if self._play_timer is not None:
            self._play_timer.stop()
            self._play_timer = None
        if self.replayer is not None and self.replayer.playing:
            self.replayer.playing = False
            self.refresh_header()

    def action_replay_jump(self) -> None:
        """Ask for a time and show the last cycle recorded at or before it."""
        replayer = self.replayer
        if replayer is None:
            return
        rec = replayer.recording
        start, end = (t.astimezone().strftime("%Y-%m-%d %H:%M:%S") for t in (rec.start, rec.end))
        self.app.push_screen(TimePrompt(f"recorded {start} → {end}"), self._jump_to)

    def _jump_to(self, text: str | None) -> None:
        replayer = self.replayer
        if replayer is None or not text:
            return
        try:
            when = parse_jump(text, replayer.recording)
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        rec = replayer.recording
        self.show_frame(rec.frame_at(when))
        if when < rec.start or when > rec.end:
            edge = "first" if when < rec.start else "last"
            self.notify(
                f"{text.strip()} is outside the recording: showing its {edge} cycle",
                severity="warning",
                markup=False,
            )
