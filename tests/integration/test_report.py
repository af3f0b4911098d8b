"""The incident report: a recorded incident on the simulated backend, the audit log, the CLI."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sutazai_tui.actions.policy import ActionResult
from sutazai_tui.cli import entry as cli
from sutazai_tui.demo.answers import HANG, RECOVERED
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Event
from sutazai_tui.records.incident import failure_spans
from sutazai_tui.records.recorder import read_recording
from sutazai_tui.records.report import ReportError, build_report, parse_time
from tests.unit.test_recorder import make_recorder, record_incident

FMT = "%H:%M:%S"


def audit_log(tmp_path: Path, entries: list[dict[str, object]]) -> Path:
    """The audit log where Settings() looks by default (XDG_STATE_HOME is the test's tmp/state)."""
    path = tmp_path / "state" / "sutazai-tui" / "audit.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(e) for e in entries]
    path.write_text("\n".join([lines[0], "not json", *lines[1:]]) + "\n")  # tolerant of a bad line
    return path


def actions_at(stop: datetime, restart: datetime) -> list[dict[str, object]]:
    return [
        {
            "time": stop.isoformat(),
            "user": "alice",
            "host": "prod-1",
            "ssh_client": "10.0.0.5",
            "action": "stop",
            "container": "sutazai-backend",
            "container_id": "ab" * 32,
            "state_before": "restarting",
            "state_after": "exited",
            "result": "done",
            "duration_ms": 2100,
        },
        {
            "time": restart.isoformat(),
            "action": "restart",
            "container": "sutazai-backend",
            "result": "failed",
            "error": "engine timeout",
        },  # missing fields are fine
        {"time": (stop - timedelta(days=3)).isoformat(), "action": "stop", "container": "old-news"},
    ]


async def test_report_of_a_recorded_incident(backend: SimulatedBackend, tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder)
    times = [s.taken_at for s, _ in cycles]
    rec = read_recording(path, cache=None)
    snaps = [rec.snapshot(i) for i in range(len(rec))]
    (span,) = failure_spans(snaps)
    assert (span.first, span.last, span.recovered) == (1, 5, 6)  # hang .. initializing, then recovered

    entries = actions_at(times[2] + timedelta(milliseconds=1), times[4])
    entries.insert(0, entries[0] | {"result": "started", "state_after": None})  # audited before acting
    text = build_report(rec, entries, findings=[])
    first, back = times[1].strftime(FMT), times[6].strftime(FMT)
    assert text.startswith("# Incident report: ") and "**Status:** RESOLVED" in text
    assert f"**First failure:** {first} UTC: health DOWN: accepts connections" in text
    assert f"**Recovered:** {back} UTC" in text
    took = (times[6] - times[1]).total_seconds()
    assert (f"{took:.1f} s" if took < 1 else "after the first failure") in text
    timeline = text.split("## Timeline (UTC)")[1].split("## Operator actions")[0]
    assert f"| {first} | health | OK → DOWN | accepts connections" in timeline
    assert f"| {back} | health | DEGRADED → OK |" in timeline
    assert "**stop** by alice" in timeline and "failed (— → —): engine timeout" in timeline
    assert "old-news" not in text  # outside the recording's window
    actions = text.split("## Operator actions")[1].split("## Findings")[0]
    assert (
        "| alice@prod-1 | 10.0.0.5 | stop | sutazai-backend `abababababab` | restarting → exited |" in actions
    )
    assert "| 2.1 s |" in actions
    assert "started" not in text  # the stop's `started` line is shown through its outcome
    validation = text.split("## Validation at")[1]
    assert "✅ **health**" in validation and "❌" not in validation
    assert "✅ **sutazai-backend** — OK" in validation


async def test_not_recovered_by_end_of_recording(backend: SimulatedBackend, tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder, phases=(RECOVERED, HANG, HANG))
    text = build_report(read_recording(path), [], findings=None)
    assert "**Status:** ONGOING" in text and "Not diagnosed." in text
    last = cycles[-1][0].taken_at.strftime(FMT)
    assert f"**Not recovered by the end of the recording:** still CRITICAL at {last} UTC" in text
    assert "❌ **health**" in text


async def test_since_until_narrow_the_window(backend: SimulatedBackend, tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder)
    times = [s.taken_at for s, _ in cycles]
    rec = read_recording(path)
    text = build_report(rec, [], since=times[6], until=times[7], findings=[])
    assert "**Status:** NO INCIDENT" in text and "2 snapshots" in text
    text = build_report(rec, [], since=times[3], findings=[])
    assert "(already failing when the window starts)" in text
    with pytest.raises(ReportError, match="no snapshots in that time range"):
        build_report(rec, [], since=times[-1] + timedelta(hours=1))


def test_parse_time() -> None:
    assert parse_time("2025-08-17T23:10", "--since") == datetime(2025, 8, 17, 23, 10, tzinfo=UTC)
    assert parse_time("2025-08-17T23:10+02:00", "--since") == datetime(2025, 8, 17, 21, 10, tzinfo=UTC)
    assert parse_time(None, "--since") is None
    with pytest.raises(ReportError, match="invalid --until '23:10h'"):
        parse_time("23:10h", "--until")


async def test_cli_report_writes_out_with_findings_and_actions(
    backend: SimulatedBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder)
    audit_log(tmp_path, actions_at(cycles[2][0].taken_at, cycles[4][0].taken_at))
    out = tmp_path / "report.md"
    assert cli.main(["report", str(path), "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert capsys.readouterr().out == ""  # the report went to the file
    text = out.read_text()
    assert "**stop** by alice" in text and "**restart** by —" in text
    findings = text.split("## Findings")[1].split("## Validation")[0]
    assert "`startup-hang` health" in findings  # diagnosed at the last hung cycle
    assert "`emergency-build`" in findings and "`missing-env` sutazai-backend" in findings

    assert cli.main(["report", str(path)]) == 0
    assert capsys.readouterr().out.startswith("# Incident report: ")


def test_cli_report_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    future = tmp_path / "future.jsonl"
    future.write_text(json.dumps({"type": "header", "schema_version": 2}) + "\n")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\xff\x10binary")
    cases = [
        ([str(tmp_path / "missing.jsonl")], "does not exist"),
        ([str(garbage)], "is not a sutazai-tui recording"),
        ([str(future)], "has schema 2, newer than this sutazai-tui understands (1) — upgrade sutazai-tui"),
        ([str(future), "--since", "yesterday"], "invalid --since 'yesterday'"),
    ]
    for args, message in cases:
        assert cli.main(["report", *args]) == 2
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], lines
        assert lines[0].startswith("sutazai-tui: ") and captured.out == ""


async def test_a_restart_shows_once_in_the_timeline(backend: SimulatedBackend, tmp_path: Path) -> None:
    # The TUI records the attempt as an `action` event and audits it: one attempt, one row.
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder, phases=(HANG, HANG))
        at = cycles[0][0].taken_at + timedelta(seconds=1)
        result = ActionResult(
            action="restart", container="sutazai-backend", result="done", message="running again", at=at
        )
        recorder.event(result.event())
        stray = Event(at=at, kind="action", subject="container:sutazai-redis", reason="stop sutazai-redis")
        recorder.event(stray)  # not in the audit log: the recording's line is all there is
        await record_incident(backend, recorder, phases=(RECOVERED,))
    entry = {**result.audit_entry("simulated"), "user": "bob"}
    text = build_report(read_recording(path), [entry], findings=[])
    timeline = text.split("## Timeline (UTC)")[1].split("## Operator actions")[0]
    assert timeline.count("sutazai-backend") == 1
    assert "**restart** by bob" in timeline
    assert "| container:sutazai-redis | action | stop sutazai-redis |" in timeline


async def test_until_ends_a_failure_at_the_end_of_the_window(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder, phases=(RECOVERED, HANG, HANG, RECOVERED))
    times = [s.taken_at for s, _ in cycles]
    rec = read_recording(path)
    text = build_report(rec, [], until=times[2], findings=[])
    assert "**Status:** ONGOING" in text and "**Recovered:**" not in text
    assert (
        f"**Not recovered by the end of the window:** still CRITICAL at {times[2].strftime(FMT)} UTC" in text
    )
    whole = build_report(rec, [], findings=[])
    assert "**Status:** RESOLVED" in whole and "**Recovered:**" in whole


async def test_cli_since_until_are_read_on_the_recordings_day(
    backend: SimulatedBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder, phases=(RECOVERED, HANG, HANG))
    day = cycles[0][0].taken_at.date().isoformat()
    if any(s.taken_at.date().isoformat() != day for s, _ in cycles):
        pytest.skip("recorded across midnight")
    three_days_ago = (cycles[0][0].taken_at - timedelta(days=3)).date().isoformat()
    path.write_text(path.read_text().replace(day, three_days_ago))  # the same incident, 3 days ago
    second = cycles[1][0].taken_at
    since = f"{second:%H:%M:%S}"  # a time of day, as an operator types it: on the recording's day
    assert cli.main(["report", str(path), "--since", since]) == 0
    text = capsys.readouterr().out
    shifted = second - timedelta(days=3)
    assert f"**Window:** {shifted.strftime(FMT)} → " in text  # starts at that cycle, 3 days ago

    assert cli.main(["report", str(path), "--since", since, "--until", "00:00:00"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is after --until" in err[0]
