"""Snapshot bundles: one private folder holding what the operator saw (screen.svg) and why (state.json).

`write_bundle` is what the TUI's `s` key and `check --snapshot DIR` call. The folder is
`<directory>/<UTC time>-<host>/`, 0700, with files 0600; nothing exists before it is written.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sutazai_tui import __version__
from sutazai_tui.models import SCHEMA_VERSION, Event, Finding, Snapshot
from sutazai_tui.records.recorder import scrub
from sutazai_tui.util.redact import Redactor
from sutazai_tui.util.safefile import DIR_MODE, ensure_dir, write_private

AUDIT_LINES = 50
TAIL_MAX_BYTES = 1 << 20  # the audit log may be years long; its tail is all a bundle wants
_NO_LIMIT = 1 << 30


def tail_jsonl(path: Path, n: int, max_bytes: int = TAIL_MAX_BYTES) -> list[dict[str, Any]]:
    """The last `n` JSON-object lines of a file, oldest first; [] when it is missing or unreadable.

    Reads at most `max_bytes` from the end (memory stays bounded); lines that are not JSON
    objects (a torn last line, garbage) are skipped. It never raises for a bad file: a bundle
    without its audit tail is still worth writing.
    """
    if n <= 0:
        return []
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - max_bytes)
            f.seek(start)
            data = f.read(max_bytes)
    except OSError:
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # the first piece is the tail of a line that began before our window
    found: list[dict[str, Any]] = []
    for raw in reversed(lines):
        if len(found) == n:
            break
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict):
            found.append(obj)
    return found[::-1]


def _folder_name(when: datetime, snapshot: Snapshot) -> str:
    host = (snapshot.host.hostname if snapshot.host is not None else "") or socket.gethostname()
    host = re.sub(r"[^A-Za-z0-9._-]", "_", host)[:64].strip(".") or "host"
    return f"{when.astimezone(UTC):%Y%m%dT%H%M%SZ}-{host}"


def _new_folder(directory: Path, name: str) -> Path:
    """Make a fresh folder; a second bundle in the same second gets -2, -3, ..."""
    ensure_dir(directory)
    for n in range(1, 1000):
        folder = directory / (name if n == 1 else f"{name}-{n}")
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue
        os.chmod(folder, DIR_MODE)  # mkdir's mode passes through the umask
        return folder
    raise FileExistsError(f"too many bundles named {name} in {directory}")


def write_bundle(
    directory: Path,
    snapshot: Snapshot,
    events: Iterable[Event],
    findings: Iterable[Finding],
    audit_lines: Iterable[Mapping[str, Any]],
    screen_svg: str | None,
    *,
    redactor: Redactor | None = None,
    now: datetime | None = None,
) -> Path:
    """Write `<directory>/<UTC time>-<host>/` with state.json (and screen.svg when given); return it.

    state.json holds the snapshot (parses back with `Snapshot.model_validate(doc["snapshot"])`),
    the events, findings and audit lines given. With a `redactor`, every string in it and the
    SVG pass through it first: a secret that slipped past the sources still stays out.
    Raises OSError when the folder cannot be written.
    """
    now = now or datetime.now(UTC)
    doc: dict[str, Any] = {
        "type": "snapshot-bundle",
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "written_at": now.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "target": snapshot.target,
        "snapshot": snapshot.model_dump(mode="json"),
        "events": [e.model_dump(mode="json") for e in events],
        "findings": [f.model_dump(mode="json") for f in findings],
        "audit": [dict(a) for a in audit_lines],
    }
    if redactor is not None:
        doc = scrub(doc, redactor)
        screen_svg = None if screen_svg is None else redactor.clean(screen_svg, _NO_LIMIT, multiline=True)
    folder = _new_folder(directory, _folder_name(now, snapshot))
    write_private(folder / "state.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n", exclusive=True)
    if screen_svg is not None:
        write_private(folder / "screen.svg", screen_svg, exclusive=True)
    return folder


def bundle_for_check(
    directory: Path,
    snapshot: Snapshot,
    events: Iterable[Event],
    findings: Iterable[Finding],
    audit_path: Path,
    redactor: Redactor | None = None,
    err: TextIO | None = None,
) -> bool:
    """`check --snapshot DIR`: write state.json (no screen), say where on `err`; False on failure."""
    err = err or sys.stderr
    audit = tail_jsonl(audit_path, AUDIT_LINES)
    try:
        folder = write_bundle(directory, snapshot, events, findings, audit, None, redactor=redactor)
    except OSError as exc:
        print(f"sutazai-tui: cannot write snapshot bundle in {directory}: {exc.strerror or exc}", file=err)
        return False
    print(f"snapshot bundle written to {folder}", file=err)
    return True
