"""`sutazai-tui config check|show`: are the settings valid, and where does each value come from.

`config check` loads the settings as every command does, plus what the monitor checks at start (the
theme and the keymap), and exits 0, or 2 with the one line naming the problem. `config show` prints
each effective value and where it came from (config/provenance.py), secrets masked. Both print the
config file's path first (docs/deploying.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

# Settings whose flag is not `--<name-with-dashes>`.
FLAG_NAMES = {"containers": "--no-containers"}


def run(args: argparse.Namespace) -> int:
    """`config check` or `config show`, as the parser chose."""
    return run_config_show(args) if args.config_command == "show" else run_config_check(args)


def _config_line(args: argparse.Namespace) -> str:
    from sutazai_tui.config.settings import default_config_path

    given: Path | None = getattr(args, "config", None)
    if given is not None:
        return f"config file: {given}"
    path = default_config_path()
    return f"config file: {path}" + ("" if path.is_file() else " (not found: defaults, env and flags only)")


def run_config_check(args: argparse.Namespace) -> int:
    """Load and validate; 0 and a summary, or a ConfigError for the command line's one line."""
    from sutazai_tui.cli.args import settings_from_args

    print(_config_line(args), flush=True)
    settings = settings_from_args(args)
    _check_theme_and_keymap(settings.theme, settings.keymap)
    targets = f", {len(settings.targets)} target(s)" if settings.targets else ""
    print(f"OK: the settings are valid (backend {_host(settings.base_url)}{targets})")
    return 0


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _check_theme_and_keymap(theme: str | None, keymap: dict[str, str]) -> None:
    # What the monitor refuses at start (tui/app.py), found here without starting it.
    from sutazai_tui.config.errors import ConfigError

    if theme is not None:
        from textual.theme import BUILTIN_THEMES

        if theme not in BUILTIN_THEMES:
            names = ", ".join(sorted(BUILTIN_THEMES))
            raise ConfigError(
                f"invalid setting 'theme' = {theme!r}: not a Textual theme — use one of: {names}"
            )
    if keymap:
        from sutazai_tui.tui.app import SutazaiApp
        from sutazai_tui.tui.keymap import check_keymap

        check_keymap(keymap, SutazaiApp)


def run_config_show(args: argparse.Namespace) -> int:
    """Print every effective value and its source; secrets masked."""
    from sutazai_tui.cli.args import flags_from_args
    from sutazai_tui.config.errors import ConfigError
    from sutazai_tui.config.provenance import explain_settings, format_explained

    flags: dict[str, Any] = flags_from_args(args)
    try:
        explained = explain_settings(getattr(args, "config", None), flags, FLAG_NAMES)
    except ConfigError:
        print(_config_line(args), flush=True)  # which file, before the line saying what is wrong
        raise
    print(format_explained(explained))
    return 0
