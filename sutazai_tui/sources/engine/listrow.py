"""Whether a container changed since its last inspect, from its row in the engine's list.

Why: inspecting every container every cycle was most of the client CPU at scale. The list row
has the state and a status text such as "Up 5 minutes (healthy)", "Exited (137) 2 hours ago" or
"Restarting (1) 3 seconds ago". Its durations move on their own, so they are not part of the key
(else a young container would be inspected every cycle, and every container once a minute):
the key is the id, the state and the status's parenthesised words (health, exit code). A restart
that lands between two polls leaves those equal, but the duration then says the container started
(or finished) later than the inspect said: `moved` catches that and asks for a new inspect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

# The engine's go-units HumanDuration words, in seconds.
_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_UNITS |= {"month": 2_592_000, "year": 31_536_000}
_DURATION = re.compile(
    r"(Less than a second|About an? (\w+)|(\d+) (second|minute|hour|day|week|month|year)s?)"
)
_SLACK_S = 2.0  # the engine rounds; the list and our clock are read a moment apart
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
