"""Helpers and fixtures for tests that run on a real Docker engine.

Use them with `from tests.docker_support import ...` and mark the tests `@pytest.mark.engine`.
Without an engine those tests skip with the reason; with SUTAZAI_TUI_REQUIRE_ENGINE=1 (CI) a
missing engine fails them instead, so a broken CI engine cannot pass as "all skipped".
Containers are made from the local image sutazai-test/busybox:latest (scripts/docker-engine.sh
image; never pulled), always with `network_mode="none"`, and removed at teardown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import pytest

from sutazai_tui.models import ContainersStatus
from sutazai_tui.sources.engine.base import ContainerSource

TEST_IMAGE = "sutazai-test/busybox:latest"
REQUIRE_ENV = "SUTAZAI_TUI_REQUIRE_ENGINE"
ENGINE_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "docker-engine.sh"
_T = TypeVar("_T")

engine = pytest.mark.engine


def no_engine(reason: str) -> NoReturn:
    """Skip the test for want of an engine, or fail it when the run requires one (CI)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1: an engine is required)", pytrace=False)
    pytest.skip(reason)


def wait_for(check: Callable[[], _T | None], timeout: float, what: str, every: float = 0.1) -> _T:
    """Call `check` until it returns something truthy, and return that; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(every)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[Any]:
    """A docker SDK client on the default engine with the test image present, or skip/fail."""
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        client = docker.from_env(timeout=15)
        client.ping()
    except DockerException as exc:
        no_engine(f"no Docker engine answers ({exc}); run scripts/docker-engine.sh start")
    try:
        client.images.get(TEST_IMAGE)
    except ImageNotFound:
        # Cheap and local (docker import of busybox-static), so build it rather than skip.
        subprocess.run([str(ENGINE_SCRIPT), "image"], check=False, timeout=120)
    try:
        client.images.get(TEST_IMAGE)
    except ImageNotFound:
        no_engine(f"test image {TEST_IMAGE} missing; run scripts/docker-engine.sh image")
    yield client
    client.close()


class ContainerFactory:
    """Makes uniquely named test containers and removes exactly those at teardown."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.prefix = f"sutazai-t{secrets.token_hex(3)}-"
        self.made: list[str] = []

    def name(self, suffix: str) -> str:
        """The full name a container with this suffix gets (registered for cleanup)."""
        full = self.prefix + suffix
        self.made.append(full)
        return full

    def run(self, suffix: str, command: list[str] | str, **kwargs: Any) -> Any:
        """Start a container from the test image, detached, without a network, its log capped."""
        kwargs.setdefault("image", TEST_IMAGE)
        kwargs.setdefault("log_config", _capped_log())
        kwargs["name"] = self.adopt(kwargs["name"]) if "name" in kwargs else self.name(suffix)
        return self.client.containers.run(command=command, network_mode="none", detach=True, **kwargs)

    def create(self, suffix: str, command: list[str] | str = "true", **kwargs: Any) -> Any:
        """Create (not start) a container; cheap, and enough to test listing and inspect."""
        kwargs.setdefault("image", TEST_IMAGE)
        kwargs.setdefault("log_config", _capped_log())
        kwargs["name"] = self.adopt(kwargs["name"]) if "name" in kwargs else self.name(suffix)
        return self.client.containers.create(command=command, network_mode="none", **kwargs)

    def adopt(self, full_name: str) -> str:
        """Register a name given in full (e.g. one without the prefix) for cleanup; return it."""
        self.made.append(full_name)
        return full_name

    def remove_all(self) -> None:
        """Force-remove every container this factory named (gone already is fine)."""
        from docker.errors import NotFound

        for name in self.made:
            with contextlib.suppress(NotFound):
                self.client.containers.get(name).remove(force=True)


async def poll_until(
    source: ContainerSource, check: Callable[[ContainersStatus], object], within: float, what: str
) -> ContainersStatus:
    """Poll until `check(status)` holds and return that status; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        status = await source.poll()
        if check(status):
            return status
        if time.monotonic() > deadline:
            seen = [(c.name, c.state, c.health, c.restart_count) for c in status.containers]
            raise AssertionError(f"timed out after {within:g}s waiting for {what}; last: {seen}")
        await asyncio.sleep(0.1)  # a polling interval, not a settle delay


@pytest.fixture
def containers(docker_client: Any) -> Iterator[ContainerFactory]:
    """A ContainerFactory whose containers are force-removed after the test."""
    factory = ContainerFactory(docker_client)
    try:
        yield factory
    finally:
        factory.remove_all()


def _capped_log() -> Any:
    """A json-file log of at most 1 MB: a chatty test container once wrote 30 GB in 22 minutes."""
    from docker.types import LogConfig

    return LogConfig(type="json-file", config={"max-size": "1m", "max-file": "1"})


class SecondEngine:
    """A second dockerd on its own socket and data root, to stop and start under a test."""

    def __init__(self) -> None:
        # Short paths: containerd's socket lives under exec-root and unix paths max out at 108.
        self.root = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))
        self.host = f"unix://{self.root}/docker.sock"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        """Start dockerd and wait until it answers."""
        import docker
        from docker.errors import DockerException

        r = self.root
        cmd = ["dockerd", "--host", self.host, "--data-root", f"{r}/root", "--exec-root", f"{r}/x"]
        cmd += ["--pidfile", f"{r}/pid", "--bridge=none", "--iptables=false", "--ip-masq=false"]
        cmd += ["--storage-driver=vfs"]
        log = (r / "dockerd.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)

        def answers() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                tail = (r / "dockerd.log").read_text(errors="replace")[-800:]
                raise AssertionError(f"second dockerd exited {self.proc.returncode}: {tail}")
            try:
                with docker.APIClient(base_url=self.host, timeout=2) as api:
                    return bool(api.ping())
            except DockerException:
                return False

        wait_for(answers, timeout, "the second dockerd to answer", every=0.2)

    def stop(self) -> None:
        """Stop the dockerd we started, by its pid, and wait for it to go."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def destroy(self) -> None:
        """Stop it and delete its data root."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def second_engine(docker_client: Any) -> Iterator[SecondEngine]:
    """A running second dockerd (root only); skipped with the reason where it cannot start."""
    if os.geteuid() != 0 or shutil.which("dockerd") is None:
        pytest.skip("a second dockerd needs root and the dockerd binary")
    eng = SecondEngine()
    try:
        eng.start()
    except AssertionError as exc:
        eng.destroy()
        pytest.skip(f"cannot run a second dockerd here: {exc}")
    try:
        yield eng
    finally:
        eng.destroy()
