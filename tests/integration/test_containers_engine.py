"""DockerSource on a real Docker engine: states, stats, selection, secrets, faults, restarts.

Needs scripts/docker-engine.sh start (CI runs it); see tests/docker_support.py for the skip/fail
rule. Containers run from the local busybox image with no network and are removed afterwards.
"""

from __future__ import annotations

import asyncio
import io
import secrets
import socket
import tarfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.models import ContainersStatus, ContainerStats, State, container_state
from sutazai_tui.sources.engine.source import DockerSource
from tests.docker_support import (
    ContainerFactory,
    SecondEngine,
    containers,
    docker_client,
    engine,
    poll_until,
    second_engine,
)

__all__ = ["containers", "docker_client", "second_engine"]  # fixtures, used by name below

BUSY = ["sh", "-c", "while :; do :; done"]
SLEEP = ["sleep", "300"]


@pytest.fixture
async def source(containers: ContainerFactory) -> AsyncIterator[DockerSource]:
    """A source that sees only this test's containers."""
    src = DockerSource(prefix=containers.prefix, timeout=10)
    yield src
    await src.close()


def one(status: ContainersStatus, name: str) -> ContainerStats | None:
    """The container of that name in a status, if listed."""
    return next((c for c in status.containers if c.name == name), None)


@engine
async def test_running_container_has_stats_and_cpu_from_the_second_poll(
    containers: ContainerFactory, source: DockerSource
) -> None:
    c = containers.run("busy", BUSY, nano_cpus=500_000_000, environment={"MODE": "busy"})
    first = await source.poll()
    assert first.state is State.OK, first.reason
    got = first_c = one(first, c.name)
    assert got is not None
    assert (got.state, got.cpu_percent, got.exit_code) == ("running", None, None)
    assert got.image == "sutazai-test/busybox:latest"
    assert got.image_id.startswith("sha256:") and got.tag_image_id == got.image_id
    assert got.mem_used and got.mem_limit and got.mem_percent is not None
    assert got.pids and got.pids >= 1
    assert (got.net_rx, got.net_tx) == (None, None)  # --network none
    assert got.started_at is not None and got.finished_at is None
    assert "MODE" in got.env_names
    assert first.reason.startswith("1 containers, 1 running")

    # CPU % needs a second sample at least half a second after the first.
    second = await poll_until(
        source, lambda s: (one(s, c.name) or first_c).cpu_percent is not None, 10, "CPU %"
    )
    cpu = one(second, c.name).cpu_percent  # type: ignore[union-attr]
    assert cpu is not None and 10 < cpu < 80, cpu  # a busy loop capped at half a CPU


@engine
async def test_poll_leaves_the_event_loop_free(containers: ContainerFactory) -> None:
    # The engine-stats path (the fallback without readable cgroups) waits for the engine's tick.
    source = DockerSource(prefix=containers.prefix, timeout=10, read_cgroups=False)
    containers.run("idle", SLEEP)
    await source.poll()  # the first poll imports the SDK; measure a steady cycle
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    status = await source.poll()
    tick.cancel()
    assert status.state is State.OK
    assert status.duration_ms is not None and status.duration_ms > 200  # it did wait for stats
    await source.close()
    assert max(gaps) < 0.2, f"event loop blocked for {max(gaps):.3f}s"


@engine
async def test_exited_non_zero_reports_the_exit_code(
    containers: ContainerFactory, source: DockerSource
) -> None:
    c = containers.run("exit3", ["sh", "-c", "exit 3"])
    c.wait(timeout=30)
    got = one(await source.poll(), c.name)
    assert got is not None
    assert (got.state, got.exit_code, got.cpu_percent, got.mem_used) == ("exited", 3, None, None)
    assert got.finished_at is not None
    assert container_state(got) is State.DOWN


@engine
async def test_restart_loop_is_seen(containers: ContainerFactory, source: DockerSource) -> None:
    c = containers.run("loop", ["sh", "-c", "exit 1"], restart_policy={"Name": "always"})

    def looping(s: ContainersStatus) -> bool:
        got = one(s, c.name)
        return got is not None and (got.state == "restarting" or got.restart_count >= 2)

    status = await poll_until(source, looping, within=30, what="a restart loop")
    got = one(status, c.name)
    assert got is not None and (got.restart_count >= 1 or got.state == "restarting")


@engine
async def test_failing_healthcheck_goes_unhealthy(containers: ContainerFactory, source: DockerSource) -> None:
    check = {"test": ["CMD", "false"], "interval": 200_000_000, "timeout": 1_000_000_000, "retries": 1}
    c = containers.run("sick", SLEEP, healthcheck=check)

    def unhealthy(s: ContainersStatus) -> bool:
        got = one(s, c.name)
        return got is not None and got.health == "unhealthy"

    status = await poll_until(source, unhealthy, within=30, what="health unhealthy")
    assert container_state(one(status, c.name)) is State.DEGRADED  # type: ignore[arg-type]
    assert "1 unhealthy" in status.reason


@engine
async def test_memory_limit_is_reported(containers: ContainerFactory, source: DockerSource) -> None:
    c = containers.run("capped", SLEEP, mem_limit="48m")
    got = one(await source.poll(), c.name)
    assert got is not None and got.mem_limit == 48 * 1024 * 1024
    assert got.mem_used is not None and got.mem_percent == pytest.approx(got.mem_used / got.mem_limit * 100)


