"""Recording to JSONL and reading it back: round trip, crash safety, rotation, refusal of bad files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.answers import EMERGENCY, HANG, INITIALIZING, RECOVERED
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Event,
    Snapshot,
    State,
)
from sutazai_tui.records.recorder import Recorder, RecordingError, read_recording
from sutazai_tui.sources.engine.base import Listed
from sutazai_tui.sources.engine.source import env_names
from sutazai_tui.util.redact import Redactor
from tests.conftest import ANSWER_TIMEOUT, settings_for

INCIDENT = (RECOVERED, HANG, HANG, EMERGENCY, EMERGENCY, INITIALIZING, RECOVERED, RECOVERED)
ENV_VALUE = "sk-env-VALUE-999-never-written"


class FakeFleet:
    """A ContainerSource with fixed containers; env comes through the real name-only parser."""

    engine = "fake"

    def __init__(self) -> None:
        # As the engine's Config.Env would list them: values present here, dropped by env_names.
        env = ["PATH=/usr/bin", f"SECRET_KEY={ENV_VALUE}", "JWT_SECRET_KEY=x" + ENV_VALUE]
        started = datetime.now(UTC) - timedelta(hours=2)
        self.containers = tuple(
            ContainerStats(
                name=name,
                id=f"{n:064x}",
                image=f"sutazai/{name}:latest",
                image_id=f"sha256:{n:064x}",
                state="running",
                started_at=started,
                env_names=env_names(env if n == 1 else env[:1]),
                labels={"com.docker.compose.service": name},
                cpu_percent=1.5 * n,
                mem_used=n * 2**20,
            )
            for n, name in enumerate(("sutazai-backend", "sutazai-redis", "sutazai-postgres"), 1)
        )

    async def cpu_follow_up(self, window: float) -> ContainersStatus | None:
        del window
        return None

    async def poll(self, listed: Listed | None = None) -> ContainersStatus:
        del listed
        return ContainersStatus(
            engine=self.engine,
            state=State.OK,
            reason="3 running",
            containers=self.containers,
            checked_at=datetime.now(UTC),
        )

    async def close(self) -> None:
        return None


async def record_incident(
    backend: SimulatedBackend, recorder: Recorder | None, phases: tuple[str, ...] = INCIDENT, **settings: Any
) -> list[tuple[Snapshot, list[Event]]]:
    """Drive the simulated backend through `phases`, one real Monitor cycle each, recording them."""
    monitor = Monitor(settings_for(backend.url, timeout=ANSWER_TIMEOUT, **settings), containers=FakeFleet())
    cycles = []
    try:
        for phase in phases:
            backend.forced_phase = phase
            snapshot = await monitor.cycle()
            events = monitor.history.add(snapshot)
            if recorder is not None:
                recorder.redactor = monitor.http.redactor
                recorder.record(snapshot, events)
            cycles.append((snapshot, events))
    finally:
        await monitor.close()
    return cycles


def make_recorder(path: Path, max_bytes: int = 1 << 30, **kw: Any) -> Recorder:
    return Recorder(path, target="http://127.0.0.1:1", interval=30.0, max_bytes=max_bytes, **kw)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_round_trip_gives_the_same_snapshots(backend: SimulatedBackend, tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "rec.jsonl"
    recorder = make_recorder(path)
    assert not path.parent.exists()  # nothing is made before the first write
    cycles = await record_incident(backend, recorder)
    recorder.close()
    assert mode(path) == 0o600 and mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    assert recorder.size == path.stat().st_size

    rec = read_recording(path)
    assert rec.notes == [] and len(rec) == len(cycles)
    assert rec.header.schema_version == 1 and rec.header.target == "http://127.0.0.1:1"
    for i, (snapshot, events) in enumerate(cycles):
        assert rec.snapshot(i) == snapshot, f"frame {i} differs"
        assert rec[i].cycle == snapshot.cycle and rec[i].taken_at == snapshot.taken_at
        assert list(rec[i].events) == events
    states = [{e.name: e.state for e in rec.snapshot(i).endpoints}["health"] for i in range(len(rec))]
    assert states == [
        State.OK,
        State.DOWN,
        State.DOWN,
        State.DEGRADED,
        State.DEGRADED,
        State.DEGRADED,
        State.OK,
        State.OK,
    ]
    # Container fields that never change are written once, not in every snapshot line.
    lines = path.read_text().splitlines()
    assert sum('"labels"' in line for line in lines) == 1


async def test_frame_at_and_events_until(backend: SimulatedBackend, tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        cycles = await record_incident(backend, recorder)
    rec = read_recording(path)
    times = [s.taken_at for s, _ in cycles]
    assert rec.frame_at(times[0] - timedelta(hours=1)) == 0
    assert rec.frame_at(times[3]) == 3
    assert rec.frame_at(times[3] + (times[4] - times[3]) / 2) == 3
    assert rec.frame_at(times[-1] + timedelta(days=1)) == len(rec) - 1
    assert rec.frame_at(times[5].replace(tzinfo=None)) == 5  # naive means UTC
    expected = [e for _, events in cycles[:4] for e in events]
    assert rec.events_until(3) == expected
    assert [f.index for f in rec.between(times[2], times[4])] == [2, 3, 4]


KILL_SCRIPT = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from sutazai_tui.models import ContainersStatus, ContainerStats, Event, Snapshot, State
from sutazai_tui.records.recorder import Recorder

rec = Recorder(Path(sys.argv[1]), target="t", interval=0.01, max_bytes=1 << 40)
fleet = tuple(ContainerStats(name=f"sutazai-{i}", id=f"{i:064x}", mem_used=i) for i in range(30))
n = 0
while True:
    n += 1
    status = ContainersStatus(engine="e", containers=fleet, reason="x" * 2000)
    snap = Snapshot(cycle=n, taken_at=datetime.now(UTC), containers=status)
    rec.record(snap, [Event(at=snap.taken_at, subject="health", new=State.OK, reason="r" * 300)])
"""


