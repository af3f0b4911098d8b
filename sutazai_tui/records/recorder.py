"""Recording every cycle to a JSONL file that survives a crash, with size-capped rotation.

File format (one JSON object a line, `type` first):
  header      schema_version, tool_version, target, interval, started, host — first line of every file
  containers  `static`: {name: {id, image, image_id, tag_image_id, env_names, labels}} — written when
              a container appears or changes; snapshot lines leave these fields out (compose labels
              and 64-hex ids are most of a container's bytes). The reader puts them back.
  snapshot    a `Snapshot` dumped with `exclude_defaults` (missing = the model's default)
  event       an `Event` that followed the snapshot before it
  findings    `at`, `findings`: diagnoses, written when they change
Measured (bench/recording.py): a realistic 30-container cycle is ~10.6 kB, so 24 h at 30 s is ~31 MB.
The reader lives in `recording.py` (re-exported here): `read_recording(path) -> Recording`.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sutazai_tui import __version__
from sutazai_tui.config.settings import Settings
from sutazai_tui.models import SCHEMA_VERSION, Event, Finding, Snapshot
from sutazai_tui.records.recording import Frame, Header, Recording, RecordingError, read_recording
from sutazai_tui.util.redact import Redactor
from sutazai_tui.util.safefile import open_private, write_all

# ContainerStats fields that stay the same while a container exists: written once, not every cycle.
STATIC_FIELDS = ("id", "image", "image_id", "tag_image_id", "env_names", "labels")
KEEP_ROTATED = 3
__all__ = ["Frame", "Header", "Recorder", "RecorderError", "Recording", "RecordingError", "read_recording"]
_NO_LIMIT = 1 << 30  # Redactor.clean cuts text for panels; a recording must keep it whole


class RecorderError(Exception):
    """The recording cannot be written; the message is one line (path and cause)."""


def dumps(obj: dict[str, Any]) -> bytes:
    """One compact JSON line: short separators, UTF-8 as is (json escapes every newline)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"


def scrub(value: Any, redactor: Redactor) -> Any:
    """Every string in a JSON-able value (keys too) passed through the redactor.

    `Redactor.clean` also makes control characters visible (util/clean.py) and drops outer blanks;
    the sources did that already. A field's own line breaks stay (the recording keeps it whole).
    """
    if isinstance(value, str):
        return redactor.clean(value, _NO_LIMIT, multiline=True)
    if isinstance(value, dict):
        return {
            redactor.clean(str(k), _NO_LIMIT, multiline=True): scrub(v, redactor) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v, redactor) for v in value]
    return value


