"""The command line: entry point and the headless subcommands."""

from sutazai_tui.cli.entry import main

__all__ = ["main"]
