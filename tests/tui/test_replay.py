"""Replay: a recording of the incident, played back through the live widgets, frame by frame.

The incident is recorded without a TUI (Monitor + Recorder over the simulated backend on
127.0.0.1), then `replay_app` shows it; every step is checked against the recorded snapshots.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from sutazai_tui.cli import entry as cli
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_monitor
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import EndpointKind, EndpointStatus, Event, Snapshot, State
from sutazai_tui.records.recorder import Recorder
from sutazai_tui.records.recording import Recording, read_recording
from sutazai_tui.records.replayer import SPEEDS, parse_jump
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.launch import replay_app
from sutazai_tui.tui.screens.time_prompt import TimePrompt
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar
from tests.conftest import ANSWER_TIMEOUT, settings_for
from tests.tui_support import panel_states, wait_until

PLAN = (
    (answers.RECOVERED, 2),
    (answers.HANG, 2),
    (answers.EMERGENCY, 2),
    (answers.INITIALIZING, 1),
    (answers.RECOVERED, 2),
)
ACTION = "stop sutazai-backend by ops: done"


async def record_incident(backend: SimulatedBackend, path: Path) -> list[Snapshot]:
    """The incident as `--record` writes it: each cycle, its events, its findings, one action."""
    settings = settings_for(backend.url, containers=True, timeout=ANSWER_TIMEOUT, interval=5.0, record=path)
    monitor = demo_monitor(settings, SimulatedFleet(backend))
    recorder = Recorder.from_settings(settings, redactor=monitor.http.redactor)
    assert recorder is not None
    snaps: list[Snapshot] = []
    try:
        for phase, cycles in PLAN:
            backend.forced_phase = phase
            for _ in range(cycles):
                snap = await monitor.cycle()
                events = monitor.history.add(snap)
                recorder.record(snap, events, diagnose(monitor.history, settings))
                snaps.append(snap)
            if phase == answers.EMERGENCY:
                recorder.event(
                    Event(at=snaps[-1].taken_at, kind="action", subject="container:x", reason=ACTION)
                )
    finally:
        recorder.close()
        await monitor.close()
    return snaps


@pytest.fixture
async def recorded(tmp_path: Path) -> tuple[Path, list[Snapshot]]:
    backend = SimulatedBackend("incident", rate_limit=False)
    await backend.start()
    try:
        path = tmp_path / "rec.jsonl"
        return path, await record_incident(backend, path)
    finally:
        await backend.stop()


def open_replay(path: Path, tmp_path: Path) -> tuple[SutazaiApp, Recording]:
    recording = read_recording(path)
    settings = settings_for("http://127.0.0.1:9", tmp_path, snapshot_dir=tmp_path / "snaps")
    return replay_app(recording, settings), recording


def expected(snap: Snapshot) -> dict[str, tuple[State, str]]:
    return {e.name: (e.state, e.reason) for e in snap.endpoints}


def shows_frame(app: SutazaiApp, recording: Recording, snaps: list[Snapshot], i: int) -> bool:
    return (
        app.dashboard.replayer is not None
        and app.dashboard.replayer.index == i
        and panel_states(app) == expected(snaps[i])
    )


def notes(app: SutazaiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_replay_shows_the_recorded_states_at_each_step(
    recorded: tuple[Path, list[Snapshot]], tmp_path: Path
) -> None:
    path, snaps = recorded
    app, recording = open_replay(path, tmp_path)
    assert len(recording) == len(snaps)
    states = [{s for s, _ in expected(snap).values()} for snap in snaps]
    assert {State.OK} in states and {State.DOWN} in states and State.EMERGENCY in set().union(*states)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, 0))
        header = app.query_one(HeaderBar)
        assert "REPLAY" in header.plain and f"1/{len(snaps)}" in header.plain
        for i in range(1, len(snaps)):
            await pilot.press("right_square_bracket")
            await wait_until(pilot, lambda i=i: shows_frame(app, recording, snaps, i))
            assert list(app.shown.history.events) == recording.events_until(i)
            shown = sorted((f.id, f.subject) for f in app.query_one(FindingsPanel).findings)
            assert shown == sorted((f.id, f.subject) for f in recording[i].findings or ())
            assert "STALE" not in header.plain
        await pilot.press("right_square_bracket")  # past the end: stays on the last frame
        assert app.dashboard.replayer is not None and app.dashboard.replayer.index == len(snaps) - 1
        assert f"{len(snaps)}/{len(snaps)}" in header.plain
        last_events = list(app.shown.history.events)
        assert any(e.reason == ACTION for e in last_events)

        # Back: exactly the earlier frame's states, its events, its latency history.
        for i in range(len(snaps) - 2, 1, -1):
            await pilot.press("left_square_bracket")
            await wait_until(pilot, lambda i=i: shows_frame(app, recording, snaps, i))
            assert list(app.shown.history.events) == recording.events_until(i)
            assert app.shown.history.latest == snaps[i]
        emergency_end = sum(n for _, n in PLAN[:3]) - 1
        assert (ACTION in str(app.query_one(EventLog).query_one("#events-body").render())) is (
            app.dashboard.replayer.index >= emergency_end
        )
        await pilot.press("G")
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, len(snaps) - 1))
        assert list(app.shown.history.events) == last_events
        await pilot.press("g")
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, 0))
        assert [s.taken_at for s in app.shown.history.snapshots] == [snaps[0].taken_at]


async def test_space_plays_to_the_end_and_speed_keys_step_through_the_speeds(
    recorded: tuple[Path, list[Snapshot]], tmp_path: Path
) -> None:
    path, snaps = recorded
    app, recording = open_replay(path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, 0))
        assert app.dashboard.replayer is not None
        await pilot.press("space")  # 1x: the next frame is 5 s away
        assert app.dashboard.replayer.playing and "▶ 1x" in app.query_one(HeaderBar).plain
        await pilot.press("space")
        assert not app.dashboard.replayer.playing and "⏸ 1x" in app.query_one(HeaderBar).plain
        assert app.dashboard.replayer.index == 0
        await pilot.press(*["plus"] * (len(SPEEDS) + 1))
        assert app.dashboard.replayer.speed == SPEEDS[-1]
        assert f"{SPEEDS[-1]}x" in app.query_one(HeaderBar).plain
        await pilot.press("minus", "minus")
        assert app.dashboard.replayer.speed == SPEEDS[-3]
        await pilot.press("plus", "plus", "space")
        await wait_until(
            pilot, lambda: not app.dashboard.replayer.playing if app.dashboard.replayer else False
        )
        assert shows_frame(app, recording, snaps, len(snaps) - 1)
        await wait_until(pilot, lambda: "end of the recording" in notes(app))
        await pilot.press(*["minus"] * len(SPEEDS), "space")  # at the end, space plays from the start
        assert app.dashboard.replayer.speed == 1 and app.dashboard.replayer.playing
        assert shows_frame(app, recording, snaps, 0)
        await pilot.press("space")
        assert not app.dashboard.replayer.playing


async def test_t_jumps_to_a_time_and_refuses_bad_input(
    recorded: tuple[Path, list[Snapshot]], tmp_path: Path
) -> None:
    path, snaps = recorded
    app, recording = open_replay(path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, 0))
        target = snaps[4].taken_at + (snaps[5].taken_at - snaps[4].taken_at) / 2
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TimePrompt))
        app.screen.query_one(Input).value = target.isoformat()  # typing 32 keys costs 2 s
        await pilot.press("enter")
        await wait_until(pilot, lambda: shows_frame(app, recording, snaps, 4))
        for bad in ("25:99", "soon"):
            await pilot.press("t")
            await wait_until(pilot, lambda: isinstance(app.screen, TimePrompt))
            await pilot.press(*bad, "enter")
            await wait_until(pilot, lambda bad=bad: any(bad in n for n in notes(app)))
            assert app.dashboard.replayer is not None and app.dashboard.replayer.index == 4
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TimePrompt))
        await pilot.press("escape")
        assert not isinstance(app.screen, TimePrompt) and app.dashboard.replayer.index == 4


def test_clock_times_are_local_on_the_recordings_date(recorded: tuple[Path, list[Snapshot]]) -> None:
    path, snaps = recorded
    recording = read_recording(path)
    first = snaps[0].taken_at.astimezone()
    when = parse_jump(first.strftime("%H:%M:%S"), recording)
    assert when == first.replace(microsecond=0)
    assert parse_jump(first.strftime("%H:%M"), recording) == first.replace(second=0, microsecond=0)
    with pytest.raises(ValueError, match="not a time"):
        parse_jump("12:3x", recording)


T0 = datetime(2025, 8, 17, 23, 10, 0, tzinfo=UTC)


def old_snapshot(cycle: int) -> Snapshot:
    at = T0 + timedelta(seconds=30 * cycle)
    ok = EndpointStatus(
        name="health", url="http://127.0.0.1:10010/health", kind=EndpointKind.HEALTH, checked_at=at,
        state=State.OK, reason="healthy", http_code=200, latency_ms=9.0,
    )  # fmt: skip
    return Snapshot(
        cycle=cycle, taken_at=at, duration_ms=10.0, target="http://127.0.0.1:10010", endpoints=(ok,)
    )


async def test_truncated_last_line_is_skipped_with_a_note_and_old_data_is_not_stale(tmp_path: Path) -> None:
    path = tmp_path / "old.jsonl"
    with Recorder(path, target="http://127.0.0.1:10010", interval=30.0, max_bytes=1 << 20) as recorder:
        for cycle in range(1, 4):
            recorder.record(old_snapshot(cycle))
    with path.open("ab") as f:
        f.write(b'{"type":"snapshot","cycle":4,"taken_')
    app, recording = open_replay(path, tmp_path)
    assert len(recording) == 3
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: any("truncated" in n for n in notes(app)))
        await wait_until(pilot, lambda: panel_states(app) == {"health": (State.OK, "healthy")})
        await pilot.press("G")
        await wait_until(
            pilot, lambda: app.dashboard.replayer is not None and app.dashboard.replayer.index == 2
        )
        await pilot.pause()
        assert "STALE" not in app.query_one(HeaderBar).plain  # recorded in 2025, shown as it was then
        assert panel_states(app) == {"health": (State.OK, "healthy")}


@pytest.mark.parametrize(
    "content",
    [
        {"type": "header", "schema_version": 999, "target": "x", "interval": 30},
        "not json at all",
    ],
    ids=["newer-schema", "garbage"],
)
def test_unusable_recording_is_one_line_on_stderr_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: Any
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text((json.dumps(content) if isinstance(content, dict) else content) + "\n")
    assert cli.main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert str(path) in err
    if isinstance(content, dict):
        assert "newer" in err
