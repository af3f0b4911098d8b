"""`sutazai-tui report`: a Markdown incident report (postmortem style) from a recording and the audit log.

Sections: summary (first failure → recovery and how long), timeline of state changes and operator
actions, the actions in detail, findings, and a validation checklist of the last state seen.
All times are UTC. A snapshot counts as failing when `verdict.assess` does not say OK. The
Markdown escaping is records/markdown.py's; printing it and the exit code are cli/report.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sutazai_tui import __version__
from sutazai_tui.actions.audit import read_audit
from sutazai_tui.config.settings import Settings, redactor_for
from sutazai_tui.core.verdict import Level, assess
from sutazai_tui.diagnosis.lifetimes import Key, Lifetime, key_of, lasted
from sutazai_tui.models import Event, Finding, Snapshot, container_reason, container_state
from sutazai_tui.records.incident import Span, diagnose_recording, failure_spans, finding_times
from sutazai_tui.records.markdown import Writer, markdown_code, markdown_text
from sutazai_tui.records.recording import Recording, RecordingError, read_recording
from sutazai_tui.util.redact import Redactor
from sutazai_tui.util.when import HINT, parse_when

# The escaping is re-exported: what outside text may not do to the report is pinned from here.
__all__ = ["ReportError", "build_report", "markdown_code", "markdown_text", "parse_time", "render_report"]

_SEVERITY = {"critical": "🔴 critical", "warning": "🟠 warning", "info": "🔵 info"}


class ReportError(Exception):
    """The report cannot be made as asked; one line."""


def parse_time(
    text: str | None, flag: str, window: tuple[datetime, datetime] | None = None
) -> datetime | None:
    """--since/--until: HH:MM[:SS] (on `window`'s days, else today, local), an ISO time (without a
    zone: UTC, as always here) or an age like 15m (back from `window`'s end, else now)."""
    if text is None:
        return None
    try:
        return parse_when(text, window=window, naive_utc=True)
    except ValueError:
        raise ReportError(f"invalid {flag} {text!r}: {HINT}") from None


def _duration(delta: timedelta) -> str:
    if delta.total_seconds() < 1:
        return f"{delta.total_seconds():.1f} s"
    s = int(delta.total_seconds())
    parts = [(s // 3600, "h"), (s % 3600 // 60, "min"), (s % 60, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n) or "0 s"


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(entry["time"]))
    except (KeyError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _audited(event: Event, audited: Sequence[tuple[datetime, str]]) -> bool:
    # Same container, same moment (both carry the attempt's time; allow clock rounding).
    name = event.subject.removeprefix("container:")
    return any(c == name and abs((t - event.at).total_seconds()) <= 2 for t, c in audited)


def _took(entry: Mapping[str, Any]) -> str:
    # The actions helper writes duration_ms; accept a plain `duration` in seconds too.
    ms = entry.get("duration_ms")
    seconds = ms / 1000 if isinstance(ms, int | float) else entry.get("duration")
    return f"{seconds:.1f} s" if isinstance(seconds, int | float) else "—"


@dataclass
class _Window:
    """What every section reads: the snapshots in the window, their failure spans, the actions."""

    recording: Recording
    snaps: list[Snapshot]
    spans: list[Span]
    actions: list[tuple[datetime, Mapping[str, Any]]]
    events: list[Event]
    cut: bool = False  # --until ended the window before the recording ended


def build_report(
    recording: Recording,
    audit_entries: Sequence[Mapping[str, Any]],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    findings: Sequence[Finding] | None = None,
    redactor: Redactor | None = None,
    now: datetime | None = None,
    times: Sequence[Lifetime] = (),
) -> str:
    """The report as Markdown. `findings` None = not diagnosed (said so); ReportError if no frame fits."""
    notes = list(recording.notes)
    snaps: list[Snapshot] = []
    for f in recording.between(since, until):
        try:
            snaps.append(recording.snapshot(f.index))
        except RecordingError as exc:  # one bad line must not cost the whole report
            notes.append(str(exc))
    if not snaps:
        covers = f"{recording.start:%Y-%m-%d %H:%M} to {recording.end:%Y-%m-%d %H:%M} UTC"
        raise ReportError(f"no snapshots in that time range in {recording.path} (it covers {covers})")
    first, last = snaps[0].taken_at, snaps[-1].taken_at
    upto = last + timedelta(seconds=recording.header.interval)  # actions after the last poll still count
    actions = [(t, a) for a in audit_entries if (t := _entry_time(a)) is not None and first <= t <= upto]
    actions.sort(key=lambda pair: pair[0])
    # A `started` line whose outcome is in the log says nothing more (the outcome carries its time);
    # one without an outcome stays: the action began and its end was never recorded.
    ended = {_attempt(a) for _, a in actions if a.get("result") != "started"}
    actions = [(t, a) for t, a in actions if a.get("result") != "started" or _attempt(a) not in ended]
    events = [e for e in recording.events if first <= e.at <= upto]
    cut = until is not None and recording.end > last
    win = _Window(recording, snaps, failure_spans(snaps), actions, events, cut)
    w = Writer(redactor, first.date() != last.date())
    _title(w, win)
    _summary(w, win)
    _timeline(w, win)
    _actions(w, win)
    _findings(w, findings, {key_of(x.finding): x for x in times})
    _validation(w, snaps[-1])
    if notes:
        w.add("", "## Notes on the data", "", *(f"- {w.esc(n)}" for n in notes))
    made = (now or datetime.now(UTC)).astimezone(UTC)
    w.add("", f"_Generated by sutazai-tui {__version__} at {made:%Y-%m-%d %H:%M:%S} UTC._", "")
    return "\n".join(w.lines)


def _title(w: Writer, win: _Window) -> None:
    header, snaps, spans = win.recording.header, win.snaps, win.spans
    first, last = snaps[0].taken_at, snaps[-1].taken_at
    status = "NO INCIDENT" if not spans else ("RESOLVED" if spans[-1].recovered is not None else "ONGOING")
    worst = max((s.worst for s in spans), default=Level.OK)
    days = f"{first:%Y-%m-%d}" + ("" if first.date() == last.date() else f" – {last:%Y-%m-%d}")
    w.add(f"# Incident report: {w.esc(header.target or snaps[-1].target)}", "")
    w.add(f"**Date:** {days}  ")
    every = f"{len(snaps)} snapshots, every {header.interval:g} s"
    w.add(f"**Window:** {w.t(first)} → {w.t(last)} UTC ({every})  ")
    w.add(f"**Status:** {status}  ", f"**Severity:** {worst.name}  ")
    source = f"{w.code(win.recording.path)} (recorded on {w.esc(header.host)}"
    w.add(f"**Source:** {source}, sutazai-tui {w.esc(header.tool_version)})", "")


def _summary(w: Writer, win: _Window) -> None:
    snaps, spans = win.snaps, win.spans
    last = snaps[-1].taken_at
    w.add("## Summary", "")
    if not spans:
        w.add(f"- No failure recorded: all {len(snaps)} snapshots up to {w.t(last)} UTC were OK.")
    else:
        begin = snaps[spans[0].first].taken_at
        reasons = "; ".join(text for _, text in assess(snaps[spans[0].first]).reasons[:3])
        already = " (already failing when the window starts)" if spans[0].first == 0 else ""
        w.add(f"- **First failure:** {w.t(begin)} UTC{already}: {w.esc(reasons)}")
        if len(spans) > 1:
            again = w.t(snaps[spans[-1].first].taken_at)
            w.add(f"- {len(spans)} separate failure periods; the last began at {again} UTC.")
        end = spans[-1].recovered
        if end is not None:
            back = snaps[end].taken_at
            took = _duration(back - begin)
            w.add(f"- **Recovered:** {w.t(back)} UTC, every check OK (**{took}** after the first failure).")
        else:
            still = assess(snaps[-1])
            end_of = "window" if win.cut else "recording"  # what came after --until is not looked at
            why = w.esc("; ".join(still.lines()[:3]))
            w.add(
                f"- **Not recovered by the end of the {end_of}:** still {still.level.name} at "
                f"{w.t(last)} UTC (at least {_duration(last - begin)} after the first failure): {why}"
            )
        w.add(f"- Worst level: {max(s.worst for s in spans).name}.")
    # A recreate's `started` line announces the attempt its outcome line closes: count it once.
    attempts = [a for _, a in win.actions if a.get("result") != "started"]
    if attempts:
        done = ", ".join(f"{w.esc(a.get('action'))} {w.esc(a.get('container'))}" for a in attempts[:5])
        more = ", …" if len(attempts) > 5 else ""
        w.add(f"- Operator actions: {len(attempts)} ({done}{more}).")
    w.add("")


def _timeline(w: Writer, win: _Window) -> None:
    w.add("## Timeline (UTC)", "", "| time | subject | change | detail |", "|---|---|---|---|")
    rows: list[tuple[datetime, int, str]] = []
    # The recording's `action` event and the audit line are one attempt: the audit line says more.
    audited = [(t, str(a.get("container"))) for t, a in win.actions]
    for e in win.events:
        if e.kind == "action" and _audited(e, audited):
            continue
        change = f"{e.old or '—'} → {e.new or 'removed'}" if e.kind == "state" else e.kind
        rows.append((e.at, 0, f"| {w.t(e.at)} | {w.esc(e.subject)} | {change} | {w.esc(e.reason)} |"))
    for t, a in win.actions:
        what = f"**{w.esc(a.get('action'))}** by {w.esc(a.get('user'))}"
        change = f"{w.esc(a.get('state_before'))} → {w.esc(a.get('state_after'))}"
        error = f": {w.esc(a['error'])}" if a.get("error") else ""
        detail = f"{w.esc(a.get('result'))} ({change}){error}"
        rows.append((t, 1, f"| {w.t(t)} | {w.esc(a.get('container'))} | {what} | {detail} |"))
    rows.sort(key=lambda r: (r[0], r[1]))
    w.add(*[r[2] for r in rows] or ["| — | — | no state changes or actions | — |"], "")


def _actions(w: Writer, win: _Window) -> None:
    w.add("## Operator actions", "")
    if not win.actions:
        w.add("No actions in the audit log for this window.", "")
        return
    w.add("| time | operator | from | action | container | before → after | result | took |")
    w.add("|---|---|---|---|---|---|---|---|")
    for t, a in win.actions:
        who = f"{w.esc(a.get('user'))}@{w.esc(a.get('host'))}"
        what = f"{w.esc(a.get('container'))} {w.code(str(a.get('container_id') or '')[:12], table=True)}"
        change = f"{w.esc(a.get('state_before'))} → {w.esc(a.get('state_after'))}"
        result = w.esc(a.get("result")) + (f": {w.esc(a['error'])}" if a.get("error") else "")
        where = w.esc(a.get("peer") or a.get("ssh_client"))  # a serve tab's address, else the ssh client's
        w.add(
            f"| {w.t(t)} | {who} | {where} | {w.esc(a.get('action'))} | {what} "
            f"| {change} | {result} | {_took(a)} |"
        )
    w.add("")


def _attempt(entry: Mapping[str, Any]) -> tuple[Any, ...]:
    """What ties an audit attempt's `started` line to its outcome line."""
    return entry.get("time"), entry.get("container"), entry.get("action")


def _findings(w: Writer, findings: Sequence[Finding] | None, times: Mapping[Key, Lifetime]) -> None:
    w.add("## Findings", "")
    if findings is None:
        w.add("Not diagnosed.")
    elif not findings:
        w.add("No findings: no known cause was detected in the recorded data.")
    for f in findings or ():
        badge = _SEVERITY.get(f.severity, w.esc(f.severity))
        w.add(f"- **{badge}** {w.code(f.id)} {w.esc(f.subject)}: {w.esc(f.title)}")
        if (life := times.get(key_of(f))) is not None:
            w.add(f"  - {_when(w, life)}")
        w.add(f"  - Evidence: {w.esc(f.evidence)}", f"  - Fix: {w.esc(f.fix)}")
    w.add("")


def _when(w: Writer, life: Lifetime) -> str:
    """`First seen 23:10:05 UTC, cleared 23:14:35 UTC (after 5 min)` or `… still held at the end`."""
    seen = f"First seen {w.t(life.first_seen)} UTC"
    back = f", returned {life.returns}×, last from {w.t(life.since)} UTC" if life.returns else ""
    if life.cleared_at is None:
        return f"{seen}{back}; still held at the end of the window"
    return f"{seen}{back}, cleared {w.t(life.cleared_at)} UTC (after {lasted(life.lasted_s())})"


def _validation(w: Writer, final: Snapshot) -> None:
    w.add(f"## Validation at {w.t(final.taken_at)} UTC (last snapshot)", "")
    for e in final.endpoints:
        code = f", HTTP {e.http_code}" if e.http_code is not None else ""
        took = f" in {e.latency_ms:.0f} ms" if e.latency_ms is not None else ""
        mark = "✅" if e.state == "OK" else "❌"
        w.add(f"- {mark} **{w.esc(e.name)}** {w.code(e.url)} — {e.state}{code}{took}: {w.esc(e.reason)}")
    if final.containers is not None:
        c = final.containers
        w.add(
            f"- {'✅' if c.state == 'OK' else '❌'} container engine {w.code(c.engine)} — {c.state}: "
            f"{w.esc(c.reason)}"
        )
        for item in c.containers:
            state = container_state(item)
            mark = "✅" if state == "OK" else "❌"
            why = w.esc(container_reason(item))
            w.add(f"- {mark} **{w.esc(item.name)}** — {state}: {why} (restarts {item.restart_count})")
    w.add(*(f"- ❌ {w.esc(err)}" for err in final.errors))


def _simulated(recording: Recording) -> bool:
    """Whether the recording watched the demo's simulated engine (its last readable frame says)."""
    for frame in reversed(recording.frames):
        try:
            containers = recording.snapshot(frame.index).containers
        except RecordingError:
            continue
        return containers is not None and containers.engine == "simulated"
    return False


def render_report(path: Path, settings: Settings, since: str | None = None, until: str | None = None) -> str:
    """The Markdown report of a recording: read it, its audit log and its findings; no output.

    `since`/`until` are read against the recording: `23:10` is on the recording's day (not
    today), `15m` counts back from its end. Raises ReportError / RecordingError with one line.
    Blocking: the TUI calls it in a thread.
    """
    recording = read_recording(path, cache=None)  # the report reads every frame twice: keep them
    window = (recording.start, recording.end)
    start, end = parse_time(since, "--since", window), parse_time(until, "--until", window)
    if start is not None and end is not None and start > end:
        raise ReportError(f"--since {since} is after --until {until} — swap them")
    # The log the recording's actions went to: a demo's (simulated engine) are audited apart, so
    # for a demo recording its log, unless only the real one has actions in the window.
    paths = (
        [settings.demo_audit_path, settings.audit_path] if _simulated(recording) else [settings.audit_path]
    )
    audit: list[dict[str, Any]] = []
    for audit_path in paths:
        try:
            audit = read_audit(audit_path)
        except OSError as exc:
            raise ReportError(f"cannot read audit log {audit_path}: {exc.strerror or exc}") from None
        if any(recording.start <= t <= recording.end for a in audit if (t := _entry_time(a)) is not None):
            break
    findings = diagnose_recording(recording, start, end, settings)
    times = finding_times(recording, start, end)
    redactor = redactor_for(settings)
    return build_report(recording, audit, start, end, findings=findings, redactor=redactor, times=times)
