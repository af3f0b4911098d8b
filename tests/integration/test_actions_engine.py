"""Actions through the Docker backend: on a real engine (stop, restart, kill, the emergency stop,
every refusal), and against engines that are absent or hung (no engine needed for those two).

Each engine test's monitored set is its own container prefix, so even a policy bug could not reach a
container this test did not create. Containers come from `tests.docker_support` (network none,
removed at teardown).

"Exceeds its timeout", decided: the grace (`stop_timeout`) is the container's time to stop on
SIGTERM; past it the engine kills it, and that is a *done* stop whose message says so. Our bound
on the engine call is grace + docker_timeout; an engine that has not answered by then is a
*failed* stop (tested below against a hung engine: a unix socket that never answers the stop).
"""

from __future__ import annotations

import json
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.backends import DockerBackend
from sutazai_tui.actions.policy import ActionResult, Actions
from sutazai_tui.config.settings import Settings
from tests.docker_support import ContainerFactory, containers, docker_client, wait_for

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
engine = pytest.mark.engine
APP = "sutazai-app"

NO_SOCKET = "unix:///nonexistent.sock"
# Exits promptly on SIGTERM (PID 1 has no default handlers, so the trap is needed).
POLITE = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
# Ignores SIGTERM: only the engine's SIGKILL after the grace stops it.
STUBBORN = ["sh", "-c", 'trap "" TERM; while true; do sleep 1; done']


def settings_for(factory: ContainerFactory, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"container_prefix": factory.prefix, "state_dir": tmp_path / "state"}
    values |= {"stop_timeout": 5, "docker_timeout": 10, "protected": []} | overrides
    return Settings(**values)


def engine_state(client: Any, name: str) -> dict[str, Any]:
    return dict(client.api.inspect_container(name)["State"])


def check_audited(settings: Settings, result: ActionResult) -> None:
    """The last audit line says exactly what the result says."""
    line = read_audit(settings.audit_path)[-1]
    assert line["action"] == result.action and line["container"] == result.container
    assert line["result"] == result.result
    assert (line["state_before"], line["state_after"]) == (result.state_before, result.state_after)
    assert line["container_id"] == result.container_id and line["error"] == result.error
    assert line["engine"].startswith("unix://")


