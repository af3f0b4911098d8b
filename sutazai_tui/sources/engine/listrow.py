"""Whether a container changed since its last inspect, from its row in the engine's list.

Why: inspecting every container every cycle was most of the client CPU at scale. The list row
has the state and a status text such as "Up 5 minutes (healthy)", "Exited (137) 2 hours ago" or
"Restarting (1) 3 seconds ago". Its durations move on their own, so they are not part of the key
(else a young container would be inspected every cycle, and every container once a minute):
the key is the id, the state and the status's parenthesised words (health, exit code). A restart
that lands between two polls leaves those equal, but the duration then says the container started
(or finished) later than the inspect said: `moved` catches that and asks for a new inspect.

Also from the list: which containers are watched (`is_selected`), the OK reason (`summary`), and
`listing`: the first cycle's rows as an early answer for the container table, before any inspect
(names, state, image, health words; docs/architecture.md "The first answers").
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sutazai_tui.models import ContainersStatus, ContainerStats, State
from sutazai_tui.sources.engine.client import DEFAULT_HOST, socket_path
from sutazai_tui.sources.engine.early_list import early_rows
from sutazai_tui.util.clean import clean

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings

# The engine's go-units HumanDuration words, in seconds.
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_UNITS |= {"month": 2_592_000, "year": 31_536_000}
_DURATION = re.compile(
    r"(Less than a second|About an? (\w+)|(\d+) (second|minute|hour|day|week|month|year)s?)"
)
_SLACK_S = 2.0  # the engine rounds; the list and our clock are read a moment apart
_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")
YOUNG_S = 10.0  # a container started this recently is inspected every cycle (a crash loop's attempts are)


def row_key(row: Mapping[str, Any]) -> tuple[str, ...]:
    """What must stay equal for the last inspect to still hold: id, state, the (words) in status."""
    status = str(row.get("Status") or "")
    return (str(row.get("Id")), str(row.get("State")), *re.findall(r"\(([^)]*)\)", status))


def _longest(status: str) -> float | None:
    """The longest time the status's duration ("Up 5 minutes", "2 hours ago") can stand for."""
    m = _DURATION.search(status)
    if m is None:
        return None
    if m.group(1) == "Less than a second":
        return 1.0
    if m.group(2):  # "About a minute" / "About an hour": below two of them
        return 2.0 * _UNITS.get(m.group(2), 0)
    return (int(m.group(3)) + 1) * float(_UNITS[m.group(4)])


def moved(row: Mapping[str, Any], info: Mapping[str, Any], now: datetime) -> bool:
    """Whether the status's duration is shorter than the last inspect allows: it restarted or exited again."""
    longest = _longest(str(row.get("Status") or ""))
    since = info.get("finished_at") if str(row.get("State")) == "exited" else info.get("started_at")
    if longest is None or not isinstance(since, datetime):
        return False
    return (now - since).total_seconds() > longest + _SLACK_S


def young(info: Mapping[str, Any] | None, now: datetime) -> bool:
    """Whether the last inspect says the container started less than YOUNG_S seconds ago."""
    started = info.get("started_at") if info is not None else None
    return isinstance(started, datetime) and (now - started).total_seconds() < YOUNG_S


def is_selected(name: str, labels: Mapping[str, str], prefix: str, wanted: Sequence[str]) -> bool:
    """Whether a container is monitored: its name has the prefix, or it has a wanted label."""
    if prefix and name.startswith(prefix):
        return True
    for spec in wanted:
        key, eq, value = spec.partition("=")
        if key in labels and (not eq or labels[key] == value):
            return True
    return False


def summary(found: Sequence[ContainerStats]) -> str:
    """The OK reason: counts, plus the troubled ones worth seeing in the header."""
    running = sum(c.state == "running" for c in found)
    unhealthy = sum(c.health == "unhealthy" for c in found)
    restarting = sum(c.state == "restarting" or c.looping_since is not None for c in found)
    extra = [(unhealthy, "unhealthy"), (restarting, "in a restart loop")]
    return f"{len(found)} containers, {running} running" + "".join(f", {n} {what}" for n, what in extra if n)


def listed(row: Mapping[str, Any], numbers: Mapping[str, Any] | None = None) -> ContainerStats:
    """One container as its list row says (engine text cleaned), with its counters' fields if
    read: what inspect adds (restarts, times, exit code, env, ports) stays at the defaults."""
    health = _HEALTH.search(str(row.get("Status") or ""))
    created = row.get("Created")
    return ContainerStats(
        name=clean(str((row.get("Names") or [""])[0]).lstrip("/")),
        id=clean(str(row.get("Id", ""))),
        image=clean(str(row.get("Image") or "")),
        image_id=clean(str(row.get("ImageID") or "")),
        state=clean(str(row.get("State") or "unknown")),
        health=health.group(1).removeprefix("health: ") if health else None,
        created_at=datetime.fromtimestamp(created, UTC) if isinstance(created, int) else None,
        **(numbers or {}),
    )


def listing(
    engine: str, rows: Sequence[Mapping[str, Any]], numbers: Mapping[str, Mapping[str, Any]] | None = None
) -> ContainersStatus:
    """The early answer: every listed container, UNKNOWN (not read yet), never a verdict's input."""
    numbers = numbers or {}
    found = sorted((listed(r, numbers.get(str(r.get("Id")))) for r in rows), key=lambda c: c.name)
    return ContainersStatus(
        engine=engine,
        state=State.UNKNOWN,
        reason=f"{len(found)} containers listed; reading each one",
        containers=tuple(found),
        checked_at=datetime.now(UTC),
    )


def early_listing(settings: Settings, wait_s: float) -> ContainersStatus | None:
    """The list asked as the TUI started (early_list.py), as `listing` gives it, if it was asked of
    the engine these settings watch and answered within `wait_s`; else None (containers off,
    another engine, no answer: the caller asks the engine itself)."""
    engine = settings.docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
    rows = early_rows(socket_path(engine), wait_s) if settings.containers else None
    if rows is None:
        return None
    prefix, labels = settings.container_prefix, settings.container_labels
    try:
        return listing(engine, [r for r in rows if is_selected(_name(r), _labels(r), prefix, labels)])
    except (ValueError, TypeError):  # a row the models refuse: the warm-up's own list will say
        return None


def _name(row: Mapping[str, Any]) -> str:
    names = row.get("Names")
    return str(names[0]).lstrip("/") if isinstance(names, list) and names else ""


def _labels(row: Mapping[str, Any]) -> Mapping[str, str]:
    labels = row.get("Labels")
    return labels if isinstance(labels, dict) else {}
