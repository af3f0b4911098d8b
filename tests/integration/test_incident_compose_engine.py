"""The seed incident, end to end, on the real engine with a real compose project.

The 2025-08-17 incident: the backend crash-looped for lack of SECRET_KEY; a restart could not fix
it (the old environment stays), the fix was to edit docker/.env and recreate the container; a
rebuilt image likewise needs a recreate. Here, with tests/compose_support.py's project:

1. `up` with a .env lacking SECRET_KEY → the next cycle has `missing-env` and `restart-loop`,
   and the fix names this project's exact compose command;
2. .env fixed, `sutazai-tui act recreate <backend> --yes` (the real CLI) → the new container runs
   (its log says `Backend started in normal mode`) and the next cycle has neither finding;
3. the backend's image rebuilt under its tag → `stale-image`; a second recreate clears it;
4. the recording of the whole run, through `sutazai-tui report`, has every step in its timeline.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.diagnosis.run import diagnose
from sutazai_tui.models import ComposeLabels, Event, Finding
from sutazai_tui.records.recorder import Recorder
from sutazai_tui.sources.engine.compose_labels import RecreatePlan, recreate_plan
from sutazai_tui.sources.engine.source import DockerSource
from tests.compose_support import GOOD_ENV, ComposeProject, compose_project
from tests.docker_support import docker_client, wait_for

__all__ = ["compose_project", "docker_client"]  # fixtures, used by name below
pytestmark = pytest.mark.engine


class Run:
    """The monitor as the TUI runs it: cycle, history, diagnosis, recording."""

    def __init__(self, project: ComposeProject, tmp_path: Path) -> None:
        self.project, self.backend = project, project.name("backend")
        self.config = tmp_path / "config.toml"
        self.record = tmp_path / "incident.jsonl"
        self.config.write_text(
            f'container_prefix = "{project.prefix}"\nprimary_service = "{self.backend}"\n'
            f'state_dir = "{tmp_path / "state"}"\nrecord = "{self.record}"\n'
            f'compose_cli = "{" ".join(project.cli)}"\ndefault_endpoints = false\ninterval = 1\n'
            f'protected = []\n[required_env]\n"{self.backend}" = ["SECRET_KEY", "JWT_SECRET"]\n'
        )
        self.settings = Settings(
            container_prefix=project.prefix,
            primary_service=self.backend,
            required_env={self.backend: ["SECRET_KEY", "JWT_SECRET"]},
            default_endpoints=False,  # HTTP is the simulated backend's job; this is the engine's
            state_dir=tmp_path / "state",
            record=self.record,
            compose_cli=" ".join(project.cli),
            protected=[],
            interval=1,
        )
        self.monitor = Monitor(self.settings, containers=DockerSource.from_settings(self.settings))
        recorder = Recorder.from_settings(self.settings)
        assert recorder is not None
        self.recorder = recorder

    async def cycle(self) -> list[Finding]:
        snapshot = await self.monitor.cycle()
        events = self.monitor.history.add(snapshot)
        findings = diagnose(self.monitor.history, self.settings)
        self.recorder.record(snapshot, events, findings)
        return [f for f in findings if f.subject == self.backend]

    def note(self, text: str) -> None:
        """What the operator did outside the monitor, as the TUI's note key writes it."""
        event = Event(
            at=self.monitor.history.snapshots[-1].taken_at, kind="note", subject="monitor", reason=text
        )
        self.recorder.event(event)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "sutazai_tui", *args, "--config", str(self.config)]
        return subprocess.run(
            argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=180, check=False
        )

    def recreate(self) -> str:
        done = self.cli("act", "recreate", self.backend, "--yes")
        assert done.returncode == 0, done.stderr
        return done.stdout


def by_id(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings}


