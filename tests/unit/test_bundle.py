"""Snapshot bundles (the `s` key, `check --snapshot`), and no secret in any file we write."""

from __future__ import annotations

import json
import re
import socket
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sutazai_tui.cli import entry as cli
from sutazai_tui.config.settings import EndpointConfig, Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import EndpointKind, Finding, HostStats, Snapshot
from sutazai_tui.records.bundle import tail_jsonl, write_bundle
from sutazai_tui.records.recorder import Recorder
from tests.hostile import HostileServer
from tests.unit.test_recorder import ENV_VALUE, FakeFleet, record_incident

NAME = re.compile(r"^\d{8}T\d{6}Z-[A-Za-z0-9._-]+$")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def audit_entries(n: int) -> list[dict[str, object]]:
    return [{"time": f"2025-08-17T23:{i:02d}:00+00:00", "user": "ops", "action": "stop"} for i in range(n)]


async def test_bundle_is_private_and_parses_back(backend: SimulatedBackend, tmp_path: Path) -> None:
    (snapshot, events), *_ = await record_incident(backend, None, phases=("emergency",))
    finding = Finding(
        id="emergency-build", severity="critical", subject="emergency", title="t", evidence="e", fix="f"
    )
    where = tmp_path / "snaps"
    folder = write_bundle(where, snapshot, events, [finding], audit_entries(3), "<svg>screen</svg>")
    assert folder.parent == where and NAME.match(folder.name)
    assert mode(where) == 0o700 and mode(folder) == 0o700
    assert sorted(p.name for p in folder.iterdir()) == ["screen.svg", "state.json"]
    assert all(mode(p) == 0o600 for p in folder.iterdir())
    assert (folder / "screen.svg").read_text() == "<svg>screen</svg>"
    doc = json.loads((folder / "state.json").read_text())
    assert Snapshot.model_validate(doc["snapshot"]) == snapshot
    assert len(doc["events"]) == len(events) and doc["findings"][0]["id"] == "emergency-build"
    assert doc["audit"] == audit_entries(3) and doc["schema_version"] == 1

    again = write_bundle(where, snapshot, [], [], [], None, now=datetime.now(UTC))
    assert again != folder and [p.name for p in again.iterdir()] == ["state.json"]  # no svg when none


def test_tail_jsonl_reads_only_the_end(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    assert tail_jsonl(log, 5) == []  # no log yet
    lines = [json.dumps(e) for e in audit_entries(40)]
    log.write_text("\n".join([*lines[:20], "garbage{", *lines[20:], '{"torn": '][:-1]) + "\n" + '{"torn": ')
    assert tail_jsonl(log, 3) == audit_entries(40)[-3:]
    assert tail_jsonl(log, 0) == []
    small = tail_jsonl(log, 100, max_bytes=300)  # only the last 300 bytes are read
    assert 0 < len(small) < 10 and small == audit_entries(40)[-len(small) :]


def test_check_snapshot_writes_state_json(backend_thread: SimulatedBackend, tmp_path: Path) -> None:
    audit = tmp_path / "state" / "sutazai-tui" / "audit.jsonl"  # the default under XDG_STATE_HOME
    audit.parent.mkdir(parents=True)
    audit.write_text("".join(json.dumps(e) + "\n" for e in audit_entries(60)))
    where = tmp_path / "out"
    code = cli.main(["check", "--base-url", backend_thread.url, "--no-containers", "--snapshot", str(where)])
    assert code == 0
    (folder,) = where.iterdir()
    assert [p.name for p in folder.iterdir()] == ["state.json"] and mode(folder) == 0o700
    doc = json.loads((folder / "state.json").read_text())
    assert Snapshot.model_validate(doc["snapshot"]).target == backend_thread.url
    assert doc["audit"] == audit_entries(60)[-50:]


def test_check_snapshot_failure_is_one_line(
    backend_thread: SimulatedBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    code = cli.main(
        ["check", "--base-url", backend_thread.url, "--no-containers", "--snapshot", str(blocker)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3 and len(err) == 1 and "cannot write snapshot bundle" in err[0]


async def test_no_secret_in_any_written_file(
    hostile: HostileServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secret = "tok-SECRET-123-do-not-write"
    monkeypatch.setenv("SUTAZAI_TUI_TOKEN", secret)  # so `report` knows it too
    settings = Settings(
        base_url=hostile.url,
        token=secret,
        default_endpoints=False,
        timeout=2.0,
        containers=False,
        endpoints=[EndpointConfig(name="echo", url="/echo-auth", kind=EndpointKind.HEALTH)],
    )
    monitor = Monitor(settings, containers=FakeFleet())
    out = tmp_path / "written"
    recorder = Recorder(
        out / "rec.jsonl", target=hostile.url, interval=30, max_bytes=1 << 20, redactor=monitor.http.redactor
    )
    try:
        for _ in range(2):
            snapshot = await monitor.cycle()
            recorder.record(snapshot, monitor.history.add(snapshot))
    finally:
        await monitor.close()
        recorder.close()
    assert any(secret in seen for seen in hostile.auth_seen)  # it was sent, and echoed back
    leaked = [{"time": datetime.now(UTC).isoformat(), "action": "stop", "error": f"Bearer {secret}"}]
    write_bundle(
        out / "snaps",
        snapshot,
        list(monitor.history.events),
        [],
        leaked,
        f"<svg>{secret}</svg>",
        redactor=monitor.http.redactor,
    )
    audit = tmp_path / "state" / "sutazai-tui" / "audit.jsonl"
    audit.parent.mkdir(parents=True)
    audit.write_text(json.dumps(leaked[0]) + "\n")
    assert cli.main(["report", str(out / "rec.jsonl"), "--out", str(out / "report.md")]) == 0
    written = [p for p in out.rglob("*") if p.is_file()]
    assert {p.name for p in written} == {"rec.jsonl", "state.json", "screen.svg", "report.md"}
    for path in written:
        text = path.read_text()
        assert secret not in text, f"{path.name} holds the token"
        assert ENV_VALUE not in text, f"{path.name} holds a container env value"
    assert "SECRET_KEY" in (out / "rec.jsonl").read_text()  # env names are kept: diagnosis needs them
    assert secret not in capsys.readouterr().out
    [bundle] = (out / "snaps").iterdir()  # named after the host: no secret, and the host is known
    host = (
        snapshot.host.hostname
        if snapshot.host is not None and snapshot.host.hostname
        else socket.gethostname()
    )
    assert bundle.name.endswith("-" + re.sub(r"[^A-Za-z0-9._-]", "_", host)[:64].strip("."))


def test_bundle_folder_is_named_after_the_time_and_a_safe_host_name(tmp_path: Path) -> None:
    when = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
    odd = Snapshot(host=HostStats(hostname="db 1/prod:a"))
    folder = write_bundle(tmp_path, odd, [], [], [], None, now=when)
    assert folder.name == "20250817T231005Z-db_1_prod_a"  # a path separator cannot escape the folder
    dotted = write_bundle(tmp_path, Snapshot(host=HostStats(hostname="...")), [], [], [], None, now=when)
    assert dotted.name == "20250817T231005Z-host"
    no_host = write_bundle(tmp_path, Snapshot(), [], [], [], None, now=when)
    assert no_host.name.startswith("20250817T231005Z-") and NAME.match(no_host.name)
    assert (
        no_host.name.removeprefix("20250817T231005Z-")
        == re.sub(r"[^A-Za-z0-9._-]", "_", socket.gethostname())[:64].strip(".")
        or "host"
    )
