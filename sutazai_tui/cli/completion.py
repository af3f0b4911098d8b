"""`sutazai-tui completion bash|zsh|fish`: a completion script generated from the parser by shtab.

shtab writes static scripts from whatever `build_parser` returns (cli/args.py): a TAB never starts
Python, and shtab is imported only here, never on the program's start-up path. Installing them:
docs/deploying.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    """Print the completion script for `args.shell`, made from the whole command line."""
    from sutazai_tui.cli.args import build_parser

    sys.stdout.write(completion_script(build_parser(), args.shell))
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
