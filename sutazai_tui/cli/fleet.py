"""`sutazai-tui fleet`: every deployment the exporters report, read back from Prometheus."""

from __future__ import annotations

import argparse

from sutazai_tui.cli.args import settings_from_args
from sutazai_tui.config.errors import ConfigError


def run(args: argparse.Namespace) -> int:
    """Check the Prometheus URL, then open the fleet screen."""
    from sutazai_tui.config.targets import check_url
    from sutazai_tui.tui.fleet_app import run_fleet

    settings = settings_from_args(args)
    url = args.prometheus or settings.fleet.prometheus_url
    if url is None:
        raise ConfigError("fleet needs Prometheus: --prometheus URL, or [fleet] prometheus_url in the config")
    try:
        url = check_url(url)
    except ValueError as exc:
        raise ConfigError(f"--prometheus: {exc}") from None
    return run_fleet(url, settings)
