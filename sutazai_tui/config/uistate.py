"""Choices made in the UI that should outlive the run (the theme), kept in the state folder.

The config file is the operator's and is never rewritten: a theme picked in the command palette is
kept in `<state_dir>/ui.json` (0600, its folder 0700) and read back at the next start. Precedence
for the theme: `SUTAZAI_TUI_THEME` > the pick > `theme` in the config file > Textual's default
(docs/deploying.md). The file is our own cache: anything unreadable in it is ignored, never fatal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from sutazai_tui.util.safefile import write_private

UI_STATE_FILE = "ui.json"
THEME_ENV = "SUTAZAI_TUI_THEME"
_MAX_BYTES = 64 * 1024
_KEYS = ("theme",)


def ui_state_path(state_dir: Path) -> Path:
    """Where the UI's remembered choices live."""
    return state_dir / UI_STATE_FILE


def read_ui_state(state_dir: Path) -> dict[str, str]:
    """The remembered choices: known keys with text values only; {} when missing or unreadable."""
    try:
        with ui_state_path(state_dir).open("rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
        data = json.loads(raw) if len(raw) <= _MAX_BYTES else None
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in _KEYS and isinstance(v, str) and 0 < len(v) <= 100}


def remember(state_dir: Path, key: str, value: str) -> Path:
    """Keep one choice (the others stay): written whole to a temporary file, then renamed over."""
    if key not in _KEYS:
        raise ValueError(f"not a remembered UI choice: {key}")
    state = read_ui_state(state_dir) | {key: value}
    path = ui_state_path(state_dir)
    temporary = path.with_name(f".{UI_STATE_FILE}.{os.getpid()}.tmp")
    write_private(temporary, json.dumps(state, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)
    return path


def picked_theme(state_dir: Path, environ: Mapping[str, str]) -> str | None:
    """The theme picked in the UI, unless the environment names one for this run."""
    if any(name.upper() == THEME_ENV for name in environ):
        return None
    return read_ui_state(state_dir).get("theme")