async def test_the_incident_fixed_by_recreate(
    compose_project: ComposeProject, docker_client: Any, tmp_path: Path
) -> None:
    project = compose_project
    run = Run(project, tmp_path)
    api = docker_client.api
    try:
        # 1. The deploy with SECRET_KEY missing from .env: a crash loop under `restart: always`.
        project.write_env(JWT_SECRET=GOOD_ENV["JWT_SECRET"], JWT_SECRET_KEY=GOOD_ENV["JWT_SECRET_KEY"])
        project.up()
        await run.cycle()  # the monitor was already watching when the deploy went out
        first = run.monitor.history.snapshots[-1].container(run.backend)
        assert first is not None
        # Three restarts since that cycle make a loop whatever state the next cycle catches it in
        # (between two restarts it may be `running` for a moment).
        wanted = first.restart_count + 3
        wait_for(lambda: api.inspect_container(run.backend)["RestartCount"] >= wanted, 60, "three restarts")
        assert b"SECRET_KEY\n  Field required" in api.logs(run.backend)
        found = by_id(await run.cycle())
        assert {"missing-env", "restart-loop"} <= set(found), found
        plan = recreate_plan(
            ComposeLabels.from_labels(api.inspect_container(run.backend)["Config"]["Labels"]), project.cli
        )
        assert isinstance(plan, RecreatePlan)
        command = f"cd {project.dir} && {' '.join(project.cli)} -p {project.project} -f "
        assert plan.command.startswith(command)
        assert plan.command.endswith(" up -d --force-recreate --no-deps backend")
        for fid in ("missing-env", "restart-loop"):
            assert f"`{plan.command}`" in found[fid].fix and "a restart will not help" in found[fid].fix
        assert "SECRET_KEY" in found["missing-env"].title
        old_id = api.inspect_container(run.backend)["Id"]

        # 2. The fix: SECRET_KEY into .env, then recreate through the CLI.
        project.write_env(**GOOD_ENV)
        run.note("SECRET_KEY added to docker/.env")
        line = run.recreate()
        assert line.startswith(f"recreate {run.backend}: done — recreated: new container ")
        new = api.inspect_container(run.backend)
        assert new["Id"] != old_id
        wait_for(lambda: b"Backend started in normal mode" in api.logs(run.backend), 30, "the normal start")
        assert api.inspect_container(run.backend)["State"]["Running"]
        after = by_id(await run.cycle())
        assert not {"missing-env", "restart-loop", "crashed"} & set(after), after

        # 3. A rebuilt image under the same tag: the running container is stale until recreated.
        run.note("backend image rebuilt")
        rebuilt = project.rebuild_backend_image()
        stale = by_id(await run.cycle())
        assert "stale-image" in stale and f"`{plan.command}`" in stale["stale-image"].fix
        assert "it keeps the old image" in stale["stale-image"].fix
        run.recreate()
        assert api.inspect_container(run.backend)["Image"] == rebuilt
        wait_for(
            lambda: api.inspect_container(run.backend)["State"]["Running"], 30, "the rebuilt backend running"
        )
        assert "stale-image" not in by_id(await run.cycle())
    finally:
        run.recorder.close()
        await run.monitor.close()

    # 4. The recording through `report`: a timeline with each step.
    report = run.cli("report", str(run.record))
    assert report.returncode == 0, report.stderr
    text = report.stdout
    timeline = text[text.index("## Timeline") : text.index("## Operator actions")]
    steps = [
        " → DOWN | restart loop: ",
        "| monitor | note | SECRET\\_KEY added to docker/.env |",  # Markdown-escaped: no emphasis
        f"| {run.backend} | **recreate** by ",
        f"| container:{run.backend} | DOWN → OK | running |",
        "| monitor | note | backend image rebuilt |",
        f"| {run.backend} | **recreate** by ",
    ]
    at = 0
    for step in steps:  # each step, in the order it happened
        at = timeline.index(step, at) + len(step)
    recreates = [row for row in timeline.splitlines() if "**recreate**" in row]
    # Each recreate's `started` line shows through its outcome (same time): one row per attempt.
    assert [row.split("| ")[-1].split(" (")[0] for row in recreates] == ["done"] * 2
    assert f"Operator actions: 2 (recreate {run.backend}, recreate {run.backend})" in text
    assert "**Status:** RESOLVED" in text
    findings = text[text.index("## Findings") :]
    assert all(f"`{fid}` {run.backend}" in findings for fid in ("missing-env", "restart-loop", "stale-image"))
    for secret in set(GOOD_ENV.values()):
        assert secret not in text and secret not in run.record.read_text()
        assert secret not in (tmp_path / "state" / "audit.jsonl").read_text()
