"""In a real terminal that obeys escapes (tmux, `set-clipboard on`): three cycles of a backend whose every
string is hostile and the logs of a container whose log is hostile write no paste buffer, change no
title, and leave the TUI running. The same escape printed by the shell afterwards does write a
buffer: the terminal would have obeyed, had the monitor let one through.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests.docker_support import ContainerFactory, containers, docker_client, engine
from tests.hostile import HostileServer
from tests.tui.test_tmux import Tmux, tmux

__all__ = ["containers", "docker_client", "tmux"]
pytestmark = [pytest.mark.tmux, pytest.mark.slow]

LOG = [
    "\x1b]52;c;UFdORUQ=\x07",  # OSC 52: the clipboard ("PWNED")
    "\x1b]0;pwned-title\x07\x1b]2;pwned-title2\x07",  # OSC 0/2: the pane's title
    "\x1bkpwned-window\x1b\\",  # tmux's own window-name escape
    "\x9d52;c;UFdORUQ=\x9c",  # the same OSC as C1 characters
    "[@click=screen.emergency_stop]x[/] [/]prod password=hunter2",
]


def state(server: Tmux) -> tuple[str, str, str]:
    """Paste buffers, the pane's title, the window's name."""
    buffers = server.run("list-buffers", "-F", "#{buffer_name}:#{buffer_sample}")
    return (
        buffers,
        server.run("display", "-p", "-t", "main", "#{pane_title}"),
        server.run("display", "-p", "-t", "main", "#{window_name}"),
    )


@engine
def test_hostile_backend_and_log_in_tmux_with_set_clipboard_on(
    tmux: Tmux, hostile: HostileServer, containers: ContainerFactory, tmp_path: Path
) -> None:
    tmux.run("set-option", "-s", "set-clipboard", "on")
    tmux.run("set-option", "-g", "allow-rename", "on")  # an escape may rename the window…
    tmux.run("set-option", "-g", "automatic-rename", "off")  # …and nothing else does
    box = containers.run(
        "log", ["sh", "-c", 'for l in "$@"; do printf "%s\\n" "$l"; done; sleep 600', "sh", *LOG]
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f'default_endpoints = false\ncontainer_prefix = "{containers.prefix}"\n'
        + "".join(
            f'[[endpoints]]\nname = "{k}"\nurl = "/hostile"\nkind = "{k}"\n'
            for k in ("health", "mcp", "emergency", "detailed")
        )
    )
    env = {k: os.environ[k] for k in ("XDG_CONFIG_HOME", "XDG_STATE_HOME")}
    tmux.run(
        "send-keys", "-t", "main", f"export PS1='$ ' {' '.join(f'{k}={v}' for k, v in env.items())}", "Enter"
    )
    tmux.wait_for("$ ")
    before = state(tmux)
    exe = Path(sys.executable).with_name("sutazai-tui")
    command = f"{exe} --config {config} --base-url {hostile.url} --interval 1 --timeout 2; echo EXIT=$?"
    tmux.run("send-keys", "-t", "main", command, "Enter")
    tmux.wait_for(box.name, deadline_s=30)
    asked = hostile.requests["/hostile"]
    deadline = time.monotonic() + 60
    while hostile.requests["/hostile"] < asked + 3 * 4:  # three more cycles of four endpoints
        assert time.monotonic() < deadline, f"cycles stalled: {hostile.requests['/hostile']} asked"
        time.sleep(0.2)  # a separate process: no event to await
    tmux.run("send-keys", "-t", "main", "l")
    screen = tmux.wait_for("password=•••", deadline_s=20)
    assert "␛]52;c;UFdORUQ=␇" in screen and "EXIT=" not in screen
    after = state(tmux)
    tmux.run("send-keys", "-t", "main", "Escape")
    tmux.wait_for("password=•••", present=False)
    assert "EXIT=" not in tmux.screen()  # still running after the cycles and the log
    assert after == before, (before, after)

    # The control: the terminal does obey these escapes when something lets them through.
    tmux.run("send-keys", "-t", "main", "q")
    tmux.wait_for("EXIT=0")
    tmux.run("send-keys", "-t", "main", "printf '\\033]52;c;UFdORUQ=\\007'", "Enter")
    deadline = time.monotonic() + 10
    while "PWNED" not in state(tmux)[0]:
        assert time.monotonic() < deadline, "tmux ignored OSC 52: the test would prove nothing"
        time.sleep(0.1)
