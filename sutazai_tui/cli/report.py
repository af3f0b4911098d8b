"""`sutazai-tui report PATH`: the Markdown incident report written from a recording."""

from __future__ import annotations

import argparse

from sutazai_tui.cli.args import settings_from_args


def run(args: argparse.Namespace) -> int:
    """Markdown to stdout or `--out`; one-line errors, exit 2."""
    from sutazai_tui.records.report import run_report

    return run_report(
        args.path, out=args.out, since=args.since, until=args.until, settings=settings_from_args(args)
    )
