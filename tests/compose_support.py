"""A real compose project on the real engine: the seed incident's three services, in miniature.

`backend` is a busybox script that fails at start exactly as docs/backend.md ("How start-up fails")
says the real one does (missing SECRET_KEY/JWT_SECRET: pydantic's "Field required"; JWT_SECRET
without JWT_SECRET_KEY: "JWT_SECRET_KEY must be set…"), otherwise logs `Backend started in normal
mode` and sleeps.
`redis` and `postgres` are stand-ins with health checks. Every service: `restart: always`,
`env_file: .env`, `network_mode: none` (the test engine runs with --bridge=none), the local test
image (never pulled; the backend's under a test-only tag so a test can "rebuild" it).

Project and containers carry a unique `sutazai-t<hex>` prefix, so parallel tests never collide;
teardown runs `down` and then force-removes anything left by name.
"""

from __future__ import annotations

import contextlib
import io
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docker_support import TEST_IMAGE

SERVICES = ("backend", "redis", "postgres")
GOOD_ENV = {
    "SECRET_KEY": "k" * 40,
    "JWT_SECRET": "j" * 40,
    "JWT_SECRET_KEY": "j" * 40,
}

# Mounted as a file (no compose interpolation); it runs as PID 1 of the container.
BACKEND_SH = r"""
log() { echo "$(date '+%Y-%m-%d %H:%M:%S'),000 - app.main - $1"; }
for name in SECRET_KEY JWT_SECRET; do
  eval "value=\${$name}"
  if [ -z "$value" ]; then
    echo "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings"
    echo "$name"
    echo "  Field required [type=missing, input_value={...}, input_type=dict]"
    exit 1
  fi
done
if [ -z "$JWT_SECRET_KEY" ]; then
  log "ERROR - JWT_SECRET_KEY must be set with a secure value (at least 32 characters)"
  exit 1
fi
log "INFO - Connection pools initialized"
log "INFO - Backend started in normal mode"
trap 'exit 0' TERM
while true; do sleep 1; done
"""

COMPOSE = """\
version: "2.4"
x-common: &common
  restart: always
  env_file: .env
  network_mode: none
  stop_grace_period: 2s
services:
  backend:
    <<: *common
    image: {backend_image}
    container_name: {prefix}backend
    command: ["sh", "/app/backend.sh"]
    volumes: ["./backend.sh:/app/backend.sh:ro"]
    depends_on:
      redis: {{condition: service_healthy}}
      postgres: {{condition: service_healthy}}
  redis:
    <<: *common
    image: {image}
    container_name: {prefix}redis
    command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/ready; while true; do sleep 1; done"]
    healthcheck: {{test: ["CMD", "test", "-e", "/tmp/ready"], interval: 1s, retries: 3}}
  postgres:
    <<: *common
    image: {image}
    container_name: {prefix}postgres
    command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/ready; while true; do sleep 1; done"]
    healthcheck: {{test: ["CMD", "test", "-e", "/tmp/ready"], interval: 1s, retries: 3}}
"""


class ComposeProject:
    """One compose project in its own directory; `up`, `write_env`, `rebuild_backend_image`, `down`."""

    def __init__(self, root: Path, docker_client: Any) -> None:
        self.client = docker_client
        self.tag = secrets.token_hex(3)
        self.project = f"sutazai-t{self.tag}"
        self.prefix = f"{self.project}-"
        self.dir = root / "docker"
        self.dir.mkdir(parents=True)
        self.backend_image = f"sutazai-test/backend-t{self.tag}:latest"
        docker_client.images.get(TEST_IMAGE).tag(self.backend_image)
        (self.dir / "backend.sh").write_text(BACKEND_SH)
        compose = COMPOSE.format(prefix=self.prefix, image=TEST_IMAGE, backend_image=self.backend_image)
        (self.dir / "docker-compose.yml").write_text(compose)
        self.cli = compose_cli()

    def name(self, service: str) -> str:
        """The container name of a service."""
        return self.prefix + service

    def write_env(self, **values: str) -> None:
        """The project's .env (values are test secrets: they must never reach a finding or file)."""
        (self.dir / ".env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))

    def compose(self, *args: str, timeout: float = 120) -> str:
        """Run the compose CLI in the project dir, as an operator would; fail the test on an error."""
        argv = [*self.cli, "-p", self.project, *args]
        done = subprocess.run(
            argv, cwd=self.dir, capture_output=True, text=True, timeout=timeout, check=False
        )
        assert done.returncode == 0, f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-800:]}"
        return done.stdout + done.stderr

    def up(self) -> str:
        """`up -d`: the operator's start, with the labels compose writes."""
        return self.compose("up", "-d")

    def rebuild_backend_image(self) -> str:
        """A new image under the backend's tag (as `compose build` would): a new `docker import`."""
        box = self.client.containers.create(TEST_IMAGE, command="true", network_mode="none")
        try:
            raw = io.BytesIO(b"".join(box.export()))
        finally:
            box.remove(force=True)
        with tarfile.open(fileobj=raw, mode="a") as tar:
            marker = secrets.token_hex(8).encode()
            info = tarfile.TarInfo("rebuilt-marker")
            info.size = len(marker)
            tar.addfile(info, io.BytesIO(marker))
        repo, tag = self.backend_image.rsplit(":", 1)
        self.client.api.import_image_from_data(raw.getvalue(), repository=repo, tag=tag)
        return str(self.client.images.get(self.backend_image).id)

    def down(self) -> None:
        """Remove the project's containers (by compose, then by name), and the backend's images."""
        from docker.errors import DockerException

        with contextlib.suppress(AssertionError, subprocess.SubprocessError, OSError):
            self.compose("down", "--timeout", "1", timeout=60)
        for service in SERVICES:
            with contextlib.suppress(DockerException):
                self.client.containers.get(self.name(service)).remove(force=True)
        with contextlib.suppress(DockerException):
            self.client.images.remove(self.backend_image, force=True)


def compose_cli() -> tuple[str, ...]:
    """The compose CLI on this machine, or skip (fail under SUTAZAI_TUI_REQUIRE_ENGINE=1)."""
    from sutazai_tui.sources.engine.compose_labels import detect_cli
    from tests.docker_support import no_engine

    found = detect_cli()
    if found is None or shutil.which(found[0]) is None:
        no_engine("no compose CLI (apt-get install docker-compose)")
    return found


@pytest.fixture
def compose_project(docker_client: Any, tmp_path: Path) -> Iterator[ComposeProject]:
    """A compose project in tmp_path/docker, torn down after the test."""
    project = ComposeProject(tmp_path, docker_client)
    try:
        yield project
    finally:
        project.down()
