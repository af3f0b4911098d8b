"""The audit log: private append-only JSON lines, and `sutazai-tui audit` reading them back."""

from __future__ import annotations

import io
import itertools
import json
import os
import pwd
import socket
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions import audit
from sutazai_tui.actions.audit import FIELDS, AuditError, AuditLog, parse_since, print_audit, read_audit
from sutazai_tui.cli.entry import main
from sutazai_tui.config.settings import Settings


def entry(when: datetime, **extra: Any) -> dict[str, Any]:
    """A typical line's action fields (the log adds who and where)."""
    values: dict[str, Any] = {"time": when.isoformat(), "action": "stop", "container": "sutazai-app"}
    values |= {"container_id": "c" * 64, "state_before": "running", "state_after": "exited"}
    values |= {"result": "done", "message": "stopped (exit 0)", "duration_ms": 812.5} | extra
    return values


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "deep" / "audit.jsonl"


def test_record_writes_private_json_lines(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CLIENT", "10.1.2.3 50022 22")
    monkeypatch.setenv("SECRET_KEY", "hunter2-value")  # env values must never reach the log
    log = AuditLog(log_path)
    now = datetime.now(UTC)
    log.record(entry(now))
    log.record(entry(now, result="failed", error="boom", message="boom"))
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
    text = log_path.read_text()
    assert "hunter2" not in text
    first, second = (json.loads(line) for line in text.splitlines())
    assert list(first) == list(FIELDS)  # fixed order, nothing extra
    assert first["user"] == pwd.getpwuid(os.getuid()).pw_name and first["host"] == socket.gethostname()
    assert first["ssh_client"] == "10.1.2.3"
    assert first["time"] == now.isoformat() and first["duration_ms"] == 812.5
    assert (second["result"], second["error"]) == ("failed", "boom")


def test_lines_are_only_ever_appended(log_path: Path) -> None:
    log = AuditLog(log_path)
    log.record(entry(datetime.now(UTC)))
    before = log_path.read_bytes()
    log.record(entry(datetime.now(UTC), action="kill"))
    after = log_path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2


def test_identity_without_a_passwd_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_CLIENT", raising=False)

    def no_entry(uid: int) -> Any:
        raise KeyError(uid)

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    who = audit.identity()
    assert who["user"] == f"uid {os.getuid()}" and who["ssh_client"] is None and who["host"]


def test_the_actor_is_the_uid_and_the_environment_only_claims(
    log_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("SUDO_USER", "mallory")
    monkeypatch.setenv("SSH_CLIENT", "10.9.8.7 40000 22")
    AuditLog(log_path).record(entry(datetime.now(UTC)))
    line = json.loads(log_path.read_text())
    assert line["user"] == pwd.getpwuid(os.getuid()).pw_name != "alice"
    assert line["uid"] == os.getuid()
    assert line["claimed"] == {"USER": "alice", "SUDO_USER": "mallory", "SSH_CLIENT": "10.9.8.7 40000 22"}


def test_an_existing_wide_file_is_narrowed(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_text("")
    os.chmod(log_path, 0o644)
    AuditLog(log_path).record(entry(datetime.now(UTC)))
    assert stat.S_IMODE(log_path.stat().st_mode) == 0o600


def test_unwritable_path_is_one_actionable_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    path = blocker / "audit.jsonl"  # a parent that is a file stops even root
    with pytest.raises(AuditError) as caught:
        AuditLog(path).open()
    message = str(caught.value)
    assert message.startswith(f"cannot write audit log {path}: ") and "\n" not in message, message
    assert message.endswith("— fix its permissions or set audit_log")


def test_permission_denied_wording(tmp_path: Path) -> None:
    denied = PermissionError(13, "Permission denied")
    path = tmp_path / "a.jsonl"
    fix = "fix its permissions or set audit_log"
    assert audit._why(denied, path) == f"cannot write audit log {path}: permission denied — {fix}"


def write_log(path: Path, *lines: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))


def line(when: datetime, **extra: Any) -> str:
    values = entry(when, user="ops", host="vm1", ssh_client=None, error=None) | extra
    return json.dumps(values)


def printed(path: Path, since: str | None = None) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = print_audit(path, since=since, out=out)
    return code, out.getvalue().splitlines()


def test_print_audit_is_readable(log_path: Path) -> None:
    when = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
    failed = {"result": "failed", "error": "container sutazai-app no longer exists", "ssh_client": "10.0.0.9"}
    write_log(log_path, line(when), line(when, **failed))
    code, lines = printed(log_path)
    assert code == 0 and len(lines) == 2
    local = when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert lines[0] == f"{local}  ops@vm1  stop    sutazai-app  running → exited  done"
    assert "ops@vm1 (ssh 10.0.0.9)" in lines[1]
    assert lines[1].endswith("failed: container sutazai-app no longer exists")


def test_print_audit_since_filters(log_path: Path) -> None:
    old, new = datetime(2025, 8, 17, 22, 0, tzinfo=UTC), datetime.now(UTC) - timedelta(minutes=5)
    write_log(log_path, line(old, action="kill"), line(new, action="restart"))
    _, lines = printed(log_path, since="2025-08-17T23:00+00:00")
    assert len(lines) == 1 and "restart" in lines[0]
    _, lines = printed(log_path, since="1h")
    assert len(lines) == 1 and "restart" in lines[0]
    _, lines = printed(log_path, since="2025-08-17T21:00+00:00")
    assert len(lines) == 2
    _, lines = printed(log_path, since="1m")
    assert lines == [f"no entries in {log_path} since 1m"]


def test_parse_since() -> None:
    now = datetime(2025, 8, 17, 12, 0, tzinfo=UTC)
    assert parse_since("2h", now) == now - timedelta(hours=2)
    assert parse_since("2025-08-17T10:00Z") == datetime(2025, 8, 17, 10, 0, tzinfo=UTC)
    assert parse_since("2025-08-17T10:00").tzinfo is not None  # naive means local time
    with pytest.raises(ValueError):
        parse_since("yesterday-ish")


def test_bad_since_is_exit_2(log_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_log(log_path, line(datetime.now(UTC)))
    assert print_audit(log_path, since="last tuesday") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid --since 'last tuesday'" in err


def test_missing_log_is_not_an_error(tmp_path: Path) -> None:
    code, lines = printed(tmp_path / "none.jsonl")
    assert code == 0 and lines == [f"no audit log at {tmp_path / 'none.jsonl'} yet"]


def test_garbled_lines_are_shown_not_fatal(log_path: Path) -> None:
    when = datetime.now(UTC)
    write_log(log_path, line(when), '{"time": "2025-08-17T2', "[1, 2]", "", line(when, action="kill"))
    code, lines = printed(log_path)
    assert code == 0
    assert lines[1:3] == ["(unreadable line 2)", "(unreadable line 3)"]
    assert "kill" in lines[3] and len(lines) == 4
    assert [e["action"] for e in read_audit(log_path)] == ["stop", "kill"]


def test_read_audit(log_path: Path) -> None:
    assert read_audit(log_path) == []
    old, new = datetime(2025, 1, 1, tzinfo=UTC), datetime.now(UTC)
    write_log(log_path, line(old), line(new, action="restart"))
    assert [e["action"] for e in read_audit(log_path, since=new - timedelta(seconds=1))] == ["restart"]


def test_cli_audit(
    log_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SUTAZAI_TUI_AUDIT_LOG", str(log_path))
    assert main(["audit"]) == 0
    assert capsys.readouterr().out.strip() == f"no audit log at {log_path} yet"
    write_log(log_path, line(datetime.now(UTC)), line(datetime(2020, 1, 1, tzinfo=UTC), action="kill"))
    assert main(["audit", "--since", "1d"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "stop" in out[0]
    assert main(["audit", "--since", "nope"]) == 2
    assert "invalid --since" in capsys.readouterr().err


def test_simulated_entries_are_marked_demo(log_path: Path) -> None:
    when = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
    write_log(log_path, line(when, engine="simulated"), line(when, engine="unix:///var/run/docker.sock"))
    _, lines = printed(log_path)
    assert lines[0].startswith("DEMO  ") and not lines[1].startswith("DEMO")


def demo_and_real(state_dir: Path) -> tuple[Settings, Settings]:
    """The settings a demo session runs with, beside the real ones, for one state folder."""
    from sutazai_tui.demo.session import DemoSession

    settings = Settings(state_dir=state_dir)
    session = DemoSession(settings)
    try:
        return session.start(), settings
    finally:
        session.stop()


def test_the_demo_audits_apart_from_production(tmp_path: Path) -> None:
    demo, settings = demo_and_real(tmp_path)
    assert demo.audit_path == tmp_path / "demo" / "audit.jsonl" != settings.audit_path


def chained_log(path: Path, count: int = 4) -> list[str]:
    log = AuditLog(path)
    for number in range(count):
        log.record(entry(datetime.now(UTC), message=f"line {number + 1}"))
    return path.read_text().splitlines()


def verified(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "--verify"])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip()


@pytest.fixture
def audit_env(log_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SUTAZAI_TUI_AUDIT_LOG", str(log_path))
    return log_path


def test_each_line_carries_the_hash_of_the_one_before(
    audit_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.loads(raw) for raw in chained_log(audit_env)]
    assert lines[0]["prev"] is None
    assert all(later["prev"] == earlier["hash"] for earlier, later in itertools.pairwise(lines))
    assert verified(audit_env, capsys) == (0, f"{audit_env}: 4 lines, chain intact")


def test_an_edited_line_is_named(audit_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = chained_log(audit_env)
    lines[2] = lines[2].replace('"user":"', '"user":"x')  # someone else did it, says the edit
    audit_env.write_text("\n".join(lines) + "\n")
    code, said = verified(audit_env, capsys)
    assert code == 1 and said.startswith(f"{audit_env}: line 3: its content does not match its hash"), said


def test_a_deleted_line_is_named(audit_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = chained_log(audit_env)
    del lines[1]
    audit_env.write_text("\n".join(lines) + "\n")
    code, said = verified(audit_env, capsys)
    assert code == 1 and "line 2: does not follow line 1" in said, said
    lines = chained_log(audit_env.with_name("other.jsonl"))
    audit_env.write_text("\n".join(lines[1:]) + "\n")  # the first line removed
    code, said = verified(audit_env, capsys)
    assert code == 1 and "line 1: does not start the chain" in said, said


def test_the_chain_goes_on_after_a_line_written_by_another_process(log_path: Path) -> None:
    chained_log(log_path, 2)
    AuditLog(log_path).record(entry(datetime.now(UTC)))  # a new writer reads the last line's hash
    from sutazai_tui.actions.chain import verify

    assert verify(log_path).summary() == "3 lines, chain intact"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a file owned by another user")
def test_a_log_owned_by_another_user_is_refused_and_never_written(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    log_path.write_text("planted\n")
    os.chown(log_path, 65534, 65534)
    with pytest.raises(AuditError) as caught:
        AuditLog(log_path).open()
    message = str(caught.value)
    assert (
        message.startswith(f"refusing audit log {log_path}: owned by uid 65534, not you")
        and "\n" not in message
    )
    assert log_path.read_text() == "planted\n"


def test_a_world_writable_folder_is_refused_in_one_line(log_path: Path) -> None:
    log_path.parent.mkdir(parents=True)
    os.chmod(log_path.parent, 0o777)
    with pytest.raises(AuditError) as caught:
        AuditLog(log_path).record(entry(datetime.now(UTC)))
    folder = log_path.parent
    assert str(caught.value) == (
        f"refusing folder {folder}: writable by group or others (mode 777) — `chmod 700 {folder}`"
    )
    assert not log_path.exists()


def test_printing_names_a_browser_tab_and_a_claimed_user() -> None:
    when = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
    tab = audit.format_entry(
        entry(when, user="ops", host="vm1", peer="127.0.0.1:5123", tab="ab12cd34", via="serve")
    )
    assert "ops@vm1 (browser 127.0.0.1:5123, tab ab12cd34)" in tab
    claimed = audit.format_entry(entry(when, user="ops", host="vm1", claimed={"USER": "alice"}))
    assert "ops@vm1 (claims USER=alice)" in claimed


def test_demo_snapshots_are_kept_apart_from_real_ones(tmp_path: Path) -> None:
    """Issue 28 item 9: a demo's bundles never land among production's."""
    demo, settings = demo_and_real(tmp_path)
    assert demo.snapshot_path == tmp_path / "demo" / "snapshots" != settings.snapshot_path
