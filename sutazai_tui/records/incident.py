"""What happened in a recording: the periods of failure, and the findings that explain them.

Pure analysis (no output, no textual): the report renders it, and a replay screen can use the
same spans to jump to "first failure" / "recovery".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.diagnosis.lifetimes import FindingTimes, Lifetime
from sutazai_tui.diagnosis.run import diagnose, worst_first
from sutazai_tui.models import Finding, Snapshot
from sutazai_tui.records.recording import Frame, Recording, RecordingError


@dataclass(frozen=True)
class Span:
    """One period of failure: `first` failing snapshot, `last` failing one, `recovered` the first OK after."""

    first: int
    last: int
    recovered: int | None
    worst: Level


def failure_spans(snapshots: Sequence[Snapshot]) -> list[Span]:
    """The runs of failing snapshots, in order; `recovered` is None for a run lasting to the end."""
    spans: list[Span] = []
    start: int | None = None
    worst = Level.OK
    for i, snap in enumerate(snapshots):
        level = assess(snap).level
        if level is not Level.OK:
            start = i if start is None else start
            worst = max(worst, level) if level is not Level.UNKNOWN else max(worst, Level.WARNING)
        elif start is not None:
            spans.append(Span(start, i - 1, i, worst))
            start, worst = None, Level.OK
    if start is not None:
        spans.append(Span(start, len(snapshots) - 1, None, worst))
    return spans


def _moments(frames: Sequence[Frame], spans: Sequence[Span]) -> set[int]:
    found = {len(frames) - 1}
    for span in spans:
        found.add(span.last)
        found.update(k for k in range(span.first, span.last) if frames[k + 1].events)
    return found


def diagnose_recording(
    recording: Recording, since: datetime | None, until: datetime | None, settings: Settings
) -> list[Finding]:
    """Findings of the window: those recorded, else diagnosed at the moments that show the causes.

    Diagnosis describes the newest snapshot, so asking only at the end of a recovered recording
    would find nothing. Each cause shows best just before the state changes again (a hang, after
    its last hung cycle), so diagnosis runs at every failing frame followed by a state change,
    at the end of each failure and at the end of the window: a handful of runs, not one per frame.
    """
    frames = recording.between(since, until)
    recorded = [f.findings for f in frames if f.findings is not None]
    found: dict[tuple[str, str], Finding] = {}
    if recorded:
        for group in recorded:
            for finding in group:
                found.setdefault((finding.id, finding.subject), finding)
        return worst_first(found.values())
    good: list[Frame] = []
    snaps: list[Snapshot] = []
    for f in frames:
        try:
            snaps.append(recording.snapshot(f.index))
        except RecordingError:
            continue  # the report notes the bad line; diagnosis works with the rest
        good.append(f)
    if not snaps:
        return []
    for k in sorted(_moments(good, failure_spans(snaps))):
        kept = snaps[max(0, k + 1 - settings.history_size) : k + 1]
        history = History(len(kept), recording.header.interval)
        for snap in kept:
            history.add(snap)
        for finding in diagnose(history, settings, now=snaps[k].taken_at):
            found.setdefault((finding.id, finding.subject), finding)
    return worst_first(found.values())


def finding_times(recording: Recording, since: datetime | None, until: datetime | None) -> list[Lifetime]:
    """Each recorded finding's story in the window: first seen, cleared (the first frame without
    it), returned; [] when the recording carries no findings (then they are diagnosed, undated)."""
    times = FindingTimes()
    frames = recording.between(since, until)
    if not any(f.findings is not None for f in frames):
        return []
    for f in frames:
        times.observe(f.findings or (), f.taken_at)
    return times.all()
