"""The manual page, generated from the argument parser by argparse-manpage (the test extra).

`scripts/manpage.py` writes `man/sutazai-tui.1` with `render_manpage(build_parser(), date)`; a test
renders it again and compares, so a flag added to the parser without regenerating the page fails.
Only the parser and the few sections below go into it; the operating guide is docs/deploying.md.
"""

from __future__ import annotations

import argparse
import functools
import re

from sutazai_tui import __version__

_TH_DATE = re.compile(r'^\.TH \S+ "\d+" "([^"]*)"', re.MULTILINE)

# Sections the parser cannot say (roff; '\-' is a hyphen that stays one in copy-paste).
SECTIONS = {
    "comments": """\
Completion: \\fBsutazai\\-tui completion bash|zsh|fish\\fR prints a script generated from this parser,
e.g. \\fBsutazai\\-tui completion bash > ~/.local/share/bash\\-completion/completions/sutazai\\-tui\\fR.
Settings: \\fBsutazai\\-tui config check\\fR validates them, \\fBsutazai\\-tui config show\\fR prints each
value and where it came from (flag, env var, file:line, default), secrets masked.""",
    "environment": """\
.TP
.B SUTAZAI_TUI_<SETTING>
Any setting by its upper\\-case name, e.g. SUTAZAI_TUI_TOKEN, SUTAZAI_TUI_INTERVAL; lists and tables
as JSON; SUTAZAI_TUI_<SETTING>__<KEY> sets one key of a table. Flags win over the environment,
the environment over the config file, the file over the defaults.
.TP
.B XDG_CONFIG_HOME, XDG_STATE_HOME
Where the config file and the state folder are (defaults ~/.config, ~/.local/state).
.TP
.B DOCKER_HOST
The Docker engine, unless docker_host is set.""",
    "files": """\
.TP
.I $XDG_CONFIG_HOME/sutazai\\-tui/config.toml
The config file (TOML; \\-\\-config FILE instead). Never rewritten by the program. Every setting,
at its default, is in examples/config.toml of the source.
.TP
.I $XDG_STATE_HOME/sutazai\\-tui/
Recordings, snapshot bundles, the audit log (audit.jsonl) and UI choices such as the theme
picked in the palette (ui.json); folders 0700, files 0600.""",
    "exit status": """\
0 OK, or done; 1 WARNING (check) or nothing to do (act); 2 CRITICAL (check), refused (act) or a
bad setting or argument, with one line on stderr naming it and the fix; 3 UNKNOWN (check).""",
    "see also": """\
docs/deploying.md (example config, completion, systemd units, compose), docs/operating.md.""",
}


def render_manpage(parser: argparse.ArgumentParser, date: str) -> str:
    """The page in roff, dated `date` (kept from the committed page while the parser is unchanged)."""
    from argparse_manpage.manpage import Manpage

    _fixed_width(parser)
    page = Manpage(parser)
    page.date = date
    page.source = f"sutazai-tui {__version__}"
    page.manual = "sutazai-tui manual"
    page.description = "terminal monitor for the SutazAI backend and its containers"
    for heading, content in SECTIONS.items():
        page.add_section(heading, "=", content)
    text: str = str(page)
    return text


def page_date(page: str) -> str | None:
    """The date in a page's .TH line."""
    match = _TH_DATE.search(page)
    return match.group(1).replace("\\-", "-") if match else None


def _fixed_width(parser: argparse.ArgumentParser, width: int = 80) -> None:
    # argparse wraps usage lines to the terminal's width: the page must not depend on it.
    parser.formatter_class = functools.partial(parser.formatter_class, width=width)  # type: ignore[call-arg]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _fixed_width(child, width)
