"""The compact history: old snapshots keep what diagnosis reads, in shared records; numbers live
on as per-container series; the newest few stay whole."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from sutazai_tui.core.history import FULL_SNAPSHOTS, History
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import ContainersStatus, ContainerStats, Snapshot, State
from tests.builders import T0, box, health, snapshot


def fleet(i: int, restarts: int = 0, cpu: float | None = 10.0) -> tuple[ContainerStats, ...]:
    """The backend (its numbers move with the cycle) and a quiet database."""
    backend = box(
        id="a" * 64,
        restart_count=restarts,
        cpu_percent=cpu,
        mem_used=1000 + i,
        labels={"app": "x"},
        env_names=("JWT",),
    )
    return backend, box("sutazai-db", id="b" * 64, cpu_percent=1.0, mem_used=5)


def test_old_snapshots_keep_states_and_share_records_and_drop_numbers() -> None:
    history = History(size=20)
    for i in range(12):
        history.add(snapshot(30 * i, containers=fleet(i, restarts=0 if i < 3 else 1), cycle=i))
    snaps = list(history.snapshots)
    assert [s.cycle for s in snaps] == list(range(12))
    old, older, newest = snaps[5], snaps[4], snaps[-1]
    backend_old = old.container("sutazai-backend")
    assert backend_old is not None and backend_old.restart_count == 1 and backend_old.id == "a" * 64
    assert backend_old.labels == {"app": "x"} and backend_old.env_names == ("JWT",)
    assert backend_old.cpu_percent is None and backend_old.mem_used is None  # numbers: see series
    assert older.container("sutazai-backend") is backend_old  # unchanged: one shared record
    assert snaps[1].container("sutazai-backend").restart_count == 0  # type: ignore[union-attr]
    for s in snaps[-FULL_SNAPSHOTS:]:  # the newest few are whole
        assert s.container("sutazai-backend").mem_used == 1000 + s.cycle  # type: ignore[union-attr]
    assert newest.container("sutazai-backend").cpu_percent == 10.0  # type: ignore[union-attr]


def test_series_keep_every_cycle_of_the_ring() -> None:
    history = History(size=5)
    for i in range(8):
        history.add(snapshot(30 * i, containers=fleet(i, cpu=None if i == 6 else float(i)), cycle=i))
    assert history.series("sutazai-backend", "cpu_percent") == [3.0, 4.0, 5.0, None, 7.0]
    assert history.series("sutazai-backend", "mem_used") == [1003.0, 1004.0, 1005.0, 1006.0, 1007.0]
    assert history.series("nobody", "cpu_percent") == [None] * 5


def test_a_removed_container_leaves_the_series_with_the_ring() -> None:
    history = History(size=3)
    history.add(snapshot(0, containers=fleet(0)))
    gone = Snapshot(cycle=1, taken_at=T0, target="t", containers=ContainersStatus(engine="e", state=State.OK))
    for _ in range(3):
        history.add(gone)
    assert history.series("sutazai-backend", "cpu_percent") == [None] * 3
    assert "sutazai-backend" not in history._series


def test_a_full_ring_of_a_fleet_diagnoses_as_before() -> None:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.diagnosis.run import diagnose_snapshots

    fleet = SimulatedFleet(count=30)
    compact = History(size=40)
    whole: list[Snapshot] = []
    for i in range(40):
        status = asyncio.run(fleet.poll())
        s = Snapshot(cycle=i, taken_at=T0 + timedelta(seconds=i), target="t", containers=status)
        compact.add(s)
        whole.append(s)
    settings = Settings()
    assert diagnose_snapshots(compact.snapshots, settings) == diagnose_snapshots(whole, settings)


def full_container(i: int, cid: str = "c" * 64) -> ContainerStats:
    """A container with every per-cycle number set (and different each cycle)."""
    return ContainerStats(
        name=f"sutazai-{cid[:4]}",
        id=cid,
        state="running",
        restart_count=2,
        exit_code=0,
        cpu_percent=10.0 + i,
        mem_used=1000 + i,
        mem_limit=2000 + i,
        mem_percent=50.0 + i,
        net_rx=3000 + i,
        net_tx=4000 + i,
        blk_read=5000 + i,
        blk_write=6000 + i,
        pids=7 + i,
        env_names=("SECRET_KEY",),
        labels={"com.docker.compose.service": "backend"},
        ports={"8000/tcp": 10010},
    )


def ring_of(containers: list[list[ContainerStats]]) -> History:
    history = History(size=len(containers) + 5)
    for i, cs in enumerate(containers):
        status = ContainersStatus(engine="e", state=State.OK, reason="", containers=tuple(cs))
        history.add(Snapshot(cycle=i, taken_at=T0 + timedelta(seconds=i), target="t", containers=status))
    return history


# The per-cycle numbers an old snapshot drops: written out here, so that adding or removing one in
# core/history.py is a decision a test sees (diagnosis must not read a dropped one from the past).
DROPPED = {"cpu_percent", "mem_used", "mem_limit", "mem_percent", "net_rx", "net_tx"}
DROPPED |= {"blk_read", "blk_write", "pids"}


def test_a_slim_record_is_the_container_less_exactly_its_numbers() -> None:
    history = ring_of([[full_container(i)] for i in range(FULL_SNAPSHOTS + 1)])
    first, whole = history.snapshots[0], full_container(0)
    assert first.containers is not None
    slim = first.containers.containers[0]
    assert slim == whole.model_copy(update=dict.fromkeys(DROPPED))
    # the newest FULL_SNAPSHOTS are whole, the one before them is not
    for i, s in enumerate(list(history.snapshots)[1:], start=1):
        assert s.containers is not None and s.containers.containers[0] == full_container(i)


def test_every_series_field_round_trips_through_the_slimmed_snapshots() -> None:
    cycles = 3 * FULL_SNAPSHOTS
    history = ring_of([[full_container(i)] for i in range(cycles)])
    name = full_container(0).name
    assert history.series(name, "cpu_percent") == [10.0 + i for i in range(cycles)]
    assert history.series(name, "mem_used") == [1000.0 + i for i in range(cycles)]
    with pytest.raises(ValueError):  # a number the ring does not keep is not silently empty
        history.series(name, "net_rx")


def test_a_cycle_without_the_number_is_none_in_the_series() -> None:
    quiet = full_container(1).model_copy(update={"cpu_percent": None})
    history = ring_of([[full_container(0)], [quiet], [full_container(2)]])
    assert history.series(full_container(0).name, "cpu_percent") == [10.0, None, 12.0]


def test_the_slim_cache_stays_bounded_while_containers_come_and_go() -> None:
    # 200 cycles, each with one container that exists for that cycle only (churn): the cache of
    # slim records grows to 4 x the containers listed + 64, then forgets the ones gone.
    history = History(size=300)
    sizes = []
    for i in range(200):
        cs = (full_container(i, cid=f"{i:04x}".ljust(64, "0")),)
        status = ContainersStatus(engine="e", state=State.OK, reason="", containers=cs)
        history.add(Snapshot(cycle=i, taken_at=T0 + timedelta(seconds=i), target="t", containers=status))
        sizes.append(len(history._slim))
    assert max(sizes) == 4 * 1 + 64
    assert min(sizes[100:]) == 1  # it forgot the gone ones, more than once


def test_old_endpoints_share_what_did_not_change_and_models_share_their_field_sets() -> None:
    """Each cycle's endpoint is a new model whose services, details and texts mostly equal the last
    cycle's: an old snapshot holds one copy of them, and one field set per shape of model."""
    services = {"redis": "healthy", "database": "healthy"}
    history = History(size=20)
    for i in range(12):
        e = health(30 * i, services=dict(services), details={"version": "17.0.0"}, latency_ms=float(i))
        history.add(snapshot(30 * i, e, containers=fleet(i), cycle=i))
    old = [s.endpoint("health") for s in list(history.snapshots)[:-FULL_SNAPSHOTS]]
    assert all(e is not None for e in old)
    assert len({id(e.services) for e in old if e}) == 1 and len({id(e.details) for e in old if e}) == 1
    assert [e.latency_ms for e in old if e] == [float(i) for i in range(len(old))]  # per cycle still
    assert [e.checked_at for e in old if e] == [health(30 * i).checked_at for i in range(len(old))]
    sets = {
        id(m.__pydantic_fields_set__)
        for s in list(history.snapshots)[1:-FULL_SNAPSHOTS]
        for m in (s, s.endpoints[0])
    }
    assert len(sets) == 2  # one shared field set for the snapshots, one for the endpoints
    assert len(history._endpoints) == 1 and len(history._shapes) <= 8
    newest = history.snapshots[-1].endpoint("health")
    assert newest is not None and newest.services == services and newest.latency_ms == 11.0  # whole


def test_the_shared_endpoints_stay_bounded_when_endpoints_come_and_go() -> None:
    history = History(size=30)
    for i in range(200):
        history.add(snapshot(i, health(i, name=f"endpoint-{i}"), cycle=i))
    assert len(history._endpoints) <= 2 * 1 + 16
    assert len(history._shapes) <= 256
