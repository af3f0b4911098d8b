"""`check`'s first line read as a monitoring plugin runner reads it.

The parser below is written from the monitoring-plugins development guidelines ("Plugin Output",
"Performance data"), independently of sutazai_tui.cli.plugin: the runner splits the first line at
its first `|`, then reads space-separated `'label'=value[UOM];[warn];[crit];[min];[max]` items
where a label with spaces is single-quoted and a quote inside it is doubled.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sutazai_tui.cli.plugin import check_line
from sutazai_tui.core.verdict import assess
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
)

UOMS = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}
NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"
RANGE = re.compile(rf"^(?:@?(?:(?:{NUMBER}|~):)?(?:{NUMBER})?)?$")
VALUE = re.compile(rf"^(?:(?P<num>{NUMBER})(?P<uom>[a-zA-Z%]*)|U)$")
STATUS = re.compile(r"^SUTAZAI (OK|WARNING|CRITICAL|UNKNOWN) - (\S.*)$")
EXIT = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}


@dataclass
class Item:
    label: str
    value: float | None
    uom: str
    warn: str
    crit: str
    min: str
    max: str


def split_items(perf: str) -> list[str]:
    """Space-separated items; a space inside a quoted label does not split."""
    items, current, quoted, i = [], "", False, 0
    while i < len(perf):
        ch = perf[i]
        if ch == "'" and quoted and perf[i + 1 : i + 2] == "'":
            current += "''"
            i += 2
            continue
        if ch == "'":
            quoted = not quoted
        if ch == " " and not quoted:
            if current:
                items.append(current)
            current = ""
        else:
            current += ch
        i += 1
    assert not quoted, f"unterminated quote in {perf!r}"
    return [*items, current] if current else items


def parse_item(text: str) -> Item:
    if text.startswith("'"):
        end = re.match(r"^'((?:[^']|'')+)'=", text)
        assert end, f"bad quoted label in {text!r}"
        label, rest = end.group(1).replace("''", "'"), text[end.end() :]
    else:
        label, eq, rest = text.partition("=")
        assert eq and label and " " not in label and "'" not in label, f"bad label in {text!r}"
    fields = rest.split(";")
    assert 1 <= len(fields) <= 5, f"too many fields in {text!r}"
    fields += [""] * (5 - len(fields))
    value = VALUE.match(fields[0])
    assert value, f"bad value {fields[0]!r}"
    uom = value.group("uom") or ""
    assert uom in UOMS, f"unknown UOM {uom!r}"
    for threshold in fields[1:3]:
        assert RANGE.match(threshold), f"bad threshold {threshold!r}"
    for bound in fields[3:5]:
        assert bound == "" or re.fullmatch(NUMBER, bound), f"bad min/max {bound!r}"
    number = float(value.group("num")) if value.group("num") else None
    return Item(label, number, uom, fields[1], fields[2], fields[3], fields[4])


def parse_plugin_output(out: str) -> tuple[str, str, dict[str, Item]]:
    """(status word, summary, perfdata by label) from a plugin's whole output."""
    first = out.split("\n", 1)[0]
    text, _, perf = first.partition("|")
    match = STATUS.match(text.rstrip())
    assert match, f"not a status line: {first!r}"
    items = [parse_item(i) for i in split_items(perf.strip())]
    by_label = {i.label: i for i in items}
    assert len(by_label) == len(items), "duplicate perfdata labels"
    return match.group(1), match.group(2), by_label


