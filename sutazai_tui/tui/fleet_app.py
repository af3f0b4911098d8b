"""`sutazai-tui fleet`: the fleet screen in an app of its own, reading one Prometheus.

Read-only by construction: it has no Monitor, no container source and no actions; `enter` opens
a deployment on the Dashboard (`DeploymentScreen`) rebuilt from Prometheus's series.
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen

from sutazai_tui.config.settings import Settings
from sutazai_tui.integrations.fleet import PrometheusReader
from sutazai_tui.tui.screens.deployment import DeploymentScreen
from sutazai_tui.tui.screens.fleet import FleetScreen
from sutazai_tui.tui.screens.fleet_feed import FleetFeed


class FleetApp(App[int]):
    """Shows `FleetScreen`; a deployment opens on the Dashboard with the monitor's own styles."""

    TITLE = "sutazai-tui fleet"
    CSS_PATH = "app.tcss"  # the Dashboard's layout, the same as the monitor's
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # noqa: RUF012 (Textual's own ClassVar)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012

    def __init__(self, feed: FleetFeed) -> None:
        super().__init__()
        self.feed = feed

    def get_default_screen(self) -> Screen[None]:
        return FleetScreen(self.feed, self.open_deployment)

    def open_deployment(self, target: str) -> Screen[None]:
        """The Dashboard over one deployment, refreshed from Prometheus as often as the fleet."""
        return DeploymentScreen(self.feed, target)

    async def on_unmount(self) -> None:
        await self.feed.reader.close()


def run_fleet(url: str, settings: Settings) -> int:
    """Run the fleet view until quit."""
    app = FleetApp(FleetFeed(PrometheusReader(url), settings.interval, settings))
    app.run()
    return app.return_code or 0  # 1 after an answer the view could not show (said in one line)
