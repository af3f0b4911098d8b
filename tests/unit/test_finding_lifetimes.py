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
