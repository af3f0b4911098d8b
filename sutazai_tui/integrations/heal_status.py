"""Where a `heal` process shows itself: its lock, its status file, and the reader of both plus its audit.

Per deployment (base URL, engine, container prefix) under `Settings.heal_dir`:
- `<key>.lock`: held with `fcntl.flock` while a heal runs; a second heal on the host cannot take it
  and exits saying who holds it (the pid is written into the file);
- `<key>.json`: rewritten (atomically) after every cycle: pid, mode, breakers, counts so far and
  where its audit log is. Fresh (within a few intervals) = a heal is active.

`read_heal` is what the TUI header and the exporter call: textual-free, never raises, cheap (one
small file plus the audit log's last hour).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.config.settings import Settings
from sutazai_tui.util.safefile import ensure_dir, open_private

STALE_INTERVALS = 3  # a status older than this many intervals (plus a minute): no heal is active
VIA = "heal"


def deployment_key(settings: Settings) -> str:
    """A file-name-safe name for one deployment: host_port plus a hash of what heal acts on."""
    parts = urlsplit(settings.base_url)
    host = f"{parts.hostname or 'backend'}_{parts.port}" if parts.port else parts.hostname or "backend"
    what = "\0".join((settings.base_url, settings.docker_host or "", settings.container_prefix))
    digest = hashlib.sha256(what.encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', host)}-{digest}"


def lock_path(settings: Settings) -> Path:
    """The deployment's heal lock file."""
    return settings.heal_dir / f"{deployment_key(settings)}.lock"


def status_path(settings: Settings) -> Path:
    """The deployment's heal status file."""
    return settings.heal_dir / f"{deployment_key(settings)}.json"


class LockHeld(Exception):
    """Another heal holds this deployment's lock; the message says which and where."""


class HealLock:
    """The deployment's lock: `acquire` or LockHeld; released on `release` (or when the process ends)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd = -1

    def acquire(self) -> HealLock:
        """Take the lock without waiting, and write our pid into it."""
        ensure_dir(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise LockHeld(
                f"another heal ({holder}) already heals this deployment (lock {self.path}) — "
                "one heal per deployment; stop that one first"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Let go (idempotent)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = -1


def write_status(path: Path, status: dict[str, Any]) -> None:
    """Replace the status file atomically (0600): a reader never sees half of it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = open_private(tmp, append=False, exclusive=True)
    try:
        os.write(fd, json.dumps(status, default=str).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


@dataclass(frozen=True, slots=True)
class HealView:
    """What the TUI header and the exporter know about this deployment's heal."""

    active: bool = False  # a heal process wrote its status lately
    apply: bool = False  # it acts (False: dry run)
    pid: int | None = None
    breakers: dict[str, str] = field(default_factory=dict)  # open: container -> why
    counts: dict[str, int] = field(default_factory=dict)  # since it started: acted, failed, would, paged, …
    last_hour: dict[str, int] = field(default_factory=dict)  # from the audit: restarts, pages, would, …

    def badge(self) -> tuple[str, str, str]:
        """The header's (badge, what it did in the last hour, open breakers); empty badge: say nothing.

        E.g. (`HEAL`, `1 restart, 1 page in 1h`, `breaker open: sutazai-agent`).
        """
        if not self.active and not self.last_hour:
            return "", "", ""
        mode = ("HEAL" if self.apply else "HEAL dry-run") if self.active else "HEAL stopped"
        done = [f"{n} {_plural(what, n)}" for what, n in sorted(self.last_hour.items()) if n]
        summary = ", ".join(done) + " in 1h" if done else "nothing in 1h"
        breakers = "breaker open: " + ", ".join(sorted(self.breakers)) if self.breakers else ""
        return mode, summary, breakers


def _plural(word: str, n: int) -> str:
    return word if n == 1 else word + "s"


# audit result of a heal line -> the word the header counts it under
_HOUR_WORDS = {"page": "page", "would-act": "would-restart", "breaker-open": "breaker"}


def read_heal(settings: Settings, now: datetime | None = None, *, audit: bool = True) -> HealView | None:
    """This deployment's heal as its files say; None when no heal ever ran here (or it is unreadable).

    `audit=False` skips the audit log's last hour (the exporter, every cycle, needs only the status).
    """
    now = now or datetime.now(UTC)
    try:
        raw = json.loads(status_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = None
    if not isinstance(raw, dict):
        return None
    try:
        updated = datetime.fromisoformat(str(raw.get("updated_at")))
        interval = float(raw.get("interval") or settings.interval)
    except (TypeError, ValueError):
        return None
    fresh = not raw.get("stopped") and now - updated <= timedelta(seconds=STALE_INTERVALS * interval + 60)
    log = Path(str(raw.get("audit_log") or settings.audit_path))
    breakers = raw.get("breakers") if isinstance(raw.get("breakers"), dict) else {}
    counts = raw.get("counts") if isinstance(raw.get("counts"), dict) else {}
    return HealView(
        active=fresh,
        apply=bool(raw.get("apply")),
        pid=raw.get("pid") if isinstance(raw.get("pid"), int) else None,
        breakers={str(k): str(v) for k, v in (breakers or {}).items()},
        counts={str(k): int(v) for k, v in (counts or {}).items() if isinstance(v, int)},
        last_hour=_last_hour(log, now) if audit else {},
    )


def _last_hour(audit: Path, now: datetime) -> dict[str, int]:
    """heal's lines of the last hour, counted: restarts done, pages, dry-run restarts, breakers."""
    try:
        entries = read_audit(audit, since=now - timedelta(hours=1))
    except OSError:
        return {}
    counted: dict[str, int] = {}
    for e in entries:
        if e.get("via") != VIA:
            continue
        result = e.get("result")
        if e.get("action") == "restart" and result in ("done", "failed"):
            word = "restart" if result == "done" else "failed restart"
        else:
            word = _HOUR_WORDS.get(str(result), "")
        if word:
            counted[word] = counted.get(word, 0) + 1
    return counted
