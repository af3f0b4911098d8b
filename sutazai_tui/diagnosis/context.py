"""What every detector reads: the snapshots so far, the settings, "now"; plus wording helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import ContainerStats, Finding, Severity, Snapshot

COMPOSE_SERVICE_LABEL = "com.docker.compose.service"


@dataclass(frozen=True)
class Context:
    """One diagnosis run's input. `snapshots` is oldest first and never empty."""

    snapshots: tuple[Snapshot, ...]
    settings: Settings
    now: datetime

    @property
    def latest(self) -> Snapshot:
        """The newest snapshot: a finding describes what holds now, not what held once."""
        return self.snapshots[-1]

    @property
    def containers(self) -> tuple[ContainerStats, ...]:
        """The containers of the newest snapshot (none when containers are off or unknown)."""
        status = self.latest.containers
        return status.containers if status is not None else ()

    @property
    def primary(self) -> str:
        """The primary service's container name (sutazai-backend by default)."""
        return self.settings.primary_service

    def service(self, container: str) -> str:
        """The compose service name for a `docker compose` command line.

        The compose label is the truth when present; otherwise the name without the monitored
        prefix is the convention the deployment follows (sutazai-backend -> backend).
        """
        found = self.latest.container(container)
        label = found.labels.get(COMPOSE_SERVICE_LABEL) if found is not None else None
        if label:
            return label
        prefix = self.settings.container_prefix
        return container.removeprefix(prefix) if prefix and container != prefix else container

    def seconds_since(self, when: datetime) -> float:
        """Seconds from `when` to now; naive times count as UTC (recordings may lack a zone)."""
        return (aware(self.now) - aware(when)).total_seconds()


Detector = Callable[[Context], list[Finding]]


@dataclass(frozen=True)
class Kind:
    """A finding's stable id and usual severity, named once in its detector's module; `about`
    makes one, so a detector writes only what it found: the subject and the words."""

    id: str
    severity: Severity

    def about(
        self, subject: str, *, title: str, evidence: str, fix: str, severity: Severity | None = None
    ) -> Finding:
        """This kind of finding about `subject` (a container or an endpoint name); `severity` only
        where this one is not the kind's usual (a signal stop is a warning, a known case info)."""
        return Finding(
            id=self.id,
            severity=severity or self.severity,
            subject=subject,
            title=title,
            evidence=evidence,
            fix=fix,
        )


def aware(when: datetime) -> datetime:
    """The same instant with a time zone, UTC assumed when it has none."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def clock(when: datetime | None) -> str:
    """A time as it appears in evidence: HH:MM:SS UTC (the engine and the backend log in UTC)."""
    return "an unknown time" if when is None else aware(when).astimezone(UTC).strftime("%H:%M:%S UTC")


def span(seconds: float) -> str:
    """A duration in words for evidence: 0.6 s, 45 s, 330 s, 12 min, 3.5 h."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 600:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def short_id(image_id: str) -> str:
    """An image or container id as `docker ps` shows it: 12 hex digits, no `sha256:`."""
    return image_id.removeprefix("sha256:")[:12] or "?"


def names(items: list[str] | tuple[str, ...]) -> str:
    """`A`, `A and B`, `A, B and C`: names read in a sentence."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
