"""`sutazai-tui fleet`: the fleet screen in an app of its own, reading one Prometheus.

Read-only by construction: it has no Monitor, no container source and no actions; a deployment
opened from it is rebuilt from Prometheus's series.
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from sutazai_tui.integrations.fleet import PrometheusReader
from sutazai_tui.tui.screens.fleet import FleetScreen, Opener


class FleetApp(App[int]):
    """Shows `FleetScreen`; `opener` builds the screen a deployment opens on."""

    TITLE = "sutazai-tui fleet"

    def __init__(
        self,
        reader: PrometheusReader,
        interval: float,
        opener: Opener | None = None,
        source: str | None = None,
    ) -> None:
        super().__init__()
        self.reader = reader
        self.interval = interval
        self.opener = opener
        self.source = source

    def get_default_screen(self) -> Screen[None]:
        return FleetScreen(self.reader, self.interval, self.opener, self.source)

    async def on_unmount(self) -> None:
        await self.reader.close()


def run_fleet(url: str, interval: float) -> int:
    """Run the fleet view until quit."""
    app = FleetApp(PrometheusReader(url), interval)
    app.run()
    return 0
