"""The demo's incident replays on a loop and its clock pauses (issue 28 item 4): after the last phase
the scenario starts again, the position names the play-through, and while paused neither the phase
nor the fleet's logs move on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import BACKEND, SimulatedFleet
from sutazai_tui.sources.engine.details import LogWindow


def test_the_incident_starts_again_after_it_recovered() -> None:
    now = [0.0]
    backend = SimulatedBackend("incident", phase_seconds=10.0, clock=lambda: now[0], loop=True)
    seen = []
    for t in range(0, 90, 10):
        now[0] = t + 1.0
        seen.append(backend.phase)
    assert seen == [
        answers.HANG,
        answers.EMERGENCY,
        answers.INITIALIZING,
        answers.RECOVERED,
        answers.HANG,  # the second play-through
        answers.EMERGENCY,
        answers.INITIALIZING,
        answers.RECOVERED,
        answers.HANG,
    ]


def test_the_position_names_the_phase_the_loop_and_what_comes_next() -> None:
    now = [0.0]
    backend = SimulatedBackend("incident", phase_seconds=10.0, clock=lambda: now[0], loop=True)
    now[0] = 12.0
    assert backend.position() == "incident 2/4 emergency, loop 1, next in 8 s"
    now[0] = 33.0
    assert backend.position() == "incident 4/4 recovered, loop 1, again in 7 s"
    now[0] = 52.0
    assert backend.position() == "incident 2/4 emergency, loop 2, next in 8 s"


def test_without_the_loop_the_last_phase_stays_and_one_phase_scenarios_never_say_loop() -> None:
    now = [0.0]
    once = SimulatedBackend("incident", phase_seconds=10.0, clock=lambda: now[0])
    steady = SimulatedBackend("degraded", phase_seconds=10.0, clock=lambda: now[0], loop=True)
    now[0] = 95.0
    assert once.phase == answers.RECOVERED and once.position() == "incident 4/4 recovered"
    assert steady.position() == "degraded 1/1 degraded"


def test_a_pause_holds_the_phase_the_loop_and_the_logs() -> None:
    now = [0.0]
    wall = [datetime(2026, 12, 7, 12, 0, tzinfo=UTC)]
    backend = SimulatedBackend("incident", phase_seconds=10.0, clock=lambda: now[0], loop=True)
    fleet = SimulatedFleet(backend, clock=lambda: wall[0])
    now[0] = 15.0  # emergency: the backend writes a line a second
    logs = fleet.details()
    window = LogWindow(tail=50, since_ns=0, max_bytes=1 << 20, until_ns=0, head=False)
    backend.pause_clock(True)
    before = logs.read_window(BACKEND, window)
    now[0] += 120.0  # two minutes of reading: more than a whole play-through
    wall[0] += timedelta(seconds=120)
    assert backend.phase == answers.EMERGENCY
    assert backend.position() == "incident 2/4 emergency, loop 1, next in 5 s"
    assert logs.read_window(BACKEND, window) == before  # the paused moment's lines, nothing later
    backend.pause_clock(False)
    wall[0] += timedelta(seconds=3)
    after = logs.read_window(BACKEND, window)
    assert after[-1].ts_ns - before[-1].ts_ns == 123 * 10**9  # resumed: its log runs on with the time
