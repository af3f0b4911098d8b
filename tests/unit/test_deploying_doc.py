"""docs/deploying.md shows `config check` and `config show` as they really answer (rerun here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sutazai_tui.cli.entry import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "deploying.md"
HOME = "/home/ops"
# A `$ command` line of a code block; what follows it, up to the next one, is its output.
PROMPT = re.compile(r"^\$ (.*)$", re.MULTILINE)


def code_blocks() -> list[str]:
    """The doc's fenced code blocks, in order."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("```"):
            if current is not None:
                blocks.append("".join(current))
            current = [] if current is None else None
        elif current is not None:
            current.append(line)
    return blocks


def transcript() -> dict[str, str]:
    """Each `$ command` of the doc's code blocks and the text the doc shows after it."""
    shown: dict[str, str] = {}
    for block in code_blocks():
        marks = list(PROMPT.finditer(block))
        ends = [m.start() for m in marks[1:]] + [len(block)] if marks else []
        for mark, end in zip(marks, ends, strict=True):
            shown[mark.group(1)] = block[mark.end() + 1 : end]
    return shown


@pytest.fixture
def ops_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The doc's user: its config file written where XDG_CONFIG_HOME says; paths shown as /home/ops."""
    config = tmp_path / ".config" / "sutazai-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(transcript()["cat ~/.config/sutazai-tui/config.toml"], encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", f"{HOME}/.local/state")  # only shown: nothing is created
    return tmp_path


def run(argv: list[str], home: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).replace(str(home), HOME)


def test_config_check_answers_as_the_doc_says(ops_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shown = transcript()
    assert run(["config", "check"], ops_home, capsys) == (0, shown["sutazai-tui config check"])
    code, out = run(["config", "check", "--interval", "0"], ops_home, capsys)
    assert out + f"exit {code}\n" == shown['sutazai-tui config check --interval 0; echo "exit $?"']


def test_config_show_output_in_the_doc_is_real(
    ops_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    command = next(c for c in transcript() if c.endswith("sutazai-tui config show --read-only"))
    for assignment in command.split()[:-4]:
        name, _, value = assignment.partition("=")
        monkeypatch.setenv(name, value)
    code, out = run(["config", "show", "--read-only"], ops_home, capsys)
    assert code == 0
    assert out == transcript()[command], (
        "docs/deploying.md's `config show` output is not what the program prints now "
        "(a setting added?): put this in its place:\n" + out
    )
