"""Shared fixtures: an isolated environment per test, the simulated backend, settings for it."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.backend import SimulatedBackend
from tests.hostile import HostileServer

# Bytecode caches on, whatever the shell says: with PYTHONDONTWRITEBYTECODE set, every xdist worker
# rewrites every test module's asserts again (~8 s of CPU each on 2 cores) and every
# `python -m sutazai_tui` a test starts compiles the package again. __pycache__ is git-ignored.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# The HTTP deadline of tests whose backend answers: on a loaded machine (the fast tier runs under
# xdist) a local answer can take longer than half a second (1.8 s seen with the tier run twice at
# once), and a missed one fails the test. A
# hung phase costs a cycle this long, so tests about hangs alone keep their own short deadline.
ANSWER_TIMEOUT = 3.0


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config, state or runtime dir or SUTAZAI_TUI_* variables."""
    for name in list(os.environ):
        if name.startswith("SUTAZAI_TUI_") and name != "SUTAZAI_TUI_REQUIRE_ENGINE":
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    # The shared request budget lives here: parallel tests must never share one.
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))


@pytest.fixture
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local times are UTC, whatever the machine's zone (screens and parsed times pin them).

    Modules that need it say `pytestmark = pytest.mark.usefixtures("utc_local_time")`.
    """
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
async def backend() -> AsyncIterator[SimulatedBackend]:
    """A simulated backend, healthy, without its rate limiter, in its own thread: on the test's
    event loop it could not answer while the app under test renders, and on a loaded machine an
    app's first frame outlasts an answer's deadline."""
    server = SimulatedBackend("healthy", rate_limit=False).start_thread()
    yield server
    server.stop_thread()


@pytest.fixture
def backend_thread() -> Iterator[SimulatedBackend]:
    """A simulated backend in its own thread, for subprocess and blocking tests."""
    server = SimulatedBackend("healthy", rate_limit=False).start_thread()
    yield server
    server.stop_thread()


@pytest.fixture(scope="session")
def hostile() -> Iterator[HostileServer]:
    """The misbehaving server, shared by the whole session (it keeps no state that tests assert on)."""
    server = HostileServer().start()
    yield server
    server.stop()


def settings_for(url: str, tmp_path: Path | None = None, **overrides: Any) -> Settings:
    """Settings aimed at a local server: a deadline for answers, no containers, state in tmp."""
    values: dict[str, Any] = {
        "base_url": url,
        "timeout": ANSWER_TIMEOUT,
        "latency_threshold": ANSWER_TIMEOUT,  # a loaded machine's slow answer is not a DEGRADED backend
        "interval": 30.0,
        "containers": False,
        "request_budget": 1000,  # tests that are about the budget set their own
    }
    if tmp_path is not None:
        values["state_dir"] = tmp_path / "state"
    values.update(overrides)
    return Settings(**values)
