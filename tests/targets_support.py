"""Two simulated deployments (prod healthy, staging hung) and the `[[targets]]` settings over them.

Used by the session tests (no UI) and the TUI's target tests: the same two targets in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.config.targets import TargetConfig
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from tests.conftest import ANSWER_TIMEOUT


@pytest.fixture
def two_backends() -> Iterator[tuple[SimulatedBackend, SimulatedBackend]]:
    """prod answers healthy; staging hangs (accepts, never answers), each in its own thread."""
    prod = SimulatedBackend("healthy", rate_limit=False).start_thread()
    staging = SimulatedBackend("healthy", rate_limit=False).start_thread()
    staging.forced_phase = answers.HANG
    yield prod, staging
    staging.stop_thread()
    prod.stop_thread()


def two_target_settings(tmp_path: Path, prod: SimulatedBackend, staging: SimulatedBackend) -> Settings:
    """`[[targets]]` prod and staging, no containers, recorded under tmp_path, polled on demand."""
    return Settings(
        containers=False,
        # prod must answer within it even on a loaded CI machine (0.3 s failed 1 run in 2 at load 6);
        # staging hangs, so each of its cycles takes the whole timeout.
        timeout=ANSWER_TIMEOUT,
        latency_threshold=ANSWER_TIMEOUT,  # a slow answer on a loaded machine is not a DEGRADED prod
        interval=60.0,
        request_budget=1000,
        state_dir=tmp_path,
        record=tmp_path / "rec.jsonl",
        targets=[
            TargetConfig(name="prod", base_url=prod.url),
            TargetConfig(name="staging", base_url=staging.url),
        ],
    )
