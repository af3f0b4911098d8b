"""ssh:// engines on a real sshd (tests/ssh_support.py) in front of the real engine.

sshd keeps its defaults (MaxStartups 10, MaxSessions 10): a cycle that opened one ssh connection
or session per container would lose containers there. Each `check` must log in once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from tests.docker_support import ContainerFactory, containers, docker_client
from tests.ssh_support import SshServer, sshd

__all__ = ["containers", "docker_client", "sshd"]  # fixtures, used by name below
pytestmark = pytest.mark.engine
POLITE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]


def check(server: SshServer, factory: ContainerFactory) -> dict[str, Any]:
    """`check --json` through the ssh:// engine; the container part of its snapshot."""
    argv = [sys.executable, "-m", "sutazai_tui", "check", "--json", "--base-url", "http://127.0.0.1:9"]
    argv += ["--docker-host", server.url, "--container-prefix", factory.prefix]
    proc = subprocess.run(argv, capture_output=True, text=True, env=server.env(), timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    part: dict[str, Any] = json.loads(proc.stdout)["snapshot"]["containers"]
    return part


def test_check_reads_30_containers_over_one_ssh_login(sshd: SshServer, containers: ContainerFactory) -> None:
    made = {containers.run(f"c{i:02d}", ["sleep", "300"]).name for i in range(30)}
    part = check(sshd, containers)
    assert part["state"] == "OK", part["reason"]
    assert part["engine"] == sshd.url
    assert {c["name"] for c in part["containers"]} == made
    unread = [c["name"] for c in part["containers"] if c["mem_used"] is None or c["cpu_percent"] is None]
    assert not unread, unread
    assert sshd.logins() == 1  # one multiplexed connection, not one per container or request


def test_unknown_host_key_and_refused_key_are_one_line_naming_the_fix(
    sshd: SshServer, containers: ContainerFactory
) -> None:
    sshd.known_hosts("")
    part = check(sshd, containers)
    assert part["state"] == "DOWN"
    assert "host key of 127.0.0.1 is not known" in part["reason"] and "ssh-keyscan -p" in part["reason"]
    assert "\n" not in part["reason"]

    sshd.start_known_hosts()
    (sshd.root / "authorized_keys").write_text("")
    part = check(sshd, containers)
    assert part["state"] == "DOWN"
    assert "refused our key" in part["reason"] and "ssh-add" in part["reason"], part["reason"]
    assert "\n" not in part["reason"]


def test_stop_through_the_remote_engine_is_done_and_audited(
    sshd: SshServer, containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("app", POLITE)
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'container_prefix = "{containers.prefix}"\nstate_dir = "{tmp_path / "state"}"\n'
        f'stop_timeout = 2\ndocker_host = "{sshd.url}"\n'
    )
    argv = [sys.executable, "-m", "sutazai_tui", "act", "--config", str(cfg), "stop", box.name, "--yes"]
    done = subprocess.run(argv, capture_output=True, text=True, env=sshd.env(), timeout=120)
    assert (done.returncode, done.stdout) == (0, f"stop {box.name}: done — stopped (exit 0)\n"), done.stderr
    assert not docker_client.api.inspect_container(box.name)["State"]["Running"]
    started, entry = read_audit(tmp_path / "state" / "audit.jsonl")  # `started` first, then the outcome
    assert (started["result"], started["engine"]) == ("started", sshd.url)
    assert (entry["action"], entry["result"], entry["engine"]) == ("stop", "done", sshd.url)


async def test_tui_stop_through_the_remote_engine_is_done_and_audited(
    sshd: SshServer,
    containers: ContainerFactory,
    docker_client: Any,
    backend: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sutazai_tui.core.monitor import Monitor
    from sutazai_tui.session.session import Session
    from sutazai_tui.sources.engine.source import DockerSource
    from sutazai_tui.tui.factory import make_app
    from tests.conftest import settings_for
    from tests.tui.test_action_keys_engine import ask, audit, select, table_state
    from tests.tui_support import wait_until

    for name, value in sshd.env().items():  # this process's ssh is the test's wrapper, no agent
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    box = containers.run("web", POLITE)
    values: dict[str, Any] = {"containers": True, "container_prefix": containers.prefix, "interval": 60.0}
    values |= {"stop_timeout": 5, "audit_log": tmp_path / "audit.jsonl", "docker_host": sshd.url}
    settings = settings_for(backend.url, tmp_path, **values)
    source = DockerSource(prefix=containers.prefix, docker_host=sshd.url)
    app = make_app(settings, Session(settings, Monitor(settings, containers=source)))
    async with app.run_test(size=(120, 40)) as pilot:
        await select(app, pilot, box.name)
        await ask(app, pilot, "x")
        await pilot.press("y")
        await wait_until(pilot, lambda: table_state(app, box.name) == "exited", deadline_s=30)
    assert docker_client.api.inspect_container(box.name)["State"]["Status"] == "exited"
    line = audit(settings)[-1]
    assert (line["action"], line["container"], line["result"]) == ("stop", box.name, "done")
    assert line["engine"] == sshd.url and line["via"] == "key x"
