"""A session on the real engine: one engine client for log evidence, logs and inspect, closed at the end."""

from __future__ import annotations

from typing import Any

import pytest

from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.details import DockerDetails
from sutazai_tui.sources.engine.source import DockerSource
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client

pytestmark = [pytest.mark.engine]
__all__ = ["containers", "docker_client"]  # fixtures, used by name


async def test_logs_inspect_and_evidence_share_one_client_and_the_session_closes_it(
    backend: SimulatedBackend, containers: ContainerFactory, docker_client: Any
) -> None:
    box = containers.run("backend", ["sh", "-c", "echo started; sleep 300"])
    settings = settings_for(backend.url, container_prefix=containers.prefix, primary_service="backend")
    monitor = Monitor(settings, containers=DockerSource(prefix=containers.prefix, timeout=10))
    session = Session(settings, monitor)
    try:
        await monitor.cycle()
        assert monitor.logs is not None and isinstance(monitor.logs.reader, DockerDetails)
        details = session.details()
        assert details is monitor.logs.reader  # not a second engine connection
        assert details.inspect(box.name).name.endswith("backend")
        assert details._client is not None
    finally:
        await session.close()
    assert details._client is None  # the engine connection is closed with the session


async def test_a_session_without_log_evidence_closes_the_reader_it_made(
    backend: SimulatedBackend, containers: ContainerFactory, docker_client: Any
) -> None:
    box = containers.run("solo", ["sleep", "300"])
    settings = settings_for(backend.url, container_prefix=containers.prefix, log_evidence=False)
    session = Session(
        settings, Monitor(settings, containers=DockerSource(prefix=containers.prefix, timeout=10))
    )
    details = session.details()
    assert isinstance(details, DockerDetails)
    assert details.inspect(box.name).name.endswith("solo")
    await session.close()
    assert details._client is None
