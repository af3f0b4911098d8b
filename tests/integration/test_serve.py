"""`sutazai-tui serve`: the monitor's page over HTTP on loopback, and the refusal of other hosts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sutazai_tui.cli.entry import main
from sutazai_tui.cli.serve import forwarded_argv, is_loopback
from tests.serve_support import free_port, login, printed_url

pytest.importorskip("textual_serve")


def test_serve_answers_the_page_on_loopback(tmp_path: Path) -> None:
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    argv = [
        "serve",
        "--port",
        str(port),
        "--no-containers",
        "--base-url",
        "http://127.0.0.1:9",
        "--read-only",
    ]
    proc = subprocess.Popen([sys.executable, "-m", "sutazai_tui", *argv], stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        answer: httpx.Response | None = None
        cookie = login(printed_url(tmp_path / "serve.log"))
        while answer is None or answer.status_code != 200:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve did not answer within 30 s"
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2, headers={"Cookie": cookie})
            except httpx.TransportError:  # not listening yet
                time.sleep(0.1)
        assert "text/html" in answer.headers["content-type"]
        assert "<html" in answer.text.lower()
    finally:
        os.kill(proc.pid, signal.SIGTERM)  # the process this test started, by its pid
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        log.close()


def test_serve_refuses_a_remote_host_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--allow-remote" in err


def test_serve_forwards_the_flags_given() -> None:
    from sutazai_tui.cli.args import build_parser

    args = build_parser().parse_args(
        ["serve", "--read-only", "--base-url", "http://127.0.0.1:1", "--", "--demo"]
    )
    assert forwarded_argv(args) == ["--base-url", "http://127.0.0.1:1", "--read-only", "--demo"]
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_serve_on_a_port_in_use_says_so_in_one_line() -> None:
    """Issue 28 item 9: no traceback, one line naming the port and the fix."""
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "sutazai_tui", "serve", "--port", str(port), "--", "--demo"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [f"sutazai-tui: cannot serve on 127.0.0.1:{port}: port in use — pick another with --port"]
