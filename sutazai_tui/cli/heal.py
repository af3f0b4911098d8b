"""`sutazai-tui heal [--dry-run | --apply]`: opt-in remediation by policy, guarded, audited.

Headless, one deployment per process (`--target NAME` among `[[targets]]`), holding that
deployment's lock so a second heal on the host says who heals and exits 1. A dry run (the
default until `--apply` or `[heal] apply = true`) touches nothing and says, and audits, what it
would have done. Lines go to stdout (what it decided) and stderr (problems), for the journal.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from sutazai_tui.config.errors import ConfigError

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.integrations.heal_policy import Rule
    from sutazai_tui.integrations.heal_run import HealRunner

EXIT_LOCKED = 1
EXIT_USAGE = 2


def heal_settings(settings: Settings, target: str | None) -> tuple[str, Settings]:
    """(name, settings) of the one deployment to heal."""
    from sutazai_tui.cli.check import select_targets

    if target is None and len(settings.targets) > 1:
        names = ", ".join(t.name for t in settings.targets)
        raise ConfigError(f"heal watches one deployment — add --target NAME (one of: {names})")
    chosen = select_targets(settings, [target] if target else None)
    return chosen[0] if chosen else (settings.base_url, settings)


def explain(policy: dict[str, Rule]) -> str:
    """The policy as text: one finding per line, its action and the reason (shipped or configured)."""
    width = max(len(fid) for fid in policy)
    lines = [f"{fid:<{width}}  {rule.action:<7}  {rule.reason}" for fid, rule in policy.items()]
    return "\n".join(lines) + "\n"


def _say(text: str) -> None:
    print(f"{datetime.now().strftime('%H:%M:%S')} heal: {text}", flush=True)


def _problem(text: str) -> None:
    print(f"sutazai-tui: heal: {text}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Heal until SIGINT/SIGTERM; 1 when another heal holds the lock, 2 when it cannot start."""
    from sutazai_tui.cli.args import settings_from_args

    settings = settings_from_args(args)
    from sutazai_tui.integrations.heal_policy import policy_for
    from sutazai_tui.integrations.heal_run import HealRunner
    from sutazai_tui.integrations.heal_status import HealLock, LockHeld, lock_path
    from sutazai_tui.session.session import Session

    name, settings = heal_settings(settings, args.target)
    if args.explain:
        print(explain(policy_for(settings)), end="")
        return 0
    apply = args.apply or (settings.heal.apply and not args.dry_run)
    if apply and settings.read_only:
        raise ConfigError(
            "heal --apply with read_only set: it could not act — drop --read-only or use --dry-run"
        )
    if apply and not settings.containers:
        raise ConfigError("heal --apply needs the containers (drop --no-containers): it acts on them")
    policy = policy_for(settings)
    try:
        lock = HealLock(lock_path(settings)).acquire()
    except LockHeld as exc:
        _problem(str(exc))
        return EXIT_LOCKED
    except OSError as exc:
        _problem(
            f"cannot take the lock {lock_path(settings)}: {exc.strerror or exc} — check [heal] state_dir"
        )
        return EXIT_USAGE
    try:
        restart = ", ".join(fid for fid, rule in policy.items() if rule.action == "restart") or "nothing"
        cfg = settings.heal
        mode = "APPLY: it restarts" if apply else "dry run: nothing is touched (--apply to act)"
        _say(
            f"{name}: {mode}; every {settings.interval:g} s; restart for {restart} "
            f"after {cfg.cycles} cycles, "
            f"≤ {cfg.per_container_hour}/container and ≤ {cfg.per_deployment_hour}/deployment per hour, "
            f"breaker after {cfg.grace:g} s without a clear; everything else pages"
        )
        # hooks=False: heal pages for its own decisions; state changes page from the TUI or Prometheus.
        session = Session(settings, name=name, on_problem=lambda _s, text, _sev: _problem(text), hooks=False)
        runner = HealRunner(session, apply=apply, say=_say)
        asyncio.run(_until_stopped(runner))
    finally:
        lock.release()
    return 0


async def _until_stopped(runner: HealRunner) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(runner.run())
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task
