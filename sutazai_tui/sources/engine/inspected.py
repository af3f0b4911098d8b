"""Small parsers of what the engine says: env names and value lengths (never values), engine
times, the image tags of one image list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any


def env_names(env: Sequence[str] | None) -> tuple[str, ...]:
    """The names of `Config.Env` entries (left of the first '='); values are never kept."""
    return tuple(entry.split("=", 1)[0] for entry in env or ())


def env_lengths(env: Sequence[str] | None, required: Sequence[str]) -> dict[str, int]:
    """Each required variable's value length, never the value (0: set but empty, as `${X}` unset gives)."""
    return {n: len(v) for n, _, v in (e.partition("=") for e in env or ()) if n in set(required)}


def parse_time(value: str | None) -> datetime | None:
    """An engine timestamp (RFC 3339, nanoseconds) in UTC; None for the engine's zero time."""
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except ValueError:
        return None


def image_tags(client: Any) -> dict[str, str]:
    """Every image tag the engine knows and the id it points to now, in one request."""
    found: dict[str, str] = {}
    for image in client.images():
        for tag in image.get("RepoTags") or ():
            found[tag] = str(image.get("Id", ""))
    return found


def full_tag(tag: str) -> str:
    """`repo` as the image list spells it: `repo:latest` when no tag is given."""
    return tag if ":" in tag.rsplit("/", 1)[-1] or "@" in tag else f"{tag}:latest"
