"""The one-word verdict (`check`'s exit code, the header's badge): every rule that sets the level.

Pure data in, verdict out: snapshots are built by hand so each test moves exactly one input.
"""

from __future__ import annotations

from typing import Any

import pytest

from sutazai_tui.core.verdict import Level, Overall, assess
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Severity,
    Snapshot,
    State,
)


def endpoint(name: str, state: State, reason: str = "why") -> EndpointStatus:
    return EndpointStatus(name=name, url=f"/{name}", kind=EndpointKind.HEALTH, state=state, reason=reason)


def container(name: str, **values: Any) -> ContainerStats:
    return ContainerStats(name=name, id=name + "-id", **({"state": "running"} | values))


def fleet(*items: ContainerStats, state: State = State.OK, reason: str = "n containers") -> ContainersStatus:
    return ContainersStatus(engine="unix:///x.sock", state=state, reason=reason, containers=items)


def finding(severity: Severity, subject: str = "sutazai-app") -> Finding:
    return Finding(id="rule", severity=severity, subject=subject, title="t", evidence="e", fix="f")


OK = endpoint("health", State.OK, "healthy")


def test_a_later_milder_reason_never_lowers_the_level() -> None:
    overall = Overall()
    overall.add(Level.CRITICAL, "first")
    overall.add(Level.WARNING, "second")
    overall.add(Level.OK, "third")
    assert overall.level is Level.CRITICAL
    rising = Overall()
    rising.add(Level.WARNING, "a")
    rising.add(Level.CRITICAL, "b")
    assert rising.level is Level.CRITICAL


def test_unknown_is_a_reason_but_never_the_level_by_itself_once_something_was_judged() -> None:
    # UNKNOWN is 3, above CRITICAL's 2 as a number: it must not win the comparison.
    overall = Overall()
    overall.add(Level.WARNING, "w")
    overall.add(Level.UNKNOWN, "u")
    assert overall.level is Level.WARNING
    snap = Snapshot(endpoints=(OK, endpoint("mcp", State.UNKNOWN, "not polled")))
    verdict = assess(snap)
    assert verdict.level is Level.OK and verdict.lines() == ["UNKNOWN: mcp: not polled"]


def test_reasons_are_listed_worst_first_keeping_their_order_within_a_level() -> None:
    overall = Overall()
    for level, text in [
        (Level.UNKNOWN, "u"),
        (Level.WARNING, "w1"),
        (Level.CRITICAL, "c"),
        (Level.WARNING, "w2"),
    ]:
        overall.add(level, text)
    overall.add(Level.OK, "fine")
    assert overall.lines() == ["CRITICAL: c", "WARNING: w1", "WARNING: w2", "UNKNOWN: u", "OK: fine"]
    ok_first = Overall()
    ok_first.add(Level.OK, "fine")
    ok_first.add(Level.UNKNOWN, "u")
    assert ok_first.lines() == ["UNKNOWN: u", "OK: fine"]


@pytest.mark.parametrize(
    ("state", "level"),
    [
        (State.OK, Level.OK),
        (State.DEGRADED, Level.WARNING),
        (State.STALE, Level.WARNING),
        (State.EMERGENCY, Level.CRITICAL),
        (State.DOWN, Level.CRITICAL),
    ],
)
def test_each_endpoint_state_has_its_level(state: State, level: Level) -> None:
    verdict = assess(Snapshot(endpoints=(endpoint("health", state, "slow"),)))
    assert verdict.level is level
    assert verdict.lines() == ([] if state is State.OK else [f"{level.name}: health {state}: slow"])


def test_an_unjudged_endpoint_does_not_hide_the_ones_after_it() -> None:
    snap = Snapshot(
        endpoints=(endpoint("health", State.UNKNOWN, "skipped"), endpoint("mcp", State.DOWN, "503"))
    )
    verdict = assess(snap)
    assert verdict.level is Level.CRITICAL
    assert verdict.lines() == ["CRITICAL: mcp DOWN: 503", "UNKNOWN: health: skipped"]


def test_nothing_judged_is_unknown_but_a_judged_problem_keeps_its_level() -> None:
    assert assess(Snapshot()).level is Level.UNKNOWN
    assert assess(Snapshot(endpoints=(endpoint("h", State.UNKNOWN),))).level is Level.UNKNOWN
    # Not judged, but a finding says CRITICAL: the finding's level stands.
    snap = Snapshot(endpoints=(endpoint("h", State.UNKNOWN),))
    assert assess(snap, [finding("critical")]).level is Level.CRITICAL


