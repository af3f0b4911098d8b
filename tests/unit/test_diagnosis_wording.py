"""Diagnosis wording and glue pinned rule by rule: what evidence says about times, spans, names and
ids, the recreate advice per deployment, the service name in a command, and the findings table of
docs/operating.md.

test_diagnosis_detectors.py runs the detectors over incidents; this file pins the helpers they share.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.diagnosis.context import Context, aware, clock, names, short_id, span
from sutazai_tui.diagnosis.endpoints import emergency_build, startup_hang, stuck_initializing
from sutazai_tui.diagnosis.recreate import NEEDS_RECREATE, env_place, rebuild_command, recreate_fix
from sutazai_tui.diagnosis.run import RECREATE_CELL, diagnose, findings_table
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
)

T0 = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
C = "com.docker.compose."
OPERATING = Path(__file__).resolve().parents[2] / "docs" / "operating.md"


def ctx_with(*items: ContainerStats, **settings: Any) -> Context:
    fleet = ContainersStatus(engine="e", state=State.OK, reason="listed", containers=items)
    snap = Snapshot(taken_at=T0, containers=fleet)
    return Context(snapshots=(snap,), settings=Settings(**settings), now=T0)


def box(name: str = "sutazai-backend", labels: dict[str, str] | None = None, **values: Any) -> ContainerStats:
    return ContainerStats(
        name=name, id="c0ffee" * 10, image="sutazai/backend:latest", labels=labels or {}, **values
    )


def compose_labels(**extra: str) -> dict[str, str]:
    found = {C + "project": "sutazai", C + "service": "api"} | {
        C + k.replace("__", "."): v for k, v in extra.items()
    }
    return {k: v for k, v in found.items() if v != "-"}


def test_naive_times_count_as_utc_and_aware_ones_keep_their_zone() -> None:
    naive = datetime(2025, 8, 17, 23, 10, 5)
    assert aware(naive) == T0 and aware(naive).tzinfo is UTC
    plus2 = datetime(2025, 8, 18, 1, 10, 5, tzinfo=timezone(timedelta(hours=2)))
    assert aware(plus2) is plus2
    assert clock(plus2) == "23:10:05 UTC"  # shown in UTC whatever zone it came in
    assert clock(naive) == "23:10:05 UTC" and clock(None) == "an unknown time"


def test_clock_is_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert clock(T0) == "23:10:05 UTC"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_spans_read_in_the_unit_an_operator_expects() -> None:
    cases = {
        0.6: "0.6 s",
        9.96: "10.0 s",
        10: "10 s",
        599: "599 s",
        600: "10 min",
        659: "11 min",
        7199: "120 min",
        7200: "2.0 h",
        12600: "3.5 h",
        3_600_000: "1000.0 h",
    }
    assert {s: span(s) for s in cases} == cases


def test_ids_are_twelve_hex_digits_without_the_algorithm() -> None:
    assert short_id("sha256:" + "a" * 64) == "a" * 12
    assert short_id("0123456789abcdef") == "0123456789ab"
    assert short_id("") == "?" and short_id("sha256:") == "?"


def test_names_read_as_a_sentence() -> None:
    assert names([]) == "" and names(["a"]) == "a"
    assert names(["a", "b"]) == "a and b"
    assert names(("a", "b", "c")) == "a, b and c"


def test_the_compose_service_name_comes_from_the_label_then_the_prefix() -> None:
    ctx = ctx_with(box("sutazai-backend", labels={C + "service": "api"}), box("sutazai-db"))
    assert ctx.service("sutazai-backend") == "api"
    assert ctx.service("sutazai-db") == "db"  # no label: the name without the prefix
    assert ctx.service("other") == "other"  # not listed and without the prefix: as it is
    assert ctx_with(container_prefix="").service("sutazai-db") == "sutazai-db"
    assert ctx_with(container_prefix="sutazai-").service("sutazai-") == "sutazai-"  # never empty
    assert ctx.seconds_since(datetime(2025, 8, 17, 23, 9, 5)) == 60.0  # naive: UTC


def test_env_place_names_the_projects_env_file_when_known() -> None:
    labelled = box(labels=compose_labels(project__working_dir="/srv/sutazai/docker/"))
    assert env_place(labelled) == "its env file (`/srv/sutazai/docker/.env` or the service's `env_file`)"
    boxed = box(labels=compose_labels(project__working_dir="/srv/APPX"))
    assert env_place(boxed) == "its env file (`/srv/APPX/.env` or the service's `env_file`)"
    assert env_place(box(labels=compose_labels())) == "the container's environment"
    assert env_place(box()) == "the container's environment"


@pytest.mark.parametrize(
    ("why", "keeps", "again"),
    [
        ("env", "the old environment", "with the variables set (`-e NAME=…` or `--env-file`)"),
        ("image", "the old image", "from sutazai/backend:latest"),
    ],
)
def test_recreate_advice_fits_how_the_container_was_started(why: str, keeps: str, again: str) -> None:
    head = f"recreate the container — a restart will not help, it keeps {keeps}"
    ctx = ctx_with(compose_cli="docker compose")
    plain = recreate_fix(ctx, box(), why)
    rm = "`docker rm -f sutazai-backend`"
    assert (
        plain
        == f"{head}; sutazai-backend was not started by compose: {rm}, then `docker run` it again {again}"
    )
    oneoff = recreate_fix(ctx, box(labels=compose_labels(oneoff="True")), why)
    assert oneoff == (
        f"{head}; sutazai-backend is a one-off `compose run` container: remove it and run it again {again}"
    )
    relative = recreate_fix(ctx, box(labels=compose_labels(project__config_files="docker-compose.yml")), why)
    assert (
        relative
        == f"{head}: from its project directory, `docker compose up -d --force-recreate --no-deps api`"
    )
    planned = box(labels=compose_labels(project__config_files="/srv/c.yml", project__working_dir="/srv"))
    assert recreate_fix(ctx, planned, why).startswith(
        f"{head}: `cd /srv && docker compose -p sutazai -f /srv/c.yml"
    )
    # Text shared with `check` and the report names no key of the TUI (issue 28 item 7).
    assert recreate_fix(ctx, planned, why).endswith("--no-deps api`")


def test_the_emergency_rebuild_is_the_containers_own_compose_line() -> None:
    planned = box(labels=compose_labels(project__config_files="/srv/c.yml", project__working_dir="/srv"))
    ctx = ctx_with(planned, compose_cli="docker compose")
    assert rebuild_command(ctx, "sutazai-backend") == (
        "cd /srv && docker compose -p sutazai -f /srv/c.yml build api && "
        "docker compose -p sutazai -f /srv/c.yml up -d --force-recreate --no-deps api"
    )
    # Without labels: the generic form, still only this service (--no-deps).
    bare = ctx_with(box(), compose_cli="docker compose")
    assert rebuild_command(bare, "sutazai-backend") == (
        "docker compose build backend && docker compose up -d --force-recreate --no-deps backend"
    )


def test_the_incidents_history_is_told_only_about_the_primary() -> None:
    from sutazai_tui.diagnosis.containers import restart_loop

    looping = [box(name, state="restarting", restart_count=5) for name in ("sutazai-web", "sutazai-redis")]
    found = {
        f.subject: f.fix
        for f in restart_loop(ctx_with(*looping, primary_service="sutazai-web", required_env={}))
    }
    assert "2025-08-17" not in found["sutazai-redis"]  # not the primary: not its history
    assert all("here)" not in fix and "`x`" not in fix for fix in found.values())


def test_the_configured_cli_is_the_one_printed() -> None:
    ctx = ctx_with(compose_cli="docker-compose")
    relative = recreate_fix(ctx, box(labels=compose_labels(project__config_files="c.yml")), "env")
    assert relative.endswith("`docker-compose up -d --force-recreate --no-deps api`")


def test_the_manuals_table_is_the_generated_one() -> None:
    table = findings_table()
    lines = table.split("\n")
    assert lines[:2] == ["| id | means | rests on | fix | recreate? |", "|---|---|---|---|---|"]
    recreate_rows = [line for line in lines[2:] if line.endswith(f"| {RECREATE_CELL} |")]
    assert len(recreate_rows) == len(NEEDS_RECREATE) and all(
        line.endswith(" | no |") or line in recreate_rows for line in lines[2:]
    )
    assert any(line.startswith("| `missing-env` |") for line in recreate_rows)
    assert table in OPERATING.read_text()


def test_diagnose_judges_at_the_given_time_or_the_newest_snapshots() -> None:
    history = History()
    started = T0 - timedelta(seconds=30)
    looping = ContainerStats(
        name="sutazai-backend", id="x", state="restarting", restart_count=9, started_at=started
    )
    fleet = ContainersStatus(engine="e", state=State.OK, reason="1", containers=(looping,))
    history.add(Snapshot(taken_at=T0, containers=fleet))
    settings = Settings()
    assert diagnose(history, settings) == diagnose(history, settings, T0)
    # An hour later by the caller's clock, with no new cycle: the backend has been up for longer.
    backend = ContainerStats(
        name="sutazai-backend", id="b", state="running", started_at=T0 - timedelta(seconds=30)
    )
    up = ContainersStatus(engine="e", state=State.OK, reason="1", containers=(backend,))
    hist = History()
    for i in range(2):
        hist.add(
            Snapshot(taken_at=T0 - timedelta(seconds=30 * (1 - i)), endpoints=(hung(T0),), containers=up)
        )
    hangs = [f for f in diagnose(hist, settings) if f.id == "startup-hang"]
    assert hangs == []  # 30 s up: inside the start-up grace
    later = diagnose(hist, settings, T0 + timedelta(hours=1))
    assert [f.id for f in later if f.id == "startup-hang"] == ["startup-hang"]


# ---------------------------------------------------------------- endpoint detectors


def health(at: datetime, name: str = "health", **values: Any) -> EndpointStatus:
    base: dict[str, Any] = {"url": f"/{name}", "kind": EndpointKind.HEALTH, "checked_at": at}
    return EndpointStatus(name=name, **(base | values))


def hung(at: datetime, name: str = "health") -> EndpointStatus:
    return health(at, name, state=State.DOWN, failure="timeout-connected", reason="timeout")


def ctx_of(*snaps: Snapshot, **settings: Any) -> Context:
    return Context(snapshots=snaps, settings=Settings(**settings), now=snaps[-1].taken_at)


def cycles(
    *endpoint_lists: list[EndpointStatus], containers: ContainersStatus | None = None
) -> list[Snapshot]:
    """One snapshot per list, 30 s apart, ending at T0; the containers on the last one."""
    n = len(endpoint_lists)
    return [
        Snapshot(
            taken_at=T0 - timedelta(seconds=30 * (n - 1 - i)),
            endpoints=tuple(eps),
            containers=containers if i == n - 1 else None,
        )
        for i, eps in enumerate(endpoint_lists)
    ]


def at(i: int, n: int) -> datetime:
    return T0 - timedelta(seconds=30 * (n - 1 - i))


def test_a_hang_is_dated_from_its_first_cycle_and_found_behind_other_endpoints() -> None:
    n = 3
    other = EndpointStatus(name="emergency", url="/e", kind=EndpointKind.EMERGENCY, state=State.OK)
    snaps = cycles(*[[other, health(at(i, n), "ok-health"), hung(at(i, n))] for i in range(n)])
    [found] = startup_hang(ctx_of(*snaps))
    assert found.subject == "health"
    assert f" 3 consecutive cycles since {clock(at(0, n))}" in found.evidence
    assert found.evidence.endswith("no container data (containers off or the engine unreachable)")


def primary_fleet(**values: Any) -> ContainersStatus:
    backend = ContainerStats(name="sutazai-backend", id="b", **({"state": "running"} | values))
    return ContainersStatus(engine="e", state=State.OK, reason="1", containers=(backend,))


def test_the_primary_containers_state_decides_whether_silence_is_a_hang() -> None:
    def hang_with(fleet: ContainersStatus) -> list[Finding]:
        return startup_hang(ctx_of(*cycles([hung(at(0, 2))], [hung(at(1, 2))], containers=fleet)))

    [unknown] = hang_with(primary_fleet(started_at=None))
    assert unknown.evidence.endswith("sutazai-backend is running (start time unknown)")
    at_grace = hang_with(primary_fleet(started_at=T0 - timedelta(seconds=60)))  # exactly the grace
    assert [f.id for f in at_grace] == ["startup-hang"]
    assert hang_with(primary_fleet(started_at=T0 - timedelta(seconds=59))) == []
    other = ContainersStatus(engine="e", state=State.OK, reason="1", containers=())
    [absent] = hang_with(other)
    assert absent.evidence.endswith("sutazai-backend is not among the monitored containers")


def emergency(**values: Any) -> EndpointStatus:
    base: dict[str, Any] = {"url": "/health-emergency", "kind": EndpointKind.EMERGENCY, "http_code": 200}
    return EndpointStatus(name="emergency", **(base | {"status": "emergency", "checked_at": T0} | values))


def test_the_emergency_route_alone_is_info_and_says_where_the_mode_comes_from() -> None:
    [bare] = emergency_build(ctx_of(Snapshot(taken_at=T0, endpoints=(emergency(),))))
    assert (bare.severity, bare.title) == ("info", "emergency-fix build deployed; mode from the log: unknown")
    assert bare.evidence == (
        "GET /health-emergency answered 200 at 23:10:05 UTC (it does on every start of that build); "
        "no start-up mode line in sutazai-backend's log"
    )
    unasked = emergency(carried=True, failure="skipped-budget")
    assert emergency_build(ctx_of(Snapshot(taken_at=T0, endpoints=(unasked,)))) == []
    # A shared answer (another process of ours heard it) is judged like a fresh one (issue 27).
    [shared] = emergency_build(ctx_of(Snapshot(taken_at=T0, endpoints=(emergency(carried=True),))))
    assert shared.severity == "info"


def initializing(at_: datetime, *services: str, name: str = "health", **values: Any) -> EndpointStatus:
    found = dict.fromkeys(services, "initializing") | {"redis": "healthy"}
    return health(at_, name, state=State.DEGRADED, status="healthy", services=found, **values)


def test_stuck_initializing_lists_each_service_and_dates_it_by_its_answer() -> None:
    n = 12  # 330 s of answers
    other = EndpointStatus(name="emergency", url="/e", kind=EndpointKind.EMERGENCY, state=State.OK)
    answers = [[other, initializing(at(i, n) - timedelta(seconds=2), "database", "pool")] for i in range(n)]
    [found] = stuck_initializing(ctx_of(*cycles(*answers)))
    first = at(0, n) - timedelta(seconds=2)
    assert found.title == "database and pool stuck initializing"
    seen = (
        f"database initializing since {clock(first)} (332 s); pool initializing since {clock(first)} (332 s)"
    )
    assert found.evidence == f"{seen}; limit 300 s; health itself says 'healthy'"
    assert "restart sutazai-backend" in found.fix
    # A first /health that is fine does not end the search: the second one is stuck.
    two = [
        [initializing(at(i, n), name="health"), initializing(at(i, n), "database", name="health2")]
        for i in range(n)
    ]
    assert [f.subject for f in stuck_initializing(ctx_of(*cycles(*two)))] == ["health2"]


def test_a_not_asked_or_other_kind_of_answer_says_nothing_about_now() -> None:
    n = 12
    unasked: dict[str, Any] = {"carried": True, "failure": "skipped-budget"}
    carried = [[initializing(at(i, n), "database", **(unasked if i == n - 1 else {}))] for i in range(n)]
    assert stuck_initializing(ctx_of(*cycles(*carried))) == []
    mcp = [[initializing(at(i, n), "database", name="mcp", kind=EndpointKind.MCP)] for i in range(n)]
    assert stuck_initializing(ctx_of(*cycles(*mcp))) == []
