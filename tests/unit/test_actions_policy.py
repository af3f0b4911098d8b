"""Actions' policy rules an operator relies on, each pinned on its own (the fake engine records what
it was asked, including the stop timeout). test_actions_fake_backend.py covers the main paths.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.backends import BackendError, ContainerGone, ContainerInfo
from sutazai_tui.actions.policy import ActionResult, Actions
from sutazai_tui.config.settings import Settings
from tests.unit.test_actions_fake_backend import APP, FakeBackend, running


class TimedFake(FakeBackend):
    """The fake engine, also recording the grace period each stop/restart was given."""

    def __init__(self, *infos: ContainerInfo, exit_code: int = 0) -> None:
        super().__init__(*infos)
        self.timeouts: list[int] = []
        self.exit_code = exit_code
        self.after_error: BackendError | None = None  # raised by inspects after the action
        self.acted = False

    def inspect(self, name: str) -> ContainerInfo:
        if self.after_error is not None and self.acted:
            raise self.after_error
        return super().inspect(name)

    def _change(self, ref: str, action: str, **update: Any) -> None:
        super()._change(ref, action, **update)
        self.acted = True

    def stop(self, ref: str, timeout: int) -> None:
        self.timeouts.append(timeout)
        self._change(ref, "stop", state="exited", exit_code=self.exit_code)

    def restart(self, ref: str, timeout: int) -> None:
        self.timeouts.append(timeout)
        self._change(ref, "restart", state="exited", exit_code=1)  # came back and died at once

    def start(self, ref: str, timeout: int) -> None:
        self._change(ref, "start", state="running", exit_code=None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", stop_timeout=3, protected=["sutazai-db"])


def test_the_stop_timeout_is_handed_to_the_engine(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    actions = Actions(settings, fake)
    actions.stop(APP)
    actions.restart(APP)
    actions.restart(APP, 9)
    actions.stop(APP, 7)  # exited now: a noop, the engine is not asked
    assert fake.timeouts == [3, 3, 9]
    assert Actions(settings, fake).kill(APP).result == "noop"


@pytest.mark.parametrize("state", ["running", "restarting", "paused"])
def test_a_restart_looping_or_paused_container_can_be_stopped(settings: Settings, state: str) -> None:
    fake = TimedFake(running(APP, state=state))
    result = Actions(settings, fake).stop(APP)
    assert (result.result, result.state_before, result.state_after) == ("done", state, "exited")
    assert [c[0] for c in fake.calls] == ["stop"]


@pytest.mark.parametrize("state", ["exited", "created", "dead"])
def test_stopping_what_does_not_run_is_a_noop(settings: Settings, state: str) -> None:
    fake = TimedFake(running(APP, state=state))
    result = Actions(settings, fake).stop(APP)
    assert (result.result, result.message, result.state_after) == (
        "noop",
        f"already stopped ({state})",
        state,
    )
    assert fake.calls == [] and result.ok and result.error is None


def test_the_engine_killing_after_the_grace_period_is_said(settings: Settings) -> None:
    fake = TimedFake(running(APP), exit_code=137)
    ignored = Actions(settings, fake).stop(APP, 0)  # no grace: the engine kills at once
    assert ignored.message == "stopped: it ignored SIGTERM for 0s, so the engine killed it (exit 137)"
    fake = TimedFake(running(APP), exit_code=137)
    quick = Actions(settings, fake).stop(APP)  # 137 well within 3 s: it was not the grace running out
    assert quick.message == "stopped (exit 137)"
    fake = TimedFake(running(APP), exit_code=0)
    assert Actions(settings, fake).stop(APP, 0).message == "stopped (exit 0)"


def test_a_restart_that_does_not_come_up_says_so(settings: Settings) -> None:
    result = Actions(settings, TimedFake(running(APP))).restart(APP)
    assert (result.result, result.message) == ("done", "restarted, but it is exited now")


def test_the_state_after_is_best_effort(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    fake.after_error = ContainerGone("removed by --rm")
    gone = Actions(settings, fake).stop(APP)
    assert (gone.result, gone.state_after, gone.message) == ("done", "gone", "stopped")
    fake = TimedFake(running(APP))
    fake.after_error = BackendError("engine went away")
    lost = Actions(settings, fake).kill(APP)
    assert (lost.result, lost.state_after, lost.message) == ("done", "unknown", "killed")


def test_the_slot_stays_held_after_a_refused_second_action(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    actions = Actions(settings, fake)
    fake.gate = threading.Event()
    first: list[ActionResult] = []
    worker = threading.Thread(target=lambda: first.append(actions.stop(APP)))
    worker.start()
    try:
        assert fake.entered.wait(5)
        assert actions.restart(APP).result == "refused"
        # The refusal must not have freed the slot the first action still holds.
        third = actions.kill(APP)
        assert (third.result, third.message) == ("refused", f"an action is already running on {APP}")
    finally:
        fake.gate.set()
        worker.join(5)
    assert [r.result for r in first] == ["done"] and [c[0] for c in fake.calls] == ["stop"]


def test_a_failed_action_frees_the_slot(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    fake.fail = BackendError("boom")
    actions = Actions(settings, fake)
    assert actions.stop(APP).result == "failed"
    fake.fail = None
    assert actions.stop(APP).result == "done"


def test_a_failure_keeps_the_state_seen_after_it(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    fake.fail = BackendError("the engine said no\nat all")
    result = Actions(settings, fake).restart(APP)
    assert result.message == f"restart of {APP} failed: the engine said no at all"
    assert (result.state_before, result.state_after, result.error) == ("running", "running", result.message)


def test_read_only_with_no_selection_says_nothing_is_selected(settings: Settings) -> None:
    actions = Actions(settings.model_copy(update={"read_only": True}), TimedFake(running(APP)))
    assert actions.stop("").message == "no container selected"
    assert actions.stop(APP).message.startswith("read-only mode")


def test_outside_beats_protected_and_the_rule_is_named(settings: Settings) -> None:
    fake = TimedFake(running("db-other"))
    labelled = settings.model_copy(update={"protected": ["db-other"], "container_labels": ["role=db", "x=y"]})
    result = Actions(labelled, fake).stop("db-other", typed="db-other")
    rule = "name prefix 'sutazai-' or labels role=db, x=y"
    assert result.message == f"db-other is not a monitored container ({rule}); not touching it"
    plain = Actions(settings, fake).describe("db-other").refusal
    assert plain == "db-other is not a monitored container (name prefix 'sutazai-'); not touching it"


def test_protected_with_the_right_name_typed_goes_ahead(settings: Settings) -> None:
    fake = TimedFake(running("sutazai-db"))
    actions = Actions(settings, fake)
    assert actions.stop("sutazai-db").message == "sutazai-db is protected: type its name to confirm"
    assert actions.stop("sutazai-db", typed="sutazai-db").result == "done"


def test_messages_are_one_line_of_at_most_400_characters(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    fake.fail = BackendError("x" * 1000)
    result = Actions(settings, fake).stop(APP)
    assert len(result.message) == 400 and "\n" not in result.message


def test_result_summary_event_and_audit_fields(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    result = Actions(settings, fake).stop(APP, via="key x")
    assert result.summary() == f"stop {APP}: done — stopped (exit 0)"
    assert result.event().reason == result.summary() and result.event().at == result.at
    started, line = read_audit(settings.audit_path)
    assert started["result"] == "started" and started["via"] == "key x"
    assert line["error"] is None and line["via"] == "key x" and "audited" not in line and "at" not in line
    assert line["duration_ms"] == round(result.duration_ms, 1)
    refused = Actions(settings, fake).stop("sutazai-db")
    assert refused.error == refused.message and not refused.ok
    assert read_audit(settings.audit_path)[2]["error"] == refused.message


def test_describe_gives_uptime_only_while_running(settings: Settings) -> None:
    fake = TimedFake(running(APP, state="exited"))
    brief = Actions(settings, fake).describe(APP)
    assert brief.uptime_s is None and brief.state == "exited"
    read_only = Actions(settings.model_copy(update={"read_only": True}), fake).describe(APP)
    assert read_only.refusal is not None and read_only.refusal.startswith("read-only mode")


def test_cancel_is_recorded_with_its_action(settings: Settings, **_: Any) -> None:
    result = Actions(settings, TimedFake(running(APP))).cancelled(APP, "kill")
    assert (result.action, result.result, result.message) == (
        "kill",
        "cancelled",
        "cancelled by the operator",
    )
    assert result.error is None and not result.ok


def test_via_and_typed_reach_the_policy_for_every_action(settings: Settings) -> None:
    fake = FakeBackend(running("sutazai-db"))  # its restart comes back running
    actions = Actions(settings, fake)
    assert actions.restart("sutazai-db", via="key R").result == "refused"  # protected, nothing typed
    assert actions.restart("sutazai-db", via="key R", typed="sutazai-db").result == "done"
    assert actions.kill("sutazai-db", via="palette").result == "refused"
    assert actions.kill("sutazai-db", via="palette", typed="sutazai-db").result == "done"
    outcomes = [line for line in read_audit(settings.audit_path) if line["result"] != "started"]
    assert [(line["action"], line["via"]) for line in outcomes] == [
        ("restart", "key R"),
        ("restart", "key R"),
        ("kill", "palette"),
        ("kill", "palette"),
    ]


class SlowFake(TimedFake):
    """An engine whose stop takes a while, as a real one does (SIGTERM, then the exit)."""

    def stop(self, ref: str, timeout: int) -> None:
        threading.Event().wait(0.05)  # the simulated engine's own slowness, not a settle delay
        super().stop(ref, timeout)


def test_an_action_is_timed_from_when_it_began(settings: Settings) -> None:
    from datetime import UTC, datetime

    before = datetime.now(UTC)
    result = Actions(settings, SlowFake(running(APP))).stop(APP)
    after = datetime.now(UTC)
    assert before <= result.at <= after  # when it began, not when it ended or later
    assert 50 <= result.duration_ms <= (after - before).total_seconds() * 1000
    started, line = read_audit(settings.audit_path)
    assert line["time"] == started["time"] == result.at.isoformat()  # the attempt's start, not the write's


def test_every_outcome_names_the_container_it_looked_at(settings: Settings) -> None:
    fake = TimedFake(running(APP, state="exited"))
    noop = Actions(settings, fake).stop(APP)
    assert (noop.container_id, noop.state_before) == (fake.containers[APP].id, "exited")
    fake = TimedFake(running(APP))
    fake.fail = ContainerGone("404")
    gone = Actions(settings, fake).stop(APP)
    assert (gone.container_id, gone.state_before, gone.state_after) == (
        fake.containers[APP].id,
        "running",
        "gone",
    )


def test_describe_carries_the_start_time(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    brief = Actions(settings, fake).describe(APP)
    assert brief.started_at == fake.containers[APP].started_at and brief.started_at is not None


def test_the_default_backend_is_the_engine_from_the_settings(settings: Settings) -> None:
    from sutazai_tui.actions.backends import DockerBackend

    def factory() -> object:
        raise AssertionError("no engine call is made by building the policy")

    tuned = settings.model_copy(update={"docker_host": "unix:///tmp/x.sock", "docker_timeout": 7.0})
    backend = Actions(tuned, client_factory=factory).backend
    assert isinstance(backend, DockerBackend)
    assert (backend.docker_host, backend.margin, backend._factory) == ("unix:///tmp/x.sock", 7.0, factory)


@pytest.mark.parametrize("state", ["exited", "created"])
def test_start_starts_a_stopped_container_and_is_audited(settings: Settings, state: str) -> None:
    """Issue 28 item 9: a start verb, same policy and audit as the others."""
    fake = TimedFake(running(APP, state=state))
    result = Actions(settings, fake).start(APP, via="cli act")
    assert (result.result, result.message, result.state_after) == ("done", "running", "running")
    assert [c[0] for c in fake.calls] == ["start"]
    [line] = [
        e for e in read_audit(settings.audit_path) if e.get("action") == "start" and e["result"] != "started"
    ]
    assert line["result"] == "done" and line["via"] == "cli act"


def test_starting_what_runs_is_a_noop(settings: Settings) -> None:
    fake = TimedFake(running(APP))
    result = Actions(settings, fake).start(APP)
    assert (result.result, result.message) == ("noop", "already running") and fake.calls == []
