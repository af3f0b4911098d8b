"""examples/config.toml: every setting named, each with its real default, and its examples valid."""

from __future__ import annotations

import re
from pathlib import Path

from sutazai_tui.config.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "config.toml"
# `key = …` or `key.sub = …`, or a `[[key]]` table, active or commented out.
NAMED = re.compile(r"^(?:# )?(?:\[\[)?([a-z_]+)(?:\]\]|\.[a-z_]+ = | = )")
EXAMPLE_LINE = re.compile(r"^# (\[\[[a-z_]+\]\]|[a-z_.]+ = .*)$")


def named_lines() -> dict[str, int]:
    """The first line naming each top-level setting (keys inside a `[[table]]` are its own)."""
    found: dict[str, int] = {}
    in_table = False
    for number, line in enumerate(EXAMPLE.read_text().splitlines()):
        match = NAMED.match(line)
        is_table = line.lstrip("# ").startswith("[[")
        in_table = in_table or is_table
        if match and (is_table or not in_table):
            found.setdefault(match.group(1), number)
    return found


def test_every_setting_of_the_model_is_in_the_example() -> None:
    named = named_lines()
    missing = [name for name in Settings.model_fields if name not in named]
    assert not missing, f"add these settings to examples/config.toml: {missing}"
    unknown = [name for name in named if name not in Settings.model_fields]
    assert not unknown, f"examples/config.toml names settings the model does not have: {unknown}"


def test_each_setting_has_a_one_line_comment_above_it() -> None:
    lines = EXAMPLE.read_text().splitlines()
    for name, number in named_lines().items():
        above = lines[number - 1]
        assert above.startswith("# ") and not EXAMPLE_LINE.match(above), f"{name}: no comment line above it"


def test_the_example_loads_through_the_real_loader_and_changes_nothing() -> None:
    loaded = load_settings(EXAMPLE)
    assert loaded.model_dump() == Settings().model_dump()


def test_its_commented_examples_are_valid_settings_too(tmp_path: Path) -> None:
    text = "\n".join(EXAMPLE_LINE.sub(r"\1", line) for line in EXAMPLE.read_text().splitlines())
    uncommented = tmp_path / "all.toml"
    uncommented.write_text(text)
    loaded = load_settings(uncommented)
    assert loaded.theme == "nord"
    assert loaded.token is not None
    assert loaded.fleet.prometheus_url == "http://127.0.0.1:9090"
    assert [e.name for e in loaded.endpoints] == ["detailed"]
    assert [(p.name, p.port) for p in loaded.probes] == [("redis", 10001)]
    assert [t.name for t in loaded.targets] == ["prod"]
    assert loaded.state_dir == Path("/var/lib/sutazai-tui")
