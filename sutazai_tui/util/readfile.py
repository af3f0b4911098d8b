"""Reading a file the operator named: each way the read fails becomes one line with the fix.

The config and a recording are read this way, so a wrong path, a folder, a file without read
permission or one that is not UTF-8 is told to the operator as one line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def read_explained(
    path: Path,
    read: Callable[[Path], T],
    error: Callable[[str], Exception],
    lines: Mapping[type[Exception], str],
) -> T:
    """`read(path)`; a failure raises `error` with the first of `lines` whose exception type matches.

    `lines` are templates with `{path}` and `{reason}` (the OS's words for it); order them from the
    most specific type to the least, as `except` clauses would be. Other exceptions pass through.
    """
    try:
        return read(path)
    except tuple(lines) as exc:
        line = next(text for kind, text in lines.items() if isinstance(exc, kind))
        reason = getattr(exc, "strerror", None) or exc
        raise error(line.format(path=path, reason=reason)) from None
