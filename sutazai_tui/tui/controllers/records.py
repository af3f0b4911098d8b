"""The snapshot bundle (`s`) and the incident report (palette): files written in a thread, a note after.

A plain controller: it gets the `notify` it reports through; the screen runs its coroutines as
workers, so no write ever blocks the UI loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import Event, Finding, Snapshot
from sutazai_tui.records.recording import RecordingError

if TYPE_CHECKING:
    from sutazai_tui.util.redact import Redactor

REPORT_SUFFIX = ".report.md"
Notify = Callable[..., None]
# Long enough to select and copy the path; the toast rack sits clear of the table and the events.
PATH_NOTIFICATION_S = 10.0


def written_to(what: str, path: Path) -> str:
    """`<what> written to` then the path alone on the next line: whole, nothing to trim off a copy."""
    return f"{what} written to\n{path}"


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


class RecordsController:
    """Writes what the operator asks to keep: the bundle of what is on screen, the report."""

    def __init__(self, notify: Notify) -> None:
        self.notify = notify

    async def write_bundle(
        self,
        settings: Settings,
        snapshot: Snapshot,
        events: tuple[Event, ...],
        findings: tuple[Finding, ...],
        svg: str,
        redactor: Redactor | None,
    ) -> None:
        """screen.svg and state.json into a new bundle folder under `snapshot_dir`."""
        from sutazai_tui.records.bundle import AUDIT_LINES, tail_jsonl, write_bundle

        directory, audit_path = settings.snapshot_path, settings.audit_path

        def write() -> Path:
            audit = tail_jsonl(audit_path, AUDIT_LINES)
            return write_bundle(directory, snapshot, events, findings, audit, svg, redactor=redactor)

        try:
            folder = await asyncio.to_thread(write)
        except OSError as exc:
            self.notify(
                f"cannot write snapshot in {directory}: {exc.strerror or exc}", severity="error", markup=False
            )
            return
        self.notify(
            written_to("snapshot", folder), title="snapshot", timeout=PATH_NOTIFICATION_S, markup=False
        )

    def report_hint(self, source: Path | None) -> str:
        """The palette entry's help: what would be reported, or how to get a recording."""
        if source is None:
            return "needs a recording: start with --record PATH"
        return f"Markdown report of {source}, written next to it"

    async def write_report(self, source: Path | None, settings: Settings) -> None:
        """The Markdown report of `source` (the session's recording or the replayed one)."""
        from sutazai_tui.records.report import ReportError

        if source is None:
            self.notify(
                "no recording in this session — start with --record PATH", severity="warning", markup=False
            )
            return
        try:
            out = await asyncio.to_thread(write_report_beside, source, settings)
        except (RecordingError, ReportError) as exc:
            self.notify(str(exc), severity="error", timeout=15, markup=False)
            return
        except OSError as exc:
            self.notify(
                f"cannot write the report: {exc.strerror or exc}", severity="error", timeout=15, markup=False
            )
            return
        self.notify(
            written_to("report", out), title="incident report", timeout=PATH_NOTIFICATION_S, markup=False
        )
