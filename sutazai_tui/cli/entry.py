"""The `sutazai-tui` console script: parse the command line, run the sub-command it names.

Every operator-facing failure ends here as one line on stderr and exit 2, never a traceback. The
words of the command line live in cli/args.py; each command in its own cli/ module.
"""

from __future__ import annotations

import sys

from sutazai_tui.cli.args import build_parser, demo_scenario_argv, list_scenarios, unknown_scenario
from sutazai_tui.cli.pipe import finish, guard_stdout
from sutazai_tui.config.errors import ConfigError

EXIT_USAGE = 2


def fail(message: str) -> int:
    """One line on stderr, exit 2: the usual refusal of a bad argument or setting."""
    print(f"sutazai-tui: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `sutazai-tui` console script."""
    parser = build_parser()
    words = sys.argv[1:] if argv is None else argv
    if (unknown := unknown_scenario(parser, words)) is not None:
        return fail(f"no demo scenario called {unknown!r}: `sutazai-tui --demo list` names them")
    args = parser.parse_args(demo_scenario_argv(words))
    if getattr(args, "demo_scenario", "incident") == "list":
        return list_scenarios()
    if args.command is not None:  # a command's output cut short (`check | head -1`) keeps its code
        guard_stdout()
    try:
        code: int = args.func(args)
        return finish(code)
    except ConfigError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
