"""Actions' policy over a fake backend: the edge cases a real engine cannot be made to show on cue.

The fake implements the same `ActionBackend` protocol the Docker backend and the demo fleet do.
The Docker backend itself is tested in test_actions_engine.py.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import AuditError, AuditWriter, read_audit
from sutazai_tui.actions.backends import (
    ActionTimeout,
    BackendError,
    ContainerGone,
    ContainerInfo,
)
from sutazai_tui.actions.policy import ActionResult, Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.actions import FleetBackend
from sutazai_tui.models import ContainerStats
from sutazai_tui.sources.engine.compose_labels import RecreatePlan

APP = "sutazai-app"


class FakeBackend:
    """An in-memory engine: containers by name, a call log, and hooks to block or fail a call."""

    engine = "fake://engine"
    runs_on_host = True

    def __init__(self, *infos: ContainerInfo) -> None:
        self.containers = {i.name: i for i in infos}
        self.calls: list[tuple[str, str]] = []
        self.gate: threading.Event | None = None  # when set, actions wait for it...
        self.gated: set[str] | None = None  # ...on these container ids only (None: all)
        self.entered = threading.Event()
        self.fail: BackendError | None = None  # raised by the next stop/restart/kill
        self.inspect_error: BackendError | None = None

    def close(self) -> None:
        """Nothing to release."""

    def inspect(self, name: str) -> ContainerInfo:
        if self.inspect_error is not None:
            raise self.inspect_error
        found = self.containers.get(name) or next((c for c in self.containers.values() if c.id == name), None)
        if found is None:
            raise ContainerGone(f"no such container {name}")
        return found

    def _change(self, ref: str, action: str, **update: Any) -> None:
        self.calls.append((action, ref))
        self.entered.set()
        if self.gate is not None and (self.gated is None or ref in self.gated):
            assert self.gate.wait(10), "test never released the gate"
        if self.fail is not None:
            raise self.fail
        info = self.inspect(ref)
        self.containers[info.name] = info.model_copy(update=update)

    def stop(self, ref: str, timeout: int) -> None:
        self._change(ref, "stop", state="exited", exit_code=0)

    def restart(self, ref: str, timeout: int) -> None:
        self._change(ref, "restart", state="running", exit_code=None, started_at=datetime.now(UTC))

    def start(self, ref: str, timeout: int) -> None:
        self._change(ref, "start", state="running", exit_code=None, started_at=datetime.now(UTC))

    def kill(self, ref: str) -> None:
        self._change(ref, "kill", state="exited", exit_code=137)

    def recreate(self, plan: RecreatePlan, timeout: int) -> str:
        raise BackendError("the fake engine has no compose project")  # test_actions_recreate has one


def running(name: str, **extra: Any) -> ContainerInfo:
    """A running container record for the fake."""
    started = datetime.now(UTC) - timedelta(minutes=5)
    values: dict[str, Any] = {"name": name, "id": f"{abs(hash(name)):064x}"[:64], "image": "busybox"}
    values |= {"state": "running", "started_at": started} | extra
    return ContainerInfo(**values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", stop_timeout=3, protected=["sutazai-db"])


@pytest.fixture
def fake() -> FakeBackend:
    return FakeBackend(running(APP), running("sutazai-db"), running("postgres-other"))


def make(settings: Settings, fake: FakeBackend, **overrides: Any) -> Actions:
    return Actions(settings.model_copy(update=overrides), fake)


def test_stop_is_done_audited_and_one_line(settings: Settings, fake: FakeBackend) -> None:
    result = make(settings, fake).stop(APP, via="key x")
    assert (result.result, result.state_before, result.state_after) == ("done", "running", "exited")
    assert result.ok and result.audited and result.error is None
    assert result.container_id == fake.containers[APP].id
    assert fake.calls == [("stop", result.container_id)]  # by id: the container that was checked
    started, line = read_audit(settings.audit_path)  # `started` is on disk before the engine is asked
    assert (started["result"], started["container_id"], started["time"]) == (
        "started",
        result.container_id,
        line["time"],
    )
    assert line["action"] == "stop" and line["container"] == APP and line["result"] == "done"
    assert (line["state_before"], line["state_after"], line["via"]) == ("running", "exited", "key x")
    assert line["engine"] == "fake://engine" and line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
    event = result.event()
    assert event.kind == "action" and event.subject == f"container:{APP}" and "done" in event.reason


def test_restart_and_kill(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    assert actions.restart(APP).message == "running again"
    killed = actions.kill(APP)
    assert (killed.result, killed.state_after, killed.message) == ("done", "exited", "killed (exit 137)")
    assert [c[0] for c in fake.calls] == ["restart", "kill"]
    restarted = actions.restart(APP)  # restart of a stopped container starts it: not a noop
    assert restarted.result == "done" and restarted.state_after == "running"


def test_read_only_is_refused_in_the_core(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake, read_only=True)
    for result in (actions.stop(APP), actions.restart(APP), actions.kill(APP)):
        assert result.result == "refused" and "read-only" in result.message
    assert fake.calls == []
    assert [line["result"] for line in read_audit(settings.audit_path)] == ["refused"] * 3
    assert actions.describe(APP).refusal is not None


def test_outside_the_monitored_set_is_refused(settings: Settings, fake: FakeBackend) -> None:
    result = make(settings, fake).stop("postgres-other")
    assert result.result == "refused" and "not a monitored container" in result.message
    assert fake.calls == []
    assert read_audit(settings.audit_path)[0]["container_id"] == fake.containers["postgres-other"].id


def test_label_rule_is_the_monitors(settings: Settings) -> None:
    fake = FakeBackend(running("other", labels={"com.sutazai.role": "db"}))
    actions = Actions(settings.model_copy(update={"container_labels": ["com.sutazai.role=db"]}), fake)
    assert actions.stop("other").result == "done"


def test_id_cannot_bypass_the_allow_list(settings: Settings, fake: FakeBackend) -> None:
    outsider = fake.containers["postgres-other"].id
    assert make(settings, fake).stop(outsider).result == "refused"
    assert fake.calls == []


def test_already_stopped_is_a_noop(settings: Settings) -> None:
    fake = FakeBackend(running(APP, state="exited", exit_code=0))
    actions = Actions(settings, fake)
    for result in (actions.stop(APP), actions.kill(APP)):
        assert result.result == "noop" and result.message == "already stopped (exited)" and result.ok
    assert fake.calls == []


def test_vanished_container_fails(settings: Settings, fake: FakeBackend) -> None:
    result = make(settings, fake).stop("sutazai-gone")
    assert (result.result, result.message) == ("failed", "container sutazai-gone no longer exists")
    assert read_audit(settings.audit_path)[0]["error"] == result.message
    assert make(settings, fake).stop(" ").message == "no container selected"


def test_vanished_between_inspect_and_stop(settings: Settings, fake: FakeBackend) -> None:
    fake.fail = ContainerGone("404")
    result = make(settings, fake).stop(APP)
    assert (result.result, result.state_after) == ("failed", "gone")
    assert result.message == f"container {APP} no longer exists"


def test_engine_unreachable_fails_with_reason(settings: Settings, fake: FakeBackend) -> None:
    fake.inspect_error = BackendError("Docker engine unreachable at unix:///x.sock:\nno engine socket")
    result = make(settings, fake).stop(APP)
    assert result.result == "failed" and "\n" not in result.message
    assert result.message == "Docker engine unreachable at unix:///x.sock: no engine socket"


def test_timeout_fails_with_the_backends_reason(settings: Settings, fake: FakeBackend) -> None:
    fake.fail = ActionTimeout("the engine did not confirm within 13s")
    result = make(settings, fake).stop(APP)
    assert result.result == "failed"
    assert result.message == f"stop of {APP} failed: the engine did not confirm within 13s"


def test_second_action_on_the_same_container_is_refused(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    fake.gate = threading.Event()
    first: list[ActionResult] = []
    worker = threading.Thread(target=lambda: first.append(actions.stop(APP)))
    worker.start()
    try:
        assert fake.entered.wait(5)
        second = actions.restart(APP)
        assert (second.result, second.message) == ("refused", f"an action is already running on {APP}")
    finally:
        fake.gate.set()
        worker.join(5)
    assert first[0].result == "done"
    assert [c[0] for c in fake.calls] == ["stop"]
    assert actions.restart(APP).result == "done"  # the slot is free again
    results = [line["result"] for line in read_audit(settings.audit_path)]
    assert sorted(results) == ["done", "done", "refused", "started", "started"]


def test_other_containers_are_not_blocked(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake, protected=[])
    fake.gate, fake.gated = threading.Event(), {fake.containers[APP].id}
    first: list[ActionResult] = []
    worker = threading.Thread(target=lambda: first.append(actions.stop(APP)))
    worker.start()
    try:
        assert fake.entered.wait(5)
        assert actions.stop("sutazai-db").result == "done"  # while APP's stop still hangs
        assert worker.is_alive() and first == []
    finally:
        fake.gate.set()
        worker.join(5)
    [done] = first  # the held action finished on its own, unharmed by the other container's
    assert (done.result, done.container_id, done.state_after) == ("done", fake.containers[APP].id, "exited")
    assert sorted(fake.calls) == sorted(
        [("stop", fake.containers[APP].id), ("stop", fake.containers["sutazai-db"].id)]
    )


def test_unwritable_audit_log_refuses_and_does_nothing(tmp_path: Path, fake: FakeBackend) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    # Root ignores mode bits; a parent that is a regular file stops everyone.
    settings = Settings(audit_log=blocker / "sub" / "audit.jsonl")
    result = Actions(settings, fake).stop(APP)
    assert result.result == "refused" and not result.audited
    assert result.message.startswith(f"not acting: cannot write audit log {settings.audit_path}:")
    assert result.message.endswith("fix its permissions or set audit_log")
    assert fake.calls == []


def test_audit_failure_after_acting_is_reported(
    settings: Settings, fake: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(writer: AuditWriter, entry: Any) -> None:
        raise AuditError("no space left on device")

    real = AuditWriter.write
    lines: list[Any] = []

    def started_then_full(writer: AuditWriter, entry: Any) -> None:
        if lines:
            raise AuditError("no space left on device")
        lines.append(entry)
        real(writer, entry)

    monkeypatch.setattr(AuditWriter, "write", started_then_full)  # `started` written, then the disk filled up
    result = make(settings, fake).stop(APP)
    assert result.result == "done" and not result.audited
    assert result.message == "stopped (exit 0); audit line NOT written: no space left on device"


def test_nothing_is_done_when_the_started_line_cannot_be_written(
    settings: Settings, fake: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(writer: AuditWriter, entry: Any) -> None:
        raise AuditError("no space left on device")

    monkeypatch.setattr(AuditWriter, "write", disk_full)  # opened fine, but nothing can be written
    result = make(settings, fake).stop(APP)
    assert result.result == "refused" and not result.audited
    assert result.message.startswith("not acting:") and "no space left on device" in result.message
    assert fake.calls == []


def test_protected_needs_the_name_typed(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    assert actions.is_protected("sutazai-db") and not actions.is_protected(APP)
    refused = actions.stop("sutazai-db", typed="sutazai-d")
    assert refused.result == "refused" and "type its name" in refused.message
    assert fake.calls == []
    assert actions.stop("sutazai-db", typed="sutazai-db").result == "done"


def test_cancel_is_audited_without_touching_the_engine(settings: Settings, fake: FakeBackend) -> None:
    result = make(settings, fake).cancelled(APP, "restart", via="key R")
    assert result.result == "cancelled" and fake.calls == []
    [line] = read_audit(settings.audit_path)
    assert (line["action"], line["result"], line["via"]) == ("restart", "cancelled", "key R")


def test_describe_and_emergency_target(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake, primary_service=APP)
    brief = actions.describe(APP)
    assert brief.short_id == fake.containers[APP].id[:12] and brief.image == "busybox"
    assert brief.state == "running" and brief.refusal is None and not brief.protected
    assert brief.uptime_s is not None and 290 < brief.uptime_s < 400
    assert actions.describe("sutazai-db").protected
    assert "not a monitored" in (actions.describe("postgres-other").refusal or "")
    with pytest.raises(ContainerGone):
        actions.describe("sutazai-nope")


class StubFleet:
    """The SimulatedEngine protocol: what FleetBackend needs of the demo's fleet."""

    engine = "simulated"

    def __init__(self) -> None:
        self.stats = {APP: ContainerStats(name=APP, id="abc123", image="sutazai/app", state="running")}

    def inspect(self, name: str) -> ContainerStats:
        return self.stats[name]  # KeyError is a LookupError, as the fleet raises

    def stop(self, name: str) -> None:
        self.stats[name] = self.stats[name].model_copy(update={"state": "exited", "exit_code": 0})

    def restart(self, name: str) -> None:
        self.stats[name] = self.stats[name].model_copy(update={"state": "running", "exit_code": None})

    def recreate_service(self, service: str) -> None:
        name = f"sutazai-{service}"
        self.stats[name] = self.stats[name].model_copy(update={"id": "def456", "state": "running"})


