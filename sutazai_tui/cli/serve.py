"""`sutazai-tui serve`: the same monitor in a browser, through textual-serve (optional extra `serve`).

Every tab is an app process (textual-serve) that follows the one monitor `serve` runs
(serve_poller.py), so tabs cost the backend nothing; the processes end with their tab or with serve
(serve_tabs.py). Only whoever holds the URL `serve` prints gets a tab, from that URL's origin
(serve_gate.py); a tab's action keys are refused (and audited `via: serve`) unless `--allow-actions`.
It listens on loopback unless the operator says `--allow-remote`. See docs/security.md.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import socket
import sys
from typing import Any

from sutazai_tui.cli.args import settings_from_args

# The common options of the main command, forwarded as they were given: (attribute, flag).
_VALUE_FLAGS = [
    ("config", "--config"),
    ("base_url", "--base-url"),
    ("interval", "--interval"),
    ("timeout", "--timeout"),
    ("container_prefix", "--container-prefix"),
    ("docker_host", "--docker-host"),
    ("record", "--record"),
    ("record_max_mb", "--record-max-mb"),
]
_SWITCHES = [("no_containers", "--no-containers"), ("read_only", "--read-only")]


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 addresses."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def remote_refused(host: str, allow_remote: bool, verb: str, what: str, fix: str) -> bool:
    """True (after one line saying why and how) when `host` is not loopback and not allowed."""
    if is_loopback(host):
        return False
    if not allow_remote:
        print(
            f"sutazai-tui: refusing to {verb} on {host}: not a loopback address and {what} has no"
            f" login — {fix}",
            file=sys.stderr,
        )
        return True
    print(f"sutazai-tui: warning: listening on {host} without a login (--allow-remote)", file=sys.stderr)
    return False


def forwarded_argv(args: argparse.Namespace, record: bool = True) -> list[str]:
    """The `sutazai-tui` arguments each browser session runs with: the flags given, then extras."""
    argv: list[str] = []
    for attr, flag in _VALUE_FLAGS:
        value: Any = getattr(args, attr, None)
        if not record and attr.startswith("record"):
            continue  # serve records; a tab following it must not write a recording of its own
        if value is not None:
            argv += [flag, str(value)]
    argv += [flag for attr, flag in _SWITCHES if getattr(args, attr, False)]
    return argv + list(getattr(args, "extra", []) or [])


def run(args: argparse.Namespace) -> int:
    """Serve the monitor over HTTP until interrupted; 2 with one line when it cannot."""
    host, port = args.host, args.port
    fix = "use --host 127.0.0.1, or --allow-remote behind an authenticating proxy"
    if remote_refused(host, args.allow_remote, "serve", "the page", fix):
        return 2
    try:
        from sutazai_tui.cli.serve_tabs import TabServer
    except ImportError:
        print("sutazai-tui: serve needs textual-serve — pip install 'sutazai-tui[serve]'", file=sys.stderr)
        return 2
    from sutazai_tui.cli.serve_poller import SharedPoller

    if (busy := port_taken(host, port)) is not None:  # before anything is started or written
        print(
            f"sutazai-tui: cannot serve on {host}:{port}: {busy} — pick another with --port", file=sys.stderr
        )
        return 2
    # One monitor for every tab (issue 15): serve polls and records, each tab follows the recording.
    # A demo tab plays its own simulated backend, which no budget protects: it keeps its own loop.
    poller = (
        None if "--demo" in (getattr(args, "extra", None) or []) else SharedPoller(settings_from_args(args))
    )
    argv = [sys.executable, "-m", "sutazai_tui", *forwarded_argv(args, record=poller is None)]
    if poller is not None:
        argv += ["--follow", str(poller.path)]
    allow = bool(getattr(args, "allow_actions", False))
    server = TabServer(argv, poller=poller, allow_actions=allow, host=host, port=port, title="sutazai-tui")
    acting = "tabs may act (--allow-actions)" if allow else "read-only: tabs may not act"
    print(f"sutazai-tui: serving on {server.gate.url} ({acting}; ctrl+c stops)", file=sys.stderr, flush=True)
    server.serve()
    return 0


def port_taken(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (e.g. "port in use"), or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            return "port in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc)).lower()
    return None
