"""The request budget shared by every process on the host: real files, real locks, real processes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sutazai_tui.core.budget import HostBudget, Limits, budget_dir
from sutazai_tui.models import EndpointKind, EndpointStatus, State
from tests.conftest import settings_for

URL = "http://127.0.0.1:9/health"
OTHER = "http://127.0.0.1:9/api/v1/mcp/status"


class Clock:
    """A wall clock the test moves by hand (the budget counts in epoch seconds)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def budget(tmp_path: Path, clock: Clock, pid: int | None = None, **limits: int) -> HostBudget:
    return HostBudget(tmp_path / "run" / "budget", Limits(**limits), clock=clock, pid=pid)


async def spend(b: HostBudget, url: str, n: int) -> list[str | None]:
    """n requests as the HTTP source makes them: take, then done when the answer is in."""
    found: list[str | None] = []
    for _ in range(n):
        refusal = await b.take(url)
        if refusal is None:
            await b.done(url)
        found.append(None if refusal is None else refusal.why)
    return found


def holder(lock: Path, then: str) -> subprocess.Popen[str]:
    """Another process that takes the budget's lock, says so, then waits (or is killed)."""
    code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT, 0o600)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    if then == "crash":
        os.kill(proc.pid, signal.SIGKILL)  # the process this test started
        proc.wait(10)
    return proc


async def test_two_processes_share_one_budget_and_say_how_many_share(tmp_path: Path) -> None:
    clock = Clock()
    mine, theirs = budget(tmp_path, clock), budget(tmp_path, clock, pid=os.getppid())
    assert await spend(theirs, URL, 4) == [None] * 4
    clock.now += 5.0
    refused = await spend(mine, URL, 5)
    assert refused[:4] == [None] * 4
    assert refused[4] == "this host's request budget is spent"
    last = await mine.take(URL)
    assert last is not None and last.sharing == 1 and last.wait == pytest.approx(5.0)
    clock.now += 5.0
    assert await spend(mine, URL, 1) == [None]  # the window moved on


async def test_a_request_counts_while_in_flight_and_from_its_end(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock, burst=2)
    assert await b.take(URL) is None  # sent, no answer yet
    clock.now += 30  # a slow answer: it still counts, the backend may see it only now
    assert await spend(b, URL, 2) == [None, "this host's request budget is spent"]
    await b.done(URL)
    clock.now += 9.9
    assert await b.take(URL) is not None, "a request counts from when it ended"
    clock.now += 0.2
    assert await b.take(URL) is None


async def test_per_minute_caps_count_health_paths_apart(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock, burst=1000, other_per_minute=3, health_per_minute=5)
    assert await spend(b, OTHER, 4) == [None] * 3 + ["this host's per-minute budget for these paths is spent"]
    assert await spend(b, URL, 6) == [None] * 5 + ["this host's per-minute budget for /health paths is spent"]
    clock.now += 60.0
    assert await b.take(OTHER) is None


async def test_the_backends_remaining_count_is_never_passed(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock, burst=1000)
    reset = str(int(clock.now + 30))
    await b.done(URL, [(200, {"x-ratelimit-remaining": "2", "x-ratelimit-reset": reset})])
    refused = await spend(b, URL, 3)
    assert refused[:2] == [None, None] and refused[2] is not None
    assert refused[2].startswith("the backend says no request is left until")
    await b.done(URL, [(200, {"x-ratelimit-remaining": "5", "x-ratelimit-reset": reset})])
    assert await b.take(URL) is not None, "a later answer with more left does not undo the count"
    clock.now += 31
    assert await b.take(URL) is None


async def test_a_429_or_a_block_stops_every_process(tmp_path: Path) -> None:
    clock = Clock()
    a, other = budget(tmp_path, clock), budget(tmp_path, clock, pid=os.getppid())
    await a.done(URL, [(429, {"retry-after": "10"})])
    refusal = await other.take(OTHER)
    assert refusal is not None and "429" in refusal.why and refusal.wait == pytest.approx(10)
    clock.now += 11
    await a.done(URL, [(403, {"x-block-reason": "Repeated rate limit violations", "retry-after": "60"})])
    refusal = await other.take(URL)
    assert refusal is not None and "blocked this host's IP" in refusal.why


