"""`sutazai-tui demo-backend`: the simulated backend alone, until Ctrl-C."""

from __future__ import annotations

import asyncio
import sys

from sutazai_tui.demo.answers import SCENARIOS
from sutazai_tui.demo.backend import SimulatedBackend


def serve_forever(host: str, port: int, scenario: str, phase_seconds: float) -> int:
    """Serve until interrupted; one-line errors for a taken port or a bad scenario."""
    if scenario not in SCENARIOS:
        print(
            f"sutazai-tui: unknown scenario {scenario!r} — choose one of {', '.join(SCENARIOS)}",
            file=sys.stderr,
        )
        return 2

    async def run() -> None:
        backend = SimulatedBackend(scenario, host=host, port=port, phase_seconds=phase_seconds)
        await backend.start()
        print(f"simulated SutazAI backend ({scenario}) on {backend.url} — Ctrl-C to stop", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await backend.stop()

    try:
        asyncio.run(run())
    except OSError as exc:
        print(
            f"sutazai-tui: cannot listen on {host}:{port}: {exc.strerror} — choose another --port",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        pass
    return 0
