"""Choosing the container source and its log reader (the docker SDK is imported only when used)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.engine.base import ContainerSource, Listed

if TYPE_CHECKING:
    from sutazai_tui.sources.engine.details import DockerDetails


def container_source(
    settings: Settings, cpu_window: float = 0.0, connect: bool = False, listed: Listed | None = None
) -> ContainerSource | None:
    """The real engine's source, or None when containers are turned off.

    `cpu_window` > 0: the first cycle samples CPU twice that many seconds apart (one-cycle `check`).
    `connect`: its engine client is made now, blocking, and `listed` gets the engine's list
    (DockerSource.connect; Session.warm_up).
    """
    if not settings.containers:
        return None
    from sutazai_tui.sources.engine.source import DockerSource

    source = DockerSource.from_settings(settings, cpu_window=cpu_window)
    if connect:
        source.connect(listed)
    return source


def log_reader(settings: Settings, source: ContainerSource | None) -> DockerDetails | None:
    """The engine's log reader for a Docker source; None when log evidence is off or the source
    is not the engine (a replay, a test double). The demo gives its Monitor its own (demo/factory.py).
    """
    if source is None or not settings.log_evidence:
        return None
    from sutazai_tui.sources.engine.details import DockerDetails
    from sutazai_tui.sources.engine.source import DockerSource

    if isinstance(source, DockerSource):  # the engine's own reader, on the source's engine
        return DockerDetails(source.docker_host, settings.docker_timeout)
    return None
