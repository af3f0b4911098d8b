"""Log evidence: what a container's own log says since its start, as matched lines only.

Reading, not meaning: this module finds the lines the real backend writes at the moments that
matter (docs/backend.md "How start-up fails") and hands them on redacted; `diagnosis/` decides
what they mean. A snapshot never carries a whole log: only the matched lines, and the last line
before silence (the step a hung start-up is stuck after).

Bounded and incremental: the first read of a container asks for its log since its start — the
first `TAIL` lines of its first 10 minutes and its newest `TAIL` lines, each at most half of
`MAX_BYTES` — in a worker thread. Later cycles ask only for lines newer
than the last one seen (keyed on container id + start time, so a restart reads afresh); when
nothing new came, the evidence is the previous object, unchanged and not re-matched.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sutazai_tui.models import ContainerStats, LogEvidence, LogMatch, State, container_state
from sutazai_tui.sources.engine.details import MAX_LINE_CHARS, DetailsError, LogLine, LogReader
from sutazai_tui.util.redact import Redactor

TAIL = 2000
MAX_BYTES = 1024 * 1024
STARTUP_WINDOW_S = 600.0  # a fresh read takes the first lines of the first 10 min: the mode line
START_SLACK_NS = 2_000_000_000
PER_SIGNATURE = 4  # newest matches kept per signature: a flood of one error cannot push out the mode line
LINE_LIMIT = 240

# signature -> pattern; the first that matches a line names it. Lines as docs/backend.md quotes them.
SIGNATURES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("mode-normal", re.compile(r"Backend started in normal mode")),
    ("mode-emergency", re.compile(r"Backend started in emergency mode")),
    ("init-timeout", re.compile(r"Initialization timeout")),
    ("init-failed", re.compile(r"Initialization failed")),
    ("jwt-secret-key", re.compile(r"JWT_SECRET_KEY must be set")),
    # The builds' own words for Redis refused: 08-18 `❌ Failed to connect to Redis: Error 111 …`,
    # 08-16 `Redis get error … Error 111 connecting to …`, November `Redis connection failed: Error 111 …`.
    (
        "redis-connect",
        re.compile(r"Failed to connect to Redis|Redis connection failed|Redis \w+ error\b.*Error \d+"),
    ),
    # pydantic's validator on an empty or short secret:
    # `Value error, JWT_SECRET must be at least 32 characters`
    ("value-too-short", re.compile(r"Value error, (\w+) must be at least \d+ characters")),
    # uvicorn when the lifespan raised (08-16 with Postgres stopped: exit 3, a start every ~12 s)
    ("startup-failed", re.compile(r"Application startup failed")),
    ("mcp-logger", re.compile(r"name 'logger' is not defined")),
)
# One cheap test first: most lines match nothing, and only those that may are matched in full.
_ANY = re.compile(
    "|".join([p.pattern for _, p in SIGNATURES] + [r"Field required", re.escape("Traceback (most recent")])
)
_FIELD_REQUIRED = re.compile(r"^\s*Field required\b")
_FIELD_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*)\s*$")
_TRACEBACK = "Traceback (most recent call last):"


def _at(ts_ns: int) -> datetime | None:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC) if ts_ns else None


@dataclass
class Matcher:
    """Scans lines in order, keeping matched ones; carries state across reads (tracebacks, names)."""

    redactor: Redactor
    matches: list[LogMatch] = field(default_factory=list)
    lines: int = 0
    _previous: str = ""
    _in_traceback: bool = False
    _last_raw: tuple[str, int] | None = None

    @property
    def last(self) -> LogMatch | None:
        """The last non-blank line so far (the last before silence), redacted."""
        return self._keep("last-line", *self._last_raw) if self._last_raw is not None else None

    def feed(self, lines: Iterable[LogLine]) -> None:
        """Match each line; the redactor is applied to every line that is kept."""
        for line in lines:
            self.lines += 1
            text = line.text.rstrip()
            if not text.strip():
                continue
            self._last_raw = (text, line.ts_ns)  # redacted only when the evidence is made
            if self._in_traceback or _ANY.search(text):
                self._match(text, line.ts_ns)
            self._previous = text

    def _keep(self, signature: str, text: str, ts_ns: int, detail: str | None = None) -> LogMatch:
        clean = self.redactor.clean_log(text, LINE_LIMIT)
        return LogMatch(signature=signature, text=clean, at=_at(ts_ns), detail=detail)

    def _add(self, signature: str, text: str, ts_ns: int, detail: str | None = None) -> None:
        self.matches.append(self._keep(signature, text, ts_ns, detail))
        same = [m for m in self.matches if m.signature == signature]
        if len(same) > PER_SIGNATURE:
            self.matches.remove(same[0])

    def _match(self, text: str, ts_ns: int) -> None:
        if text.startswith(_TRACEBACK) or text.endswith(_TRACEBACK):
            self._in_traceback = True
            return
        if self._in_traceback:
            # Frames are indented; the first line at the margin is the exception: the traceback's last line.
            if text[:1] in (" ", "\t") or not text.strip():
                return
            self._in_traceback = False
            self._add("traceback", text, ts_ns)
        if _FIELD_REQUIRED.match(text):
            # pydantic prints the field's name on the line before: `SECRET_KEY` / `  Field required [...]`
            named = _FIELD_NAME.match(self._previous.strip())
            name = named.group(1) if named else None
            self._add("field-required", f"{name or '?'} {text.strip()}", ts_ns, name)
            return
        for signature, pattern in SIGNATURES:
            if found := pattern.search(text):
                detail = found.group(1) if signature == "value-too-short" else None
                self._add(signature, text, ts_ns, detail)
                return

    def evidence(self, c: ContainerStats, read_at: datetime) -> LogEvidence:
        """The evidence so far for this container."""
        ordered = sorted(self.matches, key=lambda m: m.at or read_at)
        return LogEvidence(
            container=c.name,
            container_id=c.id,
            started_at=c.started_at,
            read_at=read_at,
            lines=self.lines,
            matches=tuple(ordered),
            last=self.last,
        )


@dataclass
class _Kept:
    key: tuple[str, datetime | None]
    matcher: Matcher
    last_ns: int
    evidence: LogEvidence | None = None


class LogWatcher:
    """Reads the logs of chosen containers once per cycle, incrementally, off the event loop."""

    def __init__(self, reader: LogReader, redactor: Redactor | None = None, deadline: float = 10.0) -> None:
        self.reader = reader
        self.redactor = redactor or Redactor()
        self.deadline = deadline
        self._kept: dict[str, _Kept] = {}
        # Reads still running in their thread (a timed-out one cannot be cancelled): never a second.
        self._busy: set[str] = set()
        self.reads = 0  # engine log requests made, for tests and bench

    async def read(self, chosen: Sequence[ContainerStats]) -> tuple[LogEvidence, ...]:
        """Evidence for each chosen container; a failed read is evidence with `error` set."""
        found = await asyncio.gather(*(self._one(c) for c in chosen))
        names = {c.name for c in chosen}
        self._kept = {n: k for n, k in self._kept.items() if n in names}  # forget the unwatched
        return tuple(found)

    async def _one(self, c: ContainerStats) -> LogEvidence:
        kept = self._kept.get(c.name)
        if c.name in self._busy:  # last cycle's read still runs: it owns the matcher, keep its evidence
            return self._failed(c, kept, "the previous log read has not finished")
        self._busy.add(c.name)
        try:
            # Reading and matching both run in the worker thread: thousands of lines through the
            # patterns must not hold the event loop (the endpoints' deadlines run on it).
            return await asyncio.wait_for(asyncio.to_thread(self._read, c), self.deadline)
        except (DetailsError, TimeoutError, OSError) as exc:
            return self._failed(c, kept, str(exc) or f"no answer within {self.deadline:g} s")

    @staticmethod
    def _failed(c: ContainerStats, kept: _Kept | None, why: str) -> LogEvidence:
        """The evidence kept for this run of the container, marked with why it is not newer."""
        if kept is not None and kept.key == (c.id, c.started_at) and kept.evidence is not None:
            return kept.evidence.model_copy(update={"error": why})
        return LogEvidence(container=c.name, container_id=c.id, started_at=c.started_at, error=why)

    def _read(self, c: ContainerStats) -> LogEvidence:
        """In a worker thread: the new lines of one container, matched into its evidence."""
        try:
            return self._read_new(c)
        finally:
            self._busy.discard(c.name)

    def _read_new(self, c: ContainerStats) -> LogEvidence:
        key = (c.id, c.started_at)
        kept = self._kept.get(c.name)
        fresh = kept is None or kept.key != key
        since = kept.last_ns if kept is not None and not fresh else _start_ns(c.started_at, c.finished_at)
        lines, secrets = self._fetch(c.name, since, fresh)
        if fresh or kept is None:
            kept = _Kept(key, Matcher(self.redactor.with_secrets(secrets)), since)
            self._kept[c.name] = kept
        if not lines and kept.evidence is not None:
            return kept.evidence  # nothing new: the same evidence, not re-matched
        kept.matcher.feed(lines)
        kept.last_ns = max([kept.last_ns, *(x.ts_ns for x in lines)])
        kept.evidence = kept.matcher.evidence(c, datetime.now(UTC))
        return kept.evidence

    def _fetch(self, name: str, since_ns: int, fresh: bool) -> tuple[list[LogLine], tuple[str, ...]]:
        """In a worker thread: the new lines, and (on a fresh read) the values to mask in them.

        A fresh read takes the start-up window too (the mode line is written once, at start-up, and
        a busy log pushes it out of the last `TAIL` lines), then the tail after that window.
        """
        self.reads += 1
        if not fresh:
            return self.reader.logs(name, tail=TAIL, since_ns=since_ns, max_bytes=MAX_BYTES), ()
        secrets = self.reader.secret_values(name)
        if not since_ns:  # no start time: the newest lines are all we can ask for
            return self.reader.logs(name, tail=TAIL, since_ns=0, max_bytes=MAX_BYTES), secrets
        until = since_ns + int(STARTUP_WINDOW_S * 1e9)
        half = MAX_BYTES // 2
        head = self.reader.logs(name, tail=TAIL, since_ns=since_ns, max_bytes=half, until_ns=until, head=True)
        after = max([since_ns, *(x.ts_ns for x in head)])
        return head + self.reader.logs(name, tail=TAIL, since_ns=after, max_bytes=half), secrets


def shown_lines(
    reader: LogReader, name: str, tail: int, since_ns: int = 0, redactor: Redactor | None = None
) -> list[LogLine]:
    """The lines the logs viewer (`l`) shows, masked as the evidence is: the container's own secret
    env values (read for this, never kept), bearer tokens, secret-named assignments, URL passwords,
    pydantic `input_value`s. Blocks: call it in a worker thread."""
    mask = (redactor or Redactor()).with_secrets(reader.secret_values(name))
    lines = reader.logs(name, tail, since_ns)
    return [LogLine(x.ts_ns, mask.clean_log(x.text, MAX_LINE_CHARS)) for x in lines]


def _ns(when: datetime) -> int:
    return int(when.replace(microsecond=0).timestamp()) * 1_000_000_000 + when.microsecond * 1000


def _start_ns(started_at: datetime | None, finished_at: datetime | None = None) -> int:
    """Lines since the container's start (the reader keeps only lines newer than this).

    The engine stamps StartedAt after the process began writing (measured: the first line came
    2.7 ms before it), so read from a little earlier — but never from before the previous run
    ended (FinishedAt, when older than this start): its lines are not this start's.
    """
    if started_at is None:
        return 0
    since = _ns(started_at) - START_SLACK_NS
    if finished_at is not None and finished_at <= started_at:
        since = max(since, _ns(finished_at) + 1)
    return since


def watched(containers: Sequence[ContainerStats], primary: str, limit: int = 4) -> list[ContainerStats]:
    """Whose logs to read: the primary service, and up to `limit` others a finding may be about."""
    chosen = [c for c in containers if c.name == primary]
    troubled = [
        c for c in containers if c.name != primary and (container_state(c) is not State.OK or c.restart_count)
    ]
    return chosen + troubled[:limit]
