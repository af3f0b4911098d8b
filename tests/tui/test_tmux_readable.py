"""Issue 14's "Done when" in a real terminal: tmux runs `sutazai-tui --demo` at 80x24, keys only.

enter on the worst container shows a finding's fix with no cut line; `/agent` + enter shows the
filter and `2/8`; `l` then ctrl+c leaves the monitor running; on sutazai-postgres, `x` then typing
its name + enter stops it (and the demo audits that apart from production, marked DEMO).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.tui.test_tmux import Tmux, tmux

__all__ = ["tmux"]  # the fixture: a private tmux server at 80x24

pytestmark = [pytest.mark.tmux, pytest.mark.slow]


def keys(server: Tmux, *names: str) -> None:
    for name in names:
        server.run("send-keys", "-t", "main", name)


def scroll_until(server: Tmux, text: str, presses: int = 40) -> str:
    """Press j until `text` is on screen (each press waits for the screen to move)."""
    screen = server.screen()
    for _ in range(presses):
        if text in screen:
            return screen
        keys(server, "j")
        deadline = time.monotonic() + 2.0
        while (now := server.screen()) == screen and time.monotonic() < deadline:
            time.sleep(0.05)  # another process's screen: polled, there is no event to await
        screen = now
    raise AssertionError(f"{text!r} never scrolled into view:\n{screen}")


def test_done_when_flows_in_tmux(tmux: Tmux) -> None:
    exe = Path(sys.executable).with_name("sutazai-tui")
    env = {k: os.environ[k] for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    keys(tmux, f"export PS1='$ ' {exports}", "Enter")
    keys(tmux, f"{exe} --demo; echo EXIT=$?", "Enter")

    # The incident's backend restarts: its findings come; the cursor starts on the worst container.
    tmux.wait_for("CRITICAL", deadline_s=60)
    keys(tmux, "Enter")
    screen = tmux.wait_for("last probe")
    assert "findings (" in screen, screen  # the fix comes below the evidence: scrolled to below
    # The footer is keys, and the notice line (its severity in words) says an alert's own "…": not
    # the screen's text.
    notices = ("ERROR ", "WARNING ")
    body = [line for line in screen.splitlines()[:-1] if not line.lstrip().startswith(notices)]
    assert not [line for line in body if line.rstrip().endswith("…")], screen  # wrapped, never cut
    # At 80x24 the findings run below the fold: j scrolls to the fix's commands, shown whole.
    screen = scroll_until(tmux, "$ openssl rand -hex 32")
    keys(tmux, "G")
    # G reaches the very end (several fixes end with the recreate command: wait for the end itself)
    screen = tmux.wait_for("more line", present=False)
    # Each command is one row, never wrapped: its start is on screen, its end off to the right.
    assert "$ cd /opt/sutazaiapp/docker && docker" in screen and "--no-deps backend" not in screen, screen
    keys(tmux, *["Right"] * 12)  # ← → scroll sideways, 8 columns a press
    screen = tmux.wait_for("--no-deps backend")
    keys(tmux, "Escape")
    tmux.wait_for("q Quit")  # the monitor's footer: back on the main screen

    keys(tmux, "/", *"agent", "Enter")  # typed straight after `/`: no key may reach the table
    screen = tmux.wait_for("containers 2/8 · filter: agent")
    assert "sutazai-agent" in screen

    keys(tmux, "l")
    tmux.wait_for("logs of sutazai-agent")
    keys(tmux, "C-c")
    screen = tmux.wait_for("logs of sutazai-agent", present=False)
    assert "EXIT=" not in screen and "containers 2/8" in screen  # the monitor runs on

    keys(tmux, "/")
    tmux.wait_for("Clear filter")  # the filter line has the focus
    keys(tmux, "Escape")  # clears it
    tmux.wait_for("q Quit")  # the footer is the monitor's again: the filter line is closed
    keys(tmux, "/")
    tmux.wait_for("Clear filter")
    keys(tmux, *"postgres")  # one key at a time, as typed
    tmux.wait_for("filter: postgres")
    keys(tmux, "Enter")
    tmux.wait_for("containers 1/8 · filter: postgres")
    keys(tmux, "x")
    tmux.wait_for("type its name, then enter to stop")
    keys(tmux, *"sutazai-postgres")
    tmux.wait_for("sutazai-postgres is protected")
    keys(tmux, "Enter")
    tmux.wait_for("exited", deadline_s=20)

    keys(tmux, "q")
    tmux.wait_for("EXIT=0")
    audit = Path(env["XDG_STATE_HOME"]) / "sutazai-tui" / "demo" / "audit.jsonl"
    assert "sutazai-postgres" in audit.read_text(encoding="utf-8")
    assert not (Path(env["XDG_STATE_HOME"]) / "sutazai-tui" / "audit.jsonl").exists()
