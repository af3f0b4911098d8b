"""`sutazai-tui heal` as a real process on the real engine, with a 1 s interval.

Each test starts heal (`--apply` unless it tests the dry run) over its own containers (a prefix of
their own, `--network none`), waits on what the audit log and the hook's file say, and stops heal
by its pid. The hook is a real command writing each page's JSON document to a file.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = [pytest.mark.engine, pytest.mark.slow]

PORT = 8080
# httpd in the background, the shell stays PID 1: killing httpd fails the check, not the container.
WEB = ["sh", "-c", f"mkdir -p /w; echo ok > /w/index.html; httpd -p {PORT} -h /w; exec sleep 100000"]
# Serves only on its first start: after a restart its check keeps failing (the file system stays).
WEB_ONCE = [
    "sh",
    "-c",
    f"[ -e /started ] && exec sleep 100000; touch /started; mkdir -p /w; echo ok > /w/index.html; "
    f"httpd -p {PORT} -h /w; exec sleep 100000",
]
KILL_HTTPD = ["sh", "-c", "kill $(pidof httpd)"]
HOOK = (
    "import sys\n"
    "with open(sys.argv[1], 'a') as f:\n"
    "    f.write(sys.stdin.read().replace('\\n', ' ') + '\\n')\n"
)


def healthcheck() -> dict[str, Any]:
    second = 1_000_000_000
    return {
        "test": ["CMD", "wget", "-q", "-O-", f"http://127.0.0.1:{PORT}/"],
        "interval": second,
        "timeout": second,
        "retries": 1,
    }


class Heal:
    """One heal process with its config, output file and hook file; stopped at teardown."""

    def __init__(self, factory: ContainerFactory, tmp_path: Path, extra: str = "", **heal: Any) -> None:
        self.tmp = tmp_path
        self.hooks = tmp_path / "hooks.jsonl"
        (tmp_path / "hook.py").write_text(HOOK)
        table = {"cycles": 3, "grace": 6, **heal}
        lines = "\n".join(f"{k} = {json.dumps(v)}" for k, v in table.items())
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            f'base_url = "http://127.0.0.1:9"\ndefault_endpoints = false\n'
            f'container_prefix = "{factory.prefix}"\nprimary_service = "{factory.prefix}none"\n'
            f'state_dir = "{tmp_path / "state"}"\nstop_timeout = 1\n'
            f"on_state_change = {json.dumps([sys.executable, str(tmp_path / 'hook.py'), str(self.hooks)])}\n"
            f"{extra}\n[heal]\n{lines}\n"
        )
        self.procs: list[subprocess.Popen[str]] = []

    def start(self, *args: str) -> subprocess.Popen[str]:
        out = (self.tmp / f"heal{len(self.procs)}.out").open("w")
        argv = [sys.executable, "-m", "sutazai_tui", "heal", "--config", str(self.config), "--interval", "1"]
        proc = subprocess.Popen([*argv, *args], stdout=out, stderr=subprocess.STDOUT, text=True)
        self.procs.append(proc)
        return proc

    def output(self, n: int = 0) -> str:
        return (self.tmp / f"heal{n}.out").read_text()

    def audit(self, **match: Any) -> list[dict[str, Any]]:
        """Lines matching `match`; an action's `started` line (written before the engine is
        called) only when asked for by result."""
        entries = read_audit(self.tmp / "state" / "audit.jsonl")
        if "result" not in match:
            entries = [e for e in entries if e.get("result") != "started"]
        return [e for e in entries if all(e.get(k) == v for k, v in match.items())]

    def pages(self) -> list[dict[str, Any]]:
        if not self.hooks.exists():
            return []
        return [json.loads(line) for line in self.hooks.read_text().splitlines() if line.strip()]

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)


@pytest.fixture
def heal(containers: ContainerFactory, tmp_path: Path) -> Iterator[Heal]:
    h = Heal(containers, tmp_path)
    yield h
    h.stop()


def restarts(docker_client: Any, name: str) -> str:
    return str(docker_client.api.inspect_container(name)["State"]["StartedAt"])


def health(docker_client: Any, name: str) -> str | None:
    status = docker_client.api.inspect_container(name)["State"].get("Health", {}).get("Status")
    return str(status) if status is not None else None


def sick(docker_client: Any, box: Any) -> None:
    """Wait for the check to pass, then kill httpd inside and wait for it to fail."""
    wait_for(lambda: health(docker_client, box.name) == "healthy", 30, "the check to pass")
    box.exec_run(KILL_HTTPD)
    wait_for(lambda: health(docker_client, box.name) == "unhealthy", 30, "the check to fail")


def test_a_failing_health_check_is_restarted_once_and_clears(
    containers: ContainerFactory, docker_client: Any, heal: Heal
) -> None:
    box = containers.run("web", WEB, healthcheck=healthcheck())
    sick(docker_client, box)
    started = restarts(docker_client, box.name)
    heal.start("--apply")

    cleared = wait_for(lambda: heal.audit(result="cleared", container=box.name), 60, "the finding to clear")
    acted = heal.audit(action="restart", via="heal")
    assert [(e["container"], e["result"]) for e in acted] == [(box.name, "done")]
    assert acted[0]["container_id"] == box.id
    decided = heal.audit(action="heal", result="act")
    assert decided[0]["finding"] == "unhealthy" and "held 3 cycles" in decided[0]["message"]
    assert cleared[0]["via"] == "heal"
    assert restarts(docker_client, box.name) != started
    assert health(docker_client, box.name) == "healthy"
    assert heal.pages() == []  # healed: nobody paged


def test_a_missing_env_crash_loop_is_never_restarted_and_pages_once(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    name = containers.name("api")
    h = Heal(containers, tmp_path, extra=f'required_env = {{ "{name}" = ["SECRET_KEY"] }}')
    try:
        containers.run(
            "api",
            ["sh", "-c", "echo 'SECRET_KEY  Field required'; exit 1"],
            name=name,
            restart_policy={"Name": "always"},
        )
        h.start("--apply")
        page = wait_for(h.pages, 60, "the page")
        # Let several more cycles pass: still one page, and never a restart.
        cycles = h.audit(action="heal")
        wait_for(lambda: "cycles" in _status(tmp_path) and _status(tmp_path)["cycles"] >= 8, 60, "8 cycles")
        assert len(h.pages()) == 1, h.pages()
        assert page[0]["heal"]["finding"]["id"] == "missing-env"
        assert page[0]["heal"]["container"] == name and page[0]["subject"] == f"container:{name}"
        assert h.audit(action="restart") == []
        assert [e["result"] for e in h.audit(action="heal", container=name)] == ["page"]
        assert cycles and cycles[0]["finding"] == "missing-env"
    finally:
        h.stop()


def test_a_restart_that_does_not_help_opens_the_breaker_and_pages(
    containers: ContainerFactory, docker_client: Any, heal: Heal
) -> None:
    box = containers.run("once", WEB_ONCE, healthcheck=healthcheck())
    sick(docker_client, box)
    heal.start("--apply")

    opened = wait_for(lambda: heal.audit(result="breaker-open"), 90, "the breaker to open")
    assert opened[0]["container"] == box.name and "did not clear unhealthy" in opened[0]["message"]
    page = wait_for(heal.pages, 30, "the page")
    assert page[0]["heal"]["decision"] == "breaker-open" and page[0]["heal"]["finding"]["id"] == "unhealthy"
    done = heal.audit(action="restart", via="heal")
    assert 1 <= len(done) <= 2  # per_container_hour
    status = wait_for(lambda: _breaker_status(heal.tmp, box.name), 10, "the status to show the breaker")
    # Nothing more: the breaker stays open while the check fails.
    wait_for(lambda: _status(heal.tmp)["cycles"] >= status["cycles"] + 4, 30, "4 more cycles")
    assert len(heal.audit(action="restart", via="heal")) == len(done)
    assert len(heal.pages()) == 1


def test_dry_run_touches_nothing_and_says_what_it_would_do(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    bare = containers.name("bare")  # lacks SECRET_KEY: a page, which a dry run only says
    heal = Heal(containers, tmp_path, extra=f'required_env = {{ "{bare}" = ["SECRET_KEY"] }}')
    try:
        containers.run("bare", ["sleep", "100000"], name=bare)
        box = containers.run("web", WEB, healthcheck=healthcheck())
        sick(docker_client, box)
        started = restarts(docker_client, box.name)
        heal.start()  # no --apply: the default is a dry run

        would = wait_for(lambda: heal.audit(result="would-act"), 60, "the dry run's decision")
        assert would[0]["container"] == box.name and would[0]["mode"] == "dry-run"
        assert would[0]["message"].startswith(f"dry run: would restart {box.name}")
        paged = wait_for(lambda: heal.audit(result="page"), 30, "the dry run's page decision")
        assert paged[0]["container"] == bare and paged[0]["finding"] == "missing-env"
        wait_for(lambda: "dry run: would restart" in heal.output(), 10, "the printed line")
        assert f"dry run: would page ({sys.executable}) for {bare}" in heal.output()
        assert "dry run: nothing is touched" in heal.output()
        wait_for(lambda: _status(heal.tmp).get("cycles", 0) >= 6, 30, "6 cycles")
        assert heal.audit(action="restart") == []
        assert restarts(docker_client, box.name) == started
        assert health(docker_client, box.name) == "unhealthy"
        assert len(heal.audit(result="would-act")) == 1  # said once, not every cycle
        assert heal.pages() == []  # the pager is not touched either
    finally:
        heal.stop()


def test_two_heals_on_one_deployment_do_not_both_act(
    containers: ContainerFactory, docker_client: Any, heal: Heal
) -> None:
    box = containers.run("web", WEB, healthcheck=healthcheck())
    first = heal.start("--apply")
    wait_for(lambda: _status(heal.tmp).get("cycles", 0) >= 1, 30, "the first heal's first cycle")
    second = heal.start("--apply")
    assert second.wait(timeout=30) == 1
    assert "another heal (pid " in heal.output(1) and f"pid {first.pid} " in heal.output(1)
    assert first.poll() is None  # the first goes on
    sick(docker_client, box)
    wait_for(lambda: heal.audit(result="cleared"), 60, "the first heal to heal")
    assert len(heal.audit(action="restart", via="heal")) == 1


def _breaker_status(tmp: Path, name: str) -> dict[str, Any] | None:
    status = _status(tmp)
    return status if name in status.get("breakers", {}) else None


def _status(tmp: Path) -> dict[str, Any]:
    files = list((tmp / "state" / "heal").glob("*.json"))
    if not files:
        return {}
    try:
        data = json.loads(files[0].read_text())
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@pytest.mark.parametrize(
    ("said", "decided"),
    [
        ("ERROR Failed to connect to Redis", "act"),  # a dependency blip, now over: a restart helps
        ("INFO Initializing the pool manager", "page"),  # its own wait (2025-08-17): a restart re-enters it
    ],
)
def test_a_startup_hang_is_restarted_only_after_a_dependency_came_back(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path, said: str, decided: str
) -> None:
    """/health refused while the backend runs past its grace; Redis answers a direct probe now."""
    primary = containers.name("backend")
    with socket.create_server(("127.0.0.1", 0)) as redis:  # what the probe connects to: "Redis is back"
        port = redis.getsockname()[1]
        extra = (
            f'primary_service = "{primary}"\nstartup_grace = 0\nrequired_env = {{}}\n'
            "primary_required_env = []\n"
            f'endpoints = [{{ name = "health", url = "http://127.0.0.1:9/health", kind = "health" }}]\n'
            f'probes = [{{ name = "redis", kind = "tcp", host = "127.0.0.1", port = {port} }}]\n'
        )
        heal = Heal(containers, tmp_path, extra=extra)
        text = heal.config.read_text().replace(f'primary_service = "{containers.prefix}none"\n', "")
        heal.config.write_text(text)
        try:
            containers.run("backend", ["sh", "-c", f"echo '{said}'; exec sleep 100000"], name=primary)
            heal.start("--apply")
            lines = wait_for(lambda: heal.audit(action="heal", result=decided), 60, f"the {decided} decision")
            assert lines[0]["container"] == primary and lines[0]["finding"] == "startup-hang"
            if decided == "act":
                done = wait_for(lambda: heal.audit(action="restart", via="heal"), 30, "the restart")
                assert done[0]["result"] == "done"
            else:
                assert "shows no dependency failure" in lines[0]["message"]
                assert heal.audit(action="restart") == [] and len(wait_for(heal.pages, 10, "the page")) == 1
        finally:
            heal.stop()
