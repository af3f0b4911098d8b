"""`sutazai-tui audit [--since T] [--verify]`: the audit log of actions, read back or its chain checked."""

from __future__ import annotations

import argparse

from sutazai_tui.cli.args import settings_from_args


def run(args: argparse.Namespace) -> int:
    """Print the log (the demo's own log with `--demo`); 0, or 2 for a bad --since or unreadable log.
    `--verify`: 0 "N lines, chain intact", 1 naming the first broken line, 2 unreadable."""
    from sutazai_tui.actions.audit import print_audit, verify_audit

    settings = settings_from_args(args)
    path = settings.demo_audit_path if getattr(args, "demo", False) else settings.audit_path
    return verify_audit(path) if args.verify else print_audit(path, since=args.since)
