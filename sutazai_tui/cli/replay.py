"""`sutazai-tui replay PATH`: the monitor's screens over a recording."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Play the recording at `args.path` through the live screens."""
    from sutazai_tui.tui.launch import run_replay

    return run_replay(args.path)
