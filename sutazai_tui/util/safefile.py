"""Writing files only their owner can read: folders 0700, files 0600, appends that reach the disk.

Recordings, snapshot bundles, reports and the audit log describe a production system, so they
are private from the first byte: files are created with `os.open(..., 0o600)` (never created
wider and narrowed afterwards), and folders are made only when something is written into them.

Our own folders (state, runtime, audit) and the files in them must belong to the user and be
writable by nobody else (`unsafe`, like ssh's StrictModes): a file another user can write is a
file they can truncate or forge, so it is refused, never written into (docs/security.md).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class UnsafePath(PermissionError):
    """A folder or file of ours that another user owns or can write; str() is the one-line refusal."""


def unsafe(path: Path, what: str = "folder") -> str | None:
    """Why `path` (if it exists) must not be used: owned by another user, or group/other-writable.

    One line naming the path and the fix; None when it is safe or does not exist yet. A symlink
    is judged as itself (lstat): a planted link is as bad as a planted file.
    """
    try:
        info = path.lstat()
    except OSError:  # missing (or a parent is not a folder): opening it says why, if it matters
        return None
    me = os.geteuid()
    if stat.S_ISLNK(info.st_mode):
        return f"refusing {what} {path}: it is a symlink — replace it with a real {what} of your own"
    if info.st_uid != me:
        return (
            f"refusing {what} {path}: owned by uid {info.st_uid}, not you (uid {me}) — "
            f"remove it, or `chown {me} {path}` if it is really yours"
        )
    if stat.S_IMODE(info.st_mode) & 0o022:
        mode = "700" if stat.S_ISDIR(info.st_mode) else "600"
        return (
            f"refusing {what} {path}: writable by group or others "
            f"(mode {stat.S_IMODE(info.st_mode):o}) — `chmod {mode} {path}`"
        )
    return None


def check_private(path: Path, what: str = "file") -> None:
    """Raise UnsafePath when `path`'s folder or `path` itself is not the user's alone (see `unsafe`)."""
    problem = unsafe(path.parent, "folder") or unsafe(path, what)
    if problem is not None:
        raise UnsafePath(problem)


def ensure_dir(path: Path) -> Path:
    """Create `path` and missing parents as 0700; folders that already exist are left as they are.

    Only folders made here are chmod-ed: an existing shared parent (/tmp, a home) is not ours.
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            continue  # made by someone else meanwhile; not ours to chmod
        # mkdir's mode is filtered by the umask; say exactly what we mean.
        os.chmod(folder, DIR_MODE)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "it exists and is not a folder", str(path))
    return path


def open_private(path: Path, *, append: bool = True, exclusive: bool = False, readable: bool = False) -> int:
    """A raw write descriptor on `path`, created 0600; parents created 0700.

    `append` adds to the end (recordings, audit log); otherwise the file is truncated.
    `exclusive` fails if the file exists (bundle files are never overwritten).
    `readable` opens it for reading too (the audit log reads its last line to chain the next).
    A symlink at `path` is refused: a planted link must not redirect our writes.
    An existing file that is readable by others is narrowed to 0600 before anything is written.
    """
    ensure_dir(path.parent)
    flags = (os.O_RDWR if readable else os.O_WRONLY) | os.O_CREAT | _NOFOLLOW | _CLOEXEC
    flags |= os.O_APPEND if append else os.O_TRUNC
    if exclusive:
        flags |= os.O_EXCL
    fd = os.open(path, flags, FILE_MODE)
    try:
        info = os.fstat(fd)
        if info.st_uid != os.geteuid() or stat.S_IMODE(info.st_mode) & 0o022:
            # Someone else's file (or one others may write): they could truncate or forge it.
            raise UnsafePath(unsafe(path, "file") or f"refusing file {path}: not yours alone")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (os.write may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_private(path: Path, text: str, *, exclusive: bool = False) -> Path:
    """Write a whole text file as 0600 and fsync it; returns the path."""
    fd = open_private(path, append=False, exclusive=exclusive)
    try:
        write_all(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return path
