"""heal's decisions over hand-made cycles: the policy, each guard, and what is said once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sutazai_tui.config.settings import ConfigError, Settings
from sutazai_tui.diagnosis.run import FINDINGS
from sutazai_tui.integrations.heal import Decision, Healer
from sutazai_tui.integrations.heal_policy import DEFAULT_POLICY, policy_for, restart_helps
from sutazai_tui.models import (
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    LogEvidence,
    LogMatch,
    ProbeResult,
    Snapshot,
)
from tests.builders import snapshot

T0 = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
WEB = "sutazai-web"


def box(name: str = WEB, health: str | None = "unhealthy", state: str = "running") -> ContainerStats:
    return ContainerStats(name=name, id=f"{name}-id", state=state, health=health, started_at=T0)


def finding(fid: str, subject: str = WEB, severity: str = "warning") -> Finding:
    return Finding(
        id=fid, severity=severity, subject=subject, title=f"{fid} on {subject}", evidence="", fix=""
    )  # type: ignore[arg-type]


def healer(apply: bool = True, **heal: object) -> Healer:
    return Healer(Settings(heal={"grace": 60, **heal}), apply=apply)


def run(
    h: Healer, cycles: int, findings: list[Finding], s: Snapshot | None = None, start: int = 0
) -> list[list[Decision]]:
    """`cycles` cycles, 10 s apart, each with the same findings."""
    s = s or snapshot(T0, containers=(box(),))
    return [h.decide(s, findings, T0 + timedelta(seconds=10 * (start + i))) for i in range(cycles)]


def kinds(decided: list[list[Decision]]) -> list[list[str]]:
    return [[d.kind for d in cycle] for cycle in decided]


def test_every_finding_has_a_shipped_rule_with_a_reason() -> None:
    # The same ids; the policy's order ranks causes (missing-env before the restart-loop it causes).
    assert set(DEFAULT_POLICY) == set(FINDINGS)
    assert all(rule.reason for rule in DEFAULT_POLICY.values())
    assert {fid for fid, rule in DEFAULT_POLICY.items() if rule.action == "restart"} == {
        "unhealthy",
        "startup-hang",
    }


def test_an_override_of_an_unknown_id_is_one_line_naming_the_fix() -> None:
    with pytest.raises(
        ConfigError, match=r"^\[heal\] actions names unknown finding id unhealty — use one of: unhealthy, "
    ):
        policy_for(Settings(heal={"actions": {"unhealty": "restart"}}))
    assert policy_for(Settings(heal={"actions": {"unhealthy": "none"}}))["unhealthy"].action == "none"


def test_acts_only_after_the_finding_held_n_cycles() -> None:
    h = healer()
    decided = run(h, 3, [finding("unhealthy")])
    assert kinds(decided) == [[], [], ["act"]]
    act = decided[2][0]
    assert (act.container, act.container_id) == (WEB, f"{WEB}-id")
    assert "held 3 cycles" in act.reason


def test_a_gap_restarts_the_count() -> None:
    h = healer()
    run(h, 2, [finding("unhealthy")])
    h.decide(snapshot(T0, containers=(box(health="healthy"),)), [], T0 + timedelta(seconds=25))
    assert kinds(run(h, 3, [finding("unhealthy")], start=3)) == [[], [], ["act"]]


def test_a_recreate_finding_on_the_container_rules_a_restart_out_and_pages_once_naming_it() -> None:
    h = healer()
    both = [
        finding("restart-loop", severity="critical"),
        finding("missing-env", severity="critical"),
        finding("unhealthy"),
    ]
    decided = run(h, 6, both)
    assert kinds(decided) == [[], [], ["page"], [], [], []]
    page = decided[2][0]
    assert page.finding is not None and page.finding.id == "missing-env"  # the cause leads
    assert "(also: restart-loop)" in page.reason and page.cause == "policy"


def test_unhealthy_without_a_health_check_is_not_restarted() -> None:
    decided = run(healer(), 3, [finding("unhealthy")], snapshot(T0, containers=(box(health=None),)))
    assert kinds(decided)[2] == ["page"]
    assert "has no health check" in decided[2][0].reason


def test_dry_run_says_it_once() -> None:
    decided = run(healer(apply=False), 6, [finding("unhealthy")])
    assert kinds(decided) == [[], [], ["would-act"], [], [], []]
    assert decided[2][0].reason.startswith(f"dry run: would restart {WEB}")


def test_cleared_after_the_grace_window_not_while_the_check_starts() -> None:
    h = healer()
    act = run(h, 3, [finding("unhealthy")])[2][0]
    assert (
        h.acted(act, engine_called=True, ok=True, why="running again", now=T0 + timedelta(seconds=20)) == []
    )
    starting = snapshot(T0, containers=(box(health="starting"),))
    assert h.decide(starting, [], T0 + timedelta(seconds=30)) == []  # inside the grace: no verdict
    decided = h.decide(snapshot(T0, containers=(box(health="healthy"),)), [], T0 + timedelta(seconds=90))
    assert [d.kind for d in decided] == ["cleared"]


def test_a_restart_that_did_not_help_opens_the_breaker_which_pages_and_stays_open() -> None:
    h = healer()
    act = run(h, 3, [finding("unhealthy")])[2][0]
    h.acted(act, engine_called=True, ok=True, why="running again", now=T0 + timedelta(seconds=20))
    assert run(h, 2, [finding("unhealthy")], start=3) == [[], []]  # inside the grace
    opened = h.decide(snapshot(T0, containers=(box(),)), [finding("unhealthy")], T0 + timedelta(seconds=90))
    assert [(d.kind, d.pages, d.cause) for d in opened] == [("breaker-open", True, "breaker")]
    assert "did not clear unhealthy within 60 s" in opened[0].reason
    assert kinds(run(h, 5, [finding("unhealthy")], start=10)) == [[]] * 5  # open: no act, no new page
    # Clean for `cycles` cycles: it closes (and says so).
    clean = [
        h.decide(snapshot(T0, containers=(box(health="healthy"),)), [], T0 + timedelta(seconds=200 + i))
        for i in range(3)
    ]
    assert kinds(clean) == [[], [], ["breaker-closed"]]


def test_a_failed_restart_opens_the_breaker_and_a_refused_one_pages() -> None:
    h = healer()
    act = run(h, 3, [finding("unhealthy")])[2][0]
    failed = h.acted(act, engine_called=True, ok=False, why="engine said no", now=T0)
    assert [d.kind for d in failed] == ["breaker-open"] and WEB in h.breakers
    h2 = healer()
    act2 = run(h2, 3, [finding("unhealthy")])[2][0]
    refused = h2.acted(act2, engine_called=False, ok=False, why="protected", now=T0)
    assert [(d.kind, d.cause) for d in refused] == [("page", "refused")] and h2.recent(T0) == 0


def test_at_most_k_per_container_per_hour_then_it_pages() -> None:
    h = healer(per_container_hour=2, grace=5)
    now = T0
    for _ in range(2):
        act = [
            d
            for cycle in run(h, 3, [finding("unhealthy")], start=int((now - T0).total_seconds() // 10))
            for d in cycle
        ]
        assert [d.kind for d in act] == ["act"]
        h.acted(act[0], engine_called=True, ok=True, why="ok", now=now + timedelta(seconds=20))
        now += timedelta(seconds=100)
        assert [d.kind for d in h.decide(snapshot(T0, containers=(box(health="healthy"),)), [], now)] == [
            "cleared"
        ]
        now += timedelta(seconds=10)
    decided = run(h, 3, [finding("unhealthy")], start=int((now - T0).total_seconds() // 10))
    assert kinds(decided)[2] == ["page"] and "2 per container per hour reached" in decided[2][0].reason
    assert kinds(run(h, 3, [finding("unhealthy")], start=300)) == [[]] * 3  # paged once
    assert kinds(run(h, 1, [finding("unhealthy")], start=400)) == [["act"]]  # an hour on: allowed again


def test_at_most_m_per_deployment_and_one_action_per_cycle() -> None:
    names = [f"sutazai-w{i}" for i in range(3)]
    s = snapshot(T0, containers=[box(n) for n in names])
    h = healer(per_deployment_hour=2)
    troubles = [finding("unhealthy", n) for n in names]
    decided = run(h, 3, troubles, s)
    assert kinds(decided)[2] == ["act"]  # three ready, one acted this cycle
    h.acted(decided[2][0], engine_called=True, ok=True, why="ok", now=T0 + timedelta(seconds=20))
    nxt = h.decide(s, troubles, T0 + timedelta(seconds=30))
    assert [d.kind for d in nxt] == ["act"] and nxt[0].container != decided[2][0].container
    h.acted(nxt[0], engine_called=True, ok=True, why="ok", now=T0 + timedelta(seconds=30))
    third = h.decide(s, troubles, T0 + timedelta(seconds=40))
    assert [(d.kind, d.cause) for d in third] == [("page", "limit")]
    assert "2 per deployment per hour reached" in third[0].reason


def test_limits_and_breakers_survive_a_restart_of_heal() -> None:
    h = healer(per_container_hour=1)
    h.restore([(T0 - timedelta(minutes=30), WEB)], {"sutazai-db": "did not clear"})
    assert kinds(run(h, 3, [finding("unhealthy")]))[2] == ["page"]
    assert h.breakers == {"sutazai-db": "did not clear"}


def hang_snapshot(log: tuple[LogMatch, ...], redis_up: bool | None) -> Snapshot:
    logs = (LogEvidence(container="sutazai-backend", matches=log),)
    probes = (ProbeResult(name="redis", kind="redis", address="127.0.0.1:6379", up=redis_up),)
    health = EndpointStatus(name="health", url="http://b/health", kind=EndpointKind.HEALTH, failure="refused")
    s = snapshot(
        T0,
        containers=(box("sutazai-backend", health=None),),
        logs=logs,
        probes=probes if redis_up is not None else (),
    )
    return s.model_copy(update={"endpoints": (health,)})


def test_startup_hang_is_restarted_only_when_the_log_shows_a_dependency_that_is_back() -> None:
    settings = Settings()
    hang = finding("startup-hang", subject="health", severity="critical")
    failed = (LogMatch(signature="redis-connect", text="Failed to connect to Redis", at=T0),)
    own = hang_snapshot((), True)
    why = restart_helps(hang, box("sutazai-backend"), own, settings)
    assert why is not None and "no dependency failure" in why and "re-enters" in why
    still_down = hang_snapshot(failed, False)
    why = restart_helps(hang, box("sutazai-backend"), still_down, settings)
    assert why is not None and "nothing shows it back yet" in why
    assert restart_helps(hang, box("sutazai-backend"), hang_snapshot(failed, True), settings) is None
    # Through the healer: the endpoint's finding acts on the primary container.
    decided = run(healer(), 3, [hang], hang_snapshot(failed, True))
    assert [(d.kind, d.container) for d in decided[2]] == [("act", "sutazai-backend")]


def test_an_endpoint_finding_is_about_the_primary_and_one_a_restart_cannot_fix_pages() -> None:
    failed = (LogMatch(signature="redis-connect", text="Failed to connect to Redis", at=T0),)
    s = hang_snapshot(failed, True)
    hang = finding("startup-hang", subject="health", severity="critical")
    odd = finding("stuck-initializing", subject="health")
    decided = run(healer(), 3, [hang, odd], s)
    assert [(d.kind, d.container, d.finding and d.finding.id) for d in decided[2]] == [
        ("page", "sutazai-backend", "stuck-initializing")
    ]
    elsewhere = finding("unhealthy", subject="not-a-container-or-endpoint")
    assert kinds(run(healer(), 3, [elsewhere], s)) == [[], [], []]
