"""Shell completion from `sutazai-tui completion SHELL`, loaded into the real shells and driven."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sutazai_tui.cli.args import build_parser
from sutazai_tui.cli.completion import completion_script

COMMAND = [sys.executable, "-m", "sutazai_tui"]
# Load the script as the documented one-liner does, find the function `complete` registered for
# sutazai-tui, and call it as bash's programmable completion would for the words given.
BASH_DRIVER = r"""
source <("$@" completion bash) || exit 9
fn=$(complete -p sutazai-tui | sed -E 's/.* -F ([^ ]+) .*/\1/')
read -r -a COMP_WORDS <<< "$WORDS"
[[ "$WORDS" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$WORDS"; COMP_POINT=${#COMP_LINE}
"$fn" sutazai-tui "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
"""


def bash_complete(words: str) -> list[str]:
    proc = subprocess.run(
        ["bash", "-c", BASH_DRIVER, "driver", *COMMAND],
        env={"WORDS": words, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return proc.stdout.split()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("sutazai-tui con", ["config"]),  # a sub-command
        ("sutazai-tui config s", ["show"]),  # a sub-command's sub-command
        ("sutazai-tui check --js", ["--json"]),  # a flag of a sub-command
        ("sutazai-tui --no-c", ["--no-containers"]),  # a flag of the main command
        ("sutazai-tui completion ", ["bash", "fish", "zsh"]),  # an argument's choices
    ],
)
def test_bash_completes_subcommands_flags_and_choices(words: str, expected: list[str]) -> None:
    assert sorted(bash_complete(words)) == expected


def test_bash_completes_a_config_path_with_files(tmp_path: object) -> None:
    assert "--config" in bash_complete("sutazai-tui check --conf")
    script = completion_script(build_parser(), "bash")
    assert "_shtab_sutazai_tui_check___config_COMPGEN=_shtab_compgen_files" in script
    assert "_shtab_sutazai_tui_check___snapshot_COMPGEN=_shtab_compgen_dirs" in script


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is missing (scripts/test.sh installs it)")
def test_fish_completes_subcommands_and_flags() -> None:
    script = completion_script(build_parser(), "fish")
    for line, expected in (("sutazai-tui con", "config\t"), ("sutazai-tui check --js", "--json\t")):
        proc = subprocess.run(
            ["fish", "--no-config", "-c", f"{script}\ncomplete -C {line!r}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert any(out.startswith(expected) for out in proc.stdout.splitlines()), proc.stdout


# zsh completes only inside its line editor: an interactive zsh on a pseudo-terminal (zpty) loads
# the script from $fpath through compinit, gets the words and a TAB, then a marker command; what the
# editor drew in between is the completed line. Each read waits for its pattern, no sleeps.
ZSH_DRIVER = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "echo RE''ADY"
zpty -r -m z out '*READY*% *'
zpty -w -n z "$2"$'\t'
zpty -w z $'\x15echo END''OF''LINE'
zpty -r -m z out '*ENDOFLINE*'
print -r -- "$out"
zpty -d z
"""


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is missing (scripts/test.sh installs it)")
@pytest.mark.parametrize(
    ("words", "completed"),
    [
        ("sutazai-tui con", "sutazai-tui config"),
        ("sutazai-tui config s", "sutazai-tui config show"),
        ("sutazai-tui check --js", "sutazai-tui check --json"),
    ],
)
def test_zsh_completes_subcommands_and_flags(tmp_path: Path, words: str, completed: str) -> None:
    script = completion_script(build_parser(), "zsh")
    assert script.startswith("#compdef sutazai-tui")
    (tmp_path / "_sutazai-tui").write_text(script)
    proc = subprocess.run(
        ["zsh", "-f", "-c", ZSH_DRIVER, "driver", str(tmp_path), words],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    screen = re.sub(r".\x08", "", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", proc.stdout))
    drawn = [line.strip() for line in screen.replace("\r", "\n").splitlines()]
    assert any(line.startswith(completed + " ") for line in drawn), drawn


def test_the_scripts_follow_the_parser() -> None:
    # Generated from whatever build_parser returns: a sub-command added there is completed at once.
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command")
    assert commands.choices is not None
    script = completion_script(parser, "bash")
    for name in commands.choices:
        assert name in script
