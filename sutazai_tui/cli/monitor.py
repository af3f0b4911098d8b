"""`sutazai-tui [options]` with no sub-command: the monitor itself (or `--demo`)."""

from __future__ import annotations

import argparse
import gc
import os
from urllib.parse import urlsplit

from sutazai_tui.cli.args import settings_from_args


def run(args: argparse.Namespace) -> int:
    """Draw the first frame, then read the settings behind it (tui/launch.py)."""
    gc.disable()  # until the Dashboard is drawn: everything the start makes lives on (tui/launch.py)
    live = not getattr(args, "demo", False) and getattr(args, "follow", None) is None
    if live and not getattr(args, "no_containers", False):
        ask_engine_early(args)
    from sutazai_tui.tui.launch import run_tui

    return run_tui(
        lambda: settings_from_args(args),
        target=boot_target(args),
        demo=getattr(args, "demo", False),
        scenario=getattr(args, "demo_scenario", "incident"),
        config_path=getattr(args, "config", None),
        follow=getattr(args, "follow", None),
    )


def ask_engine_early(args: argparse.Namespace) -> None:
    """Ask the local engine for its container list now, before Textual is imported: it answers
    while we start (sources/engine/early_list.py); used only if the settings name the same engine."""
    from sutazai_tui.sources.engine.client import DEFAULT_HOST, socket_path
    from sutazai_tui.sources.engine.early_list import ask
    from sutazai_tui.util.malloc import lean_malloc

    lean_malloc()  # before the first thread allocates (util/malloc.py)
    env = os.environ.get
    host = getattr(args, "docker_host", None) or env("SUTAZAI_TUI_DOCKER_HOST") or env("DOCKER_HOST")
    ask(socket_path(host or DEFAULT_HOST))


def boot_target(args: argparse.Namespace) -> str:
    """The backend the first frame names, before the settings are read: flag or env, no password."""
    url = getattr(args, "base_url", None) or os.environ.get("SUTAZAI_TUI_BASE_URL", "")
    try:
        parts = urlsplit(url)
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    except ValueError:  # a malformed URL: the settings will say what is wrong with it
        return ""
