"""Recordings are read as a stream: a line past MAX_LINE is skipped, never held (records/recording.py).

bench/recording_rss.py measures a 2 GiB single-line file (52 MiB peak for `report`, was 4.2 GB);
this test runs the same on a 256 MiB line, under the issue's 200 MiB bound.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sutazai_tui.records import recording as rec_mod
from sutazai_tui.records.recording import RecordingError, read_recording

HEADER = {"type": "header", "schema_version": 1, "target": "t", "interval": 30}


def snapshot_line(n: int) -> str:
    return json.dumps({"type": "snapshot", "cycle": n, "taken_at": f"2026-01-01T12:00:{n:02d}+00:00"})


def test_a_line_over_the_cap_is_skipped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rec_mod, "MAX_LINE", 1000)
    path = tmp_path / "rec.jsonl"
    lines = [json.dumps(HEADER), snapshot_line(1), "x" * 5000, snapshot_line(2), "y" * 1000, "{garbled"]
    path.write_text("\n".join(lines) + "\n")
    recording = read_recording(path)
    assert [f.cycle for f in recording] == [1, 2]
    assert recording.notes == [
        "line 3 is longer than 0 MiB, skipped",
        "line 5 garbled, skipped",
        "last line truncated, skipped",
    ]


def test_a_recording_whose_first_line_is_over_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rec_mod, "MAX_LINE", 2 << 20)
    path = tmp_path / "rec.jsonl"
    path.write_bytes(b"z" * (3 << 20))
    with pytest.raises(RecordingError, match="line 1 is longer than 2 MiB"):
        read_recording(path)
    path.write_bytes(b"\n\n  \n")
    with pytest.raises(RecordingError, match="is empty"):
        read_recording(path)


@pytest.mark.slow
def test_report_over_a_huge_single_line_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(json.dumps(HEADER).encode() + b"\n")
        for _ in range(16):
            out.write(b"x" * (16 << 20))  # 256 MiB, no newline
    (tmp_path / "c.toml").write_text(f'audit_log = "{tmp_path}/audit.jsonl"\n')
    probe = (
        "import resource, subprocess, sys; "
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.stderr.strip())"
    )
    argv = [sys.executable, "-m", "sutazai_tui", "report", str(path), "--config", str(tmp_path / "c.toml")]
    proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=300)
    code, peak_kib, said = proc.stdout.split(" ", 2)
    assert code == "2" and "holds no snapshots" in said and "longer than 8 MiB" in said
    assert int(peak_kib) < 200 * 1024, f"peak RSS {int(peak_kib) // 1024} MiB"
