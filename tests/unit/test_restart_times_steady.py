"""Steady readings read at once (sources/engine/loops.py `restart_times`): a container whose count
never moved and that was never caught `restarting` shows what its first reading shows, however
many readings the ring holds; any rise or `restarting` still walks them all."""

from __future__ import annotations

from datetime import timedelta

from sutazai_tui.sources.engine.loops import RISE, restart_times
from tests.builders import T0, box


def test_a_steady_dense_first_reading_is_a_loop_from_the_first_and_a_steady_calm_one_none() -> None:
    dense = box(restart_count=9, created_at=T0 - timedelta(seconds=200), started_at=T0 - timedelta(seconds=5))
    readings = [(dense, T0 + timedelta(seconds=5 * i)) for i in range(240)]
    assert restart_times(readings) == [T0 - timedelta(seconds=5)] * RISE
    calm = box(restart_count=2, created_at=T0 - timedelta(days=3), started_at=T0 - timedelta(days=1))
    assert restart_times([(calm, T0 + timedelta(seconds=5 * i)) for i in range(240)]) == []


def test_a_rise_or_a_restarting_reading_after_many_steady_ones_is_still_seen() -> None:
    steady = [(box(restart_count=1, started_at=T0), T0 + timedelta(seconds=5 * i)) for i in range(200)]
    late = T0 + timedelta(seconds=1000)
    rose = restart_times([*steady, (box(restart_count=4, started_at=late), late)])
    assert rose[-1] == late and len(rose) == 3  # the last at its start, two right after the reading before
    caught = restart_times([*steady, (box(restart_count=1, state="restarting"), late)])
    assert caught == [late] * RISE
