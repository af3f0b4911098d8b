"""Diagnosis: each detector fires within one cycle of its cause and goes when the cause is fixed.

Snapshots built by hand (no engine, no network); tests/integration/test_diagnosis_over_http.py
drives the real `Monitor` against the simulated backend over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import sutazai_tui.diagnosis
from sutazai_tui.diagnosis.run import (
    DETECTORS,
    FINDINGS,
    diagnose_snapshots,
    findings_table,
)
from sutazai_tui.models import (
    ContainerStats,
    EndpointStatus,
    Snapshot,
)
from sutazai_tui.sources.engine.source import env_names
from tests.builders import (
    BACKEND,
    COMPOSE_LABELS,
    RECREATE,
    SETTINGS,
    T0,
    at,
    box,
    emergency,
    health,
    ids,
    only,
    run,
    snapshot,
)

# ---------------------------------------------------------------- environment


def test_missing_env_fires_and_clears_when_the_env_is_set() -> None:
    bare = box(env_names=("PATH", "JWT_SECRET_KEY"), labels=COMPOSE_LABELS)
    found = only(run(snapshot(0, containers=(bare,))), "missing-env")
    assert found.severity == "critical" and found.subject == BACKEND
    assert "SECRET_KEY and JWT_SECRET" in found.title
    assert "`/srv/sutazai/docker/.env`" in found.fix and "≥ 32" in found.fix
    assert RECREATE in found.fix and "a restart will not help, it keeps the old environment" in found.fix
    unlabelled = only(run(snapshot(0, containers=(box(env_names=("PATH",)),))), "missing-env")
    assert "not started by compose: `docker rm -f sutazai-backend`, then `docker run`" in unlabelled.fix
    fixed = run(snapshot(0, containers=(bare,)), snapshot(30, containers=(box(),)))
    assert "missing-env" not in ids(fixed)


def test_missing_env_only_for_configured_containers() -> None:
    redis = box("sutazai-redis", env_names=("PATH",))
    assert "missing-env" not in ids(run(snapshot(0, containers=(redis,))))
    custom = SETTINGS.model_copy(update={"required_env": {"sutazai-redis": ["REDIS_PASSWORD"]}})
    found = only(run(snapshot(0, containers=(redis,)), settings=custom), "missing-env")
    assert found.subject == "sutazai-redis" and "REDIS_PASSWORD" in found.title


def test_env_name_mismatch_names_the_incident_pair() -> None:
    half = box(env_names=("PATH", "SECRET_KEY", "JWT_SECRET"))
    # The primary needs all three by default: missing-env names JWT_SECRET_KEY, and no second finding.
    by_default = run(snapshot(0, containers=(half,)))
    assert "JWT_SECRET_KEY" in only(by_default, "missing-env").title and "env-name-mismatch" not in ids(
        by_default
    )
    two = SETTINGS.model_copy(update={"primary_required_env": ["SECRET_KEY", "JWT_SECRET"]})
    found = only(run(snapshot(0, containers=(half,)), settings=two), "env-name-mismatch")
    assert found.severity == "warning"
    assert "JWT_SECRET_KEY" in found.title and "JWT_SECRET_KEY" in found.fix
    assert "JWT_SECRET" in found.fix and "2025-08-17" in found.fix
    assert "env-name-mismatch" not in ids(
        run(snapshot(0, containers=(half,)), snapshot(30, containers=(box(),)), settings=two)
    )


def test_env_name_mismatch_ignores_containers_without_the_group() -> None:
    redis = box("sutazai-redis", env_names=("PATH",))
    other = box("sutazai-agent", env_names=("JWT_SECRET_KEY",))
    found = run(snapshot(0, containers=(redis, other)))
    assert [f.subject for f in found if f.id == "env-name-mismatch"] == ["sutazai-agent"]


def test_no_env_value_can_reach_a_finding() -> None:
    # What the container source keeps of Config.Env: the names, parsed from NAME=value entries.
    names = env_names(["PATH=/bin", "JWT_SECRET=hunter2-value-0123456789abcdef0123456789"])
    assert names == ("PATH", "JWT_SECRET")
    sick = box(env_names=names, state="restarting", restart_count=9, labels={"x": "y"})
    found = run(snapshot(0, containers=(sick,)))
    assert {"missing-env", "restart-loop"} <= ids(found)
    dumped = json.dumps([f.model_dump(mode="json") for f in found])
    assert "hunter2" not in dumped


def _attributes_read(module: Path) -> set[str]:
    return {n.attr for n in ast.walk(ast.parse(module.read_text())) if isinstance(n, ast.Attribute)}


def test_diagnostics_reads_env_names_only() -> None:
    package = Path(sutazai_tui.diagnosis.__file__).parent
    sources = list(package.glob("*.py"))
    read = set().union(*(_attributes_read(p) for p in sources))
    # Of a container, only the env *names* and value lengths are read; the rest are settings and
    # detector names.
    config = {"required_env", "env_alias_groups", "missing_env", "env_name_mismatch"}
    assert {a for a in read if "env" in a.lower()} - config == {"env_names", "env_lengths"}
    assert not read & {"environ", "getenv", "environb"}
    imported: set[str] = set()
    for p in sources:
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
    # No way to the process environment, the engine or the network from here.
    assert imported <= {"__future__", "collections", "dataclasses", "datetime", "sutazai_tui"}


def test_diagnostics_does_not_import_textual() -> None:
    code = "import sys, sutazai_tui.diagnosis.run; print(any(m.startswith('textual') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- containers


def test_restart_loop_from_state_restarting_at_once() -> None:
    looping = box(state="restarting", restart_count=1, exit_code=1)
    found = only(run(snapshot(0, containers=(looping,))), "restart-loop")
    assert found.severity == "critical" and "state restarting" in found.evidence
    assert "docker logs --tail 50 sutazai-backend" in found.fix


def test_restart_loop_from_three_restarts_within_five_minutes() -> None:
    cycles = [snapshot(i * 30, containers=(box(restart_count=n),)) for i, n in enumerate((0, 1, 2))]
    assert "restart-loop" not in ids(run(*cycles))
    cycles.append(snapshot(90, containers=(box(restart_count=3),)))
    found = only(run(*cycles), "restart-loop")
    assert "+3 in the last 60 s" in found.evidence
    # Caught running between two attempts is still the loop (issue 27): critical, not "it runs now".
    assert found.severity == "critical" and "caught running between two attempts" in found.title
    down = [*cycles[:-1], snapshot(90, containers=(box(restart_count=3, state="exited", exit_code=1),))]
    failing = only(run(*down), "restart-loop")
    assert failing.severity == "critical" and "in a restart loop" in failing.title
    # The loop stopped: once the rise has left the 5-minute window the finding goes.
    cycles.append(snapshot(400, containers=(box(restart_count=3),)))
    assert "restart-loop" not in ids(run(*cycles))


def test_restart_loop_not_from_slow_restarts_or_a_recreated_container() -> None:
    slow = [
        snapshot(0, containers=(box(restart_count=0),)),
        snapshot(301, containers=(box(restart_count=3),)),
    ]
    assert "restart-loop" not in ids(run(*slow))
    recreated = [snapshot(0, containers=(box(restart_count=5),)), snapshot(30, containers=(box(id="new"),))]
    assert "restart-loop" not in ids(run(*recreated))


def test_restart_loop_goes_when_the_container_is_removed() -> None:
    looping = box(state="restarting", restart_count=4)
    assert "restart-loop" not in ids(run(snapshot(0, containers=(looping,)), snapshot(30, containers=())))


def test_stale_image_fires_and_clears_after_recreate() -> None:
    old = box(
        image="sutazai/backend:latest",
        image_id="sha256:" + "1" * 64,
        tag_image_id="sha256:" + "2" * 64,
        labels=COMPOSE_LABELS,
    )
    found = only(run(snapshot(0, containers=(old,))), "stale-image")
    assert "111111111111" in found.evidence and "222222222222" in found.evidence
    assert RECREATE in found.fix and "a restart will not help, it keeps the old image" in found.fix
    new = box(image_id="sha256:" + "2" * 64, tag_image_id="sha256:" + "2" * 64)
    assert "stale-image" not in ids(run(snapshot(0, containers=(old,)), snapshot(30, containers=(new,))))
    # The tag is gone (None): nothing to compare with, no finding.
    assert "stale-image" not in ids(run(snapshot(0, containers=(box(tag_image_id=None),))))


def test_stale_image_fix_uses_the_compose_service_label() -> None:
    labels = COMPOSE_LABELS | {"com.docker.compose.service": "api"}
    old = box(labels=labels, tag_image_id="sha256:" + "2" * 64)
    assert "--force-recreate --no-deps api`" in only(run(snapshot(0, containers=(old,))), "stale-image").fix


def test_unhealthy_oom_and_crashed() -> None:
    sick = box("sutazai-redis", health="unhealthy")
    oom = box("sutazai-ollama", state="exited", exit_code=137, oom_killed=True, finished_at=at(0))
    crash = box(
        "sutazai-neo4j",
        state="exited",
        exit_code=1,
        finished_at=T0 - timedelta(hours=1) + timedelta(seconds=3),
    )
    found = run(snapshot(0, containers=(sick, oom, crash)))
    assert only(found, "unhealthy").subject == "sutazai-redis"
    assert "State.Health" in only(found, "unhealthy").fix
    assert only(found, "oom-killed").subject == "sutazai-ollama"
    assert "memory limit" in only(found, "oom-killed").fix
    crashed = only(found, "crashed")  # the OOM kill is not also reported as a crash
    assert crashed.subject == "sutazai-neo4j" and crashed.severity == "critical"
    assert "after running 3.0 s" in crashed.evidence
    healed = (box("sutazai-redis", health="healthy"), box("sutazai-ollama"), box("sutazai-neo4j"))
    assert not run(snapshot(0, containers=(sick, oom, crash)), snapshot(30, containers=healed))


def test_crashed_not_for_exit_zero_and_only_a_warning_for_a_stop_signal() -> None:
    clean = box(state="exited", exit_code=0)
    assert not run(snapshot(0, containers=(clean,)))
    stopped = box(state="exited", exit_code=143)
    found = only(run(snapshot(0, containers=(stopped,))), "crashed")
    assert found.severity == "warning" and "SIGTERM" in found.title


# ---------------------------------------------------------------- endpoints


HUNG, REFUSED = "timeout-connected", "refused"


def test_startup_hang_needs_two_consecutive_hung_cycles() -> None:
    one = [snapshot(0, health(0, HUNG))]
    assert "startup-hang" not in ids(run(*one))
    two = [*one, snapshot(30, health(30, HUNG))]
    found = only(run(*two), "startup-hang")
    assert found.severity == "critical" and found.subject == "health"
    assert "2 consecutive cycles since 23:15:00 UTC" in found.evidence
    assert "(timeout 5 s)" in found.evidence and "no container data" in found.evidence
    assert "docker restart sutazai-backend" in found.fix
    recovered = [*two, snapshot(60, health(60))]
    assert "startup-hang" not in ids(run(*recovered))


def test_refused_is_not_a_hang_without_the_engines_word() -> None:
    cycles = [snapshot(i * 30, health(i * 30, REFUSED)) for i in range(3)]
    assert "startup-hang" not in ids(run(*cycles))
    mixed = [snapshot(0, health(0, HUNG)), snapshot(30, health(30, REFUSED)), snapshot(60, health(60, HUNG))]
    assert "startup-hang" not in ids(run(*mixed))


def test_startup_hang_ignores_carried_cycles() -> None:
    carried = health(30, "skipped-budget", carried=True)
    cycles = [snapshot(0, health(0, HUNG)), snapshot(30, carried), snapshot(60, health(60, HUNG))]
    assert "2 consecutive cycles" in only(run(*cycles), "startup-hang").evidence


def test_startup_hang_respects_the_primary_container() -> None:
    def cycles(primary: ContainerStats) -> list[Snapshot]:
        return [snapshot(s, health(s, HUNG), containers=(primary,)) for s in (0, 30)]

    young = box(started_at=at(-10))  # 40 s up at the second cycle: inside the 60 s grace
    assert "startup-hang" not in ids(run(*cycles(young)))
    old = box(started_at=at(-60))  # 90 s up
    found = only(run(*cycles(old)), "startup-hang")
    assert "sutazai-backend running for 90 s, past its 60 s start-up grace" in found.evidence
    dead = box(state="exited", exit_code=1)  # not running: crashed, not hung
    assert ids(run(*cycles(dead))) == {"crashed"}


def test_emergency_route_alone_is_info_and_clears() -> None:
    found = only(run(snapshot(0, emergency(0, 200))), "emergency-build")
    assert found.severity == "info" and found.title.endswith("mode from the log: unknown")
    assert "answered 200 at 23:15:00 UTC" in found.evidence and "no start-up mode line" in found.evidence
    assert "emergency-build" not in ids(run(snapshot(0, emergency(0, 200)), snapshot(30, emergency(30, 404))))


def _init(seconds: float, database: str = "initializing") -> EndpointStatus:
    return health(seconds, services={"redis": "healthy", "database": database})


def test_stuck_initializing_fires_once_past_the_limit_and_clears() -> None:
    cycles = [snapshot(0, _init(0)), snapshot(150, _init(150)), snapshot(300, _init(300))]
    assert "stuck-initializing" not in ids(run(*cycles))  # exactly 300 s: not longer than the limit
    cycles.append(snapshot(330, _init(330)))
    found = only(run(*cycles), "stuck-initializing")
    assert found.subject == "health" and "database initializing since 23:15:00 UTC" in found.evidence
    assert "(330 s); limit 300 s" in found.evidence
    cycles.append(snapshot(360, _init(360, "healthy")))
    assert "stuck-initializing" not in ids(run(*cycles))


def test_stuck_initializing_survives_a_failed_cycle_but_not_an_old_answer() -> None:
    cycles = [snapshot(0, _init(0)), snapshot(200, health(200, HUNG)), snapshot(400, _init(400))]
    assert "stuck-initializing" in ids(run(*cycles))
    # The newest answer failed: the old sub-service states say nothing about now.
    assert "stuck-initializing" not in ids(run(*cycles, snapshot(430, health(430, HUNG))))
    # A healthy run in between restarts the clock.
    reset = [snapshot(0, _init(0)), snapshot(200, _init(200, "healthy")), snapshot(400, _init(400))]
    assert "stuck-initializing" not in ids(run(*reset))


# ---------------------------------------------------------------- the whole


def test_findings_sorted_worst_first_and_tables_agree() -> None:
    sick = (
        box("sutazai-a", health="unhealthy"),
        box(state="restarting"),
        box("sutazai-z", state="exited", exit_code=2),
    )
    found = run(snapshot(0, emergency(0, 200), containers=sick))
    order = {"critical": 0, "warning": 1, "info": 2}
    keys = [(order[f.severity], f.subject, f.id) for f in found]
    assert keys == sorted(keys) and found[0].severity == "critical" and found[-1].severity == "info"
    assert list(FINDINGS) == list(DETECTORS)
    assert ids(found) <= set(FINDINGS)
    table = findings_table()
    assert all(f"| `{fid}` |" in table for fid in FINDINGS)
    assert diagnose_snapshots([], SETTINGS) == []
