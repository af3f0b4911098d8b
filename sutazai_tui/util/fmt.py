"""Numbers as people read them: bytes, durations, percentages, local times. Shared by every view."""

from __future__ import annotations

from datetime import UTC, datetime

DASH = "—"


def size(value: int | float | None) -> str:
    """Bytes in binary units: 512B, 1.5K, 2.0G."""
    if value is None:
        return DASH
    amount = float(value)
    for unit in ("B", "K", "M", "G", "T"):
        if abs(amount) < 1024 or unit == "T":
            return f"{amount:.0f}{unit}" if unit == "B" else f"{amount:.1f}{unit}"
        amount /= 1024
    return f"{amount:.1f}T"


def percent(value: float | None) -> str:
    """A percentage with one decimal, or a dash when unknown."""
    return DASH if value is None else f"{value:.1f}%"


def duration(seconds: float | None) -> str:
    """A compact duration: 45s, 12m, 3h05m, 2d4h."""
    if seconds is None or seconds < 0:
        return DASH
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"


def millis(value: float | None) -> str:
    """A latency: 12 ms, 1.40 s."""
    if value is None:
        return DASH
    return f"{value:.0f} ms" if value < 1000 else f"{value / 1000:.2f} s"


def since(when: datetime | None, now: datetime | None = None) -> str:
    """How long ago (or how long up), as a compact duration."""
    if when is None:
        return DASH
    now = now or datetime.now(UTC)
    return duration((now - when).total_seconds())


def local_time(when: datetime | None) -> str:
    """HH:MM:SS in the operator's local time zone."""
    return DASH if when is None else when.astimezone().strftime("%H:%M:%S")
