"""One time format wherever a time is typed: `HH:MM[:SS]`, ISO 8601, or an age (docs/operating.md).

Replay's `t`, `report --since/--until` and `audit --since` all read times here, so an operator
types the same thing everywhere. An age (`90s`, `15m`, `2h`, `1d`) counts back from `now`; a time
of day falls on the day `window` holds it (a recording), else today, or yesterday if today's is
still to come; an ISO time without a zone is local, or UTC where that was always the rule.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

HINT = "give HH:MM[:SS], an ISO time like 2025-08-17T23:10, or an age like 15m or 2h"
_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_when(
    text: str,
    now: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    naive_utc: bool = False,
) -> datetime:
    """The aware datetime `text` means; ValueError with a one-line message naming the forms."""
    typed = text.strip()
    now = now or (window[1] if window else datetime.now(UTC))
    age = _AGE.match(typed)
    if age:
        return now - timedelta(seconds=float(age[1]) * _UNIT_S[age[2]])
    clock = _CLOCK.match(typed)
    if clock:
        return _time_of_day(typed, clock, now, window)
    try:
        when = datetime.fromisoformat(typed)
    except ValueError:
        raise ValueError(f"{text!r} is not a time: {HINT}") from None
    if when.tzinfo is not None:
        return when
    return when.replace(tzinfo=UTC) if naive_utc else when.astimezone()


def _time_of_day(
    typed: str, clock: re.Match[str], now: datetime, window: tuple[datetime, datetime] | None
) -> datetime:
    hour, minute, second = (int(g) if g else 0 for g in clock.groups())
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{typed!r} is not a time of day: give HH:MM or HH:MM:SS")
    at = time(hour, minute, second)
    if window is not None:  # a recording: the first of its days on which that time falls inside it
        start, end = window[0].astimezone(), window[1].astimezone()
        days = [date.fromordinal(d) for d in range(start.toordinal(), end.toordinal() + 1)]
        moments = [datetime.combine(d, at).astimezone() for d in days]
        return next((m for m in moments if start <= m <= end), moments[0])
    local_now = now.astimezone()
    today = datetime.combine(local_now.date(), at).astimezone()
    return today if today <= local_now else today - timedelta(days=1)
