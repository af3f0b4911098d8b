"""Following the audit log: the actions other processes take (`act` from a shell, another
terminal, `serve`, `heal`) become ACTION lines in this monitor's event log as they are written.

Only lines appended after the follower starts are read, from where the last read stopped; a
half-written last line waits for its newline. The caller drops the ones it already shows (its
own actions) by their event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sutazai_tui.models import Event


def audit_event(entry: dict[str, Any]) -> Event | None:
    """The event-log line for one audit entry (as `ActionResult.event` words it); None for a
    `started` line (its outcome follows) or an entry that is not an action's."""
    try:
        at = datetime.fromisoformat(str(entry["time"]))
        action, container, result = str(entry["action"]), str(entry["container"]), str(entry["result"])
    except (KeyError, ValueError):
        return None
    if result == "started":
        return None
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    message = str(entry.get("message") or "")
    said = f"{action} {container}: {result} — {message}"
    return Event(at=at, kind="action", subject=f"container:{container}", reason=said)


def with_via(event: Event, entry_via: str | None) -> Event:
    """The event saying who acted (`via cli act`), for an action this monitor did not take."""
    return event.model_copy(update={"reason": f"{event.reason} (via {entry_via})"}) if entry_via else event


class AuditFollower:
    """Reads what was appended to the audit log at `path` since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._offset = path.stat().st_size  # what was there before we started is history
        except OSError:
            self._offset = 0

    def new_events(self) -> list[tuple[Event, str | None]]:
        """The events (and who acted: `via`) of the complete lines appended since the last call
        (blocking: call it in a thread)."""
        try:
            with self.path.open("rb") as handle:
                size = handle.seek(0, 2)
                if size < self._offset:  # rotated or truncated: start again at its beginning
                    self._offset = 0
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return []
        complete = data[: data.rfind(b"\n") + 1]
        self._offset += len(complete)
        found: list[tuple[Event, str | None]] = []
        for raw in complete.splitlines():
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if isinstance(entry, dict) and (event := audit_event(entry)) is not None:
                found.append((event, str(entry.get("via") or "") or None))
        return found
