"""`serve` leaves no process behind (issue 15): closed tabs, early closes, SIGTERM, SIGHUP.

The reported bug: a client that opened the page's websocket and went away before the first frame
left a `python -m sutazai_tui` running after `serve` ended, ignoring SIGTERM. Real processes here:
`serve` on loopback, raw websocket clients, psutil to see what is left.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import struct
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil
import pytest

from tests.docker_support import wait_for
from tests.serve_support import free_port, handshake, login, printed_url

pytest.importorskip("textual_serve")
pytestmark = pytest.mark.slow


class Serve:
    """`sutazai-tui serve` started by the test, with the tab processes it has started so far."""

    def __init__(self, tmp_path: Path, options: Sequence[str] = (), stock: bool = False) -> None:
        self.port = free_port()
        self.log = (tmp_path / "serve.log").open("wb")
        options = [*options] or ["--base-url", "http://127.0.0.1:9"]
        common = ["--no-containers", "--read-only", *options]
        argv = [sys.executable, "-m", "sutazai_tui", "serve", "--port", str(self.port), *common]
        if stock:  # textual-serve as it comes, for a reference in bench/host_budget.py
            app = shlex.join([sys.executable, "-m", "sutazai_tui", *common])
            code = "import sys; from textual_serve.server import Server; "
            code += "Server(sys.argv[1], port=int(sys.argv[2])).serve()"
            argv = [sys.executable, "-c", code, app, str(self.port)]
        self.log_path = tmp_path / "serve.log"
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log)
        self.seen: dict[int, psutil.Process] = {}
        wait_for(self._listening, 30, "serve to listen")
        self.origin = f"http://127.0.0.1:{self.port}"
        # Our serve lets in only the holder of the URL it printed: log in as a browser would.
        self.cookie = "" if stock else login(printed_url(self.log_path))

    def _listening(self) -> bool:
        assert self.proc.poll() is None, "serve ended early"
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.5).close()
        except OSError:
            return False
        return True

    def tabs(self) -> list[psutil.Process]:
        """The app processes serve runs now (and remember them, to check they are gone later)."""
        try:
            found = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            found = []
        self.seen.update({p.pid: p for p in found})
        return found

    def left(self) -> list[psutil.Process]:
        """Processes serve ever started that still run (zombies are gone for good)."""
        alive = []
        for p in self.seen.values():
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                continue
        return alive

    def open_tab(self) -> socket.socket:
        """A websocket to the page (with the session cookie, from the page's origin), upgraded."""
        sock, head = handshake(self.port, cookie=self.cookie, origin=self.origin)
        assert head.startswith(b"HTTP/1.1 101"), head[:80]
        self.pending = head.split(b"\r\n\r\n", 1)[1]
        return sock

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)  # the process this test started
        self.proc.wait(10)
        for p in self.left():
            p.kill()  # only processes our serve started
        self.log.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path)
    yield server
    server.stop()


def drop(sock: socket.socket) -> None:
    """Go away abruptly, like a closed tab or a killed headless browser: a reset, no close frame."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def first_frame(sock: socket.socket, already: bytes) -> bytes:
    """Bytes of the first websocket frame the app sent (its first screen)."""
    data = already
    sock.settimeout(60)  # ten app processes starting on a busy machine take a while
    while len(data) < 64:
        chunk = sock.recv(65536)
        assert chunk, "the tab closed before its first frame"
        data += chunk
    return data


def test_tabs_closed_before_and_after_the_first_frame_leave_no_process(serve: Serve) -> None:
    early = serve.open_tab()
    wait_for(serve.tabs, 10, "the early tab's app process")
    drop(early)  # before the first frame: the app is still starting
    late = serve.open_tab()
    wait_for(lambda: len(serve.tabs()) >= 1 and len(serve.seen) >= 2, 10, "the late tab's app process")
    first_frame(late, serve.pending)
    drop(late)
    assert len(serve.seen) >= 2
    wait_for(lambda: not serve.left(), 3, "no app process left 3 s after the tabs closed")
    assert serve.proc.poll() is None, "serve itself keeps serving"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_serve_ends_it_and_every_tab(serve: Serve, sig: signal.Signals) -> None:
    tabs = [serve.open_tab(), serve.open_tab()]
    wait_for(lambda: len(serve.tabs()) >= 2, 10, "two tabs' app processes")
    first_frame(tabs[0], serve.pending)  # one tab is up, the other may still be starting
    os.kill(serve.proc.pid, sig)  # the process this test started
    wait_for(lambda: serve.proc.poll() is not None, 3, "serve to end on the signal")
    wait_for(lambda: not serve.left(), 3, "no app process left after serve ended")
    for sock in tabs:
        sock.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_a_tab_process_ends_it(serve: Serve, sig: signal.Signals) -> None:
    tab = serve.open_tab()
    app = wait_for(serve.tabs, 10, "the tab's app process")[0]
    first_frame(tab, serve.pending)
    app.send_signal(sig)  # a process our serve started
    wait_for(lambda: not serve.left(), 2.5, "the app process to end on the signal")
    tab.close()
    assert serve.proc.poll() is None


def test_a_tab_whose_serve_was_killed_ends_by_itself(serve: Serve) -> None:
    tab = serve.open_tab()
    wait_for(lambda: serve.tabs(), 10, "the tab's app process")
    first_frame(tab, serve.pending)
    os.kill(serve.proc.pid, signal.SIGKILL)  # no chance to clean up: the tab must notice alone
    serve.proc.wait(10)
    wait_for(lambda: not serve.left(), 3, "the orphaned app process to end")
    tab.close()
