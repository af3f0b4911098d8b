"""Which value each setting has and where it came from: a flag, an env var, a file line or the default.

`explain_settings` loads the settings through the one loader (`load_settings`, so what it shows is
what every command runs with) and then reads the same sources again to say, per setting, which one
won: `flag --interval`, `env SUTAZAI_TUI_INTERVAL`, `config.toml:12` (the one file read, whose
path `Explained.config_path` gives), `default`, or `picked in the UI (<state>/ui.json)` for the
theme (config/uistate.py). Secrets are masked: tokens are never shown, URL passwords neither.
`sutazai-tui config show` prints it (docs/deploying.md).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from sutazai_tui.config.env import is_complex
from sutazai_tui.config.settings import (
    ENV_PREFIX,
    Settings,
    config_path_for,
    default_config_path,
    load_settings,
    redactor_for,
)
from sutazai_tui.config.uistate import picked_theme, ui_state_path
from sutazai_tui.util.redact import MASK, mask_url_credentials

DEFAULT = "default"

# A table header ([fleet], [[endpoints]], [fleet.sub]) or a key (key = …, key.sub = …, "key" = …).
_HEADER = re.compile(r"""^\s*\[\[?\s*(["']?)([A-Za-z0-9_-]+)\1""")
_KEY = re.compile(r"""^\s*(["']?)([A-Za-z0-9_-]+)\1\s*[.=]""")


@dataclass(frozen=True)
class Effective:
    """One setting as the program runs with it."""

    name: str
    value: str
    """Shown as JSON (strings quoted, tables and lists inline), secrets masked."""
    source: str
    """`flag --x`, `env NAME`, `FILENAME:LINE`, `default` or `picked in the UI (FILE)`; a table merged
    from several places names them all, the winner first (`env A over FILE:3`)."""


@dataclass(frozen=True)
class Explained:
    """The settings, the file they were read from and every value with its origin."""

    config_path: Path
    """The file read, or (when `config_found` is false) the default path, where none exists."""
    config_found: bool
    settings: Settings
    values: tuple[Effective, ...]


def toml_lines(text: str) -> dict[str, int]:
    """The first line (1-based) naming each top-level key: `key = …` before any table, or `[key…]`."""
    found: dict[str, int] = {}
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            in_table = True
            found.setdefault(header.group(2), number)
            continue
        key = _KEY.match(line)
        if key and not in_table:
            found.setdefault(key.group(2), number)
    return found


def shown(value: Any) -> Any:
    """A setting's value made printable: secrets masked, paths and enums as text, models as tables."""
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, BaseModel):
        return {name: shown(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, Enum):
        return shown(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, str):
        return mask_url_credentials(value)
    if isinstance(value, dict):
        return {str(k): shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shown(v) for v in value]
    return value


def env_names(field: str, environ: Mapping[str, str]) -> list[str]:
    """The env vars that set `field` (`SUTAZAI_TUI_<FIELD>` and `…__<KEY>` ones), as spelled."""
    name = ENV_PREFIX + field.upper()
    return sorted(k for k in environ if k.upper() == name or k.upper().startswith(name + "__"))


def explain_settings(
    config: Path | None,
    flags: Mapping[str, Any],
    flag_names: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Explained:
    """Every setting's effective value and origin; ConfigError (one line) when the settings are bad.

    `flags` are the command line's values by setting name (None: not given), as `load_settings`
    takes them; `flag_names` spells a flag when it is not `--<name-with-dashes>` (e.g. containers:
    `--no-containers`).
    """
    environ = os.environ if environ is None else environ
    settings = load_settings(config, **flags)
    path = config_path_for(config)
    lines = toml_lines(path.read_text(encoding="utf-8")) if path is not None else {}
    given = {k for k, v in flags.items() if v is not None}
    picked = picked_theme(settings.state_dir, environ)
    redactor = redactor_for(settings)
    values: list[Effective] = []
    for name, info in Settings.model_fields.items():
        value = getattr(settings, name)
        sources = [f"env {env}" for env in env_names(name, environ)]
        if name in lines and path is not None:
            sources.append(f"{path.name}:{lines[name]}")  # one file is read: its path heads the output
        if name in given:
            sources.insert(0, (flag_names or {}).get(name, "--" + name.replace("_", "-")))
            sources[0] = "flag " + sources[0]
        elif name == "theme" and picked is not None:
            value = picked
            sources.insert(0, f"picked in the UI ({ui_state_path(settings.state_dir)})")
        if not is_complex(info.annotation) or name in given:
            sources = sources[:1]  # a plain value or a flag: the first source replaces the rest
        text = redactor.clean_log(json.dumps(shown(value), ensure_ascii=False), limit=100_000)
        values.append(Effective(name, text, " over ".join(sources) or DEFAULT))
    return Explained(
        config_path=path or (config if config is not None else default_config_path()),
        config_found=path is not None,
        settings=settings,
        values=tuple(values),
    )


def format_explained(explained: Explained) -> str:
    """`config show`'s text: the file, then one line per setting (name, source, value)."""
    state = "" if explained.config_found else " (not found: defaults, env and flags only)"
    width = max(len(v.name) for v in explained.values)
    source_width = max(len(v.source) for v in explained.values)
    rows = [f"{v.name:<{width}}  {v.source:<{source_width}}  {v.value}" for v in explained.values]
    header = f"{'SETTING':<{width}}  {'SOURCE':<{source_width}}  VALUE"
    return "\n".join([f"config file: {explained.config_path}{state}", header, *rows])
