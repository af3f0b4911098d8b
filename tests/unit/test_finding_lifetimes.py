"""A finding's story over the cycles: first seen, cleared, returned; what a container's are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sutazai_tui.diagnosis.lifetimes import FindingTimes, is_about, key_of, lasted
from sutazai_tui.models import Finding

T0 = datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)
ENV = Finding(
    id="missing-env", severity="critical", subject="sutazai-backend", title="t", evidence="e", fix="f"
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_finding_clears_and_returns_with_its_times() -> None:
    times = FindingTimes()
    times.observe([ENV], at(0))
    worse = ENV.model_copy(update={"evidence": "e2"})
    times.observe([worse], at(30))
    life = times.get(key_of(ENV))
    assert life is not None and life.active and life.finding.evidence == "e2" and life.last_seen == at(30)
    times.observe([], at(240))
    life = times.get(key_of(ENV))
    assert life is not None and not life.active and life.cleared_at == at(240)
    assert lasted(life.lasted_s()) == "4 min"  # from the first cycle that had it to the first without
    times.observe([ENV], at(300))
    life = times.get(key_of(ENV))
    assert life is not None and life.active and life.returns == 1
    assert (life.first_seen, life.since, life.cleared_before) == (at(0), at(300), at(240))


def test_time_going_back_restarts_the_story() -> None:
    times = FindingTimes()
    times.observe([ENV], at(100))
    times.observe([], at(10))  # a replay jumped back
    assert times.get(key_of(ENV)) is None


def test_endpoint_findings_are_about_the_primary_only() -> None:
    listed = ["sutazai-backend", "sutazai-redis"]
    assert is_about("health", "sutazai-backend", "sutazai-backend", listed)
    assert not is_about("health", "sutazai-redis", "sutazai-backend", listed)
    assert not is_about("sutazai-redis", "sutazai-backend", "sutazai-backend", listed)
    assert is_about("sutazai-redis", "sutazai-redis", "sutazai-backend", listed)


def test_a_long_run_of_containers_coming_and_going_keeps_a_bounded_story() -> None:
    """A monitor left running for days: each cycle a finding about a container that then goes.
    The cleared ones stay under the bound (the most recently cleared kept); active ones all stay."""
    times = FindingTimes(cleared_kept=50)
    held = ENV.model_copy(update={"subject": "sutazai-backend"})
    for cycle in range(1000):
        gone = ENV.model_copy(update={"subject": f"one-off-{cycle}"})
        times.observe([held, gone], at(cycle))
        assert len(times.all()) <= 2 + 50 + 50 // 4
    assert times.get(key_of(held)) is not None  # active: never forgotten
    newest = times.get((ENV.id, "one-off-998"))
    assert newest is not None and newest.cleared_at == at(999)
    assert times.get((ENV.id, "one-off-0")) is None  # cleared longest ago: forgotten


def test_a_report_keeps_every_finding_it_saw() -> None:
    times = FindingTimes()
    for cycle in range(300):
        times.observe([ENV.model_copy(update={"subject": f"one-off-{cycle}"})], at(cycle))
    assert len(times.all()) == 300
