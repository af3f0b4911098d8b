"""`sutazai-tui check`: one cycle, a table or one JSON document, a Nagios exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from sutazai_tui import fmt
from sutazai_tui.config import Settings
from sutazai_tui.diagnostics import diagnose
from sutazai_tui.models import Finding, Snapshot, container_reason, container_state
from sutazai_tui.monitor import Monitor
from sutazai_tui.sources.base import ContainerSource
from sutazai_tui.sources.factory import container_source
from sutazai_tui.verdict import Level, Overall, assess


def render_text(
    snapshot: Snapshot, overall: Overall, out: TextIO, findings: list[Finding] | None = None
) -> None:
    """The human-readable table."""
    print(f"sutazai-tui check {snapshot.target} — {overall.level.name}", file=out)
    print(f"{'ENDPOINT':<12} {'STATE':<10} {'CODE':>4} {'LATENCY':>9}  REASON", file=out)
    for e in snapshot.endpoints:
        code = str(e.http_code) if e.http_code is not None else "—"
        print(f"{e.name:<12} {e.state:<10} {code:>4} {fmt.millis(e.latency_ms):>9}  {e.reason}", file=out)
    if snapshot.containers is not None:
        c = snapshot.containers
        print(f"\nCONTAINERS on {c.engine}: {c.state} — {c.reason}", file=out)
        for item in c.containers:
            mem = f"{fmt.size(item.mem_used)}/{fmt.size(item.mem_limit)}"
            print(
                f"  {item.name:<28} {container_state(item):<9} {fmt.percent(item.cpu_percent):>7} {mem:>15}"
                f"  restarts {item.restart_count:<3} {container_reason(item)}",
                file=out,
            )
    if snapshot.host is not None:
        h = snapshot.host
        print(
            f"\nHOST {h.hostname}: mem {fmt.percent(h.mem_percent)}, disk / {fmt.percent(h.disk_percent)},"
            f" load {' '.join(f'{x:.2f}' for x in h.load) if h.load else '—'}",
            file=out,
        )
    for line in snapshot.errors:
        print(f"error: {line}", file=out)
    if findings:
        print("\nFINDINGS", file=out)
        for f in findings:
            print(f"  {f.severity.upper():<8} {f.id} {f.subject}: {f.title}", file=out)
            print(f"           seen: {f.evidence}", file=out)
            print(f"           fix:  {f.fix}", file=out)
    if overall.reasons:
        print("", file=out)
        for line in overall.lines():
            print(line, file=out)


def as_document(
    snapshot: Snapshot, overall: Overall, findings: list[Finding] | None = None
) -> dict[str, Any]:
    """The `--json` document: verdict, reasons, findings and the snapshot itself."""
    return {
        "status": overall.level.name,
        "exit_code": int(overall.level),
        "reasons": overall.lines(),
        "findings": [f.model_dump(mode="json") for f in findings or ()],
        "snapshot": snapshot.model_dump(mode="json"),
    }


async def run_check(
    settings: Settings,
    as_json: bool = False,
    snapshot_dir: Path | None = None,
    containers: ContainerSource | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Poll once and report; the exit code is the verdict."""
    source = containers if containers is not None else container_source(settings)
    monitor = Monitor(settings, containers=source)
    try:
        snapshot = await monitor.cycle()
    finally:
        await monitor.close()
    monitor.history.add(snapshot)
    findings = diagnose(monitor.history, settings)
    overall = assess(snapshot, findings)
    if as_json:
        json.dump(as_document(snapshot, overall, findings), out, indent=2)
        out.write("\n")
    else:
        render_text(snapshot, overall, out, findings)
    code = int(overall.level)
    if snapshot_dir is not None:
        from sutazai_tui.bundle import bundle_for_check

        events, audit, redactor = monitor.history.events, settings.audit_path, monitor.http.redactor
        if not bundle_for_check(snapshot_dir, snapshot, events, findings, audit, redactor):
            code = code if code == Level.CRITICAL else int(Level.UNKNOWN)  # asked for a bundle, got none
    return code
