"""Reading a recording back, for replay and reports: frames in order, tolerant of a crash's debris.

Opening is fast because snapshots are validated lazily: at open every line is parsed as JSON
(so a garbled line is found and named at once), but a snapshot stays as its raw bytes until it is
shown; `Recording.snapshot(i)` validates it then and keeps the last few. A 24-hour, 30-container
recording opens in well under a second; validating all of it up front would take seconds.

Read as a stream, line by line, never whole: a line longer than `MAX_LINE` (no snapshot comes near
it) is skipped with a note and not held, so a 2 GB single-line file costs a few MiB, not 4 GB.
What a recording holds came from outside once: it is cleaned again as it is read (util/clean.py).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ValidationError

from sutazai_tui.models import SCHEMA_VERSION, Event, Finding, Snapshot
from sutazai_tui.util.clean import clean, clean_tree
from sutazai_tui.util.readfile import read_explained

Static = Mapping[str, Mapping[str, Any]]


class RecordingError(Exception):
    """A recording cannot be read; the message is one line naming the file and the fix."""


@dataclass(frozen=True)
class Header:
    """What the first line of a recording says about it."""

    schema_version: int
    tool_version: str = "?"
    target: str = ""
    interval: float = 30.0
    started: datetime | None = None
    host: str = ""


@dataclass(frozen=True, eq=False)
class Frame:
    """One recorded cycle: when, which cycle, the events that followed it; the snapshot on demand."""

    index: int  # position in the recording: what [ and ] step through
    line: int  # line number in the file, for error messages
    cycle: int  # the monitor's cycle counter (starts again at 1 when a recording resumes)
    taken_at: datetime
    events: tuple[Event, ...]  # events recorded after this snapshot, before the next one
    events_end: int  # len(Recording.events) once this frame's events are counted
    findings: tuple[Finding, ...] | None  # latest findings recorded up to here; None = none recorded
    raw: bytes = field(repr=False)
    static: Static = field(repr=False)  # container fields the recorder wrote once, not per line

    def load(self) -> Snapshot:
        """Validate the snapshot (about 1 ms for 30 containers); raises ValueError if it is bad."""
        data = clean_tree(json.loads(self.raw), multiline=True)
        if self.static:
            for c in (data.get("containers") or {}).get("containers") or ():
                c.update({k: v for k, v in self.static.get(c.get("name"), {}).items() if k not in c})
        return Snapshot.model_validate(data)


class Recording:
    """A read recording: `frames` in order, all `events`, `notes` about skipped lines."""

    def __init__(self, path: Path, header: Header, cache: int | None = 256) -> None:
        self.path = path
        self.header = header
        self.frames: list[Frame] = []
        self.events: list[Event] = []  # every event, in file order
        self.notes: list[str] = []  # one line each: what was skipped and why
        self._times: list[datetime] = []
        self._cache: OrderedDict[int, Snapshot] = OrderedDict()
        self._cache_size = cache

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, index: int) -> Frame:
        return self.frames[index]

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    @property
    def start(self) -> datetime:
        """When the first snapshot was taken."""
        return self.frames[0].taken_at

    @property
    def end(self) -> datetime:
        """When the last snapshot was taken."""
        return self.frames[-1].taken_at

    def snapshot(self, index: int) -> Snapshot:
        """Frame `index`'s snapshot, validated (cached); RecordingError if that line is bad."""
        found = self._cache.get(index)
        if found is not None:
            self._cache.move_to_end(index)
            return found
        frame = self.frames[index]
        try:
            found = frame.load()
        except (ValueError, ValidationError) as exc:
            why = str(exc).splitlines()[0][:120]
            raise RecordingError(
                f"recording {self.path} line {frame.line}: not a valid snapshot: {why}"
            ) from None
        self._cache[index] = found
        if self._cache_size is not None and len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return found

    def frame_at(self, when: datetime) -> int:
        """Index of the last frame taken at or before `when` (0 before the start); naive = UTC."""
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return max(0, bisect_right(self._times, when) - 1)

    def events_until(self, index: int) -> list[Event]:
        """Every event up to and including frame `index`'s, oldest first (the event log at that frame)."""
        return self.events[: self.frames[index].events_end]

    def between(self, since: datetime | None = None, until: datetime | None = None) -> list[Frame]:
        """The frames taken within [since, until] (either end open when None)."""
        return [
            f
            for f in self.frames
            if (since is None or f.taken_at >= since) and (until is None or f.taken_at <= until)
        ]


def _time(value: Any) -> datetime:
    when = datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _header(path: Path, obj: Any) -> Header:
    if not isinstance(obj, dict) or obj.get("type") != "header":
        raise RecordingError(f"{path} is not a sutazai-tui recording (its first line is no header)")
    version = obj.get("schema_version")
    if not isinstance(version, int):
        raise RecordingError(f"{path} is not a sutazai-tui recording (header without schema_version)")
    if version > SCHEMA_VERSION:
        raise RecordingError(
            f"recording {path} has schema {version}, newer than this sutazai-tui understands "
            f"({SCHEMA_VERSION}) — upgrade sutazai-tui"
        )
    try:
        started = _time(obj["started"]) if obj.get("started") else None
        interval = float(obj.get("interval", 30.0))
    except (TypeError, ValueError):
        started, interval = None, 30.0
    return Header(
        version,
        clean(str(obj.get("tool_version", "?"))),
        clean(str(obj.get("target", ""))),
        interval,
        started,
        clean(str(obj.get("host", ""))),
    )


