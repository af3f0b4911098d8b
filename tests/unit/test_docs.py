"""The README and docs/ stay true to the repository: links resolve, shown commands parse.

Every relative link (and `#anchor`) in README.md and docs/*.md must name a file or folder of this
repository; every `sutazai-tui …` line in a fenced block must be accepted by the real argument
parser. No file of ours may cite the planning notes that never were in the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from sutazai_tui.cli.args import build_parser, demo_scenario_argv

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~)")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_INLINE_CODE = re.compile(r"`[^`]*`")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SHELL_BREAKS = frozenset({"|", "||", "&&", ";", "&"})
_REDIRECTS = frozenset({">", ">>", "<", "2>", "2>&1"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def split_fences(text: str) -> tuple[list[str], list[str]]:
    """(prose lines, lines inside fenced blocks); a fence's own lines belong to neither."""
    prose: list[str] = []
    fenced: list[str] = []
    inside = False
    for line in text.splitlines():
        if _FENCE.match(line.lstrip()):
            inside = not inside
            continue
        (fenced if inside else prose).append(line)
    return prose, fenced


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a markdown file, duplicates numbered as GitHub numbers them."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in split_fences(path.read_text())[0]:
        if (m := _HEADING.match(line)) is None:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(path: Path) -> Iterator[str]:
    """Link targets in prose (code spans and fenced blocks are not links)."""
    for line in split_fences(path.read_text())[0]:
        yield from _LINK.findall(_INLINE_CODE.sub("", line))


def broken_link(source: Path, target: str) -> str | None:
    """Why a link from `source` does not resolve, or None when it does (web links are not checked)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
        return None
    name, _, anchor = target.partition("#")
    where = (source.parent / name).resolve() if name else source
    if not where.is_relative_to(ROOT):
        return f"{target}: points outside the repository"
    if not where.exists():
        return f"{target}: no such file"
    if anchor and (where.suffix != ".md" or anchor not in anchors(where)):
        return f"{target}: no heading with anchor #{anchor} in {where.relative_to(ROOT)}"
    return None


def command_lines(text: str) -> Iterator[list[str]]:
    """The arguments of each `sutazai-tui` command in the fenced blocks (shell syntax, comments dropped)."""
    fenced = split_fences(text)[1]
    joined: list[str] = []
    for line in fenced:  # a trailing backslash continues the line
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line.strip()
        else:
            joined.append(line)
    for line in joined:
        if "sutazai-tui" not in line or line.lstrip().startswith("#"):
            continue
        lexer = shlex.shlex(line.lstrip().removeprefix("$ "), posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token not in _SHELL_BREAKS:
                command.append(token)
                continue
            while command and _ASSIGNMENT.match(command[0]):
                command.pop(0)  # VAR=value before the command
            if command and command[0] == "sutazai-tui":
                cut = next((i for i, t in enumerate(command) if t in _REDIRECTS), len(command))
                yield command[1:cut]
            command = []


def parse_failure(parser: argparse.ArgumentParser, argv: list[str]) -> str | None:
    """argparse's complaint about `argv`, or None when it parses (`--help`/`--version` parse too).

    The line goes through `demo_scenario_argv` first, as the real entry point does it."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            parser.parse_args(demo_scenario_argv(argv))
    except SystemExit as exc:
        if exc.code not in (0, None):
            return err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else f"exit {exc.code}"
    return None


def test_the_docs_exist_and_the_readme_is_short() -> None:
    names = {p.name for p in DOCS}
    assert {"architecture.md", "backend.md", "operating.md"} <= names
    assert len((ROOT / "README.md").read_text().splitlines()) <= 250


MAX_CELL_WORDS = 60  # a table cell is a glance, not a paragraph (the old README had 100-word cells)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_no_table_cell_is_a_paragraph(doc: Path) -> None:
    cells = [
        cell.strip()
        for line in split_fences(doc.read_text())[0]
        if line.startswith("|")
        for cell in line.strip().strip("|").split("|")
    ]
    long = [f"{len(c.split())} words: {c[:60]}…" for c in cells if len(c.split()) > MAX_CELL_WORDS]
    assert long == [], f"{doc.relative_to(ROOT)}: " + "; ".join(long)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_resolves(doc: Path) -> None:
    broken = [why for target in links(doc) if (why := broken_link(doc, target)) is not None]
    assert broken == [], f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_command_shown_parses(doc: Path) -> None:
    parser = build_parser()
    failed = [
        f"`sutazai-tui {shlex.join(argv)}`: {why}"
        for argv in command_lines(doc.read_text())
        if (why := parse_failure(parser, argv)) is not None
    ]
    assert failed == [], f"{doc.relative_to(ROOT)}: " + "; ".join(failed)


def test_the_checks_catch_what_they_are_for(tmp_path: Path) -> None:
    """The link and command checks fail on a broken link, a missing anchor and a wrong option."""
    doc = ROOT / "docs" / "architecture.md"
    assert broken_link(doc, "nowhere.md") is not None
    assert broken_link(doc, "../README.md#no-such-heading") is not None
    assert broken_link(doc, "../../outside.md") is not None
    assert broken_link(doc, "https://example.org/x") is None
    text = "```sh\nX=1 sutazai-tui check --no-such-flag | jq .  # comment\n```\n"
    text += "`sutazai-tui prose --ignored`\n"
    assert list(command_lines(text)) == [["check", "--no-such-flag"]]
    assert "--no-such-flag" in (parse_failure(build_parser(), ["check", "--no-such-flag"]) or "")
    assert parse_failure(build_parser(), ["check", "--json"]) is None
    continued = "```\nsutazai-tui act stop \\\n  sutazai-backend --yes > out.txt\n```\n"
    assert list(command_lines(continued)) == [["act", "stop", "sutazai-backend", "--yes"]]
    assert slug("`check`: one cycle — for cron") == "check-one-cycle--for-cron"


# Built in two parts so this file does not match what it looks for.
_PLANNING_NOTES = re.compile(r"\b(BACKEND|DESIGN|STYLE|LAYOUT|PERF)" + r"\.md\b")


def test_nothing_cites_the_planning_notes() -> None:
    """Docs and comments cite docs/ in this repository, never notes that are not in it."""
    files = [ROOT / "README.md", ROOT / "pyproject.toml", *DOCS]
    for folder in ("sutazai_tui", "tests", "bench", "scripts", "deploy", "docs"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md", ".sh", ".yml", ".toml")]
    cited = sorted(
        {
            f"{p.relative_to(ROOT)}:{n}"
            for p in set(files)
            for n, line in enumerate(p.read_text().splitlines(), 1)
            if _PLANNING_NOTES.search(line)
        }
    )
    assert cited == []
