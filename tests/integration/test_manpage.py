"""man/sutazai-tui.1: what the parser says today, and `man -l` renders it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sutazai_tui.cli.args import build_parser
from sutazai_tui.cli.entry import main
from sutazai_tui.cli.manpage import page_date, render_manpage

PAGE = Path(__file__).resolve().parents[2] / "man" / "sutazai-tui.1"


def test_the_committed_page_is_the_parsers() -> None:
    committed = PAGE.read_text(encoding="utf-8")
    date = page_date(committed)
    assert date is not None
    fresh = render_manpage(build_parser(), date)
    assert fresh == committed, "man/sutazai-tui.1 is out of date — run: python scripts/manpage.py"


def test_the_page_does_not_depend_on_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    wide = render_manpage(build_parser(), "2026-01-01")
    monkeypatch.setenv("COLUMNS", "40")
    assert render_manpage(build_parser(), "2026-01-01") == wide


def test_help_points_to_the_manual(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "man sutazai-tui" in " ".join(capsys.readouterr().out.split())


@pytest.mark.skipif(
    shutil.which("man") is None or shutil.which("groff") is None,
    reason="man or groff is not installed (scripts/test.sh installs man-db and groff-base)",
)
def test_man_renders_the_page() -> None:
    env = {**os.environ, "MANWIDTH": "100", "MAN_KEEP_FORMATTING": "0", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        ["man", "-l", str(PAGE)], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    text = re.sub(".\b", "", proc.stdout)  # grotty's overstrike bold and underline, undone
    assert text.startswith("SUTAZAI-TUI(1)")
    for needle in ("NAME", "SYNOPSIS", "sutazai-tui config show", "--no-containers", "FILES", "ENVIRONMENT"):
        assert needle in text, needle
    assert "warning" not in proc.stderr.lower(), proc.stderr  # groff complains of broken roff
