"""Container detectors pinned rule by rule: restart-loop by count over a history longer than its
window, missing env with one or several names, alias groups, crashes, OOM, health, stale images.

Snapshots are built by hand, 30 s apart, so each threshold is checked where it changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.diagnosis.containers import (
    crashed,
    env_name_mismatch,
    missing_env,
    oom_killed,
    restart_loop,
    stale_image,
    unhealthy,
)
from sutazai_tui.diagnosis.context import Context, clock
from sutazai_tui.models import ContainersStatus, ContainerStats, Snapshot, State

T0 = datetime(2025, 8, 17, 23, 10, 5, tzinfo=UTC)
ENV = ("SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY")


def box(name: str = "sutazai-app", **values: Any) -> ContainerStats:
    base: dict[str, Any] = {"id": name + "-1", "image": "sutazai/app:latest", "state": "running"}
    return ContainerStats(name=name, **(base | {"env_names": ENV} | values))


def ctx_of(*fleets: tuple[ContainerStats, ...] | list[ContainerStats], **settings: Any) -> Context:
    """One snapshot per fleet, 30 s apart, the last at T0."""
    n = len(fleets)
    snaps = tuple(
        Snapshot(
            taken_at=T0 - timedelta(seconds=30 * (n - 1 - i)),
            containers=ContainersStatus(engine="e", state=State.OK, reason="n", containers=tuple(f)),
        )
        for i, f in enumerate(fleets)
    )
    return Context(snapshots=snaps, settings=Settings(**settings), now=T0)


def counts(*values: int | None, **extra: Any) -> list[list[ContainerStats]]:
    """A history of one container's restart counts (None: not listed in that cycle)."""
    return [[] if v is None else [box(restart_count=v, **extra)] for v in values]


def test_a_loop_by_count_still_fires_when_the_history_is_older_than_the_window() -> None:
    # 12 cycles = 5.5 min: the oldest snapshots are outside the 5-minute window and must be skipped,
    # not end the search (the normal state of a monitor that has run for a while).
    [found] = restart_loop(
        ctx_of(*counts(0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, state="restarting", exit_code=1))
    )
    assert found.severity == "critical"
    assert found.evidence == (
        "state restarting; restart count 4; +4 in the last 90 s; last exit code 1; "
        "it ends once no restart happened for 300 s"
    )


def test_a_loop_caught_running_is_critical_and_holds_until_five_minutes_without_a_restart() -> None:
    # Issue 27: a loop caught "running" between attempts alternated CRITICAL and WARNING ("it runs now").
    [found] = restart_loop(ctx_of(*counts(0, 0, 0, 1, 2, 3)))
    assert (
        found.title == "sutazai-app is in a restart loop: 3 restarts in the last 60 s "
        "(caught running between two attempts)"
    )
    assert found.severity == "critical" and "+3 in the last 60 s" in found.evidence
    edge = counts(0, 3, *[3] * 9)  # the last restart (seen 300 s ago) is inside the hysteresis window
    assert [f.severity for f in restart_loop(ctx_of(*edge))] == ["critical"]
    outside = counts(0, 3, *[3] * 11)  # 330 s without a restart: the loop has ended
    assert restart_loop(ctx_of(*outside)) == []


def test_a_container_missing_from_earlier_cycles_or_recreated_is_not_a_rise() -> None:
    assert restart_loop(ctx_of(*counts(None, None, 5, 5))) == []
    recreated = [[box(restart_count=0, id="old")], [box(restart_count=0, id="old")], [box(restart_count=9)]]
    assert restart_loop(ctx_of(*recreated)) == []


def test_every_looping_container_is_found_whatever_comes_before_it() -> None:
    fine = box("sutazai-a", restart_count=0)
    came_up = [box("sutazai-b", restart_count=n) for n in (0, 1, 2, 3)]
    looping = box("sutazai-c", state="restarting", restart_count=7)
    unhealthy_again = [box("sutazai-d", restart_count=n, health="unhealthy") for n in (0, 1, 2, 3)]
    fleets = [[fine, came_up[i], looping, unhealthy_again[i]] for i in range(4)]
    found = {f.subject: f.severity for f in restart_loop(ctx_of(*fleets))}
    assert found == {"sutazai-b": "critical", "sutazai-c": "critical", "sutazai-d": "critical"}


def test_the_loop_fix_recreates_only_when_env_is_missing() -> None:
    lacking = box("sutazai-backend", state="restarting", env_names=())
    [fix_env] = restart_loop(ctx_of([lacking]))
    assert (
        fix_env.fix.endswith("`docker run` it again with the variables set (`-e NAME=…` or `--env-file`)")
        and "recreate the container" in fix_env.fix
    )
    [plain] = restart_loop(ctx_of([box("sutazai-other", state="restarting")]))  # no required env listed
    assert plain.fix.endswith("fix that, then `docker start sutazai-other`")


