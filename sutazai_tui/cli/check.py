"""`sutazai-tui check`: one cycle, a table or one JSON document, a Nagios exit code."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from sutazai_tui.cli.args import settings_from_args
from sutazai_tui.cli.plugin import check_line, prefixed, status_line
from sutazai_tui.config.settings import ConfigError, Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.core.verdict import RANK, Level, Overall
from sutazai_tui.diagnosis.context import clock
from sutazai_tui.models import Finding, Snapshot, container_reason, container_state
from sutazai_tui.models import worst as worst_state
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine.factory import container_source
from sutazai_tui.util import fmt

CHECK_CPU_WINDOW_S = 1.0


def render_evidence(snapshot: Snapshot, out: TextIO) -> None:
    """The independent evidence seen: dependency probes and the matched log lines (never a whole log)."""
    if snapshot.probes:
        print("\nPROBES", file=out)
        for p in snapshot.probes:
            said = {True: "up", False: "DOWN", None: "unknown"}[p.up]
            print(f"  {p.name:<12} {p.kind:<8} {p.address:<21} {said:<7} {p.detail}", file=out)
    for log in snapshot.logs:
        since = f", this start at {clock(log.started_at)}" if log.started_at else ""
        read = f"{log.lines} lines read, {len(log.matches)} matched"
        print(f"\nLOG {log.container}{since}: {log.error or read}", file=out)
        for m in log.matches:
            print(f"  [{clock(m.at)}] {m.text}", file=out)
        if log.last is not None:
            print(f"  last line: [{clock(log.last.at)}] {log.last.text}", file=out)


def render_text(
    snapshot: Snapshot,
    overall: Overall,
    out: TextIO,
    findings: list[Finding] | None = None,
    thresholds: tuple[float, float] | None = None,
) -> None:
    """The plugin status line (see `plugin`), then the human-readable table."""
    warn_s, crit_s = thresholds if thresholds is not None else (None, None)
    print(check_line(snapshot, overall, findings, warn_s, crit_s), file=out)
    print(f"sutazai-tui check {snapshot.target} — {overall.level.name}", file=out)
    print(f"{'ENDPOINT':<12} {'STATE':<10} {'CODE':>4} {'LATENCY':>9}  REASON", file=out)
    for e in snapshot.endpoints:
        code = str(e.http_code) if e.http_code is not None else "—"
        print(f"{e.name:<12} {e.state:<10} {code:>4} {fmt.millis(e.latency_ms):>9}  {e.reason}", file=out)
    if snapshot.containers is not None:
        c = snapshot.containers
        # The line is the worst of its rows: never OK beside a row that says DOWN.
        part = (
            worst_state([c.state, *(container_state(x) for x in c.containers)]) if c.containers else c.state
        )
        print(f"\nCONTAINERS on {c.engine}: {part} — {c.reason}", file=out)
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
    render_evidence(snapshot, out)
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
    session: Session | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Poll once (one of `Session.cycles()`) and report; the exit code is the verdict.

    `session`: the one to poll (the demo's, built in demo/factory.py), else the engine's. Give it
    `hooks=False`: a check is one look, its exit code is the alert (the caller's monitoring notifies).
    """
    if session is None:
        # One cycle has no earlier sample: the source samples CPU twice, a second apart (CHECK_CPU_WINDOW_S).
        source = container_source(settings, CHECK_CPU_WINDOW_S)
        session = Session(settings, Monitor(settings, containers=source), hooks=False)
    try:
        async with contextlib.aclosing(session.cycles()) as cycles:
            cycle = await anext(cycles)
    finally:
        await session.close()
    snapshot, findings, overall = cycle.snapshot, list(cycle.findings), cycle.overall
    if as_json:
        json.dump(as_document(snapshot, overall, findings), out, indent=2)
        out.write("\n")
    else:
        # Latency thresholds: slower than latency_threshold is DEGRADED, the timeout is no answer.
        render_text(snapshot, overall, out, findings, (settings.latency_threshold, settings.timeout))
    code = int(overall.level)
    if snapshot_dir is not None:
        from sutazai_tui.records.bundle import bundle_for_check

        events, audit, redactor = session.history.events, settings.audit_path, session.redactor
        # File work off the loop: other targets' requests may still be in flight in this gather.
        bundle = (snapshot_dir, snapshot, events, findings, audit, redactor)
        if not await asyncio.to_thread(bundle_for_check, *bundle):
            code = code if code == Level.CRITICAL else int(Level.UNKNOWN)  # asked for a bundle, got none
    return code


