"""The process bench/soak.py measures: one headless Session, as `sutazai-tui exporter` runs it.

    python bench/soak_session.py URL PREFIX INTERVAL [SIMULATED_COUNT]

Settings through `load_settings` (no config file: the soak points XDG_CONFIG_HOME at a temp dir),
the engine source with log evidence, diagnosis after every cycle, history 240; no metrics server.
It imports nothing the product does not (no psutil of its own, no tracemalloc), and prints one
line per cycle (`cycle N ring M`) for the soak to count. An empty PREFIX: the simulated fleet of
SIMULATED_COUNT containers instead of the engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from typing import Any


def main() -> None:
    from sutazai_tui.config.settings import load_settings
    from sutazai_tui.session.session import Session

    url, prefix, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
    flags: dict[str, Any] = {"base_url": url, "interval": interval, "timeout": 2.0}
    if prefix:
        flags["container_prefix"] = prefix
    else:
        flags["containers"] = False
    session = Session(load_settings(None, **flags))
    if not prefix:
        from sutazai_tui.demo.factory import demo_session
        from sutazai_tui.demo.fleet import SimulatedFleet

        fleet = SimulatedFleet(None, count=int(sys.argv[4]))  # the backend runs in the soak's process
        session = demo_session(session.settings, fleet)

    async def run() -> None:
        try:
            async for cycle in session.cycles():
                print(f"cycle {cycle.snapshot.cycle} ring {len(session.history.snapshots)}", flush=True)
        finally:
            await session.close()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