def test_kill_9_loses_at_most_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not path.exists() or path.read_bytes().count(b"\n") < 300:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the recorder wrote too little in 30 s"
            time.sleep(0.01)  # polling for the condition, not settling
    finally:
        proc.kill()  # SIGKILL, mid-write as likely as not
        proc.wait(10)
    pieces = path.read_bytes().split(b"\n")
    for raw in pieces[:-1]:  # every complete line parses
        assert isinstance(json.loads(raw), dict)
    rec = read_recording(path)
    # A line is one write with its newline: anything after the last newline is a torn line.
    assert rec.notes == ([] if pieces[-1] == b"" else ["last line truncated, skipped"])
    assert len(rec) >= 140 and [f.cycle for f in rec] == list(range(1, len(rec) + 1))


def big_snapshot(cycle: int) -> Snapshot:
    """About 1.3 kB on a line."""
    fleet = tuple(ContainerStats(name=f"sutazai-{i}", id=f"{i:064x}", cpu_percent=cycle) for i in range(8))
    at = datetime(2025, 8, 17, 23, tzinfo=UTC) + timedelta(seconds=30 * cycle)
    return Snapshot(cycle=cycle, taken_at=at, containers=ContainersStatus(engine="e", containers=fleet))


def test_rotation_at_a_tiny_cap(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path, max_bytes=3000) as recorder:
        for cycle in range(1, 31):
            recorder.record(big_snapshot(cycle))
            assert recorder.size < 3000 + 2500  # rotated between cycles, never far past the cap
    assert recorder.rotations > 4
    files = [path.with_name(f"rec.jsonl.{n}") for n in (3, 2, 1)] + [path]
    assert all(f.exists() and mode(f) == 0o600 for f in files)
    assert not path.with_name("rec.jsonl.4").exists()  # keeps three
    cycles = []
    for f in files:
        assert json.loads(f.read_text().splitlines()[0])["type"] == "header"
        rec = read_recording(f)
        cycles += [frame.cycle for frame in rec]
        assert all(rec.snapshot(i) == big_snapshot(frame.cycle) for i, frame in enumerate(rec))
    assert cycles == list(range(cycles[0], 31))  # contiguous, the newest kept, oldest dropped
    assert cycles[0] > 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text(json.dumps({"type": "header", "schema_version": 2}) + "\n")
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert str(err.value) == (
        f"recording {path} has schema 2, newer than this sutazai-tui understands (1) — upgrade sutazai-tui"
    )


def test_truncated_last_line_and_garbled_middle_line(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        for cycle in range(1, 6):
            recorder.record(big_snapshot(cycle))
    lines = path.read_bytes().split(b"\n")[:-1]
    broken = [*lines[:3], b'{"type":"snapshot","cycle":', *lines[3:-1], lines[-1][: len(lines[-1]) // 2]]
    path.write_bytes(b"\n".join(broken))  # the last line has no newline: cut mid-write
    rec = read_recording(path)
    assert rec.notes == ["line 4 garbled, skipped", "last line truncated, skipped"]
    assert [f.cycle for f in rec] == [1, 2, 3, 4]
    assert rec.snapshot(3) == big_snapshot(4)


def test_resuming_after_a_crash_keeps_both_parts(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        recorder.record(big_snapshot(1))
        recorder.record(big_snapshot(2))
    path.write_bytes(path.read_bytes()[:-40])  # killed while writing cycle 2
    os.chmod(path, 0o644)  # and someone loosened its mode meanwhile
    with make_recorder(path) as recorder:
        recorder.record(big_snapshot(3))
    assert mode(path) == 0o600
    rec = read_recording(path)
    assert [f.cycle for f in rec] == [1, 3]
    assert rec.notes[0].endswith("garbled, skipped") and "recording resumed" in rec.notes[1]
    assert rec.snapshot(1) == big_snapshot(3)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"hello world\n", "is not a sutazai-tui recording"),
        (b'{"type":"snapshot","cycle":1}\n', "is not a sutazai-tui recording"),
        (b'{"type":"header","schema_version":1}\n', "holds no snapshots"),
    ],
)
def test_unusable_files_are_one_line_errors(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.jsonl"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RecordingError, match=message) as err:
        read_recording(path)
    assert "\n" not in str(err.value)


def test_redactor_keeps_a_leaked_secret_out(tmp_path: Path) -> None:
    secret = "tok-SECRET-123-abcdef"
    leaky = EndpointStatus(
        name="health",
        url="http://127.0.0.1:1/health",
        kind=EndpointKind.HEALTH,
        reason=f"echoed Bearer {secret}",
        message=secret,
        services={secret: secret},
    )
    path = tmp_path / "rec.jsonl"
    with make_recorder(path, redactor=Redactor([secret])) as recorder:
        recorder.record(Snapshot(endpoints=(leaky,)), [Event(at=datetime.now(UTC), subject=secret)])
        recorder.event(Event(at=datetime.now(UTC), kind="note", subject="x", reason=f"token {secret}"))
    text = path.read_text()
    assert secret not in text and "•••" in text
    assert len(read_recording(path).events) == 2