def run_check(*args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", "check", "--no-containers", "--timeout", "1", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode, proc.stdout


def test_healthy_backend_is_an_ok_status_line_with_latency_perfdata(
    backend_thread: SimulatedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3 s: a loaded machine's local answer (1.8 s seen) must be neither late nor DEGRADED here.
    monkeypatch.setenv("SUTAZAI_TUI_LATENCY_THRESHOLD", "3")
    code, out = run_check("--base-url", backend_thread.url, "--timeout", "3")
    status, summary, perf = parse_plugin_output(out)
    assert (status, code) == ("OK", 0)
    assert summary == "3/3 endpoints OK"
    for name in ("health", "emergency", "mcp"):
        item = perf[f"{name}_latency"]
        assert item.uom == "s" and item.value is not None and 0 <= item.value < 3
        assert (item.warn, item.crit, item.min) == ("3", "3", "0")  # latency_threshold 3 s, timeout 3 s
    assert perf["findings_critical"].value == 0 and perf["findings_critical"].crit == "0"
    assert out.splitlines()[1].endswith("— OK")  # the detail lines follow


def test_hung_backend_is_critical_with_unknown_latency(backend_thread: SimulatedBackend) -> None:
    backend_thread.forced_phase = answers.HANG
    code, out = run_check("--base-url", backend_thread.url)
    status, summary, perf = parse_plugin_output(out)
    assert (status, code) == ("CRITICAL", 2)
    assert summary.startswith("health DOWN:") and "more)" in summary
    assert perf["health_latency"].value is None  # `U`: no answer, no latency


def test_labels_values_and_summary_survive_hostile_names() -> None:
    """An endpoint name with spaces, quotes, `=` and `|` still yields one parseable line."""
    odd = "my 'odd'=ep|x"
    snap = Snapshot(
        endpoints=(
            EndpointStatus(name=odd, url="u", kind=EndpointKind.GENERIC, state=State.DOWN, reason="a|b\nc"),
            EndpointStatus(name="fast", url="u", kind=EndpointKind.HEALTH, state=State.OK, latency_ms=0.01),
        ),
        containers=ContainersStatus(
            engine="simulated",
            state=State.OK,
            containers=(
                ContainerStats(name="a", id="1", state="running"),
                ContainerStats(name="b", id="2", state="restarting", restart_count=9),
                ContainerStats(name="c", id="3", state="exited", exit_code=1),
            ),
        ),
    )
    findings = [
        Finding(id="restart-loop", severity="critical", subject="b", title="t", evidence="e", fix="f")
    ]
    line = check_line(snap, assess(snap, findings), findings, 1.0, 5.0)
    assert "\n" not in line and line.count("|") == 1
    status, summary, perf = parse_plugin_output(line)
    assert status == "CRITICAL" and "a/b c" in summary
    assert perf["my 'odd'_ep/x_latency"].value is None
    assert perf["fast_latency"].value == pytest.approx(0.00001)  # plain decimal, never 1e-05
    counts = {k: v.value for k, v in perf.items() if k.startswith("containers_")}
    assert counts == {
        "containers_ok": 1,
        "containers_degraded": 0,
        "containers_down": 2,
        "containers_unknown": 0,
    }
    assert perf["findings_critical"].value == 1 and perf["findings_warning"].value == 0


def test_several_targets_share_one_status_line(tmp_path: Path) -> None:
    prod = SimulatedBackend("healthy", rate_limit=False).start_thread()
    staging = SimulatedBackend("healthy", rate_limit=False).start_thread()
    staging.forced_phase = answers.HANG
    try:
        config = tmp_path / "config.toml"
        config.write_text(
            "containers = false\ntimeout = 0.5\n"
            + "".join(
                f'[[targets]]\nname = "{n}"\nbase_url = "{b.url}"\n'
                for n, b in (("prod", prod), ("stg", staging))
            )
        )
        code, out = run_check("--config", str(config))
    finally:
        staging.stop_thread()
        prod.stop_thread()
    status, summary, perf = parse_plugin_output(out)
    assert (status, code) == ("CRITICAL", 2)
    assert summary.startswith("2 targets: prod OK; stg CRITICAL (health DOWN")
    assert perf["prod:health_latency"].value is not None and perf["stg:health_latency"].value is None
    assert "== target prod ==" in out
