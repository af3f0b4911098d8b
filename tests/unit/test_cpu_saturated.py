"""`cpu-saturated` (issue 28 item 9): a warning after N cycles at ≥ the threshold of a core, not
for a burst, configurable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.diagnosis.context import Context
from sutazai_tui.diagnosis.load import cpu_saturated
from sutazai_tui.diagnosis.run import diagnose_snapshots
from sutazai_tui.models import ContainersStatus, ContainerStats, Snapshot, State

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def fleet(*cpus: float | None, name: str = "sutazai-worker") -> list[Snapshot]:
    snaps = []
    for i, cpu in enumerate(cpus):
        c = ContainerStats(name=name, id="a" * 64, image="i", state="running", cpu_percent=cpu)
        status = ContainersStatus(engine="e", state=State.OK, reason="r", containers=(c,))
        snaps.append(Snapshot(taken_at=T0 + timedelta(seconds=30 * i), containers=status))
    return snaps


def found(snaps: list[Snapshot], **settings: Any) -> list[str]:
    ctx = Context(snapshots=tuple(snaps), settings=Settings(**settings), now=snaps[-1].taken_at)
    return [f.title for f in cpu_saturated(ctx)]


def test_three_busy_cycles_make_a_warning_a_burst_does_not() -> None:
    assert found(fleet(10, 95, 99, 97)) == ["sutazai-worker keeps a CPU core busy (97 % for 3 cycles)"]
    assert found(fleet(95, 99, 40)) == []  # it calmed down
    assert found(fleet(95, 99)) == []  # not yet three cycles
    assert found(fleet(None, 95, 99, 97)) == ["sutazai-worker keeps a CPU core busy (97 % for 3 cycles)"]
    assert found(fleet(95, None, 99, 97)) == []  # an unknown cycle breaks the run


def test_the_threshold_and_the_cycles_are_settings() -> None:
    assert found(fleet(70, 75, 79), cpu_saturated_percent=66) != []
    assert found(fleet(95, 99, 97), cpu_saturated_cycles=4) == []


def test_it_is_a_warning_in_the_diagnosis() -> None:
    [finding] = [f for f in diagnose_snapshots(fleet(95, 96, 97), Settings()) if f.id == "cpu-saturated"]
    assert finding.severity == "warning" and "100 % = one core" in finding.evidence
    assert "docker top sutazai-worker" in finding.fix
