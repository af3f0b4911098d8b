"""`sutazai-tui config check|show` and `sutazai-tui completion bash|zsh|fish`.

`config check` loads the settings as every command does, plus what the monitor checks at start (the
theme and the keymap), and exits 0, or 2 with the one line naming the problem. `config show` prints
each effective value and where it came from (config/provenance.py). Both print the config file's
path first. `completion` prints a completion script generated from the parser by shtab
(docs/deploying.md). Importing this module costs nothing: the work is imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")
# Settings whose flag is not `--<name-with-dashes>`.
FLAG_NAMES = {"containers": "--no-containers"}


def add_config_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    root: argparse.ArgumentParser,
) -> None:
    """The `config` and `completion` sub-commands (`root`: the parser completion is made from)."""
    config = sub.add_parser("config", help="check the settings, or show each value and where it came from")
    which = config.add_subparsers(dest="config_command", metavar="check|show", required=True)
    check = which.add_parser(
        "check", parents=[common], help="load and validate the settings: exit 0, or 2 with the problem"
    )
    check.set_defaults(func=run_config_check)
    show = which.add_parser(
        "show", parents=[common], help="each value and its source: flag, env var, file:line or default"
    )
    show.set_defaults(func=run_config_show)
    completion = sub.add_parser(
        "completion", help="print the completion script for a shell (install: see the manual)"
    )
    completion.add_argument("shell", choices=SHELLS)
    completion.set_defaults(func=run_completion, root_parser=root)


def run_config_command(args: argparse.Namespace) -> int:
    """Run `config check|show` or `completion`, whichever the parser chose."""
    code: int = args.func(args)
    return code


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
    from sutazai_tui.config.provenance import explain_settings, format_explained

    flags: dict[str, Any] = flags_from_args(args)
    explained = explain_settings(getattr(args, "config", None), flags, FLAG_NAMES)
    print(format_explained(explained))
    return 0


def run_completion(args: argparse.Namespace) -> int:
    """Print the completion script for `args.shell`."""
    sys.stdout.write(completion_script(args.root_parser, args.shell))
    return 0


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The script shtab generates from `parser`; arguments typed Path complete files (folders: DIR)."""
    import shtab

    for action in _actions(parser):
        if action.type is Path and not hasattr(action, "complete"):
            kind = shtab.DIRECTORY if action.metavar == "DIR" else shtab.FILE
            setattr(action, "complete", kind)  # noqa: B010 (shtab reads this attribute)
    script: str = shtab.complete(parser, shell=shell)
    return script


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    found: list[argparse.Action] = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _actions(child)
    return found
