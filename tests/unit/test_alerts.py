"""Which events alert, and the on_state_change hook: stdin JSON, exit codes, timeout kills."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sutazai_tui.core.alerts import alert_events, alert_message, run_hook
from sutazai_tui.models import Event, EventKind, State

AT = datetime(2025, 8, 17, 23, 10, tzinfo=UTC)


def event(old: State | None, new: State | None, kind: EventKind = "state") -> Event:
    subject = "container:sutazai-backend"
    return Event(at=AT, kind=kind, subject=subject, old=old, new=new, reason="restart loop")


def test_only_transitions_into_down_or_emergency_alert() -> None:
    down, emergency = event(State.OK, State.DOWN), event(State.DEGRADED, State.EMERGENCY)
    first_seen_down = event(None, State.DOWN)
    quiet = [
        event(State.DOWN, State.OK),
        event(State.OK, State.DEGRADED),
        event(State.DOWN, State.DOWN),
        event(State.OK, None),  # removed
        event(None, State.DOWN, kind="action"),
    ]
    assert alert_events([*quiet, down, emergency, first_seen_down]) == [down, emergency, first_seen_down]
    assert alert_message(down) == "sutazai-backend: OK → DOWN — restart loop"
    assert alert_message(first_seen_down).startswith("sutazai-backend: new → DOWN")


def test_hook_gets_the_event_as_json_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "got.json"
    script = "import sys; open(sys.argv[1], 'wb').write(sys.stdin.buffer.read())"
    assert run_hook([sys.executable, "-c", script, str(out)], event(State.OK, State.DOWN), 5.0) is None
    got = json.loads(out.read_text())
    assert got["subject"] == "container:sutazai-backend" and got["old"] == "OK" and got["new"] == "DOWN"


def test_hook_gets_no_shell(tmp_path: Path) -> None:
    marker = tmp_path / "shell-ran"
    problem = run_hook([f"touch {marker}"], event(State.OK, State.DOWN), 5.0)
    assert problem is not None and "could not start" in problem and not marker.exists()


def _gone(pid: int) -> bool:
    """Dead: no process, or a zombie waiting for its (re)parent to reap it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_hanging_hook_and_its_children_are_killed_at_the_timeout(tmp_path: Path) -> None:
    # The hook starts a child that would outlive it; the whole process group must die.
    pid_file = tmp_path / "child.pid"
    child = "import time; time.sleep(60)"
    script = (
        "import subprocess, sys, time;"
        f" p = subprocess.Popen([sys.executable, '-c', {child!r}]);"
        f" open({str(pid_file)!r}, 'w').write(str(p.pid)); time.sleep(60)"
    )
    started = time.monotonic()
    problem = run_hook([sys.executable, "-c", script], event(State.OK, State.DOWN), 1.0)
    took = time.monotonic() - started
    assert problem == f"on_state_change hook {Path(sys.executable).name} killed after 1 s"
    assert took < 4.0
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 3.0
    while not _gone(pid):
        assert time.monotonic() < deadline, f"the hook's child {pid} outlived the timeout"
        time.sleep(0.05)  # polling another process: there is no event to await


def test_failing_hook_says_how_in_one_line() -> None:
    problem = run_hook(
        [sys.executable, "-c", "import sys; print('boom\\nreally boom', file=sys.stderr); sys.exit(4)"],
        event(State.OK, State.DOWN),
        5.0,
    )
    assert problem is not None and "exited 4: really boom" in problem and "\n" not in problem
