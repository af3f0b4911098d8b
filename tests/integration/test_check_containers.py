"""`check` with containers: a container's state must reach the exit code, not only the table.

One test on the real Docker engine (a `check` process, as cron runs it), one on the demo fleet
(in-process, the same `run_check` the CLI calls), each with endpoints that are all OK so the
container is the only thing that can move the level.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from sutazai_tui.cli.check import run_check
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client, engine, wait_for

__all__ = ["containers", "docker_client"]  # fixtures, used by name below


@engine
def test_an_exited_container_on_the_engine_makes_check_critical(
    backend_thread: SimulatedBackend, containers: ContainerFactory
) -> None:
    crashed = containers.run("crashed", ["sh", "-c", "exit 3"])
    wait_for(lambda: crashed.reload() or crashed.status == "exited" or None, 30, "the container to exit")
    argv = ["check", "--json", "--base-url", backend_thread.url, "--container-prefix", containers.prefix]
    proc = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    doc: dict[str, Any] = json.loads(proc.stdout)
    assert proc.returncode == 2, proc.stderr
    # one reason per problem: the finding (its id in brackets) says it, not the row again
    assert f"CRITICAL: [crashed] {crashed.name}: {crashed.name} exited with code 3" in doc["reasons"]
    # Nothing else is wrong: the endpoints of a healthy backend raise no reason of their own.
    assert not [r for r in doc["reasons"] if "health" in r or "mcp" in r]
    [seen] = doc["snapshot"]["containers"]["containers"]
    assert (seen["name"], seen["state"], seen["exit_code"]) == (crashed.name, "exited", 3)


async def test_a_stopped_fleet_container_makes_check_a_warning(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    settings = settings_for(backend.url, tmp_path)
    fleet = SimulatedFleet(backend)
    out = io.StringIO()
    one = demo_session(settings, fleet, hooks=False)
    assert await run_check(settings, as_json=True, session=one, out=out) == 0  # all fine: OK
    fleet.stop("sutazai-frontend")
    out = io.StringIO()
    code = await run_check(
        settings, as_json=True, session=demo_session(settings, fleet, hooks=False), out=out
    )
    doc = json.loads(out.getvalue())
    assert (code, doc["status"]) == (1, "WARNING")
    assert "WARNING: sutazai-frontend: exited with code 0" in doc["reasons"]
    assert not [r for r in doc["reasons"] if r.startswith("CRITICAL")]
