"""Diagnosis on a real Docker engine: cause each fault in a real container, see its finding.

Each test runs `Monitor.cycle()` with the real `DockerSource` (endpoints off), causes the fault,
and expects the finding in the next cycle; where the fault can be fixed, the cycle after the fix
has it gone. Containers come from `tests.docker_support` (busybox, network none, unique prefix,
removed at teardown), so the settings watch only this test's containers.
"""

from __future__ import annotations

import asyncio
import io
import json
import secrets
import tarfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import Finding
from sutazai_tui.sources.engine.source import DockerSource
from tests.docker_support import TEST_IMAGE, ContainerFactory, containers, docker_client

__all__ = ["containers", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine

SECRET = "hunter2-" + "s" * 40  # an env VALUE: it must never show up in a finding
# Waits until /tmp/go exists, so the test decides when the fault happens (after a clean cycle).
ON_GO = "while [ ! -e /tmp/go ]; do sleep 0.1; done; "


@dataclass
class Rig:
    """A monitor watching only this test's containers, and the factory that makes them."""

    monitor: Monitor
    boxes: ContainerFactory

    @property
    def primary(self) -> str:
        """The container playing sutazai-backend."""
        return self.monitor.settings.primary_service

    async def cycle(self) -> list[Finding]:
        """One real poll cycle, kept in history, then the diagnosis."""
        self.monitor.history.add(await self.monitor.cycle())
        return diagnose(self.monitor.history, self.monitor.settings)


@pytest.fixture
async def rig(containers: ContainerFactory, tmp_path: Path) -> AsyncIterator[Rig]:
    primary = containers.prefix + "backend"
    settings = Settings(
        container_prefix=containers.prefix,
        primary_service=primary,
        required_env={primary: ["SECRET_KEY", "JWT_SECRET"]},
        default_endpoints=False,  # no HTTP: these faults live in the engine
        state_dir=tmp_path / "state",
        interval=1,
    )
    monitor = Monitor(settings, containers=DockerSource.from_settings(settings))
    try:
        yield Rig(monitor, containers)
    finally:
        await monitor.close()


def ids(findings: list[Finding]) -> set[str]:
    """The finding ids, for short assertions."""
    return {f.id for f in findings}


def only(findings: list[Finding], fid: str, subject: str) -> Finding:
    """The one finding with this id about this subject."""
    (found,) = [f for f in findings if f.id == fid and f.subject == subject]
    return found


async def until(check: Callable[[], object], within: float, what: str) -> None:
    """Wait for the engine to reach a state (blocking SDK calls run in a thread)."""
    deadline = time.monotonic() + within
    while not await asyncio.to_thread(check):
        assert time.monotonic() < deadline, f"timed out after {within:g}s waiting for {what}"
        await asyncio.sleep(0.1)  # polling interval of this loop, not a settle delay


def state_of(box: Any) -> dict[str, Any]:
    """The container's State as the engine reports it now."""
    box.reload()
    return dict(box.attrs["State"])


async def test_missing_env_and_name_mismatch(rig: Rig) -> None:
    half = rig.boxes.run("backend", ["sleep", "300"], environment={"JWT_SECRET": SECRET})
    found = await rig.cycle()
    missing = only(found, "missing-env", rig.primary)
    assert "SECRET_KEY" in missing.title and "JWT_SECRET" not in missing.title
    assert "JWT_SECRET_KEY" in only(found, "env-name-mismatch", rig.primary).title
    assert "hunter2" not in json.dumps([f.model_dump(mode="json") for f in found])
    half.remove(force=True)
    full = {"SECRET_KEY": SECRET, "JWT_SECRET": SECRET, "JWT_SECRET_KEY": SECRET}
    rig.boxes.run("backend", ["sleep", "300"], environment=full)
    assert not {"missing-env", "env-name-mismatch"} & ids(await rig.cycle())


async def test_restart_loop(rig: Rig) -> None:
    box = rig.boxes.run("loop", ["sh", "-c", "exit 1"], restart_policy={"Name": "always"})
    name = box.name
    first = await rig.cycle()
    seen = rig.monitor.history.snapshots[-1].container(name)
    assert seen is not None
    # Caught between two attempts before 3 restarts: three more prove a loop (with 3 already, one
    # inspect shows it: RestartCount against its creation, issue 27).
    if seen.state != "restarting" and "restart-loop" not in ids(first):
        await until(
            lambda: box.reload() or box.attrs["RestartCount"] >= seen.restart_count + 3, 60, "3 restarts"
        )
    found = only(await rig.cycle(), "restart-loop", name)
    assert "restart count" in found.evidence
    box.remove(force=True)
    assert "restart-loop" not in ids(await rig.cycle())


async def test_crashed(rig: Rig) -> None:
    box = rig.boxes.run("crash", ["sh", "-c", ON_GO + "exit 3"])
    assert "crashed" not in ids(await rig.cycle())
    box.exec_run(["touch", "/tmp/go"])
    await until(lambda: state_of(box)["Status"] == "exited", 30, "the container to exit")
    found = only(await rig.cycle(), "crashed", box.name)
    assert found.severity == "critical" and "exit code 3" in found.evidence
    box.remove(force=True)
    assert "crashed" not in ids(await rig.cycle())


async def test_oom_killed(rig: Rig, docker_client: Any) -> None:
    if not docker_client.info().get("MemoryLimit", False):
        pytest.skip("this engine cannot limit memory (no memory cgroup), so it cannot OOM-kill")
    # The shell holds 64 MB in a variable under an 8 MB limit without swap: the kernel kills it.
    hog = ON_GO + 'x=$(head -c 64000000 /dev/zero | tr "\\0" a); sleep 100'
    box = rig.boxes.run("hog", ["sh", "-c", hog], mem_limit="8m", memswap_limit="8m")
    assert "oom-killed" not in ids(await rig.cycle())
    box.exec_run(["touch", "/tmp/go"])
    await until(lambda: state_of(box)["Status"] == "exited", 30, "the container to be killed")
    if not state_of(box)["OOMKilled"]:
        pytest.skip(f"the engine did not report an OOM kill here (state {state_of(box)})")
    found = await rig.cycle()
    assert "OOMKilled" in only(found, "oom-killed", box.name).evidence
    assert "crashed" not in ids(found)  # one cause, one finding
    box.remove(force=True)
    assert "oom-killed" not in ids(await rig.cycle())


async def test_unhealthy(rig: Rig) -> None:
    check = {"test": ["CMD-SHELL", "test -e /tmp/ok"], "interval": 200_000_000, "retries": 1}
    box = rig.boxes.run("sick", ["sleep", "300"], healthcheck=check)
    await until(lambda: state_of(box).get("Health", {}).get("Status") == "unhealthy", 30, "unhealthy")
    assert "State.Health" in only(await rig.cycle(), "unhealthy", box.name).fix
    box.exec_run(["touch", "/tmp/ok"])
    await until(lambda: state_of(box)["Health"]["Status"] == "healthy", 30, "healthy again")
    assert "unhealthy" not in ids(await rig.cycle())


def _rebuilt_rootfs(box: Any) -> bytes:
    """The container's filesystem plus one new file: a different image with the same tools."""
    raw = io.BytesIO(b"".join(box.export()))
    with tarfile.open(fileobj=raw, mode="a") as tar:
        marker = secrets.token_hex(8).encode()
        info = tarfile.TarInfo("rebuilt-marker")
        info.size = len(marker)
        tar.addfile(info, io.BytesIO(marker))
    return raw.getvalue()


async def test_stale_image(rig: Rig, docker_client: Any) -> None:
    repo = f"sutazai-test/diag-{secrets.token_hex(4)}"
    tag = f"{repo}:latest"
    docker_client.images.get(TEST_IMAGE).tag(repo, "latest")
    try:
        box = rig.boxes.run("api", ["sleep", "300"], image=tag)
        assert "stale-image" not in ids(await rig.cycle())
        # Rebuild under the same tag, as `docker compose build` does, without recreating the container.
        rootfs = _rebuilt_rootfs(box)
        docker_client.api.import_image_from_data(
            rootfs, repository=repo, tag="latest", changes=["ENV PATH=/bin"]
        )
        found = only(await rig.cycle(), "stale-image", box.name)
        assert tag in found.title and "a restart will not help, it keeps the old image" in found.fix
        assert f"not started by compose: `docker rm -f {box.name}`, then `docker run`" in found.fix
        box.remove(force=True)
        rig.boxes.run("api", ["sleep", "300"], image=tag)  # recreated from the new image
        assert "stale-image" not in ids(await rig.cycle())
    finally:
        rig.boxes.remove_all()  # the image cannot go while a container uses it
        docker_client.images.remove(tag, force=True)