def test_an_unreachable_engine_is_unknown_and_does_not_count_as_judged() -> None:
    # Issue 27: could not ask the engine says nothing about the containers: UNKNOWN (3), not WARNING.
    snap = Snapshot(containers=fleet(state=State.DOWN, reason="engine unreachable"))
    verdict = assess(snap)
    assert verdict.level is Level.UNKNOWN and verdict.lines() == ["UNKNOWN: containers: engine unreachable"]
    alone = assess(Snapshot(endpoints=(endpoint("h", State.UNKNOWN),), containers=fleet(state=State.DOWN)))
    assert alone.level is Level.UNKNOWN
    # …and never hides a worse verdict elsewhere.
    worse = assess(Snapshot(endpoints=(endpoint("h", State.DOWN),), containers=fleet(state=State.DOWN)))
    assert worse.level is Level.CRITICAL


def test_a_reachable_engine_counts_as_judged() -> None:
    assert assess(Snapshot(containers=fleet(container("sutazai-app")))).level is Level.OK
    assert assess(Snapshot(containers=fleet())).level is Level.OK  # no container is not unknown


@pytest.mark.parametrize(
    ("values", "level", "reason"),
    [
        ({"state": "exited", "exit_code": 3}, Level.CRITICAL, "exited with code 3"),
        ({"state": "exited", "exit_code": 0}, Level.WARNING, "exited with code 0"),
        ({"state": "restarting", "restart_count": 7}, Level.CRITICAL, "restart loop: 7 restarts"),
        ({"state": "dead"}, Level.CRITICAL, "dead"),
        ({"state": "running", "health": "unhealthy"}, Level.WARNING, "health check failing"),
        ({"state": "paused"}, Level.WARNING, "paused"),
        ({"state": "weird"}, Level.UNKNOWN, "weird"),
        ({"state": "exited", "exit_code": 137, "oom_killed": True}, Level.CRITICAL, "killed: out of memory"),
    ],
)
def test_container_states_reach_the_level(values: dict[str, Any], level: Level, reason: str) -> None:
    verdict = assess(Snapshot(endpoints=(OK,), containers=fleet(container("sutazai-app", **values))))
    assert verdict.level is (Level.OK if level is Level.UNKNOWN else level)
    [line] = verdict.lines()
    assert line.startswith(f"{level.name}: sutazai-app: {reason}")


def test_healthy_containers_add_no_reason() -> None:
    snap = Snapshot(endpoints=(OK,), containers=fleet(container("a", health="healthy"), container("b")))
    verdict = assess(snap)
    assert (verdict.level, verdict.reasons) == (Level.OK, [])


def test_findings_count_by_severity_and_info_does_not() -> None:
    snap = Snapshot(endpoints=(OK,))
    assert assess(snap, [finding("info")]).level is Level.OK
    assert assess(snap, [finding("info")]).reasons == []
    warned = assess(snap, (finding("warning", "redis"),))
    assert warned.level is Level.WARNING and warned.lines() == ["WARNING: [rule] redis: t"]
    assert assess(snap, [finding("warning"), finding("critical")]).level is Level.CRITICAL


def test_an_endpoint_not_asked_binds_and_does_not_hide_the_rest() -> None:
    from sutazai_tui.core.verdict import not_asked_level

    skipped = endpoint("mcp", State.UNKNOWN, "rate limited").model_copy(update={"failure": "rate-limited"})
    verdict = assess(Snapshot(endpoints=(skipped, endpoint("health", State.DOWN, "refused"))))
    assert verdict.level is Level.CRITICAL
    assert verdict.lines() == ["CRITICAL: health DOWN: refused", "UNKNOWN: mcp: rate limited"]
    alone = assess(Snapshot(endpoints=(OK, skipped)))
    assert alone.level is Level.UNKNOWN  # binding: could not ask is never OK
    unknown_before = skipped.model_copy(update={"last_state": State.UNKNOWN})
    assert not_asked_level(unknown_before) is Level.UNKNOWN
    down_before = skipped.model_copy(update={"last_state": State.DOWN})
    assert not_asked_level(down_before) is Level.CRITICAL


def test_a_carried_ok_says_so_without_changing_the_level() -> None:
    carried = endpoint("health", State.OK, "shared answer").model_copy(update={"carried": True})
    verdict = assess(Snapshot(endpoints=(carried,)))
    assert (verdict.level, verdict.lines()) == (Level.OK, ["OK: health: shared answer"])


def test_a_container_a_finding_explains_is_named_once() -> None:
    """Issue 28 item 9: `check` says each problem once — the finding, not also the row."""
    snap = Snapshot(endpoints=(OK,), containers=fleet(container("sutazai-app", state="restarting")))
    verdict = assess(snap, [finding("warning")])
    assert verdict.lines() == ["WARNING: [rule] sutazai-app: t"]
    assert verdict.level is Level.CRITICAL  # the row's level still counts
    alone = assess(snap)
    assert alone.lines() == ["CRITICAL: sutazai-app: restart loop: 0 restarts"]
