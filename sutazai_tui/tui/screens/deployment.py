"""One deployment of the fleet on the Dashboard, rebuilt from Prometheus: read-only by construction.

Its session has no monitor, so nothing here polls a backend or touches an engine; every interval
it asks Prometheus for that deployment's series (one query) and shows a new cycle when the
exporter finished one. It has the Dashboard's viewing keys only: actions need a direct target.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual.binding import Binding, BindingType

from sutazai_tui.config.settings import Settings
from sutazai_tui.session.session import Session
from sutazai_tui.tui.screens.dashboard import FILTER, HELP, SNAPSHOT, TABLE, Dashboard
from sutazai_tui.tui.screens.fleet_feed import FleetFeed, PrometheusPolling
from sutazai_tui.tui.widgets.header import HeaderView
from sutazai_tui.util.redact import Redactor

BACK = Binding("escape", "app.pop_screen", "Fleet", tooltip="Back to the fleet", id="fleet.back")


def deployment_settings(settings: Settings) -> Settings:
    """Settings for a Prometheus-fed session: read-only, no endpoints or recording of its own."""
    return settings.model_copy(
        update={
            "read_only": True,
            "default_endpoints": False,
            "endpoints": [],
            "containers": True,
            "record": None,
            "targets": [],
        }
    )


class DeploymentScreen(PrometheusPolling, Dashboard):
    """The Dashboard over one deployment's series in Prometheus."""

    BINDINGS: ClassVar[list[BindingType]] = [BACK, SNAPSHOT, *TABLE, FILTER, HELP]

    def __init__(self, feed: FleetFeed, target: str) -> None:
        super().__init__(Session(deployment_settings(feed.settings), name=target), clock=feed.clock)
        self.feed = feed
        self.target = target

    def mounted(self) -> None:
        """Ask at once, then every refresh interval."""
        self.start_polling()

    async def ask_prometheus(self) -> None:
        """One query for this deployment; a new cycle goes through the Dashboard's own path."""
        snapshot, findings, interval, scraped = await self.feed.reader.snapshot(self.target)
        if interval:
            # STALE after 2 of the exporter's intervals (not the fleet's) plus how old Prometheus's
            # copy is: with a 1 min scrape a healthy exporter's last cycle can be 90 s old here.
            lag = max(0.0, self.feed.clock().timestamp() - scraped) if scraped is not None else 0.0
            self.session.history.interval = interval + lag / 2
        # The same exporter cycle asked twice is one cycle, not two in the history.
        if self.snapshot is None or snapshot.taken_at != self.snapshot.taken_at:
            self.feed_snapshot(snapshot)
        self.show_findings(findings)

    def prometheus_failed(self, message: str) -> None:
        """Said once per new failure: the Dashboard keeps showing the last cycle."""
        self.notify(message, severity="error", timeout=10, markup=False)

    def header_view(self, now: datetime) -> HeaderView:
        """The deployment's name (not a URL: none is known here), read-only, from Prometheus."""
        view = super().header_view(now)
        return replace(
            view, target=f"{self.target} (via Prometheus)", engine="via Prometheus", read_only=True
        )

    def bundle_redactor(self) -> Redactor | None:
        """Nothing secret reaches Prometheus's labels or values (the exporter's rule)."""
        return None
