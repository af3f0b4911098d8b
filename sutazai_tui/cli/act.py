"""`sutazai-tui act start|stop|restart|recreate|kill NAME`: the TUI's container actions, for scripts.

The same `Actions` policy and audit log as the keys (allow-list, read-only, protected, one action
per container; `via` says "cli act"). A protected container needs `--confirm-name NAME`, the
CLI's way of typing its name. Without `--yes` it asks on a terminal, and refuses without one: a
script must say `--yes` so that it never hangs on a prompt nobody sees.

The container is resolved once (`describe`): the prompt shows its id and the action is made on
that id, refused if the name has moved to another container meanwhile (`expected_id`).

Exit 0 done, 1 nothing done (already so, or declined at the prompt), 2 refused or failed — and 2
whenever an audit line could not be written (nothing is done at all if the `started` line cannot
be); one line each on stdout (stderr for refusals and failures), or one JSON document with `--json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from sutazai_tui.actions.policy import ActionName, ActionResult, Actions, BackendError, ContainerBrief
from sutazai_tui.cli.args import settings_from_args
from sutazai_tui.config.settings import Settings

EXIT = {"done": 0, "noop": 1, "cancelled": 1, "refused": 2, "failed": 2, "started": 2}
VIA = "cli act"


def run_act(
    settings: Settings,
    action: ActionName,
    name: str,
    *,
    yes: bool = False,
    confirm_name: str | None = None,
    as_json: bool = False,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """One action on one container, checked, confirmed and audited; returns the exit code."""
    stdin, out, err = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    actions = Actions(settings)
    try:
        brief: ContainerBrief | None = actions.describe(name, action)
    except BackendError:
        brief = None  # `run` inspects again, and audits the failure in its own words
    if not yes and (brief is None or brief.refusal is None):
        if not (stdin.isatty() and out.isatty()):
            return _print(
                None, f"{action} {name}: refused — no terminal to confirm on; pass --yes", as_json, out, err
            )
        if not _confirmed(action, name, brief, stdin, out):
            cancelled = actions.cancelled(name, action, via=VIA, expected_id=brief.id if brief else None)
            return _print(cancelled, None, as_json, out, err)
    expected = brief.id if brief is not None else None
    result = actions.run(action, name, via=VIA, typed=confirm_name, expected_id=expected)
    if result.result == "refused" and brief is not None and brief.protected and confirm_name != brief.name:
        result = result.model_copy(
            update={"message": f"{brief.name} is protected: pass --confirm-name {name}"}
        )
    return _print(result, None, as_json, out, err)


def _confirmed(action: str, name: str, brief: ContainerBrief | None, stdin: TextIO, out: TextIO) -> bool:
    """Ask on the terminal; only `y`/`yes` goes ahead."""
    what = name if brief is None else f"{brief.name} ({brief.short_id}, {brief.state}, {brief.image})"
    if brief is not None and brief.command:
        out.write(f"will run: {brief.command}\n")
    out.write(f"{action} {what}? [y/N] ")
    out.flush()
    return stdin.readline().strip().lower() in ("y", "yes")


def _print(result: ActionResult | None, refusal: str | None, as_json: bool, out: TextIO, err: TextIO) -> int:
    """One line (or one JSON document) and the exit code."""
    code = 2 if result is None or not result.audited else EXIT[result.result]
    if as_json:
        doc: dict[str, Any] = {"result": "refused", "message": refusal}
        if result is not None:
            doc = result.model_dump(mode="json")
        doc["exit"] = code
        out.write(json.dumps(doc) + "\n")
    elif result is None:
        err.write(f"sutazai-tui: {refusal}\n")
    else:
        (out if code < 2 else err).write(result.summary() + "\n")
    return code


def run(args: argparse.Namespace) -> int:
    """`sutazai-tui act ACTION NAME`: the TUI's actions for scripts, same rules, same audit."""
    return run_act(
        settings_from_args(args),
        args.action,
        args.name,
        yes=args.yes,
        confirm_name=args.confirm_name,
        as_json=args.json,
    )