@engine
def test_stop(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("stop", POLITE)
    settings = settings_for(containers, tmp_path)
    result = Actions(settings).stop(box.name, via="key x")
    assert (result.result, result.state_before, result.state_after) == ("done", "running", "exited")
    assert result.message == "stopped (exit 0)" and result.container_id == box.id
    assert engine_state(docker_client, box.name)["Status"] == "exited"
    check_audited(settings, result)
    again = Actions(settings).stop(box.name)  # the poll may be stale: inspect says it is stopped
    assert (again.result, again.message) == ("noop", "already stopped (exited)")


@engine
def test_restart_starts_it_again(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("restart", POLITE)
    before = engine_state(docker_client, box.name)["StartedAt"]
    settings = settings_for(containers, tmp_path)
    result = Actions(settings).restart(box.name, timeout=2)
    assert (result.result, result.state_after, result.message) == ("done", "running", "running again")
    after = engine_state(docker_client, box.name)
    assert after["Running"] and after["StartedAt"] != before
    check_audited(settings, result)


@engine
def test_emergency_stop_of_the_primary(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("backend", POLITE)
    settings = settings_for(containers, tmp_path, primary_service=box.name)
    actions = Actions(settings)
    brief = actions.describe(settings.primary_service)
    assert (brief.short_id, brief.state, brief.refusal) == (box.id[:12], "running", None)
    assert brief.image == "sutazai-test/busybox:latest" and brief.uptime_s is not None
    result = actions.stop(settings.primary_service, via="key !")
    assert result.result == "done" and engine_state(docker_client, box.name)["Status"] == "exited"
    assert read_audit(settings.audit_path)[-1]["via"] == "key !"


@engine
def test_kill(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("kill", STUBBORN)
    settings = settings_for(containers, tmp_path)
    result = Actions(settings).kill(box.name, via="palette")
    assert (result.result, result.state_after, result.message) == ("done", "exited", "killed (exit 137)")
    assert engine_state(docker_client, box.name)["ExitCode"] == 137
    check_audited(settings, result)


@engine
def test_stop_past_its_grace_is_killed_by_the_engine(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("stubborn", STUBBORN)
    settings = settings_for(containers, tmp_path, stop_timeout=1, docker_timeout=10)
    result = Actions(settings).stop(box.name)
    assert result.result == "done" and result.state_after == "exited"
    assert result.message == "stopped: it ignored SIGTERM for 1s, so the engine killed it (exit 137)"
    assert 1000 <= result.duration_ms < 11_000  # past the grace, within our bound (grace + margin)
    check_audited(settings, result)


@engine
def test_read_only_is_refused_by_the_core(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("ro", POLITE)
    started = engine_state(docker_client, box.name)["StartedAt"]
    settings = settings_for(containers, tmp_path, read_only=True)
    actions = Actions(settings)
    results = [actions.stop(box.name), actions.restart(box.name), actions.kill(box.name)]
    assert all(r.result == "refused" and "read-only" in r.message for r in results)
    state = engine_state(docker_client, box.name)
    assert state["Running"] and state["StartedAt"] == started
    assert [line["result"] for line in read_audit(settings.audit_path)] == ["refused"] * 3


@engine
def test_outside_the_monitored_set_is_refused(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    outsider = containers.run("x", POLITE, name=f"outside-{containers.prefix}x")
    settings = settings_for(containers, tmp_path)
    result = Actions(settings).stop(outsider.name)
    assert result.result == "refused" and "not a monitored container" in result.message
    assert engine_state(docker_client, outsider.name)["Running"]
    assert Actions(settings).kill(outsider.id).result == "refused"  # by id: same rule
    check_audited(settings, Actions(settings).restart(outsider.name))


@engine
def test_created_but_never_started_is_a_noop(containers: ContainerFactory, tmp_path: Path) -> None:
    box = containers.create("created")
    result = Actions(settings_for(containers, tmp_path)).stop(box.name)
    assert (result.result, result.message) == ("noop", "already stopped (created)")


@engine
def test_vanished_container(containers: ContainerFactory, docker_client: Any, tmp_path: Path) -> None:
    box = containers.run("gone", POLITE)
    box.remove(force=True)
    result = Actions(settings_for(containers, tmp_path)).stop(box.name)
    assert (result.result, result.message) == ("failed", f"container {box.name} no longer exists")


@engine
def test_engine_unreachable(containers: ContainerFactory, tmp_path: Path) -> None:
    settings = settings_for(containers, tmp_path, docker_host=NO_SOCKET)
    result = Actions(settings).stop(containers.name("any"))
    assert result.result == "failed"
    assert result.message.startswith(f"Docker engine unreachable at {NO_SOCKET}: no engine socket")
    assert read_audit(settings.audit_path)[-1]["error"] == result.message


class _Probe(DockerBackend):
    """The real backend, announcing when a stop is under way in the engine."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.stopping = threading.Event()

    def stop(self, ref: str, timeout: int) -> None:
        self.stopping.set()
        super().stop(ref, timeout)


@engine
def test_second_action_while_one_runs(
    containers: ContainerFactory, docker_client: Any, tmp_path: Path
) -> None:
    box = containers.run("busy", STUBBORN)
    settings = settings_for(containers, tmp_path, stop_timeout=3)
    backend = _Probe(settings)
    actions = Actions(settings, backend)
    first: list[ActionResult] = []
    worker = threading.Thread(target=lambda: first.append(actions.stop(box.name)))
    worker.start()
    try:
        assert backend.stopping.wait(10)
        second = actions.restart(box.name)
        assert (second.result, second.message) == ("refused", f"an action is already running on {box.name}")
    finally:
        worker.join(30)
    assert first[0].result == "done"
    wait_for(lambda: engine_state(docker_client, box.name)["Status"] == "exited", 10, "the stop to land")
    assert sorted(line["result"] for line in read_audit(settings.audit_path)) == [
        "done",
        "refused",
        "started",
    ]


class _HungEngine(BaseHTTPRequestHandler):
    """Answers version and inspect like dockerd, then never answers a stop (until released)."""

    release: threading.Event

    def do_GET(self) -> None:
        if self.path.endswith("/version"):
            body: dict[str, Any] = {"ApiVersion": "1.41", "Version": "20.10.24"}
        else:
            state = {"Status": "running", "StartedAt": "2025-01-01T00:00:00Z"}
            body = {"Id": "c" * 64, "Name": f"/{APP}", "State": state, "Config": {"Image": "busybox"}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.release.wait(30)  # a hung engine: accepted, never answered

    def log_message(self, *args: Any) -> None:
        pass

    def address_string(self) -> str:
        return "unix"


@pytest.fixture
def hung_engine(tmp_path: Path) -> Iterator[str]:
    release = threading.Event()
    handler = type("Handler", (_HungEngine,), {"release": release})
    server = socketserver.ThreadingUnixStreamServer(str(tmp_path / "d.sock"), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"unix://{tmp_path / 'd.sock'}"
    release.set()
    server.shutdown()
    server.server_close()


def test_docker_backend_bounds_a_hung_stop(tmp_path: Path, hung_engine: str) -> None:
    settings = Settings(state_dir=tmp_path / "s", docker_host=hung_engine, docker_timeout=1, stop_timeout=1)
    started = time.monotonic()
    result = Actions(settings).stop(APP)
    took = time.monotonic() - started
    assert result.result == "failed" and result.state_before == "running"
    assert "did not confirm within 2s (stop grace 1s + 1s margin)" in result.message
    assert 1.9 < took < 6  # the bound is grace + margin, not forever
    assert [line["result"] for line in read_audit(settings.audit_path)] == ["started", "failed"]


def test_docker_backend_without_an_engine(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "s", docker_host=NO_SOCKET)
    backend = DockerBackend(settings)
    result = Actions(settings, backend).stop(APP)
    assert result.result == "failed"
    assert result.message.startswith(f"Docker engine unreachable at {NO_SOCKET}: no engine socket")
    assert backend.engine == NO_SOCKET