def test_missing_env_says_one_or_several_names() -> None:
    required = {"sutazai-gone": ["A"], "sutazai-ok": ["SECRET_KEY"], "sutazai-one": ["SECRET_KEY", "A"]}
    required |= {"sutazai-two": ["A", "B"]}
    fleet = [box("sutazai-ok"), box("sutazai-one"), box("sutazai-two")]
    found = {f.subject: f for f in missing_env(ctx_of(fleet, required_env=required))}
    assert list(found) == ["sutazai-one", "sutazai-two"]
    assert found["sutazai-one"].title == "sutazai-one lacks required env var A"
    assert found["sutazai-one"].fix.startswith("set A (≥ 32 characters, e.g. `openssl rand -hex 32`)")
    assert found["sutazai-two"].title == "sutazai-two lacks required env vars A and B"
    assert found["sutazai-two"].fix.startswith("set A and B (≥ 32 characters each, e.g.")


def test_each_alias_group_is_checked_and_the_incident_named() -> None:
    groups = [["SECRET_KEY", "JWT_SECRET"], ["JWT_SECRET", "JWT_SECRET_KEY", "JWT_KEY"]]
    [found] = env_name_mismatch(ctx_of([box()], env_alias_groups=groups))
    assert found.title == "sutazai-app sets JWT_SECRET and JWT_SECRET_KEY but not JWT_KEY"
    # The incident's history belongs to the primary backend's findings only (issue 28 item 7).
    assert found.fix.endswith(" — code that reads the other name gets nothing")
    [primary] = env_name_mismatch(ctx_of([box()], env_alias_groups=groups, primary_service="sutazai-app"))
    assert primary.fix.endswith(
        " — code that reads the other name gets nothing (in the 2025-08-17 incident "
        "config.py read JWT_SECRET while main.py checked JWT_SECRET_KEY)"
    )


def test_a_crash_says_its_code_how_long_it_ran_and_the_backend_hint() -> None:
    started, finished = T0 - timedelta(seconds=45), T0
    fleet = [
        box("sutazai-fine"),
        box("sutazai-backend", state="exited", exit_code=1, started_at=started, finished_at=finished),
        box("sutazai-dead", state="dead", exit_code=3),
        box("sutazai-instant", state="exited", exit_code=139, started_at=T0, finished_at=T0),
    ]
    found = {f.subject: f for f in crashed(ctx_of(fleet))}
    assert list(found) == ["sutazai-backend", "sutazai-dead", "sutazai-instant"]
    backend, dead, instant = found.values()
    assert backend.title == "sutazai-backend exited with code 1: a general error"
    assert backend.evidence == f"state exited, exit code 1 at {clock(finished)} after running 45 s"
    assert "fix the cause (for the backend usually missing env vars, see missing-env), then" in backend.fix
    assert dead.title == "sutazai-dead exited with code 3"  # no known meaning: nothing appended
    assert dead.evidence == "state dead, exit code 3 at an unknown time"
    assert "fix the cause, then `docker start sutazai-dead`" in dead.fix
    assert instant.evidence.endswith("after running 0.0 s")


def test_oom_and_health_evidence_carry_their_times_and_limit() -> None:
    fleet = [
        box(
            "sutazai-a",
            state="exited",
            oom_killed=True,
            exit_code=137,
            finished_at=T0,
            mem_limit=512 * 1024**2,
        ),
        box("sutazai-b", state="exited", oom_killed=True, exit_code=137, finished_at=T0),
        box("sutazai-c", health="unhealthy", started_at=T0 - timedelta(minutes=3)),
    ]
    a, b = oom_killed(ctx_of(fleet))
    assert (
        a.evidence
        == "the engine reports OOMKilled, state exited, exit code 137, at 23:10:05 UTC, memory limit 512.0M"
    )
    assert b.evidence == "the engine reports OOMKilled, state exited, exit code 137, at 23:10:05 UTC"
    [sick] = unhealthy(ctx_of(fleet))
    assert sick.evidence == "Docker reports health `unhealthy` while running, up since 23:07:05 UTC"


def test_every_stale_image_is_found() -> None:
    fresh = box("sutazai-a", image_id="sha256:" + "a" * 64, tag_image_id="sha256:" + "a" * 64)
    old = box("sutazai-b", image_id="sha256:" + "b" * 64, tag_image_id="sha256:" + "c" * 64)
    [found] = stale_image(ctx_of([fresh, old]))
    assert found.subject == "sutazai-b" and found.evidence.endswith("now points to " + "c" * 12)
