"""`act` on a real engine when the audit cannot be trusted or written: nothing is done unaudited.

The audit folder on a full tmpfs (mounted here, root only) refuses the `started` line, so the engine
is never asked; a folder anyone may write is refused in one line; the actor is the uid, whatever
`$USER` says.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from tests.docker_support import ContainerFactory, containers, docker_client

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine
POLITE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]


def config(factory: ContainerFactory, tmp_path: Path, audit_log: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'container_prefix = "{factory.prefix}"\nstate_dir = "{tmp_path / "state"}"\n'
        f'stop_timeout = 2\naudit_log = "{audit_log}"\n'
    )
    return path


def act(cfg: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "sutazai_tui", "act", "--config", str(cfg), *args]
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def full_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (mode 0700, ours), filled to the last byte."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "full"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        with contextlib.suppress(OSError):  # ENOSPC: full
            while os.write(fd, b"\0" * 512):
                pass
        os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_audit_disk_means_nothing_is_done(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path, full_tmpfs: Path
) -> None:
    box = containers.run("app", POLITE)
    cfg = config(containers, tmp_path, full_tmpfs / "audit.jsonl")
    done = act(cfg, "stop", box.name, "--yes")
    assert done.returncode == 2, done
    assert done.stdout == "" and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert "not acting" in done.stderr and "no space left on device" in done.stderr
    assert docker_client.api.inspect_container(box.id)["State"]["Running"]


def test_the_actor_is_the_uid_and_user_is_only_claimed(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("app", POLITE)
    log = tmp_path / "state" / "audit.jsonl"
    cfg = config(containers, tmp_path, log)
    done = act(cfg, "stop", box.name, "--yes", env={"USER": "alice", "SUDO_USER": "bob"})
    assert done.returncode == 0, done
    started, outcome = read_audit(log)
    me = pwd.getpwuid(os.getuid()).pw_name
    for line in (started, outcome):
        assert line["user"] == me != "alice" and line["uid"] == os.getuid()
        assert line["claimed"]["USER"] == "alice" and line["claimed"]["SUDO_USER"] == "bob"
    verified = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", "audit", "--verify", "--config", str(cfg)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (verified.returncode, verified.stdout) == (0, f"{log}: 2 lines, chain intact\n")


def test_a_folder_anyone_may_write_is_refused_in_one_line(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("app", POLITE)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    os.chmod(shared, 0o777)
    cfg = config(containers, tmp_path, shared / "audit.jsonl")
    refused = act(cfg, "stop", box.name, "--yes", "--json")
    why = f"writable by group or others (mode 777) — `chmod 700 {shared}`"
    assert (refused.returncode, refused.stdout) == (2, "")
    assert refused.stderr == f"sutazai-tui: refusing audit folder {shared}: {why}\n"
    assert not (shared / "audit.jsonl").exists()
    assert docker_client.api.inspect_container(box.id)["State"]["Running"]