_RECORDING_UNREADABLE: dict[type[Exception], str] = {
    FileNotFoundError: "recording {path} does not exist — check the path",
    IsADirectoryError: "{path} is a folder — give the recording's .jsonl file",
    OSError: "cannot read recording {path}: {reason}",
}


MAX_LINE = 8 * 1024 * 1024  # bytes; a 30-container snapshot line is ~20 KB
_TOO_LONG = b""  # what `_lines` yields for a line over MAX_LINE: it is never held


def _open(path: Path) -> BinaryIO:
    return path.open("rb")


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(number, bytes) of each non-blank line, read as a stream; `_TOO_LONG` for one over MAX_LINE."""
    stream = read_explained(path, _open, RecordingError, _RECORDING_UNREADABLE)
    try:
        with stream:
            no = 0
            while chunk := stream.readline(MAX_LINE + 1):
                no += 1
                if len(chunk) > MAX_LINE and not chunk.endswith(b"\n"):
                    while (more := stream.readline(1 << 20)) and not more.endswith(b"\n"):
                        pass  # the rest of the long line, dropped as it is read
                    yield no, _TOO_LONG
                elif chunk.strip():
                    yield no, chunk.rstrip(b"\n")
    except OSError as exc:
        raise RecordingError(f"cannot read recording {path}: {exc.strerror or exc}") from None


class _Builder:
    """Collects frames line by line; a frame is finished when the next snapshot (or the end) comes."""

    def __init__(self, rec: Recording) -> None:
        self.rec = rec
        self.static: Static = {}
        self.findings: tuple[Finding, ...] | None = None
        self.pending: tuple[int, int, datetime, bytes, Static] | None = None
        self.pending_events: list[Event] = []

    def finish(self) -> None:
        if self.pending is not None:
            line, cycle, taken_at, raw, static = self.pending
            events = tuple(self.pending_events)
            self.rec.events.extend(events)
            self.rec.frames.append(
                Frame(
                    len(self.rec.frames),
                    line,
                    cycle,
                    taken_at,
                    events,
                    len(self.rec.events),
                    self.findings,
                    raw,
                    static,
                )
            )
            self.rec._times.append(taken_at)
        else:
            self.rec.events.extend(self.pending_events)  # events before the first snapshot
        self.pending, self.pending_events = None, []

    def feed(self, no: int, raw: bytes, obj: dict[str, Any]) -> None:
        kind = obj.get("type")
        if kind == "snapshot":
            self.finish()
            cycle = obj.get("cycle", 0)
            self.pending = (
                no,
                cycle if isinstance(cycle, int) else 0,
                _time(obj["taken_at"]),
                raw,
                self.static,
            )
        elif kind == "event":
            self.pending_events.append(Event.model_validate(clean_tree(obj, multiline=True)))
        elif kind == "containers":
            # A new mapping: older frames keep theirs.
            self.static = {**self.static, **clean_tree(obj["static"], multiline=True)}
        elif kind == "findings":
            self.findings = tuple(
                Finding.model_validate(f) for f in clean_tree(obj["findings"], multiline=True)
            )
        elif kind == "header":
            header = _header(self.rec.path, obj)  # refuses a newer schema here too
            self.finish()
            self.static, self.findings = {}, None
            self.rec.notes.append(f"line {no}: recording resumed (started {header.started or '?'})")
        else:
            self.rec.notes.append(f"line {no}: unknown record type {kind!r}, skipped")


def read_recording(path: Path, cache: int | None = 256) -> Recording:
    """Read a recording written by `Recorder`; RecordingError (one line) if it cannot be used.

    A truncated or garbled last line (a crash mid-write) is skipped with a note; so is a garbled
    line elsewhere, named by its number. `cache` bounds how many validated snapshots are kept
    (None: all, for a report that reads every frame once).
    """
    lines = _lines(path)
    first_no, first = next(lines, (0, b""))
    if not first_no:
        raise RecordingError(f"recording {path} is empty — nothing was recorded yet")
    if first is _TOO_LONG:
        raise RecordingError(
            f"{path} is not a sutazai-tui recording (line {first_no} is longer than {MAX_LINE >> 20} MiB)"
        )
    try:
        head_obj = json.loads(first)
    except ValueError:
        raise RecordingError(f"{path} is not a sutazai-tui recording (line {first_no} is not JSON)") from None
    rec = Recording(path, _header(path, head_obj), cache)
    builder = _Builder(rec)
    bad: str | None = None  # a line that could not be read; "truncated" if it turns out to be the last
    for no, raw in lines:
        if bad is not None:
            rec.notes.append(bad)
            bad = None
        if raw is _TOO_LONG:
            rec.notes.append(f"line {no} is longer than {MAX_LINE >> 20} MiB, skipped")
            continue
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            builder.feed(no, raw, obj)
        except RecordingError:
            raise
        except (ValueError, KeyError, TypeError, ValidationError):
            bad = f"line {no} garbled, skipped"
    if bad is not None:
        rec.notes.append("last line truncated, skipped")
    builder.finish()
    if not rec.frames:
        why = f" ({rec.notes[-1]})" if rec.notes else ""
        raise RecordingError(f"recording {path} holds no snapshots yet — record at least one cycle{why}")
    rotated = path.with_name(path.name + ".1")
    if rotated.exists():
        rec.notes.append(f"older part of this recording is in {rotated.name} (not read)")
    return rec