class Recorder:
    """Appends snapshots and events to `path`; nothing is created before the first write.

    Each line is one `write` on an O_APPEND descriptor (kill -9 loses at most the line being
    written) and each cycle ends with an fsync (a power cut loses at most the last cycle).
    Calls block on disk I/O: from an event loop, run them in a thread. Thread-safe.
    """

    def __init__(
        self,
        path: Path,
        *,
        target: str,
        interval: float,
        max_bytes: int,
        keep: int = KEEP_ROTATED,
        redactor: Redactor | None = None,
    ) -> None:
        self.path = path
        self.target = target
        self.interval = interval
        self.max_bytes = max_bytes
        self.keep = keep
        self.redactor = redactor
        self.rotations = 0
        self._fd: int | None = None
        self._size = 0
        self._static: dict[str, dict[str, Any]] = {}
        self._findings: tuple[Finding, ...] | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, redactor: Redactor | None = None) -> Recorder | None:
        """The recorder `--record` asks for, or None when recording is off."""
        if settings.record is None:
            return None
        return cls(
            settings.record,
            target=settings.base_url,
            interval=settings.interval,
            max_bytes=int(settings.record_max_mb * 1024 * 1024),
            redactor=redactor,
        )

    @property
    def size(self) -> int:
        """Bytes in the current file (what the REC badge shows); 0 before the first write."""
        return self._size

    def record(
        self, snapshot: Snapshot, events: Iterable[Event] = (), findings: Sequence[Finding] | None = None
    ) -> None:
        """One cycle: the snapshot, the events it caused, the findings if they changed; then fsync."""
        with self._lock:
            self._guard(self._write_cycle, snapshot, events, findings)

    def event(self, event: Event) -> None:
        """An event outside a cycle (an operator action, a note), synced at once."""
        with self._lock:
            self._guard(self._write_event, event)

    def close(self) -> None:
        """Sync and close the file; a later write opens it again (appending, with a new header)."""
        with self._lock:
            if self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inside the lock ----------------------------------------------------------------

    def _guard(self, write: Callable[..., None], *args: Any) -> None:
        try:
            write(*args)
        except OSError as exc:
            raise RecorderError(f"cannot write recording {self.path}: {exc.strerror or exc}") from exc

    def _write_cycle(
        self, snapshot: Snapshot, events: Iterable[Event], findings: Sequence[Finding] | None
    ) -> None:
        # Rotate between cycles, never inside one: a file never starts with orphan events.
        if self._fd is not None and self._size >= self.max_bytes:
            self._rotate()
        fd = self._open()
        data = snapshot.model_dump(mode="json", exclude_defaults=True)
        if self.redactor is not None:
            data = scrub(data, self.redactor)
        changed = self._split_static(data)
        if changed:
            self._line(fd, {"type": "containers", "at": data.get("taken_at"), "static": changed})
        self._line(fd, {"type": "snapshot", **data})
        for event in events:
            self._line(fd, self._event_line(event))
        if findings is not None and tuple(findings) != self._findings:
            self._findings = tuple(findings)
            dumped = [f.model_dump(mode="json") for f in findings]
            self._line(fd, {"type": "findings", "at": data.get("taken_at"), "findings": dumped})
        os.fsync(fd)

    def _write_event(self, event: Event) -> None:
        fd = self._open()
        self._line(fd, self._event_line(event))
        os.fsync(fd)

    def _event_line(self, event: Event) -> dict[str, Any]:
        data = event.model_dump(mode="json", exclude_defaults=True)
        if self.redactor is not None:
            data = scrub(data, self.redactor)
        return {"type": "event", **data}

    def _split_static(self, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Take the static fields out of each container; return those not yet in this file."""
        changed: dict[str, dict[str, Any]] = {}
        for c in (data.get("containers") or {}).get("containers") or ():
            static = {k: c.pop(k) for k in STATIC_FIELDS if k in c}
            if self._static.get(c["name"]) != static:
                self._static[c["name"]] = changed[c["name"]] = static
        return changed

    def _line(self, fd: int, obj: dict[str, Any]) -> None:
        line = dumps(obj)
        write_all(fd, line)
        self._size += len(line)

    def _open(self) -> int:
        if self._fd is not None:
            return self._fd
        prefix = b""
        if self.path.is_file() and self.path.stat().st_size > 0:
            with self.path.open("rb") as old:
                old.seek(-1, os.SEEK_END)
                if old.read(1) != b"\n":
                    prefix = b"\n"  # a crash left half a line: end it, so our header stands alone
        fd = open_private(self.path, append=True)
        self._fd = fd
        self._size = os.fstat(fd).st_size
        self._static = {}
        self._findings = None
        header = {
            "type": "header",
            "schema_version": SCHEMA_VERSION,
            "tool_version": __version__,
            "target": self.target,
            "interval": self.interval,
            "started": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "host": socket.gethostname(),
        }
        if self.redactor is not None:
            header = scrub(header, self.redactor)
        line = prefix + dumps(header)
        write_all(fd, line)
        self._size += len(line)
        return fd

    def _rotate(self) -> None:
        """PATH -> PATH.1 -> PATH.2 ...; the oldest beyond `keep` is overwritten."""
        assert self._fd is not None
        fd, self._fd = self._fd, None
        os.fsync(fd)
        os.close(fd)
        for n in range(self.keep - 1, 0, -1):
            older = self.path.with_name(f"{self.path.name}.{n}")
            if older.exists():
                os.replace(older, self.path.with_name(f"{self.path.name}.{n + 1}"))
        if self.keep > 0 and self.path.exists():
            os.replace(self.path, self.path.with_name(f"{self.path.name}.1"))
        else:
            self.path.unlink(missing_ok=True)
        self.rotations += 1
