"""One place that builds the test data: snapshots, endpoints, containers and findings.

The clock is T0 (the night of the 2025-08-17 incident) plus seconds; `snapshot` assembles a cycle the
way the monitor does; `run` diagnoses snapshots through a History as the session does; `ids` and
`only` keep assertions on findings short.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
)

T0 = datetime(2025, 8, 17, 23, 15, tzinfo=UTC)
BACKEND = "sutazai-backend"
GOOD_ENV = ("PATH", "SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")
SETTINGS = Settings(containers=False, compose_cli="docker compose")  # what `run` diagnoses with
# The labels compose v2 puts on the seed's backend (docker/ of a checkout in /srv/sutazai).
COMPOSE_LABELS = {
    "com.docker.compose.project": "sutazai",
    "com.docker.compose.service": "backend",
    "com.docker.compose.project.config_files": "/srv/sutazai/docker/docker-compose.yml",
    "com.docker.compose.project.working_dir": "/srv/sutazai/docker",
    "com.docker.compose.oneoff": "False",
}
RECREATE = (
    "`cd /srv/sutazai/docker && docker compose -p sutazai -f /srv/sutazai/docker/docker-compose.yml "
    "up -d --force-recreate --no-deps backend`"
)


def at(seconds: float) -> datetime:
    """The test clock: T0 plus seconds."""
    return T0 + timedelta(seconds=seconds)


def health(seconds: float, failure: str | None = None, **kw: Any) -> EndpointStatus:
    """The /health endpoint as polled at T0+seconds; a failure makes it DOWN."""
    values: dict[str, Any] = {
        "name": "health",
        "url": "http://127.0.0.1:10010/health",
        "kind": EndpointKind.HEALTH,
        "state": State.DOWN if failure else State.OK,
        "reason": failure or "healthy",
        "failure": failure,
        "checked_at": at(seconds),
        "http_code": None if failure else 200,
        "status": None if failure else "healthy",
    }
    values.update(kw)
    return EndpointStatus(**values)


def emergency(seconds: float, code: int) -> EndpointStatus:
    """/health-emergency: 200 in the emergency build, 404 in the normal one."""
    return EndpointStatus(
        name="emergency",
        url="http://127.0.0.1:10010/health-emergency",
        kind=EndpointKind.EMERGENCY,
        state=State.EMERGENCY if code == 200 else State.OK,
        http_code=code,
        checked_at=at(seconds),
        status="emergency" if code == 200 else None,
        message="Backend running in emergency mode - initialization bypassed" if code == 200 else None,
    )


def box(name: str = BACKEND, **kw: Any) -> ContainerStats:
    """A running container with every env name it needs, unless `kw` says otherwise."""
    values: dict[str, Any] = {
        "name": name,
        "id": f"{name}-id",
        "image": f"{name}:latest",
        "image_id": "sha256:" + "a" * 64,
        "tag_image_id": "sha256:" + "a" * 64,
        "state": "running",
        "started_at": T0 - timedelta(hours=1),
        "env_names": GOOD_ENV,
    }
    values.update(kw)
    return ContainerStats(**values)


def snapshot(
    when: float | datetime = 0,
    *endpoints: EndpointStatus,
    containers: Iterable[ContainerStats] | None = None,
    engine: str = "unix:///var/run/docker.sock",
    checked_at: datetime | None = None,
    reason: str = "listed",
    **kw: Any,
) -> Snapshot:
    """One cycle taken at T0+`when` seconds (or at `when`, a datetime).

    `containers=None` means containers off; given, they were listed by `engine` at `checked_at`
    (by default when the cycle was taken).
    Other Snapshot fields (cycle, target, logs, probes…) go in `kw`.
    """
    taken_at = when if isinstance(when, datetime) else at(when)
    status = None
    if containers is not None:
        listed = tuple(containers)
        status = ContainersStatus(
            engine=engine, state=State.OK, reason=reason, containers=listed, checked_at=checked_at or taken_at
        )
    return Snapshot(taken_at=taken_at, endpoints=endpoints, containers=status, **kw)


def run(*snapshots: Snapshot, settings: Settings = SETTINGS) -> list[Finding]:
    """Diagnose after feeding the snapshots to a History, as the monitor does."""
    history = History(size=100)
    for s in snapshots:
        history.add(s)
    return diagnose(history, settings)


def ids(findings: list[Finding]) -> set[str]:
    """The finding ids, for short assertions."""
    return {f.id for f in findings}


def only(findings: list[Finding], fid: str) -> Finding:
    """The one finding with this id (fails when there are none or several)."""
    (found,) = [f for f in findings if f.id == fid]
    return found
