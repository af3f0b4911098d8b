"""`sutazai-tui demo-backend`: only the simulated backend, on loopback, for trying things against."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    """Serve the simulated backend until Ctrl-C."""
    from sutazai_tui.demo.serve import serve_forever

    return serve_forever(args.host, args.port, args.scenario, args.phase_seconds)
