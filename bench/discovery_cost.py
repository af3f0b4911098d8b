"""What finding both backend lines by trying costs: requests per cycle against each real-build scenario.

    python bench/discovery_cost.py [--cycles 10]

For each simulated-backend scenario, runs N monitor cycles and prints the requests the backend saw
per path, the total, and the reference measured in the same run: the same cycles with the three
endpoints configured by hand (`default_endpoints = false`, so nothing is discovered). Discovery must
cost at most one extra request per detailed path, once, where that path is absent.
"""

from __future__ import annotations

import argparse
import asyncio

from sutazai_tui.config.settings import EndpointConfig, Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import EndpointKind

SCENARIOS = ("healthy", "build-0818", "november", "deadlock-refused", "deadlock-reset")
PATHS = ("/health", "/health-emergency", "/api/v1/mcp/status", "/health/detailed", "/api/v1/health/detailed")
LABELS = ("health", "emergency", "mcp", "detailed", "detailed-v1")


BY_HAND = [
    EndpointConfig(name="health", url="/health", kind=EndpointKind.HEALTH),
    EndpointConfig(name="emergency", url="/health-emergency", kind=EndpointKind.EMERGENCY),
    EndpointConfig(name="mcp", url="/api/v1/mcp/status", kind=EndpointKind.MCP),
]


async def run(scenario: str, cycles: int, discover: bool = True) -> tuple[dict[str, int], int]:
    backend = SimulatedBackend(scenario, rate_limit=False)
    await backend.start()
    settings = Settings(
        base_url=backend.url,
        containers=False,
        timeout=0.5,
        request_budget=1000,
        state_dir="/tmp/bench-dc",
        default_endpoints=discover,
        endpoints=[] if discover else BY_HAND,
    )
    monitor = Monitor(settings)
    try:
        for _ in range(cycles):
            await monitor.cycle()
    finally:
        await monitor.close()
        await backend.stop()
    return {p: backend.requests[p] for p in PATHS}, sum(backend.requests.values())


async def main(cycles: int) -> None:
    print(f"{cycles} cycles per scenario; ref = the same three endpoints configured by hand (no discovery)")
    print(
        f"{'scenario':<18} {'total':>6} {'ref':>4} {'extra':>6}  "
        + "  ".join(f"{label:>11}" for label in LABELS)
    )
    for scenario in SCENARIOS:
        seen, total = await run(scenario, cycles)
        _, reference = await run(scenario, cycles, discover=False)
        counts = "  ".join(f"{seen[p]:>11}" for p in PATHS)
        print(f"{scenario:<18} {total:>6} {reference:>4} {total - reference:>6}  {counts}")
    print("extra = requests beyond the reference: 1 per absent detailed path, once; a present one")
    print("(november's /health/detailed) is polled every cycle because /health there is liveness only.")
    print("refused: the server never sees a request, by construction.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10)
    asyncio.run(main(parser.parse_args().cycles))
