"""A shared answer reads the same everywhere (issue 28 item 6): the terminal's panel, a browser
tab of `serve` (the same app following serve's recording) and `check` get the same snapshot, and at
the same age they say the same state word and the same age; past two intervals without a cycle
the terminal and the tab both say STALE, in the same words (`check` polls once: never that late)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from sutazai_tui.cli.check import render_text
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.history import History
from sutazai_tui.core.verdict import assess
from sutazai_tui.models import EndpointStatus, Snapshot, State
from sutazai_tui.records.follow import RecordingFollower
from sutazai_tui.records.recorder import Recorder
from sutazai_tui.tui.widgets.endpoint_panel import panel_view
from tests.builders import at, health, snapshot

INTERVAL = 5.0
SHARED = "shared: request budget of 8 used; answer from another sutazai-tui process 3 s ago: healthy"


def shared_cycle() -> Snapshot:
    """Cycle 1 at T0+10: /health not asked (over budget), another process's answer of T0+7 shown."""
    answer = health(7, reason=SHARED, carried=True)
    return snapshot(10, answer).model_copy(update={"cycle": 1})


def terminal(snap: Snapshot, now_s: float) -> tuple[State, str, str | None]:
    history = History(interval=INTERVAL)
    history.add(snap)
    view = panel_view(snap.endpoints[0], history, (), at(now_s))
    return view.state, view.reason, history.stale_reason(at(now_s))


def browser(snap: Snapshot, now_s: float, tmp_path: Path) -> tuple[State, str, str | None]:
    """What a `serve` tab shows: serve's recording, read back by the tab's follower."""
    path = tmp_path / "live.jsonl"
    recorder = Recorder(path, target=snap.target, interval=INTERVAL, max_bytes=1 << 20)
    recorder.record(snap)
    recorder.close()
    settings = Settings(base_url="http://127.0.0.1:9", interval=INTERVAL, state_dir=tmp_path / "state")
    follower = RecordingFollower(settings, path)
    read = asyncio.run(follower.cycle())
    asyncio.run(follower.close())
    follower.history.add(read)
    status: EndpointStatus = read.endpoints[0]
    view = panel_view(status, follower.history, (), at(now_s))
    return view.state, view.reason, follower.history.stale_reason(at(now_s))


def check_line(snap: Snapshot) -> str:
    out = io.StringIO()
    render_text(snap, assess(snap), out)
    return next(line for line in out.getvalue().splitlines() if line.startswith("health "))


def test_the_same_shared_answer_says_the_same_words_in_terminal_browser_and_check(tmp_path: Path) -> None:
    snap = shared_cycle()
    shown_terminal = terminal(snap, 11)
    shown_browser = browser(snap, 11, tmp_path)
    assert shown_terminal == shown_browser == (State.OK, SHARED, None)  # fresh: no STALE anywhere
    line = check_line(snap)
    assert line.split()[1] == "OK" and line.endswith(SHARED)  # the same word, the same age words


def test_past_two_intervals_terminal_and_browser_say_stale_alike(tmp_path: Path) -> None:
    snap = shared_cycle()
    late = 10 + 2 * INTERVAL + 1  # no cycle since T0+10 (serve's poller stopped, or this monitor's)
    shown_terminal = terminal(snap, late)
    shown_browser = browser(snap, late, tmp_path)
    assert shown_terminal == shown_browser
    state, reason, header = shown_terminal
    assert state is State.STALE and reason == "no poll has completed for 11 s; showing data from then"
    assert header == "last poll 11 s ago"  # the header's reason: short enough for 80 columns
