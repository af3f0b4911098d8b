"""The report dates each finding (first seen, cleared) and reads the audit log the recording's
actions went to — the demo's for a demo recording (issue 28 item 8)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import Finding
from sutazai_tui.records.report import render_report
from tests.builders import at, box, snapshot
from tests.unit.test_recorder import make_recorder

T0 = at(-300)  # 23:10 UTC
ENV = Finding(id="missing-env", severity="critical", subject="sutazai-backend", title="lacks SECRET_KEY",
              evidence="e", fix="f")  # fmt: skip


def test_findings_are_dated_and_the_demo_audit_log_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        for i in range(8):  # held in cycles 1-4 (0..90 s), cleared at 120 s, back at 210 s
            recorder.record(
                snapshot(
                    T0 + timedelta(seconds=30 * i), containers=(box(),), engine="simulated", cycle=i + 1
                ),
                [],
                [ENV] if i < 4 or i == 7 else [],
            )
    settings = Settings(state_dir=tmp_path / "state")
    demo_log = settings.demo_audit_path
    demo_log.parent.mkdir(parents=True)
    action = {"time": (T0 + timedelta(seconds=100)).isoformat(), "action": "recreate", "user": "op",
              "container": "sutazai-backend", "result": "done", "engine": "simulated"}  # fmt: skip
    demo_log.write_text(json.dumps(action) + "\n")
    text = render_report(path, settings)
    findings = text.split("## Findings")[1].split("## Validation")[0]
    assert "First seen 23:10:00 UTC, returned 1×, last from 23:13:30 UTC; still held at the end" in findings
    actions = text.split("## Operator actions")[1].split("## Findings")[0]
    assert "No actions in the audit log" not in actions and "recreate" in actions


def test_a_finding_that_cleared_says_when_and_after_how_long(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    with make_recorder(path) as recorder:
        for i in range(6):
            recorder.record(
                snapshot(
                    T0 + timedelta(seconds=30 * i), containers=(box(),), engine="simulated", cycle=i + 1
                ),
                [],
                [ENV] if i < 4 else [],
            )
    text = render_report(path, Settings(state_dir=tmp_path / "state"))
    assert "First seen 23:10:00 UTC, cleared 23:12:00 UTC (after 2 min)" in text
