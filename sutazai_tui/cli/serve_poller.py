"""The one monitor behind every `serve` tab: polls, diagnoses and records; tabs follow the recording.

Each browser tab is its own app process (textual-serve), but none of them polls: they follow the
live recording this poller writes (records/follow.py), through the same widgets as live and replay.
So ten tabs cost the backend what one does. With `--record PATH` that recording is the operator's;
without, it is a private file in the runtime dir, capped and removed when `serve` ends.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.budget import budget_dir
from sutazai_tui.session.session import Session

LIVE_MAX_MB = 1.0  # the private live recording holds what a newly opened tab shows (~100 cycles)


def live_recording_path(settings: Settings) -> tuple[Path, bool]:
    """Where tabs read from, and whether it is ours to remove: --record, else a runtime-dir file."""
    if settings.record is not None:
        return settings.record, False
    return budget_dir(settings).parent / f"serve-{os.getpid()}.jsonl", True


class SharedPoller:
    """Runs one Session (monitor, diagnosis, recording to `path`, the `on_state_change` hook) until
    cancelled. The hook runs here, once per event, not in each tab."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path, self.owned = live_recording_path(settings)
        self.cycles = 0

    def _problem(self, session: Session, text: str, severity: str) -> None:
        # No screen here: serve's log is where an operator looks when the tabs stop changing.
        print(f"sutazai-tui serve: {severity}: {text}", flush=True)

    async def run(self) -> None:
        """Poll every interval, diagnose, record; never raises but for cancellation."""
        max_mb = self.settings.record_max_mb if not self.owned else LIVE_MAX_MB
        live = self.settings.model_copy(update={"record": self.path, "record_max_mb": max_mb})
        session = Session(live, on_problem=self._problem)
        try:
            async for _cycle in session.cycles():
                self.cycles += 1
        finally:
            await session.close()
            if self.owned:  # ours, and nobody follows it once serve is gone
                for leftover in [self.path, *self.path.parent.glob(f"{self.path.name}.*")]:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
