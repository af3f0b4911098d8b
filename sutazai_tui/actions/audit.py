"""The audit log of container actions: one JSON line per attempt, appended, chained, never rewritten.

Every attempt — started, done, noop, refused, failed, cancelled — is a line with who (the real
uid's name, and what the environment *claims*: USER, SUDO_USER, SSH_CLIENT), what (action,
container name and id), through which door (`via`; a browser tab's peer address and tab id), the
state before and after, the result and how long it took. Each line carries the hash of the one
before (actions/chain.py), so `sutazai-tui audit --verify` finds a line edited or removed.
Lines are written with one `write` on an O_APPEND descriptor under an exclusive lock and fsync-ed,
in a 0600 file inside a 0700 folder that must be the user's alone (`safefile.check_private`).
Container env is never read by actions at all.

`sutazai-tui audit [--since T] [--verify]` prints or verifies the log; the incident report reads it
with `read_audit`. What the log proves and does not: docs/security.md.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import pwd
import socket
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sutazai_tui.actions.chain import last_link, seal, verify
from sutazai_tui.util.clean import clean
from sutazai_tui.util.safefile import UnsafePath, check_private, open_private, write_all
from sutazai_tui.util.when import HINT, parse_when

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_USAGE = 2
# The order fields appear in a line, so `cat audit.jsonl` reads well too.
FIELDS = (
    "time",
    "user",
    "host",
    "ssh_client",
    "action",
    "container",
    "container_id",
    "state_before",
    "state_after",
    "result",
    "error",
    "message",
    "duration_ms",
    "via",
    "peer",
    "tab",
    "engine",
    "uid",
    "claimed",
    "prev",
    "hash",
)
CLAIMS = ("USER", "SUDO_USER", "SSH_CLIENT")  # what the environment says, recorded as said


# The engine label of the demo's simulated fleet (demo/fleet.py), as audited.
SIMULATED = "simulated"


class AuditError(Exception):
    """The audit log cannot be written; the message is one line with the path and the fix."""


def identity() -> dict[str, Any]:
    """Who acts: the real uid and its name (pwd), this host, and what the environment claims.

    `$USER` can say anything (`USER=alice sutazai-tui act …`): the actor is the uid's passwd name;
    USER, SUDO_USER and SSH_CLIENT are kept under `claimed`, as claims. `ssh_client` is the
    claimed client address, for the report's column.
    """
    uid = os.getuid()
    try:
        user = pwd.getpwuid(uid).pw_name
    except KeyError:  # no passwd entry (a bare container): the number is still the truth
        user = f"uid {uid}"
    claimed = {k: os.environ[k][:200] for k in CLAIMS if os.environ.get(k)}
    ssh = claimed.get("SSH_CLIENT", "").split()
    return {
        "user": user,
        "uid": uid,
        "host": socket.gethostname(),
        "ssh_client": ssh[0] if ssh else None,
        "claimed": claimed or None,
    }


def _why(exc: OSError, path: Path) -> str:
    """The one-line refusal for an audit log we cannot open."""
    if isinstance(exc, UnsafePath):
        return str(exc)
    if exc.errno in (errno.EACCES, errno.EPERM):
        cause = "permission denied"
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, NotADirectoryError):
        cause = "a parent of it is not a folder"
    elif exc.errno == errno.ELOOP:
        cause = "it is a symlink (refused)"
    else:
        cause = (exc.strerror or str(exc)).lower()
    return f"cannot write audit log {path}: {cause} — fix its permissions or set audit_log"


class AuditWriter:
    """An audit log opened for appending: proof, before acting, that the line can be written."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self._fd = path, fd

    def write(self, entry: Mapping[str, Any]) -> None:
        """Append one entry as a chained JSON line and fsync it; identity and time are filled in.

        Under an exclusive lock, so two processes appending never fork the chain. Returns only
        once the line is on disk; AuditError (one line) when it is not.
        """
        line = dict.fromkeys(FIELDS)
        line.update(identity())
        line["time"] = datetime.now(UTC).isoformat()
        line.update(entry)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                data = seal(line, last_link(self._fd))
                write_all(self._fd, data.encode("utf-8") + b"\n")
                os.fsync(self._fd)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise AuditError(_why(exc, self.path)) from None

    def close(self) -> None:
        """Release the descriptor (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class AuditLog:
    """The append-only audit log at `path` (`Settings.audit_path`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> AuditWriter:
        """Open for appending (folder 0700 and file 0600 made on first use); AuditError if not,
        also when the folder or file is not the user's alone (never written into then)."""
        try:
            check_private(self.path, "audit log")
            return AuditWriter(self.path, open_private(self.path, append=True, readable=True))
        except OSError as exc:
            raise AuditError(_why(exc, self.path)) from None

    def record(self, entry: Mapping[str, Any]) -> None:
        """Append one entry in its own open/write/close; AuditError when it cannot."""
        with self.open() as writer:
            writer.write(entry)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`--since`: HH:MM[:SS] (today, local), an ISO time (naive = local) or an age like `90m`, `2h`."""
    return parse_when(text, now)


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(entry["time"]))
    except (KeyError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, entry) for each non-blank line; entry None when it is not a JSON object."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                entry = json.loads(raw)
            except ValueError:
                entry = None
            yield number, entry if isinstance(entry, dict) else None


def read_audit(path: Path, since: datetime | None = None) -> list[dict[str, Any]]:
    """The readable entries, oldest first (at or after `since`); [] when there is no log yet."""
    if not path.exists():
        return []
    found = []
    for _, entry in _lines(path):
        if entry is None:
            continue
        when = _entry_time(entry)
        if since is None or (when is not None and when >= since):
            found.append(entry)
    return found


def format_entry(entry: Mapping[str, Any]) -> str:
    """One entry as a line: local time, user@host (ssh), action, container, before → after, result."""
    when = _entry_time(entry)
    shown = when.astimezone().strftime("%Y-%m-%d %H:%M:%S") if when else "(no time)"
    who = f"{entry.get('user') or '?'}@{entry.get('host') or '?'}"
    if entry.get("peer"):  # a serve tab: the browser's address, not the ssh client's
        who += f" (browser {entry['peer']}, tab {entry.get('tab') or '?'})"
    elif entry.get("ssh_client"):
        who += f" (ssh {entry['ssh_client']})"
    claimed = entry.get("claimed")
    if isinstance(claimed, dict) and claimed.get("USER") not in (None, entry.get("user")):
        who += f" (claims USER={claimed['USER']})"
    change = f"{entry.get('state_before') or '—'} → {entry.get('state_after') or '—'}"
    line = f"{shown}  {who}  {entry.get('action', '?'):<7} {entry.get('container') or '?'}  {change}"
    if entry.get("engine") == SIMULATED:  # the demo's fleet: nothing real was touched
        line = f"DEMO  {line}"
    line += f"  {entry.get('result', '?')}"
    quiet = entry.get("result") in ("done", "cancelled")  # the result word says it all
    detail = entry.get("error") or (None if quiet else entry.get("message"))
    return clean(f"{line}: {detail}" if detail else line)  # read back from a file: outside text


def print_audit(path: Path, since: str | None = None, out: TextIO | None = None) -> int:
    """`sutazai-tui audit`: print the log readably; 0, or 2 for a bad --since or unreadable log."""
    out = out or sys.stdout
    try:
        start = parse_since(since) if since is not None else None
    except ValueError:
        hint = HINT
        print(f"sutazai-tui: invalid --since {since!r}: {hint}", file=sys.stderr)
        return EXIT_USAGE
    if not path.exists():
        print(f"no audit log at {path} yet", file=out)
        return EXIT_OK
    shown = 0
    try:
        for number, entry in _lines(path):
            if entry is None:  # a torn or hand-edited line: say so, keep going
                print(f"(unreadable line {number})", file=out)
                continue
            when = _entry_time(entry)
            if start is not None and (when is None or when < start):
                continue
            print(format_entry(entry), file=out)
            shown += 1
    except OSError as exc:
        print(f"sutazai-tui: cannot read audit log {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if not shown:
        print(f"no entries in {path}" + (f" since {since}" if since else ""), file=out)
    return EXIT_OK


def verify_audit(path: Path, out: TextIO | None = None) -> int:
    """`sutazai-tui audit --verify`: 0 intact, 1 naming the first broken line, 2 unreadable."""
    out = out or sys.stdout
    if not path.exists():
        print(f"no audit log at {path} yet: 0 lines, chain intact", file=out)
        return EXIT_OK
    try:
        verdict = verify(path)
    except OSError as exc:
        print(f"sutazai-tui: cannot read audit log {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{path}: {verdict.summary()}", file=out if verdict.intact else sys.stderr)
    return EXIT_OK if verdict.intact else EXIT_BROKEN