async def test_the_last_answer_is_shared_while_fresh(tmp_path: Path) -> None:
    clock = Clock()
    a, other = budget(tmp_path, clock), budget(tmp_path, clock, pid=os.getppid())
    status = EndpointStatus(name="health", url=URL, kind=EndpointKind.HEALTH, state=State.OK, reason="fine")
    await a.done(URL, (), status)
    clock.now += 3
    shared = other.last_answer(URL, max_age=5)
    assert shared is not None and shared.status.reason == "fine" and shared.age == 3 and not shared.mine
    assert other.last_answer(URL, max_age=3) is None  # not younger than the interval
    assert a.last_answer(OTHER, max_age=5) is None


async def test_the_last_answer_is_read_again_only_when_the_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A paced cycle asks once per endpoint, on the event loop: one parse while nothing changed.
    clock = Clock()
    a, other = budget(tmp_path, clock), budget(tmp_path, clock, pid=os.getppid())
    status = EndpointStatus(name="health", url=URL, kind=EndpointKind.HEALTH, state=State.OK, reason="fine")
    await a.done(URL, (), status)
    reads: list[Path] = []
    read = HostBudget._read

    def counted(self: HostBudget, path: Path, origin: str) -> dict[str, object]:
        if self is other:  # the reader's reads; the writer reads too, under its lock
            reads.append(path)
        return read(self, path, origin)

    monkeypatch.setattr(HostBudget, "_read", counted)
    for _ in range(3):
        shared = other.last_answer(URL, max_age=5)
        assert shared is not None and shared.status.reason == "fine"
    assert len(reads) == 1
    await a.done(URL, (), status.model_copy(update={"reason": "newer"}))  # written by rename: a new file
    shared = other.last_answer(URL, max_age=5)
    assert shared is not None and shared.status.reason == "newer" and len(reads) == 2


async def test_files_are_private_and_a_broken_file_is_rebuilt(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock)
    assert await spend(b, URL, 1) == [None]
    path = b.path_for(URL)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.write_text('{"v": 1, "sent": "garbage')
    assert await b.take(URL) is None
    state = json.loads(path.read_text())
    assert len(state["sent"]) == 1, "rebuilt, holding only the new request"


async def test_a_hung_lock_holder_delays_by_a_bounded_wait_only(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock)
    assert await b.take(URL) is None  # creates the folder and the lock file
    proc = holder(b.path_for(URL).with_suffix(".lock"), then="hang")
    try:
        assert await asyncio.wait_for(b.take(URL), 5) is None
        assert b.unlocked_writes == 1
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)
    assert await b.take(URL) is None and b.unlocked_writes == 1  # the lock is free again


async def test_a_crashed_lock_holder_blocks_nobody(tmp_path: Path) -> None:
    clock = Clock()
    b = budget(tmp_path, clock)
    assert await b.take(URL) is None
    holder(b.path_for(URL).with_suffix(".lock"), then="crash")
    assert await b.take(URL) is None and b.unlocked_writes == 0


async def test_an_unusable_folder_counts_in_this_process(tmp_path: Path) -> None:
    clock = Clock()
    (tmp_path / "run").write_text("a file where the folder should be")
    b = budget(tmp_path, clock)
    assert await spend(b, URL, 9) == [None] * 8 + ["this host's request budget is spent"]
    assert b.problem is not None and "unusable" in b.problem


def test_the_budget_lives_in_the_runtime_dir_else_the_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for("http://127.0.0.1:9", tmp_path)
    assert budget_dir(settings) == tmp_path / "run" / "sutazai-tui" / "budget"  # conftest's runtime dir
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert budget_dir(settings) == tmp_path / "state" / "budget"


class CountingBudget(HostBudget):
    """Counts the budget file's writes (each one is a locked read and write on the event loop)."""

    writes = 0

    def _write(self, path: Path, state: dict[str, object]) -> None:
        self.writes += 1
        super()._write(path, state)


