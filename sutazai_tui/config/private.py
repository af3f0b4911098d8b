"""Our own folders — state, runtime (the shared request budget), audit — must be the user's alone.

Like ssh's StrictModes: a folder or file another user owns, or that group or others may write, is
refused with one line naming the path and the fix, and never written into. Another user who can
write there could truncate the audit log, or plant a budget file that blinds every monitor on the
host (docs/security.md). Folders that do not exist yet are fine: they are made 0700 when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from sutazai_tui.config.settings import Settings
from sutazai_tui.util.safefile import unsafe


def runtime_dir(settings: Settings) -> Path:
    """Where files shared by this user's processes live: $XDG_RUNTIME_DIR/sutazai-tui, else the state dir."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return Path(runtime) / "sutazai-tui" if runtime else settings.state_dir


def own_paths(settings: Settings) -> list[tuple[Path, str]]:
    """The folders and files of ours that must be private, with what to call each in a refusal."""
    runtime = runtime_dir(settings)
    audit = settings.audit_path
    return [
        (settings.state_dir, "state folder"),
        (runtime, "runtime folder"),
        (runtime / "budget", "budget folder"),
        (audit.parent, "audit folder"),
        (audit, "audit log"),
    ]


def first_unsafe(settings: Settings) -> str | None:
    """The one-line refusal for the first of our paths that is not the user's alone, else None."""
    for path, what in own_paths(settings):
        if (problem := unsafe(path, what)) is not None:
            return problem
    return None
