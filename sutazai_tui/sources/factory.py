"""Choosing the container source for a configuration (the docker SDK is imported only when used)."""

from __future__ import annotations

from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.base import ContainerSource


def container_source(settings: Settings) -> ContainerSource | None:
    """The real engine's source, or None when containers are turned off."""
    if not settings.containers:
        return None
    from sutazai_tui.sources.containers import DockerSource

    return DockerSource.from_settings(settings)
