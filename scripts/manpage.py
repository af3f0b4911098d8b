"""Write man/sutazai-tui.1 from the argument parser; `--check` only says whether it is up to date.

Run it after changing the command line: `python scripts/manpage.py`. The page keeps its date while
what the parser says is unchanged, so regenerating an up-to-date page changes nothing.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from sutazai_tui.cli.args import build_parser
from sutazai_tui.cli.manpage import page_date, render_manpage

PAGE = Path(__file__).resolve().parents[1] / "man" / "sutazai-tui.1"


def main(argv: list[str]) -> int:
    """0: written or up to date; 1: out of date (with --check)."""
    old = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
    date = page_date(old)
    if date is not None and render_manpage(build_parser(), date) == old:
        print(f"{PAGE.name} is up to date")
        return 0
    if "--check" in argv:
        print(f"{PAGE} is out of date — run: python scripts/manpage.py", file=sys.stderr)
        return 1
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(render_manpage(build_parser(), datetime.now(UTC).strftime("%Y-%m-%d")), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
