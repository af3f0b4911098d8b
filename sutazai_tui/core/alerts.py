"""Alerts on bad transitions: which events ring the bell, and the `on_state_change` command hook.

Core module (no textual). The hook is an argv list run without a shell, the event as one JSON
document on stdin, in its own process group so a timeout kills it and everything it started.
`run_hook` blocks; the TUI calls it in a worker thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sutazai_tui.models import Event, State
from sutazai_tui.util.clean import clean

ALERT_STATES = frozenset({State.DOWN, State.EMERGENCY})
_KILL_WAIT_S = 2.0


def alert_events(events: Iterable[Event]) -> list[Event]:
    """The state changes worth an alert: into DOWN or EMERGENCY from anything else."""
    return [e for e in events if e.kind == "state" and e.new in ALERT_STATES and e.old != e.new]


def alert_message(event: Event) -> str:
    """One line for the notification."""
    subject = event.subject.removeprefix("container:")
    old = event.old.value if event.old is not None else "new"
    new = event.new.value if event.new is not None else "?"
    return f"{subject}: {old} → {new}" + (f" — {event.reason}" if event.reason else "")


def hook_payload(event: Event, extra: Mapping[str, Any] | None = None) -> bytes:
    """The JSON document the hook reads on stdin: the event, plus `extra` keys (heal's `heal`)."""
    if not extra:
        return event.model_dump_json().encode()
    return json.dumps({**event.model_dump(mode="json"), **extra}, default=str).encode()


def run_hook(
    argv: Sequence[str], event: Event, timeout: float, extra: Mapping[str, Any] | None = None
) -> str | None:
    """Run the hook for one event; None on success, else one line saying what went wrong."""
    name = os.path.basename(argv[0]) if argv else "?"
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group: the timeout kills children too
        )
    except OSError as exc:
        return f"on_state_change hook {name} could not start: {exc.strerror or exc}"
    try:
        _, err = proc.communicate(hook_payload(event, extra), timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=_KILL_WAIT_S)
        return f"on_state_change hook {name} killed after {timeout:g} s"
    if proc.returncode != 0:
        last = clean((err.decode(errors="replace").strip().splitlines() or [""])[-1][:120])
        return f"on_state_change hook {name} exited {proc.returncode}" + (f": {last}" if last else "")
    return None