def test_the_demo_fleet_goes_through_the_same_policy(settings: Settings) -> None:
    actions = Actions(settings, FleetBackend(StubFleet()))
    stopped = actions.stop(APP, via="key x")
    assert (stopped.result, stopped.state_after, stopped.container_id) == ("done", "exited", "abc123")
    assert actions.restart(APP).state_after == "running"
    assert actions.stop("sutazai-missing").message == "container sutazai-missing no longer exists"
    assert read_audit(settings.audit_path)[0]["engine"] == "simulated"
    read_only = Actions(settings.model_copy(update={"read_only": True}), FleetBackend(StubFleet()))
    assert read_only.stop(APP).result == "refused"


def swap_names(fake: FakeBackend, one: str, other: str) -> None:
    """`docker rename` both ways: each container now carries the other's name."""
    a, b = fake.containers[one], fake.containers[other]
    fake.containers = {**fake.containers, one: b.model_copy(update={"name": one})}
    fake.containers[other] = a.model_copy(update={"name": other})


def test_the_confirmed_id_is_acted_on_or_nothing_is(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    brief = actions.describe(APP)
    other = fake.containers["postgres-other"].id
    swap_names(fake, APP, "postgres-other")  # between the dialog and `y`
    refused = actions.run("stop", APP, via="key x", expected_id=brief.id)
    said = f"{APP} changed since you confirmed (id {brief.id[:12]}… → {other[:12]}…): not acting"
    assert (refused.result, refused.message, refused.container_id) == ("refused", said, brief.id)
    assert fake.calls == []
    [line] = read_audit(settings.audit_path)
    assert (line["result"], line["message"], line["container_id"]) == ("refused", said, brief.id)


def test_a_confirmed_container_that_is_gone_is_not_replaced(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    brief = actions.describe(APP)
    del fake.containers[APP]
    refused = actions.run("kill", APP, expected_id=brief.id)
    assert refused.result == "refused" and refused.message.endswith(
        f"(id {brief.id[:12]}… → gone): not acting"
    )
    assert fake.calls == []


def test_protection_is_judged_on_the_confirmed_container(settings: Settings, fake: FakeBackend) -> None:
    actions = make(settings, fake)
    brief = actions.describe("sutazai-db")
    assert brief.protected
    done = actions.run("stop", "sutazai-db", typed="sutazai-db", expected_id=brief.id)
    assert done.result == "done" and fake.calls == [("stop", brief.id)]  # the engine is called by id
