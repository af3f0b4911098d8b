"""Tabs share one poller (issue 15): `serve` runs one monitor and records it; every tab follows.

Ten tabs on one `serve` against the simulated backend's real limiter: every tab shows the
backend's answers, and the only process that ever spent the host's request budget is `serve`.
A tab's actions go through the same confirmation, policy and audit log as a terminal's.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.actions.audit import read_audit
from sutazai_tui.actions.policy import Actions
from sutazai_tui.config.settings import Settings
from sutazai_tui.demo import answers
from sutazai_tui.demo.actions import FleetBackend
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_monitor
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.records.follow import RecordingFollower
from sutazai_tui.records.recorder import Recorder
from sutazai_tui.session.session import Session
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.widgets.container_table import ContainerTable
from tests.builders import health, snapshot
from tests.conftest import ANSWER_TIMEOUT, settings_for
from tests.docker_support import wait_for
from tests.integration.test_serve_tabs import Serve, first_frame
from tests.tui.test_action_keys import REDIS, open_confirm
from tests.tui_support import wait_until as pilot_wait

pytest.importorskip("textual_serve")


async def test_a_follower_gives_each_recorded_cycle_once_and_the_earlier_ones_as_history(
    tmp_path: Path,
) -> None:
    settings: Settings = settings_for("http://127.0.0.1:9", tmp_path)
    path = tmp_path / "live.jsonl"
    recorder = Recorder(path, target="t", interval=30, max_bytes=1 << 20)
    for n in (1, 2, 3):
        recorder.record(snapshot(n, health(n, reason=f"answer {n}"), cycle=n, target="t"))
    follower = RecordingFollower(settings, path)
    first = await follower.cycle()
    assert first.cycle == 3 and [s.cycle for s in follower.history.snapshots] == [1, 2]
    recorder.record(snapshot(4, health(4, reason="answer 4"), cycle=4, target="t"))
    second = await follower.cycle()
    assert second.cycle == 4 and second.endpoints[0].reason == "answer 4"
    recorder.close()
    await follower.close()


@pytest.mark.slow
def test_ten_tabs_cost_no_request_and_each_shows_the_backends_answers(tmp_path: Path) -> None:
    backend = SimulatedBackend("healthy", rate_limit=True).start_thread()
    serve = Serve(tmp_path, ["--base-url", backend.url, "--interval", "5"])
    try:
        tabs = [serve.open_tab() for _ in range(10)]
        pending = serve.pending
        screens = [first_frame(sock, pending if i == len(tabs) - 1 else b"") for i, sock in enumerate(tabs)]
        for i, sock in enumerate(tabs):  # read each tab until the backend's answer is on it
            sock.settimeout(1.0)
            deadline = time.monotonic() + 60
            while b"healthy" not in screens[i] and time.monotonic() < deadline:
                try:
                    screens[i] += sock.recv(65536)
                except TimeoutError:
                    continue
            assert b"healthy" in screens[i], f"tab {i} never showed the health answer"
        assert len(serve.tabs()) >= 10
        budget = next((Path(os.environ["XDG_RUNTIME_DIR"]) / "sutazai-tui" / "budget").glob("*.json"))
        spenders = json.loads(budget.read_text())["procs"]
        assert set(spenders) == {str(serve.proc.pid)}, "only serve may ask the backend"
        assert backend.limiter is not None and sum(backend.limiter.violations.values()) == 0
        live = next((Path(os.environ["XDG_RUNTIME_DIR"]) / "sutazai-tui").glob("serve-*.jsonl"))
        os.kill(serve.proc.pid, signal.SIGTERM)  # the process this test started
        wait_for(lambda: serve.proc.poll() is not None, 5, "serve to end")
        wait_for(lambda: not serve.left(), 3, "every tab process gone")
        assert not live.exists(), "serve removes its private live recording"
        for sock in tabs:
            sock.close()
    finally:
        serve.stop()
        backend.stop_thread()


async def test_a_tab_acts_through_the_core_rules_and_the_audit(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    backend.forced_phase = answers.RECOVERED
    values: dict[str, Any] = {"containers": True, "timeout": ANSWER_TIMEOUT, "interval": 60.0}
    values["audit_log"] = tmp_path / "audit.jsonl"
    settings = settings_for(backend.url, tmp_path, **values)
    fleet = SimulatedFleet(backend)
    served = demo_monitor(settings, fleet)  # what serve's one monitor records
    snapshot = await served.cycle()
    await served.close()
    path = tmp_path / "live.jsonl"
    with Recorder(path, target=backend.url, interval=60, max_bytes=1 << 20) as recorder:
        recorder.record(snapshot)
    follower = RecordingFollower(settings, path)
    tab = make_app(settings, Session(settings, follower, actions=Actions(settings, FleetBackend(fleet))))
    async with tab.run_test(size=(80, 24)) as pilot:
        await pilot_wait(pilot, lambda: tab.dashboard.snapshot is not None)
        table = tab.query_one(ContainerTable)
        table.move_cursor(row=[c.name for c in table.shown].index(REDIS))
        await pilot.pause()
        await open_confirm(tab, pilot, "x")  # the same confirmation as in a terminal
        await pilot.press("y")
        await pilot_wait(pilot, lambda: fleet.inspect(REDIS).state == "exited")
    last = read_audit(settings.audit_path)[-1]
    assert (last["action"], last["container"], last["result"]) == ("stop", REDIS, "done")
