"""The command line: `sutazai-tui [options]`, `check`, `act`, `report`, `audit`, `serve`, `exporter`, …

Every operator-facing failure ends here as one line on stderr and exit 2, never a traceback.
Heavy imports (textual, pydantic, docker) happen only in the sub-command that needs them: the
monitor's first frame is drawn before the settings are read (tui/launch.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sutazai_tui import __version__
from sutazai_tui.config.errors import ConfigError
from sutazai_tui.demo.answers import SCENARIOS

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings

EXIT_USAGE = 2


def _common_options() -> argparse.ArgumentParser:
    # SUPPRESS: an option not given stays absent, so a sub-command never overwrites the main one.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--config", type=Path, help="TOML config file (default: $XDG_CONFIG_HOME/sutazai-tui/config.toml)"
    )
    common.add_argument("--base-url", help="backend URL (default http://localhost:10010)")
    common.add_argument("--interval", help="seconds between polls (default 30)")
    common.add_argument("--timeout", help="deadline in seconds per endpoint (default 5)")
    common.add_argument(
        "--container-prefix", help="monitor containers whose name starts with this (default sutazai-)"
    )
    common.add_argument(
        "--docker-host", help="Docker engine address (default DOCKER_HOST or the local socket)"
    )
    common.add_argument("--no-containers", action="store_true", help="do not watch containers")
    common.add_argument("--read-only", action="store_true", help="refuse every container action")
    common.add_argument("--record", type=Path, help="append every snapshot to this JSONL file")
    common.add_argument("--record-max-mb", help="rotate the recording past this size (default 100)")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The whole command line."""
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="sutazai-tui",
        parents=[common],
        description="Terminal monitor for the SutazAI backend and its sutazai-* containers.",
    )
    parser.add_argument("--version", action="version", version=f"sutazai-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="run against a simulated backend and fleet (no backend needed)",
    )
    # Internal: what a `serve` tab runs — the app over the live recording serve's one monitor writes.
    parser.add_argument("--follow", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser(
        "check", parents=[common], help="one cycle, print, exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN"
    )
    check.add_argument("--json", action="store_true", default=False, help="print one JSON document")
    check.add_argument(
        "--target",
        action="append",
        default=None,
        metavar="NAME",
        help="check this [[targets]] entry (repeatable or comma-separated; default: all of them)",
    )
    check.add_argument(
        "--snapshot", type=Path, default=None, metavar="DIR", help="also write a snapshot bundle into DIR"
    )
    check.add_argument(
        "--demo",
        dest="check_demo",
        action="store_true",
        default=False,
        help="one cycle against the simulated backend and fleet (no backend needed)",
    )
    act = sub.add_parser(
        "act",
        parents=[common],
        help="stop|restart|recreate|kill a container: exit 0 done / 1 no-op / 2 refused",
    )
    act.add_argument("action", choices=("stop", "restart", "recreate", "kill"))
    act.add_argument("name", help="the container, e.g. sutazai-backend")
    act.add_argument(
        "--yes", action="store_true", default=False, help="do not ask (needed without a terminal)"
    )
    act.add_argument(
        "--confirm-name", default=None, metavar="NAME", help="a protected container's name, again"
    )
    act.add_argument("--json", action="store_true", default=False, help="print one JSON document")
    replay = sub.add_parser("replay", help="the TUI over a recording")
    replay.add_argument("path", type=Path)
    report = sub.add_parser("report", parents=[common], help="markdown incident report from a recording")
    report.add_argument("path", type=Path)
    report.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    report.add_argument("--since", default=None, help="start time (ISO, e.g. 2025-08-17T23:10)")
    report.add_argument("--until", default=None, help="end time (ISO)")
    audit = sub.add_parser("audit", parents=[common], help="print the audit log of actions")
    audit.add_argument("--since", default=None, help="only entries at or after this time (ISO)")
    serve = sub.add_parser("serve", parents=[common], help="the monitor in a browser (needs textual-serve)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--allow-remote", action="store_true", default=False, help="allow a non-loopback --host (no login!)"
    )
    serve.add_argument("extra", nargs="*", help="after --: more sutazai-tui arguments (e.g. -- --demo)")
    exporter = sub.add_parser(
        "exporter",
        parents=[common],
        help="serve the last cycle as Prometheus metrics (needs prometheus-client)",
    )
    exporter.add_argument("--listen", default="127.0.0.1:9810", help="HOST:PORT (loopback by default)")
    exporter.add_argument(
        "--allow-remote", action="store_true", default=False, help="allow a non-loopback --listen (no login!)"
    )
    exporter.add_argument("--target", default=None, metavar="NAME", help="the [[targets]] entry to watch")
    exporter.add_argument(
        "--name", default=None, help="the `target` label (default: target name or host:port)"
    )
    fleet = sub.add_parser(
        "fleet", parents=[common], help="every deployment the exporters report, read from Prometheus"
    )
    fleet.add_argument("--prometheus", default=None, metavar="URL", help="default: [fleet] prometheus_url")
    demo = sub.add_parser("demo-backend", help="only the simulated backend, for trying things against")
    demo.add_argument("--port", type=int, default=10010)
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    demo.add_argument("--scenario", default="incident", help="one of: " + ", ".join(SCENARIOS))
    demo.add_argument("--phase-seconds", type=float, default=15.0, help="length of each incident phase")
    return parser


def settings_from_args(args: argparse.Namespace, **extra: Any) -> Settings:
    """Settings with the flags given on the command line on top."""
    from sutazai_tui.config.settings import load_settings

    flags: dict[str, Any] = {
        "base_url": getattr(args, "base_url", None),
        "interval": getattr(args, "interval", None),
        "timeout": getattr(args, "timeout", None),
        "container_prefix": getattr(args, "container_prefix", None),
        "docker_host": getattr(args, "docker_host", None),
        "containers": False if getattr(args, "no_containers", False) else None,
        "read_only": True if getattr(args, "read_only", False) else None,
        "record": getattr(args, "record", None),
        "record_max_mb": getattr(args, "record_max_mb", None),
    }
    flags.update(extra)
    return load_settings(getattr(args, "config", None), **flags)


def _fail(message: str) -> int:
    print(f"sutazai-tui: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sutazai-tui` console script."""
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    command = args.command
    if command == "check":
        from sutazai_tui.cli.check import run_checks

        if getattr(args, "demo", False):  # `--demo check` would silently check localhost: say how
            return _fail("--demo before check is not a demo check — use: sutazai-tui check --demo")
        settings = settings_from_args(args)
        if args.check_demo:
            from sutazai_tui.cli.check import run_demo_check

            return asyncio.run(run_demo_check(settings, as_json=args.json, snapshot_dir=args.snapshot))
        return asyncio.run(run_checks(settings, args.target, as_json=args.json, snapshot_dir=args.snapshot))
    if command == "act":
        from sutazai_tui.cli.act import run_act

        return run_act(
            settings_from_args(args),
            args.action,
            args.name,
            yes=args.yes,
            confirm_name=args.confirm_name,
            as_json=args.json,
        )
    if command == "serve":
        from sutazai_tui.cli.serve import run_serve

        return run_serve(args)
    if command == "exporter":
        from sutazai_tui.cli.exporter import run_exporter

        return run_exporter(args, settings_from_args(args))
    if command == "fleet":
        from sutazai_tui.config.targets import check_url
        from sutazai_tui.tui.fleet_app import run_fleet

        settings = settings_from_args(args)
        url = args.prometheus or settings.fleet.prometheus_url
        if url is None:
            raise ConfigError(
                "fleet needs Prometheus: --prometheus URL, or [fleet] prometheus_url in the config"
            )
        try:
            url = check_url(url)
        except ValueError as exc:
            raise ConfigError(f"--prometheus: {exc}") from None
        return run_fleet(url, settings)
    if command == "demo-backend":
        from sutazai_tui.demo.serve import serve_forever

        return serve_forever(args.host, args.port, args.scenario, args.phase_seconds)
    if command == "replay":
        from sutazai_tui.tui.launch import run_replay

        return run_replay(args.path)
    if command == "report":
        from sutazai_tui.records.report import run_report

        return run_report(
            args.path, out=args.out, since=args.since, until=args.until, settings=settings_from_args(args)
        )
    if command == "audit":
        from sutazai_tui.actions.audit import print_audit

        settings = settings_from_args(args)
        demo = getattr(args, "demo", False)
        return print_audit(settings.demo_audit_path if demo else settings.audit_path, since=args.since)
    from sutazai_tui.tui.launch import run_tui

    return run_tui(
        lambda: settings_from_args(args),
        target=boot_target(args),
        demo=getattr(args, "demo", False),
        config_path=getattr(args, "config", None),
        follow=getattr(args, "follow", None),
    )


def boot_target(args: argparse.Namespace) -> str:
    """The backend the first frame names, before the settings are read: flag or env, no password."""
    url = getattr(args, "base_url", None) or os.environ.get("SUTAZAI_TUI_BASE_URL", "")
    try:
        parts = urlsplit(url)
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    except ValueError:  # a malformed URL: the settings will say what is wrong with it
        return ""
