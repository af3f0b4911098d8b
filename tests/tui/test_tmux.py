"""End to end in a real terminal: tmux runs `sutazai-tui` at 80x24 against the simulated backend."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sutazai_tui.demo.backend import SimulatedBackend

pytestmark = [pytest.mark.tmux, pytest.mark.slow]


class Tmux:
    """A private tmux server (its own socket), so the test never touches anyone else's sessions."""

    def __init__(self) -> None:
        self.socket = f"sutazai-tui-test-{uuid.uuid4().hex[:8]}"

    def run(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10)
        if done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "main")

    def wait_for(self, condition: str, present: bool = True, deadline_s: float = 15.0) -> str:
        """Poll the pane until `condition` appears (or goes); past the deadline, fail showing the screen."""
        deadline = time.monotonic() + deadline_s
        while True:
            text = self.screen()
            if (condition in text) == present:
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{condition!r} {'never appeared' if present else 'stayed'}:\n{text}")
            time.sleep(0.1)  # polling a separate process: there is no event to await


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    server = Tmux()
    server.run("-f", "/dev/null", "new-session", "-d", "-s", "main", "-x", "80", "-y", "24", "sh")
    server.run("set-option", "-s", "escape-time", "10")
    yield server
    subprocess.run(["tmux", "-L", server.socket, "kill-server"], capture_output=True, timeout=10)


def test_tui_in_tmux(tmux: Tmux, backend_thread: SimulatedBackend) -> None:
    exe = Path(sys.executable).with_name("sutazai-tui")
    command = f"{exe} --base-url {backend_thread.url} --no-containers --interval 2; echo EXIT=$?"
    env = {k: os.environ[k] for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    tmux.run(
        "send-keys", "-t", "main", f"export PS1='$ ' {' '.join(f'{k}={v}' for k, v in env.items())}", "Enter"
    )
    tmux.run("send-keys", "-t", "main", command, "Enter")

    screen = tmux.wait_for("HTTP 200")
    for needle in (
        "health",
        "emergency",
        "mcp",
        "OK",
        "Poll",  # the footer's short label
        backend_thread.url.removeprefix("http://"),
    ):
        assert needle in screen, screen
    assert len(screen.splitlines()) <= 24

    tmux.run("send-keys", "-t", "main", "?")
    screen = tmux.wait_for("audit log")
    assert "tab / shift+tab" in screen and "config file" in screen  # files, then the keys by group
    tmux.run("send-keys", "-t", "main", "Escape")
    tmux.wait_for("audit log", present=False)

    tmux.run("send-keys", "-t", "main", "q")
    screen = tmux.wait_for("EXIT=0")
    assert "E-stop" not in screen  # the footer (alternate screen) is gone: the shell's screen is back
    lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
    assert lines[-2:] == ["EXIT=0", "$"], lines  # exited 0, and the shell prompts again


@pytest.mark.parametrize(
    ("text", "needle"),
    [('[keymap]\nlogs = "q"\n', "clashes with 'quit'"), ('theme = "no-such-theme"\n', "not a Textual theme")],
)
def test_a_bad_setting_is_one_line_and_exit_2_after_the_first_frame(
    tmux: Tmux, tmp_path: Path, text: str, needle: str
) -> None:
    # The settings are read after the first frame: the error must still reach the operator as one
    # line on a restored terminal (no traceback, no screen left behind), with exit 2.
    config = tmp_path / "config.toml"
    config.write_text(text)
    exe = Path(sys.executable).with_name("sutazai-tui")
    tmux.run("send-keys", "-t", "main", f"{exe} --config {config} --no-containers; echo EXIT=$?", "Enter")
    tmux.wait_for("EXIT=2")
    screen = tmux.run("capture-pane", "-p", "-J", "-t", "main")  # -J: wrapped lines joined
    lines = [line.rstrip() for line in screen.splitlines() if line.strip()]
    # Textual draws on stderr too, so the terminal is what the operator reads: the app's screen is
    # gone, and between the command and the exit code stands one line, no traceback.
    assert "loading settings" not in screen and "Traceback" not in screen, screen
    error = lines[lines.index("EXIT=2") - 1]
    # (a prompt may stand before it: the shell can print one after the typed-ahead command)
    assert re.fullmatch(r"([#$] )?sutazai-tui: .+", error) and needle in error, screen
