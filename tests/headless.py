"""A monitor without a screen, as its own process: `python -m tests.headless URL SECONDS [INTERVAL]`.

What a TUI does to the backend, without the cost of a terminal: a Session's cycles at the
interval, one JSON line per snapshot on stdout (each endpoint's state, whether it was asked, the
reason). Budget tests and bench/host_budget.py start several at once to load the shared budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.models import Snapshot
from sutazai_tui.session.session import Session


async def run(url: str, seconds: float, interval: float) -> None:
    """Poll `url` every `interval` s for `seconds` s, printing each snapshot's endpoints."""
    settings = Settings(base_url=url, interval=interval, timeout=2.0, containers=False)
    monitor = Monitor(settings)

    def show(snapshot: Snapshot) -> None:
        line = [
            {"name": e.name, "state": str(e.state), "carried": e.carried, "reason": e.reason}
            | {"code": e.http_code}
            for e in snapshot.endpoints
        ]
        print(json.dumps(line), flush=True)

    session = Session(settings, monitor)

    async def follow() -> None:
        async for cycle in session.cycles():
            show(cycle.snapshot)

    task = asyncio.create_task(follow())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), seconds)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await session.close()


if __name__ == "__main__":
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    asyncio.run(run(sys.argv[1], float(sys.argv[2]), interval))
