"""A cut pipe is not a failure: `check | head -1` keeps the verdict's exit code.

When the reader of stdout goes away (`head`, `grep -q`, a pager quit early), the next write or
flush raises BrokenPipeError — from inside a command's printing, or at the interpreter's exit,
which turns the exit code into 120 or 1 and prints a traceback. A wrapper script reading the code
would then see WARNING where the verdict was CRITICAL. Here stdout is wrapped once, before a
command runs: on the first broken pipe, fd 1 is pointed at /dev/null (what was written is lost
anyway, nobody reads it), and the command goes on to return its own code.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO, cast


class PipeSafeStream:
    """`stream` whose writes and flushes never raise BrokenPipeError; the rest passes through."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.cut = False  # the reader went away; output now goes to /dev/null

    def write(self, text: str) -> int:
        """Write; on a broken pipe, silence the descriptor and report the text as written."""
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._silence()
            return len(text)

    def flush(self) -> None:
        """Flush; on a broken pipe, silence the descriptor."""
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._silence()

    def _silence(self) -> None:
        self.cut = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self.stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def guard_stdout() -> PipeSafeStream:
    """Wrap `sys.stdout` (once) so a cut pipe cannot change the exit code or print a traceback."""
    current = sys.stdout
    if isinstance(current, PipeSafeStream):
        return current
    guarded = PipeSafeStream(current)
    sys.stdout = cast(TextIO, guarded)
    return guarded


def finish(code: int) -> int:
    """`code`, after flushing stdout inside the guard (so the exit flush has nothing left to fail)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # stdout was not guarded (a caller of its own): still keep the code
        PipeSafeStream(sys.stdout)._silence()
    return code
