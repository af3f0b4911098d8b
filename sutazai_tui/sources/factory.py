"""Choosing the container source for a configuration (the docker SDK is imported only when used)."""

from __future__ import annotations

from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.base import ContainerSource


def container_source(settings: Settings, cpu_window: float = 0.0) -> ContainerSource | None:
    """The real engine's source, or None when containers are turned off.

    `cpu_window` > 0: the first cycle samples CPU twice that many seconds apart (one-cycle `check`).
    """
    if not settings.containers:
        return None
    from sutazai_tui.sources.containers import DockerSource

    return DockerSource.from_settings(settings, cpu_window=cpu_window)