@engine
async def test_container_removed_mid_cycle_is_dropped(
    containers: ContainerFactory, source: DockerSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep, doomed = containers.run("keep", SLEEP), containers.run("doomed", SLEEP)
    listed = source._list

    def list_then_remove(client: Any) -> list[dict[str, Any]]:
        rows = listed(client)
        doomed.remove(force=True)  # gone after the list, before inspect and stats
        return rows

    monkeypatch.setattr(source, "_list", list_then_remove)
    status = await source.poll()
    assert status.state is State.OK, status.reason
    assert [c.name for c in status.containers] == [keep.name]


@engine
async def test_selection_by_prefix_or_label(containers: ContainerFactory) -> None:
    token = secrets.token_hex(3)
    prefixed = containers.create("mine")
    plain = containers.create("", name=f"plain-{token}")
    labelled = containers.create("", name=f"labelled-{token}", labels={"sutazai.test": token})
    src = DockerSource(prefix=containers.prefix, labels=[f"sutazai.test={token}"])
    try:
        status = await src.poll()
    finally:
        await src.close()
    names = {c.name for c in status.containers}
    assert names == {prefixed.name, labelled.name}
    assert plain.name not in names
    assert one(status, labelled.name).labels["sutazai.test"] == token  # type: ignore[union-attr]
    assert status.reason.startswith("2 containers, 0 running")


@engine
async def test_env_values_never_reach_the_status(containers: ContainerFactory, source: DockerSource) -> None:
    env = {"SECRET_KEY": "supersecretvalue123", "JWT_SECRET": "jwtvalue456"}
    c = containers.create("secret", environment=env)
    status = await source.poll()
    got = one(status, c.name)
    assert got is not None and {"SECRET_KEY", "JWT_SECRET"} <= set(got.env_names)
    for text in (status.model_dump_json(), repr(status), str(status.model_dump())):
        assert "supersecretvalue123" not in text and "jwtvalue456" not in text


@engine
async def test_stale_image_when_the_tag_moved(
    containers: ContainerFactory, source: DockerSource, docker_client: Any
) -> None:
    repo = f"sutazai-test/stale{secrets.token_hex(3)}"
    docker_client.images.get("sutazai-test/busybox:latest").tag(repo, "v1")
    new_id = None
    try:
        c = containers.create("stale", image=f"{repo}:v1")
        # "Rebuild": import a different rootfs under the same tag; the container keeps the old one.
        docker_client.api.import_image_from_data(_rootfs_tar(), repository=repo, tag="v1")
        new_id = docker_client.images.get(f"{repo}:v1").id
        got = one(await source.poll(), c.name)
        assert got is not None and got.image == f"{repo}:v1"
        assert got.tag_image_id == new_id and got.tag_image_id != got.image_id
    finally:
        containers.remove_all()
        docker_client.images.remove(new_id or f"{repo}:v1", force=True)


def _rootfs_tar() -> bytes:
    """A one-file rootfs, different on every call."""
    data, buf = secrets.token_hex(8).encode(), io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("marker")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


async def test_missing_socket_is_down_naming_the_address() -> None:
    src = DockerSource(docker_host="unix:///nonexistent.sock", timeout=2)
    started = time.monotonic()
    status = await src.poll()
    await src.close()
    assert time.monotonic() - started < 2
    assert status.state is State.DOWN
    assert status.reason.startswith("Docker engine unreachable at unix:///nonexistent.sock: no engine socket")
    assert "\n" not in status.reason and status.engine == "unix:///nonexistent.sock"


async def test_refused_and_hung_sockets_are_down_with_their_cause(tmp_path: Path) -> None:
    dead, hung = socket.socket(socket.AF_UNIX), socket.socket(socket.AF_UNIX)
    dead.bind(str(tmp_path / "dead.sock"))  # bound, never listening: connections are refused
    hung.bind(str(tmp_path / "hung.sock"))
    hung.listen(8)  # accepts into the backlog and never answers: a hung engine
    try:
        refused = DockerSource(docker_host=f"unix://{tmp_path}/dead.sock", timeout=1)
        silent = DockerSource(docker_host=f"unix://{tmp_path}/hung.sock", timeout=1)
        started = time.monotonic()
        down, stuck = await asyncio.gather(refused.poll(), silent.poll())
        assert time.monotonic() - started < 3
        await asyncio.gather(refused.close(), silent.close())
    finally:
        dead.close()
        hung.close()
    assert down.state is State.DOWN and "connection refused" in down.reason
    assert stuck.state is State.DOWN and "no answer within 1s" in stuck.reason


@engine
async def test_engine_stopped_and_started_again_is_picked_up(second_engine: SecondEngine) -> None:
    src = DockerSource(docker_host=second_engine.host, timeout=3)
    try:
        up = await src.poll()
        assert up.state is State.OK, up.reason
        second_engine.stop()
        down = await src.poll()
        assert down.state is State.DOWN
        assert down.reason.startswith(f"Docker engine unreachable at {second_engine.host}: ")
        second_engine.start()
        again = await src.poll()
        assert again.state is State.OK, again.reason
    finally:
        await src.close()
