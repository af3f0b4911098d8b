"""`[[targets]]`: several deployments in one config, each watched by its own monitor.

Core module (no textual). `config.Settings.for_target` turns a `TargetConfig` into a whole
`Settings` with `target_update`; the rules of what a target overrides live here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from sutazai_tui.util.redact import mask_url_credentials

# Short and file-name safe: it is a header tab and a suffix of the recording and audit files.
TARGET_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,15}$"


def check_url(value: str) -> str:
    """The URL without its trailing slash; ValueError (one line) when it is not http(s) or carries
    credentials (a password in a URL would reach the screen, recordings and logs with it)."""
    parts = urlsplit(value)
    shown = mask_url_credentials(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{shown!r} is not an http(s) URL; use e.g. http://localhost:10010")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            f"{shown!r} has a user or password in it, which would show wherever the URL does — "
            "remove it and give a bearer token (token / SUTAZAI_TUI_TOKEN, or token_env per target)"
        )
    return value.rstrip("/")


class TargetConfig(BaseModel):
    """One deployment to watch, from `[[targets]]`; unset fields inherit the top-level settings."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=TARGET_NAME)
    """Short unique name (letters, digits, - and _, at most 16): the header tab and file suffix."""
    base_url: str
    """This target's backend URL."""
    docker_host: str | None = None
    """This target's Docker engine; default: the top-level `docker_host`."""
    token_env: str | None = None
    """NAME of the env var holding this target's bearer token (the token never goes in the file)."""
    container_prefix: str | None = None
    """This target's container name prefix; default: the top-level `container_prefix`."""
    containers: bool | None = None
    """Watch this target's containers; default: the top-level `containers`."""

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        return check_url(value)


def unique_target_names(targets: list[TargetConfig]) -> list[TargetConfig]:
    """The targets unchanged; ValueError naming the repeated names."""
    names = [t.name for t in targets]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"target names must be unique; repeated: {', '.join(dupes)}")
    return targets


def target_update(target: TargetConfig, record: Path | None, audit_path: Path) -> dict[str, Any]:
    """The Settings fields a target overrides: URL, token, engine, prefix, recording, audit log."""
    token = os.environ.get(target.token_env) if target.token_env else None  # missing: no token
    if record is not None:  # one file per target: two monitors never append to the same file
        record = record.with_name(f"{record.stem}.{target.name}{record.suffix}")
    update: dict[str, Any] = {
        "base_url": target.base_url,
        # Another target's token must never reach this host: only its own token_env counts.
        "token": SecretStr(token) if token else None,
        "record": record,
        "audit_log": audit_path.with_name(f"audit-{target.name}.jsonl"),
        "targets": [],  # the copy is one deployment
    }
    optional = {
        "docker_host": target.docker_host,
        "container_prefix": target.container_prefix,
        "containers": target.containers,
    }
    update.update({k: v for k, v in optional.items() if v is not None})
    return update
