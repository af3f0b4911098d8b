"""Recreate's policy without an engine: the plan it hands over, its two audit lines, every outcome.

The fake engine records the plan and the time limit it was given; the compose files are real
files in tmp_path, so `missing_on_host` looks at a real filesystem. The engine path itself is
tested in test_recreate_engine.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions import policy
from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.backends import BackendError, ComposeFailed, ContainerGone, ContainerInfo
from sutazai_tui.actions.policy import NO_CLI, Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.engine.compose_labels import RecreatePlan
from tests.unit.test_actions_fake_backend import APP, FakeBackend, running

P = "com.docker.compose."


class ComposeFake(FakeBackend):
    """The fake engine with a compose recreate: a new id unless told to keep the old one."""

    def __init__(self, *infos: ContainerInfo) -> None:
        super().__init__(*infos)
        self.plans: list[tuple[RecreatePlan, int]] = []
        self.recreate_error: BackendError | None = None
        self.keep_id = False
        self.vanish = False  # compose "succeeds" but the container is not there afterwards

    def recreate(self, plan: RecreatePlan, timeout: int) -> str:
        self.plans.append((plan, timeout))
        if self.recreate_error is not None:
            raise self.recreate_error
        old = self.containers.pop(APP)
        if not self.vanish:
            new_id = old.id if self.keep_id else "f" * 64
            self.containers[APP] = old.model_copy(update={"id": new_id, "state": "running"})
        return "Container sutazai-app  Recreated"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    where = tmp_path / "proj"
    where.mkdir()
    (where / "docker-compose.yml").write_text("services: {}\n")
    return where


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "state", compose_cli="docker compose", recreate_timeout=42)


def composed(project: Path, **extra: Any) -> ContainerInfo:
    labels = {
        P + "project": "sutazai",
        P + "service": "app",
        P + "project.config_files": str(project / "docker-compose.yml"),
        P + "project.working_dir": str(project),
    }
    return running(APP, labels=labels, **extra)


def test_recreate_runs_the_plan_within_its_limit_and_audits_before_and_after(
    settings: Settings, project: Path
) -> None:
    fake = ComposeFake(composed(project))
    old_id = fake.containers[APP].id
    result = Actions(settings, fake).recreate(APP, via="key C")
    [(plan, limit)] = fake.plans
    assert limit == 42 and plan.cwd == str(project) and plan.argv[:2] == ("docker", "compose")
    assert (result.result, result.message) == ("done", f"recreated: new container {'f' * 12}, running")
    assert (result.container_id, result.state_after, result.command) == (old_id, "running", plan.command)
    assert result.output == "Container sutazai-app  Recreated"
    started, done = read_audit(settings.audit_path)
    assert (started["result"], started["message"]) == ("started", f"running {plan.command}")
    assert (started["container_id"], started["command"], started["state_before"]) == (
        old_id,
        plan.command,
        "running",
    )
    assert (done["result"], done["via"], done["container_id"]) == ("done", "key C", old_id)


def test_compose_keeping_the_same_container_is_said(settings: Settings, project: Path) -> None:
    fake = ComposeFake(composed(project))
    fake.keep_id = True
    result = Actions(settings, fake).recreate(APP)
    short = fake.containers[APP].id[:12]
    assert result.message == f"compose kept the same container {short} (running): nothing was recreated"


def test_compose_failing_is_a_failed_result_with_its_output(settings: Settings, project: Path) -> None:
    fake = ComposeFake(composed(project))
    old_id = fake.containers[APP].id
    fake.recreate_error = ComposeFailed("compose exited 1", output="no such service: app")
    result = Actions(settings, fake).recreate(APP)
    assert (result.result, result.message, result.output) == (
        "failed",
        "compose exited 1",
        "no such service: app",
    )
    assert result.state_after == "running"  # looked at again afterwards
    fake.recreate_error = BackendError("timed out after 42 s")
    timed_out = Actions(settings, fake).recreate(APP)
    assert (timed_out.result, timed_out.message, timed_out.output) == ("failed", "timed out after 42 s", None)
    for failed in (result, timed_out):  # what was acted on, and how it looks now
        assert (failed.container_id, failed.state_before, failed.state_after) == (
            old_id,
            "running",
            "running",
        )
        assert failed.command is not None and failed.command.endswith("app")


def test_a_container_missing_after_compose_is_a_failure(settings: Settings, project: Path) -> None:
    fake = ComposeFake(composed(project))
    fake.vanish = True
    result = Actions(settings, fake).recreate(APP)
    assert (result.result, result.message) == ("failed", f"compose finished but {APP} is not there")
    assert result.output == "Container sutazai-app  Recreated"
    assert (result.container_id, result.state_before) == (running(APP).id, "running")
    assert result.command is not None


def test_no_plan_is_refused_before_compose_runs(settings: Settings, project: Path) -> None:
    fake = ComposeFake(running(APP))  # no compose labels
    result = Actions(settings, fake).recreate(APP)
    assert result.result == "refused" and result.message.startswith("cannot recreate: ")
    assert (result.container_id, result.state_before) == (fake.containers[APP].id, "running")
    (project / "docker-compose.yml").unlink()
    gone = ComposeFake(composed(project))
    missing = Actions(settings, gone).recreate(APP)
    assert (
        missing.message
        == f"cannot recreate: its compose file {project / 'docker-compose.yml'} is not on this host"
    )
    assert fake.plans == [] and gone.plans == []
    assert [line["result"] for line in read_audit(settings.audit_path)] == ["refused", "refused"]


def test_without_a_compose_cli_recreate_is_refused_and_says_how_to_fix_it(
    settings: Settings, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(policy, "cli_from", lambda setting: None)  # no CLI on this host
    fake = ComposeFake(composed(project))
    actions = Actions(settings.model_copy(update={"compose_cli": ""}), fake)
    assert actions.recreate_plan(fake.containers[APP].labels) == f"cannot recreate: {NO_CLI}"
    assert actions.recreate(APP).message == f"cannot recreate: {NO_CLI}"
    assert fake.plans == []


def test_the_configured_cli_is_the_one_run(settings: Settings, project: Path) -> None:
    fake = ComposeFake(composed(project))
    Actions(settings.model_copy(update={"compose_cli": "docker-compose --ansi never"}), fake).recreate(APP)
    [(plan, _)] = fake.plans
    assert plan.argv[:3] == ("docker-compose", "--ansi", "never")
    assert plan.argv[3:5] == ("-p", "sutazai")


def test_describe_for_recreate_shows_the_command_or_why_not(settings: Settings, project: Path) -> None:
    fake = ComposeFake(composed(project))
    actions = Actions(settings, fake)
    brief = actions.describe(APP, "recreate")
    plan = actions.recreate_plan(fake.containers[APP].labels)
    assert isinstance(plan, RecreatePlan) and brief.command == plan.command and brief.refusal is None
    assert actions.describe(APP).command is None  # a stop has no command to show
    bare = Actions(settings, ComposeFake(running(APP))).describe(APP, "recreate")
    assert bare.command is None and (bare.refusal or "").startswith("cannot recreate: ")
    read_only = Actions(settings.model_copy(update={"read_only": True}), fake).describe(APP, "recreate")
    assert (read_only.refusal or "").startswith("read-only mode") and read_only.command == plan.command


def test_a_protected_container_needs_its_name_typed_for_recreate_too(
    settings: Settings, project: Path
) -> None:
    fake = ComposeFake(composed(project))
    actions = Actions(settings.model_copy(update={"protected": [APP]}), fake)
    assert actions.recreate(APP, typed="nope").result == "refused"
    assert actions.recreate(APP, typed=APP).result == "done"
    assert len(fake.plans) == 1


def test_the_gone_container_is_a_failure_not_a_traceback(settings: Settings) -> None:
    fake = ComposeFake()
    fake.inspect_error = ContainerGone("404")
    assert Actions(settings, fake).recreate(APP).message == f"container {APP} no longer exists"
