"""The audit log's hash chain: each line carries the hash of the one before and its own.

A line is a JSON object whose `prev` is the `hash` of the line before it (null on the file's
first line) and whose `hash` is the SHA-256 of the line's own JSON without `hash`. So a line
edited after it was written no longer matches its own hash, and a line removed (or moved) breaks
the `prev` link of the one after it. `verify` walks the file and names the first line that breaks
the chain. What it cannot see: lines cut off the end, or a whole file rewritten by someone able to
write it — which is why the file and its folder must be the user's alone (docs/security.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TAIL_CHUNK = 64 * 1024


def dump(line: Mapping[str, Any]) -> str:
    """The one serialisation of a line, for writing and for checking its hash."""
    return json.dumps(line, ensure_ascii=False, default=str, separators=(",", ":"))


def digest(line: Mapping[str, Any]) -> str:
    """The hash of a line: SHA-256 of its JSON without the `hash` field itself."""
    body = {k: v for k, v in line.items() if k != "hash"}
    return hashlib.sha256(dump(body).encode("utf-8")).hexdigest()


def seal(line: dict[str, Any], prev: str | None) -> str:
    """`line` chained after `prev` (the last line's hash): the text to append, without newline."""
    line["prev"] = prev
    line.pop("hash", None)
    line["hash"] = digest(line)
    return dump(line)


def link_of(raw: bytes) -> str:
    """What the next line's `prev` must be: this line's `hash`, or the SHA-256 of its bytes when it
    has none (a line written before the chain, or a torn one)."""
    try:
        entry = json.loads(raw)
    except ValueError:
        entry = None
    if isinstance(entry, dict) and isinstance(entry.get("hash"), str):
        return str(entry["hash"])
    return hashlib.sha256(raw).hexdigest()


def last_link(fd: int) -> str | None:
    """The link after the last non-blank line of the open file `fd` (read from its end); None if empty."""
    end = os.fstat(fd).st_size
    tail = b""
    pos = end
    while pos > 0:
        step = min(_TAIL_CHUNK, pos)
        pos -= step
        tail = os.pread(fd, step, pos) + tail
        stripped = tail.rstrip(b"\r\n \t")
        if b"\n" in stripped or pos == 0:
            if not stripped:
                return None
            return link_of(stripped.rsplit(b"\n", 1)[-1])
    return None


@dataclass(frozen=True)
class Verdict:
    """What `verify` found: the number of lines, and the first break (line number and why)."""

    lines: int
    broken_at: int | None = None
    why: str = ""

    @property
    def intact(self) -> bool:
        """Whether every line is chained to the one before it."""
        return self.broken_at is None

    def summary(self) -> str:
        """One line: `N lines, chain intact` or `line K: …`."""
        if self.intact:
            return f"{self.lines} lines, chain intact"
        return f"line {self.broken_at}: {self.why} — the chain breaks there"


def verify(path: Path) -> Verdict:
    """Walk the log from its first line; OSError when it cannot be read."""
    prev: str | None = None
    count = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            raw = raw.rstrip(b"\r\n")
            count = number
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            if not isinstance(entry, dict):
                return Verdict(number, number, "not a JSON object (torn, blank or edited)")
            if not isinstance(entry.get("hash"), str):
                return Verdict(number, number, "no hash (written before the chain, or edited)")
            if digest(entry) != entry["hash"]:
                return Verdict(
                    number, number, "its content does not match its hash (edited after it was written)"
                )
            if entry.get("prev") != prev:
                why = (
                    "does not start the chain (lines before it were removed)"
                    if number == 1
                    else f"does not follow line {number - 1} (a line between them removed, or lines moved)"
                )
                return Verdict(number, number, why)
            prev = entry["hash"]
    return Verdict(count)
