"""The hostile corpus (tests/hostile.py) through every command that prints or writes: `check` (plain,
`--json`, the plugin line), `report`, `audit`, the exporter's labels, the alert hook's line.

Each shows the text literally, ends with its own code, no traceback, and emits no ESC, BEL or C1.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sutazai_tui.cli import entry as cli
from sutazai_tui.core.alerts import run_hook
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import Event, State
from sutazai_tui.records.recorder import Recorder
from tests.conftest import settings_for
from tests.docker_support import wait_for
from tests.exporter_support import exporter_process, get
from tests.hostile import CORPUS, FORBIDDEN, HostileServer

ENDPOINTS = "".join(
    f'[[endpoints]]\nname = "{kind}"\nurl = "/hostile"\nkind = "{kind}"\n'
    for kind in ("health", "mcp", "emergency", "detailed")
)


def config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"default_endpoints = false\n{extra}{ENDPOINTS}")
    return path


def check(hostile: HostileServer, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[bytes]:
    argv = [sys.executable, "-m", "sutazai_tui", "check", "--no-containers", "--timeout", "2"]
    argv += ["--config", str(config(tmp_path)), "--base-url", hostile.url, *extra]
    return subprocess.run(argv, capture_output=True, timeout=60)


def test_check_plain_and_its_plugin_line(hostile: HostileServer, tmp_path: Path) -> None:
    for _ in range(3):  # the route rotates through the corpus: three answers, three different texts
        proc = check(hostile, tmp_path)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        assert proc.returncode in (1, 2, 3) and err == "" and "Traceback" not in out
        assert not FORBIDDEN.search(out)
        lines = out.splitlines()
        assert lines[0].startswith("SUTAZAI ")  # the plugin line: one line, the verdict first
        # A newline in backend text cannot forge a line of its own.
        assert not any(line.startswith("NEWLINE-INJECTED") for line in lines)
    assert "␛" in out or "␤" in out or "[" in out  # stand-ins and brackets are shown, not dropped


def all_strings(value: object) -> Iterator[str]:
    """Every string in a JSON document, keys too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_strings(v)


def test_check_json_holds_clean_strings(hostile: HostileServer, tmp_path: Path) -> None:
    for _ in range(3):
        proc = check(hostile, tmp_path, "--json")
        assert proc.returncode in (1, 2, 3) and proc.stderr == b""
        doc = json.loads(proc.stdout)
        strings = list(all_strings(doc))
        assert strings and not any(FORBIDDEN.search(s) or "\n" in s for s in strings)


async def test_report_of_a_hostile_backend_is_safe_to_paste(
    hostile: HostileServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "rec.jsonl"
    settings = settings_for(hostile.url, tmp_path, timeout=2.0, record=path)
    settings = settings.model_copy(update={"default_endpoints": False})
    from sutazai_tui.config.settings import EndpointConfig
    from sutazai_tui.models import EndpointKind

    endpoints = [
        EndpointConfig(name=k.value, url="/hostile", kind=k)
        for k in (EndpointKind.HEALTH, EndpointKind.MCP, EndpointKind.EMERGENCY)
    ]
    settings = settings.model_copy(update={"endpoints": endpoints})
    monitor = Monitor(settings)
    recorder = Recorder.from_settings(settings, redactor=monitor.http.redactor)
    assert recorder is not None
    try:
        for _ in range(len(CORPUS)):
            snap = await monitor.cycle()
            recorder.record(snap, monitor.history.add(snap))
    finally:
        recorder.close()
        await monitor.close()
    cfg = config(tmp_path, f'audit_log = "{tmp_path}/audit.jsonl"\n')
    assert cli.main(["report", str(path), "--config", str(cfg)]) == 0
    report = capsys.readouterr().out
    assert "# Incident report" in report and not FORBIDDEN.search(report)
    # No image, link or HTML made from backend text: each is escaped (and the URL defanged).
    for made in ("![x](", "[docs](", "](https://", "https://evil"):
        assert made not in report, made
    assert not re.search(r"(?<!\\)<img", report) and "\\<img" in report
    assert "\\[/\\]prod" in report or "\\[@click" in report


def test_audit_prints_hostile_entries_literally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = tmp_path / "audit.jsonl"
    entries = [
        {
            "at": "2026-01-01T00:00:00Z",
            "action": "stop",
            "container": text[:50],
            "result": "failed",
            "error": text,
        }
        for text in CORPUS
    ]
    audit.write_text("".join(json.dumps(e) + "\n" for e in entries))
    audit.chmod(0o600)
    cfg = config(tmp_path, f'audit_log = "{audit}"\n')
    assert cli.main(["audit", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(CORPUS)  # one line each: no newline forged a second
    assert not FORBIDDEN.search(out) and "[@click=screen.emergency_stop]" in out


@pytest.mark.slow
def test_exporter_labels_carry_no_escape(hostile: HostileServer, tmp_path: Path) -> None:
    cfg = config(tmp_path, "containers = false\nrequest_budget = 1000\n")
    args = ("--config", str(cfg), "--base-url", hostile.url, "--interval", "1", "--timeout", "2")
    with exporter_process(*args) as url:

        def exported() -> str | None:  # once a cycle with the hostile answers is in it
            status, body = get(f"{url}/metrics")
            return body if status == 200 and "sutazai_endpoint_state" in body else None

        body = wait_for(exported, 30, "a cycle in /metrics")
        for _ in range(2):  # two more answers: the route rotates through the corpus
            body = wait_for(lambda seen=body: b if (b := exported()) and b != seen else None, 30, "the next")
            assert not FORBIDDEN.search(body)


def test_an_alert_hook_that_prints_escapes_is_one_clean_line(tmp_path: Path) -> None:
    hook = tmp_path / "hook.sh"
    hook.write_text("#!/bin/sh\nprintf 'first\\n\\033]52;c;UFdORUQ=\\007 \\302\\233 failed\\n' >&2\nexit 3\n")
    hook.chmod(0o700)
    event = Event(at=datetime.now(UTC), subject="health", new=State.DOWN, reason=CORPUS[0])
    said = run_hook([str(hook)], event, timeout=10)
    assert said is not None and said.startswith("on_state_change hook hook.sh exited 3: ")
    assert "␛]52;c;UFdORUQ=␇" in said and not FORBIDDEN.search(said) and "\n" not in said
