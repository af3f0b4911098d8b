"""The command line's words: every sub-command, its arguments, and the function it runs.

Each sub-command says which `cli/` module runs it (`set_defaults(func=command("check"))`); the
module is imported only when that command runs, so `sutazai-tui` with no command pays for none of
them (the monitor's first frame comes first: tui/launch.py). Plain argparse and `set_defaults`: a
dozen sub-commands do not need a framework, and shtab/argparse-manpage read this parser as it is.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sutazai_tui import __version__
from sutazai_tui.config.errors import ConfigError
from sutazai_tui.demo.answers import SCENARIOS

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings

Command = Callable[[argparse.Namespace], int]
# What every time option accepts (util/when.py parses them all alike).
TIMES = "HH:MM[:SS] (today, local), ISO 8601 (2025-08-17T23:10) or an age (90s, 15m, 2h)"


def command(module: str) -> Command:
    """The `run(args)` of `sutazai_tui.cli.<module>`, imported when the command runs."""

    def run(args: argparse.Namespace) -> int:
        runner: Command = importlib.import_module(f"sutazai_tui.cli.{module}").run
        return runner(args)

    run.__qualname__ = f"command({module!r})"
    return run


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
        epilog="Manual: man sutazai-tui (man/sutazai-tui.1). "
        "Completion: sutazai-tui completion bash|zsh|fish. Settings: sutazai-tui config show.",
    )
    parser.add_argument("--version", action="version", version=f"sutazai-tui {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="run against a simulated backend and fleet (no backend needed); `--demo SCENARIO` plays "
        "another scenario than the incident, `--demo list` names them",
    )
    parser.add_argument("--demo-scenario", default="incident", help=argparse.SUPPRESS)
    # Internal: what a `serve` tab runs — the app over the live recording serve's one monitor writes.
    parser.add_argument("--follow", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    parser.set_defaults(func=command("monitor"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser(
        "check", parents=[common], help="one cycle, print, exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN"
    )
    check.set_defaults(func=command("check"))
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
        help="start|stop|restart|recreate|kill a container: exit 0 done / 1 no-op / 2 refused",
    )
    act.set_defaults(func=command("act"))
    act.add_argument("action", choices=("start", "stop", "restart", "recreate", "kill"))
    act.add_argument("name", help="the container, e.g. sutazai-backend")
    act.add_argument(
        "--yes", action="store_true", default=False, help="do not ask (needed without a terminal)"
    )
    act.add_argument(
        "--confirm-name", default=None, metavar="NAME", help="a protected container's name, again"
    )
    act.add_argument("--json", action="store_true", default=False, help="print one JSON document")
    replay = sub.add_parser("replay", help="the TUI over a recording")
    replay.set_defaults(func=command("replay"))
    replay.add_argument("path", type=Path, help="a recording file written with --record (JSON lines)")
    report = sub.add_parser("report", parents=[common], help="markdown incident report from a recording")
    report.set_defaults(func=command("report"))
    report.add_argument("path", type=Path, help="a recording file written with --record (JSON lines)")
    report.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    report.add_argument("--since", default=None, help=f"start time: {TIMES}")
    report.add_argument("--until", default=None, help=f"end time: {TIMES}")
    audit = sub.add_parser("audit", parents=[common], help="print the audit log of actions")
    audit.set_defaults(func=command("audit"))
    audit.add_argument("--since", default=None, help=f"only entries at or after this time: {TIMES}")
    audit.add_argument(
        "--verify", action="store_true", help="check the hash chain: exit 1 naming the first broken line"
    )
    serve = sub.add_parser("serve", parents=[common], help="the monitor in a browser (needs textual-serve)")
    serve.set_defaults(func=command("serve"))
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port on --host (default 8000)")
    serve.add_argument(
        "--allow-remote", action="store_true", default=False, help="allow a non-loopback --host (no login!)"
    )
    serve.add_argument(
        "--allow-actions",
        action="store_true",
        default=False,
        help="let browser tabs act (audited via: serve)",
    )
    serve.add_argument("extra", nargs="*", help="after --: more sutazai-tui arguments (e.g. -- --demo)")
    exporter = sub.add_parser(
        "exporter",
        parents=[common],
        help="serve the last cycle as Prometheus metrics (needs prometheus-client)",
    )
    exporter.set_defaults(func=command("exporter"))
    exporter.add_argument("--listen", default="127.0.0.1:9810", help="HOST:PORT (loopback by default)")
    exporter.add_argument(
        "--allow-remote", action="store_true", default=False, help="allow a non-loopback --listen (no login!)"
    )
    exporter.add_argument("--target", default=None, metavar="NAME", help="the [[targets]] entry to watch")
    exporter.add_argument(
        "--name", default=None, help="the `target` label (default: target name or host:port)"
    )
    heal = sub.add_parser(
        "heal", parents=[common], help="opt-in remediation by policy: dry run unless --apply"
    )
    heal.set_defaults(func=command("heal"))
    mode = heal.add_mutually_exclusive_group()
    mode.add_argument(
        "--dry-run", action="store_true", default=False, help="say what it would do (the default)"
    )
    mode.add_argument("--apply", action="store_true", default=False, help="act (or `[heal] apply = true`)")
    heal.add_argument("--target", default=None, metavar="NAME", help="the [[targets]] entry to heal")
    heal.add_argument(
        "--explain",
        action="store_true",
        default=False,
        help="print the policy: each finding's action and why",
    )
    fleet = sub.add_parser(
        "fleet", parents=[common], help="every deployment the exporters report, read from Prometheus"
    )
    fleet.set_defaults(func=command("fleet"))
    fleet.add_argument("--prometheus", default=None, metavar="URL", help="default: [fleet] prometheus_url")
    demo = sub.add_parser("demo-backend", help="only the simulated backend, for trying things against")
    demo.set_defaults(func=command("demo_backend"))
    demo.add_argument("--port", type=int, default=10010, help="TCP port (default 10010)")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    demo.add_argument("--scenario", default="incident", help="one of: " + ", ".join(SCENARIOS))
    demo.add_argument("--phase-seconds", type=float, default=15.0, help="length of each incident phase")
    config = sub.add_parser("config", help="check the settings, or show each value and where it came from")
    which = config.add_subparsers(dest="config_command", metavar="check|show", required=True)
    for name, about in (
        ("check", "load and validate the settings: exit 0, or 2 with the problem"),
        ("show", "each value and its source: flag, env var, file:line or default"),
    ):
        which.add_parser(name, parents=[common], help=about).set_defaults(func=command("config"))
    completion = sub.add_parser("completion", help="print the completion script for a shell (see the manual)")
    completion.set_defaults(func=command("completion"))
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    return parser


def settings_from_args(args: argparse.Namespace, **extra: Any) -> Settings:
    """Settings with the flags given on the command line on top."""
    from sutazai_tui.config.settings import load_settings

    flags = flags_from_args(args)
    flags.update(extra)
    settings = load_settings(getattr(args, "config", None), **flags)
    from sutazai_tui.config.private import first_unsafe

    if (problem := first_unsafe(settings)) is not None:  # never written into: one line, exit 2
        raise ConfigError(problem)
    return settings


def flags_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the command line gives, by setting name (None: not given)."""
    return {
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


def demo_scenario_argv(argv: list[str]) -> list[str]:
    """`--demo SCENARIO` (or `--demo list`) as `--demo --demo-scenario SCENARIO`: `--demo` stays a
    flag, so `--demo audit` is still the demo's audit log, not a scenario called audit."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        if i > 0 and argv[i - 1] == "--demo" and (arg in SCENARIOS or arg == "list"):
            out += ["--demo-scenario", arg]
        else:
            out.append(arg)
    return out


def unknown_scenario(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """The word after `--demo` when it is neither a scenario nor a command (`--demo incidnet`), so
    the operator hears about scenarios rather than argparse's list of commands."""
    commands: set[str] = set()
    for action in parser._actions:  # argparse keeps its sub-commands only here
        if isinstance(action, argparse._SubParsersAction):
            commands |= set(action.choices)
    known = {*SCENARIOS, "list", *commands}
    for before, word in itertools.pairwise(argv):
        if before == "--demo" and not word.startswith("-") and word not in known:
            return word
    return None


def list_scenarios() -> int:
    """`--demo list`: each scenario and the phases it plays, one a line."""
    for name, phases in SCENARIOS.items():
        print(f"{name:<18} {' → '.join(phases)}")
    return 0
