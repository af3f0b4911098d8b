"""`sutazai-tui audit`: the audit log of actions, readable."""

from __future__ import annotations

import argparse

from sutazai_tui.cli.args import settings_from_args


def run(args: argparse.Namespace) -> int:
    """Print the log (the demo's own log with `--demo`); 0, or 2 for a bad --since or unreadable log."""
    from sutazai_tui.actions.audit import print_audit

    settings = settings_from_args(args)
    demo = getattr(args, "demo", False)
    return print_audit(settings.demo_audit_path if demo else settings.audit_path, since=args.since)