async def test_a_request_end_is_one_change_with_what_was_heard_and_the_answer(tmp_path: Path) -> None:
    clock = Clock()
    a = CountingBudget(tmp_path / "run" / "budget", Limits(), clock=clock)
    other = budget(tmp_path, clock, pid=os.getppid())
    status = EndpointStatus(name="health", url=URL, kind=EndpointKind.HEALTH, state=State.OK, reason="fine")
    assert await a.take(URL) is None
    heard = [(200, {"x-ratelimit-remaining": "3", "x-ratelimit-reset": "5"}), (429, {"retry-after": "10"})]
    await a.done(URL, heard, status)
    assert a.writes == 2  # take, then done with both answers and the judged one
    refusal = await other.take(OTHER)
    assert refusal is not None and "429" in refusal.why  # what was heard binds the other process
    shared = other.last_answer(URL, max_age=5)
    assert shared is not None and shared.status.reason == "fine"
    carried = status.model_copy(update={"reason": "old", "carried": True})
    clock.now += 11
    assert await a.take(URL) is None
    await a.done(URL, (), carried)
    assert (
        other.last_answer(URL, max_age=60) or shared
    ).status.reason == "fine"  # a carried one is not shared


async def test_a_cycles_starts_share_one_write_and_its_ends_another_in_order(tmp_path: Path) -> None:
    clock = Clock()
    a = CountingBudget(tmp_path / "run" / "budget", Limits(burst=2), clock=clock)
    urls = [URL, OTHER, "http://127.0.0.1:9/health-emergency"]
    # As a cycle asks: every endpoint's request at once. The burst allows two: the third, asked
    # last, is refused in the same write, after the first two were counted.
    refusals = await asyncio.gather(*(a.take(u) for u in urls))
    assert a.writes == 1 and refusals[:2] == [None, None] and refusals[2] is not None
    status = EndpointStatus(name="health", url=URL, kind=EndpointKind.HEALTH, state=State.OK, reason="fine")

    async def answered(url: str, after: float) -> None:
        await asyncio.sleep(after)  # answers arrive a few ms apart
        await a.done(url, (), status if url == URL else None)

    await asyncio.gather(answered(URL, 0), answered(OTHER, 0.01))
    assert a.writes == 2  # both ends in one write
    other = budget(tmp_path, clock, pid=os.getppid())
    shared = other.last_answer(URL, max_age=5)
    assert shared is not None and shared.status.reason == "fine"
    sent = json.loads(a.path_for(URL).read_text())["sent"]
    assert len(sent) == 2 and all(len(entry) == 2 for entry in sent)  # ended: no longer in flight


async def test_a_start_whose_caller_is_gone_before_the_write_is_not_counted(tmp_path: Path) -> None:
    clock = Clock()
    a = CountingBudget(tmp_path / "run" / "budget", Limits(), clock=clock)
    gone = asyncio.ensure_future(a.take(OTHER))
    kept = asyncio.ensure_future(a.take(URL))
    await asyncio.sleep(0)  # both asked, the write not made yet
    gone.cancel()
    assert await kept is None and a.writes == 1
    assert [entry[1] for entry in json.loads(a.path_for(URL).read_text())["sent"]] == ["h"]


async def test_the_last_request_in_flight_ends_without_waiting_for_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sutazai_tui.core.budget.DONE_GATHER_S", 60.0)  # only `last` can end the wait
    a = CountingBudget(tmp_path / "run" / "budget", Limits(), clock=Clock())
    assert await a.take(URL) is None and await a.take(OTHER) is None
    first = asyncio.ensure_future(a.done(URL))
    for _ in range(10):  # turns of the loop, no timer: the first end waits for its sibling
        await asyncio.sleep(0)
    assert not first.done() and a.writes == 2
    last = asyncio.ensure_future(a.done(OTHER))
    for _ in range(10):  # the last one in flight: written now, with the first, in one write
        await asyncio.sleep(0)
    assert first.done() and last.done() and a.writes == 3
