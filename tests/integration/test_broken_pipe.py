"""A cut pipe keeps the verdict's exit code: `check | head -1`, `audit | head` (cli/pipe.py).

The real process, the real pipe: once with the reader gone before the command writes (the pipe is
certainly broken), and 20 times through a shell pipeline with `head -1`, where the race between
head exiting and check writing used to give exit 1 with a traceback about half the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import HostileServer

DOWN = "http://127.0.0.1:1"  # nothing listens: every endpoint is DOWN, the verdict CRITICAL (2)
CHECK = [
    sys.executable,
    "-m",
    "sutazai_tui",
    "check",
    "--no-containers",
    "--base-url",
    DOWN,
    "--timeout",
    "1",
]


def _run_with_reader_gone(argv: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `argv` with stdout a pipe whose read end is closed before the process starts."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(argv, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=60, env=env)
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


def test_check_keeps_its_code_when_nobody_reads_its_output() -> None:
    code, err = _run_with_reader_gone(CHECK)
    assert code == 2, err
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


def test_check_json_keeps_its_code_when_nobody_reads_its_output() -> None:
    code, err = _run_with_reader_gone([*CHECK, "--json"])
    assert (code, err) == (2, "")


def test_audit_keeps_its_code_when_its_reader_goes_away(tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    entry = {"at": "2026-01-01T00:00:00Z", "action": "stop", "container": "sutazai-x", "result": "done"}
    audit.write_text("".join(json.dumps({**entry, "n": n}) + "\n" for n in range(5000)))
    audit.chmod(0o600)
    config = tmp_path / "config.toml"
    config.write_text(f'audit_log = "{audit}"\n')
    code, err = _run_with_reader_gone([sys.executable, "-m", "sutazai_tui", "audit", "--config", str(config)])
    assert (code, err) == (0, "")


@pytest.mark.slow
def test_check_piped_to_head_keeps_the_verdict_code_20_times_out_of_20(hostile: HostileServer) -> None:
    # A CRITICAL verdict with enough output (the /500 route: DOWN) that head may exit mid-write.
    argv = " ".join(CHECK).replace(DOWN, hostile.url + "/500")
    script = f"for i in $(seq 20); do {argv} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}; done"
    proc = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.stdout.split() == ["2"] * 20, proc.stdout
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr
