"""History's rules: which state changes become events, and when a panel must say STALE.

Snapshots are built by hand with explicit times, so each rule is checked at its boundary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.core.history import MAX_EVENTS, History, subject_states
from sutazai_tui.models import (
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    State,
)
from tests.builders import snapshot

T0 = datetime(2025, 8, 17, 23, 0, tzinfo=UTC)


def ep(name: str = "health", state: State = State.OK, **values: Any) -> EndpointStatus:
    values = {"reason": f"{name} is {state}", "checked_at": T0} | values
    return EndpointStatus(name=name, url=f"/{name}", kind=EndpointKind.HEALTH, state=state, **values)


def box(name: str, state: str = "running", **values: Any) -> ContainerStats:
    return ContainerStats(name=name, id=name, state=state, **values)


def test_the_first_snapshot_reports_only_what_is_not_ok() -> None:
    history = History()
    events = history.add(
        snapshot(T0, ep("health"), ep("mcp", State.DOWN, reason="503"), containers=[box("a")])
    )
    assert [(e.subject, e.old, e.new, e.reason) for e in events] == [("mcp", None, State.DOWN, "503")]


def test_a_change_is_one_event_from_old_to_new_and_no_change_is_none() -> None:
    history = History()
    history.add(snapshot(T0, ep("health")))
    [event] = history.add(snapshot(T0 + timedelta(seconds=30), ep("health", State.DOWN, reason="refused")))
    assert (event.subject, event.old, event.new, event.reason) == ("health", State.OK, State.DOWN, "refused")
    assert event.at == T0 + timedelta(seconds=30) and event.kind == "state"
    assert history.add(snapshot(T0, ep("health", State.DOWN))) == []  # still down: nothing new
    [back] = history.add(snapshot(T0, ep("health")))
    assert (back.old, back.new) == (State.DOWN, State.OK)
    assert list(history.events) == [event, back]


def test_a_subject_appearing_later_is_an_event_even_when_ok_except_the_engine() -> None:
    history = History()
    history.add(snapshot(T0, ep("health")))
    events = history.add(snapshot(T0, ep("health"), ep("extra"), containers=[box("sutazai-new")]))
    assert [(e.subject, e.old, e.new) for e in events] == [
        ("extra", None, State.OK),
        ("container:sutazai-new", None, State.OK),
    ]


def test_a_removed_container_is_said_and_a_vanished_endpoint_is_not() -> None:
    history = History()
    history.add(
        snapshot(T0, ep("health"), ep("extra"), containers=[box("a"), box("b", "exited", exit_code=1)])
    )
    [event] = history.add(snapshot(T0, ep("health"), containers=[box("a")]))
    assert (event.subject, event.old, event.new) == ("container:b", State.DOWN, None)
    assert event.reason == "no longer listed (removed)"
    assert history.add(snapshot(T0, ep("health"), containers=[box("a")])) == []  # said once


def test_subject_states_names_containers_and_the_engine() -> None:
    found = subject_states(snapshot(T0, ep("health"), containers=[box("a", "restarting", restart_count=4)]))
    assert found == {
        "health": (State.OK, "health is OK"),
        "engine": (State.OK, "listed"),
        "container:a": (State.DOWN, "restart loop: 4 restarts"),
    }
    assert subject_states(snapshot(T0, ep("health"))).keys() == {"health"}


def test_memory_is_bounded() -> None:
    history = History(size=3)
    for n in range(5):
        history.add(snapshot(T0, ep("health", State.DOWN if n % 2 else State.OK)))
    assert len(history.snapshots) == 3 and history.events.maxlen == MAX_EVENTS == 1000
    assert history.latest is not None and history.latest.endpoints[0].state is State.OK
    assert History().latest is None


def test_last_good_is_a_fresh_usable_answer_only() -> None:
    history = History()
    history.add(snapshot(T0, ep("health", checked_at=T0)))
    later = T0 + timedelta(seconds=30)
    history.add(snapshot(T0, ep("health", State.DOWN, failure="refused", checked_at=later)))
    history.add(snapshot(T0, ep("health", carried=True, checked_at=later)))
    history.add(snapshot(T0, ep("health", checked_at=None)))
    assert history.last_good("health") == T0
    assert history.last_good("other") is None


def test_latencies_are_oldest_first_with_none_for_failures() -> None:
    history = History()
    for ms, failure in [(10.0, None), (20.0, "timeout"), (30.0, None), (40.0, None)]:
        history.add(snapshot(T0, ep("health", latency_ms=ms, failure=failure)))
    assert history.latencies("health") == [10.0, None, 30.0, 40.0]
    assert history.latencies("health", 2) == [30.0, 40.0]
    assert history.latencies("absent", 2) == [None, None]


def test_stale_after_two_intervals_not_one() -> None:
    history = History(interval=30.0)
    health = ep("health")
    history.add(snapshot(T0, health))
    assert history.display_state(health, T0 + timedelta(seconds=31)) == (State.OK, "health is OK")
    assert history.display_state(health, T0 + timedelta(seconds=60)) == (State.OK, "health is OK")
    assert history.stale_reason(T0 + timedelta(seconds=60)) is None
    state, reason = history.display_state(health, T0 + timedelta(seconds=61))
    assert (state, reason) == (State.STALE, "no poll has completed for 61 s; showing data from then")
    assert history.stale_reason(T0 + timedelta(seconds=61)) == "last poll 61 s ago"
    assert History().stale_reason(T0) is None and History().display_state(health, T0) == (
        State.OK,
        "health is OK",
    )


def test_a_carried_answer_goes_stale_when_its_last_good_one_is_old() -> None:
    history = History(interval=30.0)
    history.add(snapshot(T0, ep("health", checked_at=T0)))
    now = T0 + timedelta(seconds=100)
    carried = ep("health", carried=True, reason="carried: rate limited")
    history.add(snapshot(now, carried))
    assert history.display_state(carried, now) == (State.STALE, "carried: rate limited")
    assert history.display_state(carried, T0 + timedelta(seconds=60)) == (State.OK, "carried: rate limited")
    never = ep("mcp", carried=True, reason="never answered", checked_at=None)
    assert history.display_state(never, T0 + timedelta(seconds=1)) == (State.STALE, "never answered")


def test_an_answer_reused_at_the_budgets_pace_is_fresh_for_two_paces_not_two_intervals() -> None:
    # At 1 s the host's budget asks each of 3 endpoints every 3.75 s (gate.endpoint_pace): an
    # answer 5 s old is as fresh as the budget allows; past two paces it is stale.
    history = History(interval=1.0, pace=3.75)
    reused = ep("health", carried=True, reason="shared: paced", checked_at=T0)
    history.add(snapshot(T0 + timedelta(seconds=5), reused))
    assert history.display_state(reused, T0 + timedelta(seconds=5)) == (State.OK, "shared: paced")
    assert history.stale_reason(T0 + timedelta(seconds=5)) is None
    history.add(snapshot(T0 + timedelta(seconds=7.6), reused))  # the poll goes on every second
    assert history.display_state(reused, T0 + timedelta(seconds=7.6)) == (State.STALE, "shared: paced")
    assert History(interval=1.0).display_state(reused, T0 + timedelta(seconds=5))[0] is State.STALE


def test_a_fresh_failure_is_not_stale_an_old_carried_answer_is() -> None:
    history = History(interval=30.0)
    history.add(snapshot(T0, ep("health", checked_at=T0), ep("mcp", checked_at=T0), ep("x", checked_at=T0)))
    now = T0 + timedelta(minutes=3)
    history.add(
        snapshot(
            now,
            ep("health", State.DOWN, failure="refused", checked_at=now),  # asked now: fresh news
            ep("mcp", carried=True, checked_at=T0),  # carried: what it shows is 3 min old
            ep("x", carried=True, checked_at=now - timedelta(seconds=20)),  # shared, 20 s old: fresh
            ep("new", carried=True, checked_at=None),
        )
    )
    reason = history.stale_reason(now)
    assert reason == "mcp, new: 3 min old"
    assert len(f"STALE  stale: {reason}") < 40  # beside the cycle and time in an 80-column header
    assert (
        history.display_state(ep("x", carried=True, checked_at=now - timedelta(seconds=20)), now)[0]
        is State.OK
    )
    fresh = History(interval=30.0)
    fresh.add(snapshot(now, ep("health", State.DOWN, failure="refused", checked_at=now)))
    assert fresh.stale_reason(now) is None  # a backend that never answered well is DOWN, not STALE


def test_ages_read_in_seconds_minutes_then_hours() -> None:
    history = History(interval=1.0)
    history.add(snapshot(T0, ep("health")))
    ages = {s: history.stale_reason(T0 + timedelta(seconds=s)) for s in (119, 120, 7199, 7200)}
    assert ages == {
        119: "last poll 119 s ago",
        120: "last poll 2 min ago",
        7199: "last poll 119 min ago",
        7200: "last poll 2 h ago",
    }


def test_defaults_are_two_hours_of_thirty_second_polls() -> None:
    history = History()
    assert (history.snapshots.maxlen, history.interval) == (240, 30.0)
    for n in range(31):
        history.add(snapshot(T0, ep("health", latency_ms=float(n))))
    assert history.latencies("health") == [float(n) for n in range(1, 31)]  # the last 30 by default


def test_now_defaults_to_the_aware_current_time() -> None:
    from sutazai_tui.models import Event

    history = History()
    health = ep("health")
    history.add(snapshot(datetime.now(UTC), health))
    assert history.display_state(health) == (State.OK, "health is OK")
    assert history.stale_reason() is None
    note = Event(at=T0, kind="action", subject="container:a", reason="stop a: done")
    history.note(note)
    assert list(history.events)[-1] == note
