"""`sutazai-tui exporter`: argument checks and start-up of the Prometheus exporter (extra `exporter`).

`/metrics` has no login, like `serve`: it listens on loopback unless the operator says
`--allow-remote` (then put it behind a proxy or a firewall that only lets Prometheus in).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sutazai_tui.cli.args import settings_from_args
from sutazai_tui.cli.check import select_targets
from sutazai_tui.cli.serve import remote_refused
from sutazai_tui.config.settings import ConfigError, Settings

DEFAULT_LISTEN = "127.0.0.1:9810"


def parse_listen(text: str) -> tuple[str, int]:
    """`host:port` (or `[v6]:port`) -> (host, port); ConfigError naming the fix otherwise."""
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"--listen {text!r} is not HOST:PORT — e.g. --listen {DEFAULT_LISTEN}")
    return host, int(port)


def exporter_settings(settings: Settings, target: str | None) -> tuple[str | None, Settings]:
    """(target name, settings) for one exporter: one [[targets]] entry, or the main settings."""
    if target is None and len(settings.targets) > 1:
        names = ", ".join(t.name for t in settings.targets)
        raise ConfigError(f"the exporter watches one target — add --target NAME (one of: {names})")
    chosen = select_targets(settings, [target] if target else None)
    return chosen[0] if chosen else (None, settings)


def run(args: argparse.Namespace) -> int:
    """Poll and serve until interrupted; 2 with one line when it cannot start."""
    settings = settings_from_args(args)
    host, port = parse_listen(args.listen)
    fix = "use --listen 127.0.0.1:PORT, or --allow-remote behind a firewall or proxy"
    if remote_refused(host, args.allow_remote, "export", "/metrics", fix):
        return 2
    try:
        from sutazai_tui.integrations.exporter import (
            Exporter,
            MetricsServer,
            default_target_name,
            serve_until_stopped,
        )
    except ImportError:
        print(
            "sutazai-tui: exporter needs prometheus-client — pip install 'sutazai-tui[exporter]'",
            file=sys.stderr,
        )
        return 2
    name, settings = exporter_settings(settings, args.target)
    label = args.name or name or default_target_name(settings.base_url)
    exporter = Exporter(
        settings, label, on_problem=lambda text: print(f"sutazai-tui: {text}", file=sys.stderr)
    )
    try:
        server = MetricsServer(exporter, host, port)
    except OSError as exc:
        print(
            f"sutazai-tui: cannot listen on {host}:{port}: {exc.strerror} — choose another --listen",
            file=sys.stderr,
        )
        return 2
    print(
        f"sutazai-tui: exporting {label} on http://{host}:{server.port}/metrics"
        f" (polling every {settings.interval:g} s; ctrl+c stops)",
        file=sys.stderr,
        flush=True,
    )
    asyncio.run(serve_until_stopped(exporter, server))
    return 0
