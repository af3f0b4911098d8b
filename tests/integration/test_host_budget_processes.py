"""Many processes of ours on one host against the simulated backend's real limiter (issue 15).

20 `check` runs back to back, and 5 headless monitors at a 1 s interval at once: the backend never
sees more than 10 requests in a 10 s window (so never a 429 or 403), and every endpoint that was
not asked says whether its verdict is a shared answer or not asked at all.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from sutazai_tui.demo.backend import BURST_WINDOW_S, SimulatedBackend

pytestmark = pytest.mark.slow


@pytest.fixture
def limited() -> Iterator[SimulatedBackend]:
    """The simulated backend with its real limiter (10 per 10 s, per-minute caps, 403 blocks)."""
    server = SimulatedBackend("healthy", rate_limit=True).start_thread()
    yield server
    server.stop_thread()


def worst_window(times: list[float]) -> int:
    """The most requests inside any 10 s window (the window slides: start one at every request)."""
    return max((sum(1 for t in times if s <= t < s + BURST_WINDOW_S) for s in times), default=0)


def assert_said_why(endpoint: dict[str, object]) -> None:
    """An endpoint this run did not ask must say shared or not asked, and UNKNOWN when not asked."""
    reason = str(endpoint["reason"])
    if not endpoint["carried"]:
        return
    assert reason.startswith(("shared: ", "not asked: ")), reason
    if reason.startswith("not asked: "):
        assert endpoint["state"] == "UNKNOWN", endpoint
        assert "sutazai-tui process" in reason, reason


def test_twenty_checks_back_to_back_stay_under_the_limit(limited: SimulatedBackend) -> None:
    argv = [sys.executable, "-m", "sutazai_tui", "check", "--json", "--no-containers"]
    argv += ["--base-url", limited.url]
    shared_runs = 0
    for _ in range(20):
        run = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        doc = json.loads(run.stdout)
        assert run.returncode == doc["exit_code"], run.stderr
        endpoints = doc["snapshot"]["endpoints"]
        for e in endpoints:
            assert e["http_code"] not in (403, 429), e
            assert_said_why(e)
        shared = [e for e in endpoints if e["reason"].startswith("shared: ")]
        not_asked = [e for e in endpoints if e["reason"].startswith("not asked: ")]
        for e in shared + not_asked:  # the reasons of the run say it too, not only the snapshot
            assert any(e["reason"] in line for line in doc["reasons"]), (e["reason"], doc["reasons"])
        if not_asked and len(not_asked) == len(endpoints):
            assert run.returncode == 3  # nothing judged: UNKNOWN
        elif not not_asked:
            assert run.returncode == 0, doc["reasons"]  # healthy, asked or shared
        shared_runs += bool(shared)
    assert limited.limiter is not None and sum(limited.limiter.violations.values()) == 0
    assert worst_window(limited.request_times) <= 10
    assert shared_runs > 0, "20 runs in well under a minute must have shared answers"


def test_five_monitors_at_one_second_share_the_budget(limited: SimulatedBackend) -> None:
    argv = [sys.executable, "-m", "tests.headless", limited.url, "14", "1"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(5)]
    outputs = [proc.communicate(timeout=60)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    cycles = [json.loads(line) for out in outputs for line in out.splitlines()]
    assert len(cycles) >= 5 * 8  # each kept cycling about once a second
    reasons = []
    for cycle in cycles:
        for e in cycle:
            assert e["code"] not in (403, 429), e
            assert_said_why(e)
            reasons.append(e["reason"])
    assert limited.limiter is not None and sum(limited.limiter.violations.values()) == 0
    assert worst_window(limited.request_times) <= 10
    assert any(r.startswith("shared: ") for r in reasons)
    # Asked at the budget's pace and shared, the host's answers mostly stay fresh. Not always: the
    # first cycles (all five ask at once, 15 requests for 8), and, on a loaded machine, five that
    # find the same answer past its pace and all ask. Measured: none idle, 30 of 210 under the
    # suite's 4 workers; each monitor asking every cycle left 145 of 210 UNKNOWN ("not asked").
    unknown = [e for cycle in cycles for e in cycle if e["state"] == "UNKNOWN"]
    assert len(unknown) <= len(reasons) // 4, unknown


def test_three_monitors_at_five_seconds_do_not_flap(limited: SimulatedBackend) -> None:
    # 9 requests a cycle for a budget of 4 every 5 s: most cycles live on answers another
    # monitor heard up to one budget window ago. Taken only while younger than one interval,
    # the monitor whose cycles fell between the others' asks went OK/UNKNOWN every cycle.
    argv = [sys.executable, "-m", "tests.headless", limited.url, "32", "5"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [proc.communicate(timeout=90)[0] for proc in procs]
    assert all(proc.returncode == 0 for proc in procs)
    shared = 0
    for out in outputs:
        cycles = [json.loads(line) for line in out.splitlines()]
        assert len(cycles) >= 5, out  # about one cycle every 5 s
        states = [[e["state"] for e in cycle] for cycle in cycles[1:]]  # after the first cycle
        changes = sum(1 for a, b in itertools.pairwise(states) if a != b)
        assert changes <= 1, states
        shared += sum(e["reason"].startswith("shared: ") for cycle in cycles for e in cycle)
    assert shared > 0
    assert limited.limiter is not None and sum(limited.limiter.violations.values()) == 0
    assert worst_window(limited.request_times) <= 10


def test_one_monitor_faster_than_the_budget_asks_at_its_pace_and_never_goes_unknown(
    limited: SimulatedBackend,
) -> None:
    # 3 requests a second against 8 per 10 s: asked every cycle, the budget let 8 through and
    # then none, and the endpoints were UNKNOWN ("not asked") for 7 cycles of every 10.
    argv = [sys.executable, "-m", "tests.headless", limited.url, "14", "1"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    cycles = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 0 and len(cycles) >= 10, run.stderr
    for cycle in cycles:
        for e in cycle:
            assert e["state"] == "OK", e
            assert_said_why(e)
    paced = [
        e
        for cycle in cycles
        for e in cycle
        if "asked every 3.8 s, as this host's budget allows" in e["reason"]
    ]
    assert len(paced) >= len(cycles)  # most answers reused (about 3 of 4), not asked again
    assert limited.limiter is not None and sum(limited.limiter.violations.values()) == 0
    assert worst_window(limited.request_times) <= 8
