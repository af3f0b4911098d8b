"""`sutazai-tui act` as a real process on a real engine: exit codes, one line each, the same audit.

A terminal is a real pseudo-terminal (os.openpty), so the prompt path is the one an operator sees;
without one (pipes, as under cron) and without --yes it must refuse rather than wait.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from tests.docker_support import ContainerFactory, containers, docker_client

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine
POLITE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]


def config(factory: ContainerFactory, tmp_path: Path, protected: tuple[str, ...] = ()) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'container_prefix = "{factory.prefix}"\nstate_dir = "{tmp_path / "state"}"\n'
        f"stop_timeout = 2\nprotected = {json.dumps(list(protected))}\n"
    )
    return path


def act(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "sutazai_tui", "act", "--config", str(cfg), *args]
    return subprocess.run(
        argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60, check=False
    )


def audit(tmp_path: Path, started: bool = False) -> list[dict[str, Any]]:
    """The audit's outcome lines (with `started`: every line, the `started` ones too)."""
    lines = read_audit(tmp_path / "state" / "audit.jsonl")
    return lines if started else [e for e in lines if e["result"] != "started"]


def test_exit_codes_and_one_line_each(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("app", POLITE)
    cfg = config(containers, tmp_path)

    no_tty = act(cfg, "stop", box.name)
    assert no_tty.returncode == 2 and no_tty.stdout == ""
    assert no_tty.stderr == f"sutazai-tui: stop {box.name}: refused — no terminal to confirm on; pass --yes\n"
    assert docker_client.api.inspect_container(box.name)["State"]["Running"]

    done = act(cfg, "stop", box.name, "--yes")
    assert (done.returncode, done.stdout) == (0, f"stop {box.name}: done — stopped (exit 0)\n")
    noop = act(cfg, "stop", box.name, "--yes")
    assert (noop.returncode, noop.stdout) == (1, f"stop {box.name}: noop — already stopped (exited)\n")
    doc = json.loads(act(cfg, "restart", box.name, "--yes", "--json").stdout)
    assert (doc["result"], doc["exit"], doc["state_after"], doc["via"]) == ("done", 0, "running", "cli act")
    gone = act(cfg, "kill", containers.prefix + "nothing", "--yes")
    assert gone.returncode == 2 and gone.stderr.strip().endswith("no longer exists")
    assert len(gone.stderr.splitlines()) == 1 and "Traceback" not in gone.stderr
    outsider = act(cfg, "stop", "not-ours", "--yes")
    assert outsider.returncode == 2 and len(outsider.stderr.splitlines()) == 1

    lines = audit(tmp_path)
    assert [(e["action"], e["result"]) for e in lines] == [
        ("stop", "done"),
        ("stop", "noop"),
        ("restart", "done"),
        ("kill", "failed"),
        ("stop", "failed"),
    ]
    assert {e["via"] for e in lines} == {"cli act"}
    # Each action that reached the engine has its `started` line first (stop, restart).
    assert [e["result"] for e in audit(tmp_path, started=True)][:2] == ["started", "done"]


def test_protected_needs_its_name(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("db", POLITE)
    cfg = config(containers, tmp_path, protected=(box.name,))
    refused = act(cfg, "stop", box.name, "--yes")
    assert refused.returncode == 2
    assert (
        refused.stderr
        == f"stop {box.name}: refused — {box.name} is protected: pass --confirm-name {box.name}\n"
    )
    assert act(cfg, "stop", box.name, "--yes", "--confirm-name", "wrong").returncode == 2
    assert docker_client.api.inspect_container(box.name)["State"]["Running"]
    assert act(cfg, "stop", box.name, "--yes", "--confirm-name", box.name).returncode == 0
    assert [e["result"] for e in audit(tmp_path)] == ["refused", "refused", "done"]


def _on_terminal(
    cfg: Path, answer: str, *args: str, before_answer: Callable[[], None] | None = None
) -> tuple[int, str]:
    """Run `act` on a pseudo-terminal, answer its prompt (after `before_answer`, if given), return
    the exit code and what it showed."""
    master, slave = os.openpty()
    argv = [sys.executable, "-m", "sutazai_tui", "act", "--config", str(cfg), *args]
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    shown, deadline = b"", time.monotonic() + 60
    try:
        while b"[y/N]" not in shown and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                shown += os.read(master, 4096)
        assert b"[y/N]" in shown, shown
        if before_answer is not None:
            before_answer()
        os.write(master, answer.encode() + b"\n")
        code = proc.wait(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the child closed its side
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return code, shown.decode(errors="replace")


def test_asks_on_a_terminal(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("app", POLITE)
    cfg = config(containers, tmp_path)
    code, shown = _on_terminal(cfg, "n", "stop", box.name)
    assert code == 1 and f"stop {box.name} ({box.id[:12]}, running, " in shown and "cancelled" in shown
    assert docker_client.api.inspect_container(box.name)["State"]["Running"]
    code, shown = _on_terminal(cfg, "y", "stop", box.name)
    assert code == 0 and "done — stopped (exit 0)" in shown
    assert [e["result"] for e in audit(tmp_path)] == ["cancelled", "done"]


def test_act_acts_on_the_container_it_showed_not_the_name(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    first, second = containers.run("a", POLITE), containers.run("b", POLITE)
    cfg = config(containers, tmp_path)
    parked = containers.name("parked")

    def swap() -> None:  # between the prompt and the answer, the names change hands
        docker_client.api.rename(first.id, parked)
        docker_client.api.rename(second.id, first.name)
        docker_client.api.rename(first.id, second.name)

    code, shown = _on_terminal(cfg, "y", "stop", first.name, before_answer=swap)
    assert code == 2, shown
    said = f"{first.name} changed since you confirmed (id {first.id[:12]}… → {second.id[:12]}…): not acting"
    assert said in shown
    assert docker_client.api.inspect_container(first.id)["State"]["Running"]
    assert docker_client.api.inspect_container(second.id)["State"]["Running"]
    [line] = audit(tmp_path, started=True)
    assert (line["result"], line["container_id"], line["message"]) == ("refused", first.id, said)
