"""The benches' pseudo-terminal: a child on a sized pty whose output a reader thread collects,
with waits for text to appear, key presses, and the child's CPU and memory.

One driver for bench/tui.py (first frame, key to screen), bench/peers.py (lazydocker, glances,
`docker stats` beside us), bench/scale.py (key latency at 500 containers) and bench/tui_weight.py
(the TUI's CPU and RSS, the Dashboard's first frame). The size is set on
the pty (TIOCSWINSZ) before the child starts, and TERM is xterm-256color: full-screen tools such
as lazydocker (gocui) read both at start and fail without them.
"""

from __future__ import annotations

import bisect
import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time

import psutil

Needle = bytes | re.Pattern[bytes]


def _controlling_terminal() -> None:
    """In the child, after setsid: make its stdin (the pty) the session's controlling terminal."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Terminal:
    """A child process on a `rows` x `cols` pseudo-terminal; its output is collected by a thread."""

    def __init__(
        self, argv: list[str], env: dict[str, str] | None = None, rows: int = 24, cols: int = 80
    ) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {**(os.environ if env is None else env), "TERM": "xterm-256color"}
        env |= {"COLUMNS": str(cols), "LINES": str(rows)}
        self.started = time.monotonic()
        # Its own session with the pty as controlling terminal: a TUI that opens /dev/tty
        # (lazydocker's gocui panics without one) finds a real terminal, as in an operator's.
        self.proc = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            start_new_session=True,
            preexec_fn=_controlling_terminal,
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self.arrived: list[tuple[int, float]] = []  # (output length after a read, when it was read)
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output += chunk
                self.arrived.append((len(self.output), time.monotonic()))

    def arrival(self, offset: int) -> float:
        """When the byte at `offset` was read from the terminal (monotonic)."""
        with self.lock:
            i = bisect.bisect_right(self.arrived, offset, key=lambda a: a[0])
            return self.arrived[min(i, len(self.arrived) - 1)][1]

    def mark(self) -> int:
        """Position in the output, to look for text written after it."""
        with self.lock:
            return len(self.output)

    def find(self, needle: Needle, since: int = 0, deadline_s: float = 20.0) -> tuple[float, int] | None:
        """(monotonic time, offset) when `needle` (bytes or a bytes pattern) first showed after
        `since`; None when the deadline passed or the child ended first."""
        end = time.monotonic() + deadline_s
        while True:
            with self.lock:
                if isinstance(needle, bytes):
                    at = self.output.find(needle, since)
                else:
                    m = needle.search(self.output, since)
                    at = m.start() if m else -1
            if at >= 0:
                return time.monotonic(), at
            if time.monotonic() >= end or self.proc.poll() is not None:
                return None
            time.sleep(0.001)  # polling another process's output: there is nothing to await

    def wait_for(self, text: str | Needle, since: int = 0, deadline_s: float = 20.0) -> float:
        """Monotonic time when `text` first showed in the output after `since` (else TimeoutError)."""
        found = self.find(text.encode() if isinstance(text, str) else text, since, deadline_s)
        if found is None:
            raise TimeoutError(f"{text!r} did not appear within {deadline_s} s")
        return found[0]

    def count(self, pattern: re.Pattern[bytes], since: int = 0) -> int:
        """How many times `pattern` occurs in the output after `since`."""
        with self.lock:
            return len(pattern.findall(self.output, since))

    def tail(self, size: int = 300) -> str:
        """The last bytes of the output as one line of text (for saying why a child ended)."""
        with self.lock:
            text = bytes(self.output[-size:]).decode(errors="replace")
        return " ".join(re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", " ", text).split())

    def press(self, key: bytes) -> None:
        """Type into the child's terminal."""
        os.write(self.master, key)

    def cpu_seconds(self) -> float:
        """User + system CPU the child and its children used so far."""
        total = 0.0
        try:
            root = psutil.Process(self.proc.pid)
            for proc in [root, *root.children(recursive=True)]:
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
        return total

    def rss_mib(self) -> float:
        """Resident memory of the child and its children."""
        try:
            root = psutil.Process(self.proc.pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
        except psutil.Error:
            return float("nan")

    def close(self) -> None:
        """End the child (only this one, by its pid) and the terminal."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        os.close(self.master)


# A name-shaped token, and the escape sequences (SGR, charset, OSC 8 links) drawn before one.
TOKEN = re.compile(rb"[A-Za-z0-9][A-Za-z0-9_.-]+")
_ESCAPES = rb"((?:\x1b(?:\[[0-9;?]*m|\][^\x1b\x07]*(?:\x1b\\|\x07)|[()][A-Z0-9]))+)"
_STYLED = re.compile(_ESCAPES + rb"[ \t]*([A-Za-z0-9][A-Za-z0-9_.-]+)")


def cursor_style(term: Terminal, names: set[bytes], since: int = 0) -> tuple[bytes, bytes]:
    """How the row under the cursor is drawn, and whose row it is: among the rows of `names` drawn
    after `since`, the styling that only one of them has (the others share theirs)."""
    with term.lock:
        drawn = [(m.group(1), m.group(2)) for m in _STYLED.finditer(term.output, since)]
    last = {name: style for style, name in drawn if name in names}  # the latest look of each row
    counts: dict[bytes, int] = {}
    for style in last.values():
        counts[style] = counts.get(style, 0) + 1
    lone = [(style, name) for name, style in last.items() if counts[style] == 1 and len(last) > 2]
    if len(lone) != 1:
        raise RuntimeError("cannot tell the cursor's row from the others on the screen")
    return lone[0]


def cursor_moved(
    term: Terminal, style: bytes, names: set[bytes], leaving: bytes, since: int, deadline_s: float = 10.0
) -> tuple[float, bytes] | None:
    """(monotonic time, name) when a row other than `leaving` was drawn with the cursor's `style`
    after `since` (the time the bytes arrived); None when the deadline passed."""
    pattern = re.compile(re.escape(style) + rb"[ \t]*([A-Za-z0-9][A-Za-z0-9_.-]+)")
    end = time.monotonic() + deadline_s
    while time.monotonic() < end and term.proc.poll() is None:
        with term.lock:
            hits = [m for m in pattern.finditer(term.output, since) if m.group(1) in names]
        for m in hits:
            if m.group(1) != leaving:
                return term.arrival(m.end()), m.group(1)
        time.sleep(0.001)  # polling another process's output: there is nothing to await
    return None
