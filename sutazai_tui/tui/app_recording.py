"""Snapshots, recording and replay in the TUI: the `s` key, the recorder hook, the report.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `RECORDING_BINDINGS`, its palette
entries come from `recording_commands`. Every file write runs in a thread; its result comes back
to an async worker on the app's loop, which notifies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.models import Event, Finding, Snapshot
from sutazai_tui.records.recording import RecordingError
from sutazai_tui.tui.app_replay import REPLAY_BINDINGS, ReplayMixin
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.util import fmt

if TYPE_CHECKING:
    from sutazai_tui.session.session import Session
    from sutazai_tui.util.redact import Redactor

RECORDING_BINDINGS: list[BindingType] = [
    Binding("s", "snapshot", "Snap", tooltip="Snapshot: SVG screenshot + JSON state", id="snapshot"),
    *REPLAY_BINDINGS,
]
REPORT_SUFFIX = ".report.md"


def write_report_beside(recording_path: Path, settings: Settings) -> Path:
    """The Markdown incident report of a recording, written next to it (0600); returns its path.

    Raises RecordingError / ReportError (one line) when there is nothing to report, OSError when
    the file cannot be written. Blocking: call it in a thread.
    """
    from sutazai_tui.records.report import render_report
    from sutazai_tui.util.safefile import write_private

    text = render_report(recording_path, settings)
    out = recording_path.with_name(recording_path.name + REPORT_SUFFIX)
    write_private(out, text)
    return out


class RecordingMixin(ReplayMixin, App[int]):
    """Snapshots, recording and replay (ReplayMixin) in the TUI."""

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...
        @property
        def history(self) -> History: ...

    replay: bool
    shown: Session
    snapshot: Snapshot | None

    def recording_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette."""
        source = self._report_source()
        why = (
            f"Markdown report of {source}, written next to it"
            if source
            else "needs a recording: start with --record PATH"
        )
        yield SystemCommand("Write incident report", why, self.action_write_report)

    # -- `s`: the snapshot bundle -----------------------------------------------------------

    def action_snapshot(self) -> None:
        """Write screen.svg and state.json into a new bundle folder (in a thread)."""
        if self.snapshot is None:
            self.notify("nothing to snapshot yet: no cycle has been shown", severity="warning")
            return
        svg = self.export_screenshot(title="sutazai-tui snapshot")
        findings = self.query_one(FindingsPanel).findings
        redactor = self.shown.redactor if not self.replay else None
        self._write_bundle(self.snapshot, tuple(self.history.events), findings, svg, redactor)

    @work(group="snapshot", exit_on_error=False)
    async def _write_bundle(
        self,
        snapshot: Snapshot,
        events: tuple[Event, ...],
        findings: tuple[Finding, ...],
        svg: str,
        redactor: Redactor | None,
    ) -> None:
        from sutazai_tui.records.bundle import AUDIT_LINES, tail_jsonl, write_bundle

        directory, audit_path = self.settings.snapshot_path, self.settings.audit_path

        def write() -> Path:
            audit = tail_jsonl(audit_path, AUDIT_LINES)
            return write_bundle(directory, snapshot, events, findings, audit, svg, redactor=redactor)

        try:
            folder = await asyncio.to_thread(write)
        except OSError as exc:
            self.notify(f"cannot write snapshot in {directory}: {exc.strerror or exc}", severity="error")
            return
        self.notify(f"snapshot written to {folder}", title="snapshot", timeout=10)

    # -- --record: the shown session records; the header says how much ----------------------

    def recording_badge(self) -> str | None:
        """The header's text after REC: the file's size, "failed", or None when not recording."""
        if self.replay or self.settings.record is None:
            return None
        if not self.shown.recording_ok:
            return "failed"
        recorder = self.shown.recorder
        return fmt.size(recorder.size if recorder is not None else 0)

    # -- the incident report -------------------------------------------------------------

    def _report_source(self) -> Path | None:
        return self.replayer.recording.path if self.replayer is not None else self.settings.record

    def action_write_report(self) -> None:
        """Write the Markdown report of this session's recording next to it (in a thread)."""
        source = self._report_source()
        if source is None:
            self.notify("no recording in this session — start with --record PATH", severity="warning")
            return
        self._write_report(source)

    @work(group="report", exit_on_error=False)
    async def _write_report(self, source: Path) -> None:
        from sutazai_tui.records.report import ReportError

        try:
            out = await asyncio.to_thread(write_report_beside, source, self.settings)
        except (RecordingError, ReportError) as exc:
            self.notify(str(exc), severity="error", timeout=15)
            return
        except OSError as exc:
            self.notify(f"cannot write the report: {exc.strerror or exc}", severity="error", timeout=15)
            return
        self.notify(f"report written to {out}", title="incident report", timeout=10)