def worst(codes: list[int]) -> int:
    """The exit code of several checks: the worst of theirs (CRITICAL, UNKNOWN, WARNING, OK)."""
    return int(max((Level(c) for c in codes), key=RANK.__getitem__, default=Level.UNKNOWN))


def select_targets(settings: Settings, names: list[str] | None) -> list[tuple[str, Settings]]:
    """(name, settings) per target to check: the named ones, else all; ConfigError on an unknown name."""
    wanted = [n.strip() for arg in names or () for n in arg.split(",") if n.strip()]
    if not settings.targets:
        if wanted:
            raise ConfigError("--target needs [[targets]] in the config file — add them or drop --target")
        return []
    by_name = {t.name: t for t in settings.targets}
    for name in wanted:
        if name not in by_name:
            raise ConfigError(f"unknown target '{name}' — use one of: {', '.join(by_name)}")
    chosen = list(dict.fromkeys(wanted)) or list(by_name)
    return [(name, settings.for_target(by_name[name])) for name in chosen]


async def run_demo_check(
    settings: Settings, as_json: bool = False, snapshot_dir: Path | None = None, out: TextIO | None = None
) -> int:
    """`check --demo`: one cycle against the simulated backend and fleet, started and stopped here."""
    from sutazai_tui.demo.session import start_demo

    session, stop = start_demo(settings, hooks=False)
    try:
        out = out if out is not None else sys.stdout
        demo = session.settings
        return await run_check(demo, as_json=as_json, snapshot_dir=snapshot_dir, session=session, out=out)
    finally:
        stop()


async def run_checks(
    settings: Settings,
    names: list[str] | None = None,
    as_json: bool = False,
    snapshot_dir: Path | None = None,
    out: TextIO | None = None,
) -> int:
    """`check` over `[[targets]]` (all, or `names`) at once; without targets, the plain check."""
    out = out if out is not None else sys.stdout  # looked up now: tests and callers swap stdout
    chosen = select_targets(settings, names)
    if not chosen:
        return await run_check(settings, as_json=as_json, snapshot_dir=snapshot_dir, out=out)
    buffers = {name: io.StringIO() for name, _ in chosen}
    # Each target polls its own backend concurrently: a hung one costs its timeout, not the sum.
    codes = await asyncio.gather(
        *(
            run_check(
                target,
                as_json=as_json,
                snapshot_dir=snapshot_dir / name if snapshot_dir is not None else None,
                out=buffers[name],
            )
            for name, target in chosen
        )
    )
    if as_json and len(chosen) > 1:
        docs = {name: json.loads(buf.getvalue()) for name, buf in buffers.items()}
        json.dump({"targets": docs}, out, indent=2)
        out.write("\n")
    elif as_json:
        out.write(buffers[chosen[0][0]].getvalue())
    else:
        print(fleet_line(codes, [(name, buf.getvalue()) for name, buf in buffers.items()]), file=out)
        for name, buf in buffers.items():
            print(f"\n== target {name} ==", file=out)
            out.write(buf.getvalue())
    return worst(list(codes))


def fleet_line(codes: list[int], outputs: list[tuple[str, str]]) -> str:
    """One status line over several targets: the worst level, each target's word, all perfdata."""
    words, perf = [], []
    for code, (name, text) in zip(codes, outputs, strict=True):
        summary, items = prefixed(text.partition("\n")[0], f"{name}:")
        words.append(f"{name} {Level(code).name}" + (f" ({summary})" if code != Level.OK else ""))
        perf += items
    return status_line(Level(worst(codes)), f"{len(outputs)} targets: " + "; ".join(words), perf)


def run(args: argparse.Namespace) -> int:
    """`sutazai-tui check`: one cycle of each target (or of the demo), the worst exit code."""
    if getattr(args, "demo", False):  # `--demo check` would silently check localhost: say how
        raise ConfigError("--demo before check is not a demo check — use: sutazai-tui check --demo")
    settings = settings_from_args(args)
    if args.check_demo:
        return asyncio.run(run_demo_check(settings, as_json=args.json, snapshot_dir=args.snapshot))
    return asyncio.run(run_checks(settings, args.target, as_json=args.json, snapshot_dir=args.snapshot))
