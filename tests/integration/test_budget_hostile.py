"""The shared budget cannot blind the host: capped back-offs, a strict file schema, owned folders.

Real files, real processes and a real HTTP backend (the simulated one); the budget's clock is moved by
hand where an hour has to pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sutazai_tui.core.budget import HostBudget, Limits
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import EndpointKind, EndpointStatus, State
from sutazai_tui.sources.backend.gate import MAX_BACKOFF_S, origin_of
from tests.integration.test_host_budget import URL, Clock, budget


async def test_a_retry_after_of_three_years_is_an_hour_and_says_so(tmp_path: Path) -> None:
    clock = Clock()
    one, other = budget(tmp_path, clock), budget(tmp_path, clock, pid=os.getppid())
    await one.done(URL, [(429, {"retry-after": "99999999"})])
    refusal = await other.take(URL)
    assert refusal is not None and refusal.wait == MAX_BACKOFF_S == 3600
    assert "it asked 99999999 s: capped at 3600 s" in refusal.why
    clock.now += MAX_BACKOFF_S + 1  # within the hour after the 429, a healthy backend is asked again
    assert await other.take(URL) is None


async def test_an_absurd_rate_limit_reset_is_bounded(tmp_path: Path) -> None:
    clock = Clock()
    one = budget(tmp_path, clock)
    await one.done(URL, [(200, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1e300"})])
    refusal = await one.take(URL)
    assert refusal is not None and refusal.wait <= 60
    assert "capped at 60 s" in refusal.why  # the reset it gave is not the one kept: said so
    await one.done(URL, [(200, {"x-ratelimit-remaining": "nan", "x-ratelimit-reset": "inf"})])
    clock.now += 61
    assert await one.take(URL) is None


POISONS = {
    "infinity": '{"v":1,"origin":"%s","sent":[],"left":null,"not_before":Infinity,"procs":{},"last":{}}',
    "twenty-digit pid": '{"v":1,"origin":"%s","sent":[[%f,"h",12345678901234567890]],"left":null,'
    '"not_before":0,"procs":{},"last":{}}',
    "back-off of years": '{"v":1,"origin":"%s","sent":[],"left":null,"not_before":%f,"procs":{},"last":{}}',
}


@pytest.mark.parametrize("kind", sorted(POISONS))
async def test_a_poisoned_file_is_rebuilt_with_one_line(tmp_path: Path, kind: str) -> None:
    clock = Clock()
    one = budget(tmp_path, clock)
    path = one.path_for(URL)
    path.parent.mkdir(parents=True, mode=0o700)
    text = POISONS[kind]
    values = (origin_of(URL),) + ((clock.now,) if kind == "twenty-digit pid" else ())
    values += (clock.now + 99999999,) if kind == "back-off of years" else ()
    path.write_text(text % values)
    assert await one.take(URL) is None  # not blinded
    [notice] = one.take_notices()
    assert notice.startswith(f"shared request budget {path} rebuilt: ") and "\n" not in notice
    assert json.loads(path.read_text())["not_before"] == 0.0
    assert one.take_notices() == []  # said once


async def test_a_shared_answer_is_cleaned_again_when_read(tmp_path: Path) -> None:
    from sutazai_tui.sources.backend.client import HttpSource
    from tests.conftest import settings_for

    clock = Clock()
    writer, reader = budget(tmp_path, clock, pid=os.getppid()), budget(tmp_path, clock, burst=1)
    planted = EndpointStatus(
        name="health",
        url=URL,
        kind=EndpointKind.HEALTH,
        state=State.OK,
        reason="fine\x1b[2J\x1b]0;owned\x07 [b]x[/b]",
    )
    await writer.done(URL, (), planted)
    settings = settings_for("http://127.0.0.1:9", tmp_path, interval=3600.0)
    source = HttpSource(settings, budget=reader)
    await reader.take(URL)  # the one request of the burst: the next is over budget
    endpoint = next(e for e in settings.all_endpoints() if e.name == "health")
    shown = source._over_budget(endpoint, URL, (await reader.take(URL)) or pytest.fail("not refused"))
    assert "\x1b" not in shown.reason and "\x07" not in shown.reason and "fine" in shown.reason
    await source.close()


def test_check_says_ok_against_a_healthy_backend_despite_a_poisoned_file(
    backend_thread: SimulatedBackend, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    budget_file = HostBudget(run / "sutazai-tui" / "budget", Limits()).path_for(
        backend_thread.url + "/health"
    )
    budget_file.parent.mkdir(parents=True, mode=0o700)
    origin = origin_of(backend_thread.url)
    budget_file.write_text(POISONS["infinity"] % origin)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "SUTAZAI_TUI_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", "check", "--no-containers", "--base-url", backend_thread.url],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("SUTAZAI OK - ")
    assert f"shared request budget {budget_file} rebuilt: not valid JSON" in proc.stdout


def test_a_budget_folder_anyone_may_write_is_refused_in_one_line(tmp_path: Path) -> None:
    run = tmp_path / "run"
    folder = run / "sutazai-tui" / "budget"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "SUTAZAI_TUI_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.run(
        [sys.executable, "-m", "sutazai_tui", "check", "--no-containers", "--base-url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    why = f"writable by group or others (mode 777) — `chmod 700 {folder}`"
    assert proc.stderr == f"sutazai-tui: refusing budget folder {folder}: {why}\n"
    assert list(folder.iterdir()) == []  # never written into
