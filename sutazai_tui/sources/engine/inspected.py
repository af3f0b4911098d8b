"""Small parsers of what the engine says: one container's inspect as ContainerStats fields, env names
and value lengths (never values), engine times, the image tags of one image list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sutazai_tui.sources.probes import published_ports
from sutazai_tui.util.clean import clean, clean_tree


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
    """Every image tag the engine knows and the id it points to now, in one request; engine text
    cleaned here, in the worker (tags too: they are matched against the cleaned inspect image)."""
    found: dict[str, str] = {}
    for image in client.images():
        for tag in image.get("RepoTags") or ():
            found[clean(str(tag))] = clean(str(image.get("Id", "")))
    return found


def full_tag(tag: str) -> str:
    """`repo` as the image list spells it: `repo:latest` when no tag is given."""
    return tag if ":" in tag.rsplit("/", 1)[-1] or "@" in tag else f"{tag}:latest"


def inspect_one(client: Any, cid: str, required: Sequence[str] = ()) -> tuple[dict[str, Any], int | None]:
    """The ContainerStats fields `inspect` gives, cleaned (engine text is cleaned where it enters,
    once per inspect, in the worker), and the pid whose /proc/<pid>/net/dev is its network."""
    raw = client.inspect_container(cid)
    state = raw.get("State") or {}
    # Host networking and none have no container network of their own (the engine reports none).
    own_net = (raw.get("HostConfig") or {}).get("NetworkMode") not in ("host", "none")
    pid = (int(state.get("Pid") or 0) or None) if own_net else None
    return clean_tree(inspect_fields(raw, required)), pid


def inspect_fields(raw: Mapping[str, Any], required: Sequence[str] = ()) -> dict[str, Any]:
    """The ContainerStats fields of an inspect answer. Env values never leave this function."""
    state, config = raw.get("State") or {}, raw.get("Config") or {}
    status = state.get("Status", "unknown")
    return {
        "name": str(raw.get("Name", "")).lstrip("/"),
        "id": raw["Id"],
        "image": config.get("Image", ""),
        "image_id": raw.get("Image", ""),
        "state": status,
        "health": (state.get("Health") or {}).get("Status"),
        "restart_count": int(raw.get("RestartCount") or 0),
        # While it runs, ExitCode is a leftover 0, not an outcome.
        "exit_code": None if status in ("running", "paused", "created") else state.get("ExitCode"),
        "oom_killed": bool(state.get("OOMKilled")),
        "started_at": parse_time(state.get("StartedAt")),
        "finished_at": parse_time(state.get("FinishedAt")),
        "created_at": parse_time(raw.get("Created")),
        "env_names": env_names(config.get("Env")),
        "env_lengths": env_lengths(config.get("Env"), required),
        "labels": dict(config.get("Labels") or {}),
        "ports": published_ports((raw.get("NetworkSettings") or {}).get("Ports")),
    }
