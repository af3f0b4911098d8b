"""What the fleet app and its screens share: one Prometheus feed and the refresh loop over it.

The fleet table and a deployment's Dashboard both ask the same Prometheus on the same interval;
`FleetFeed` carries that once from `FleetApp` to each screen, and `PrometheusPolling` is the one
refresh worker (ask at once, then every interval; a failure keeps the last answer and says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.text import Text
from textual import work
from textual.screen import Screen

from sutazai_tui.config.settings import Settings
from sutazai_tui.integrations.fleet import PrometheusError, PrometheusReader
from sutazai_tui.util.clean import clean_line


def utc_now() -> datetime:
    """The wall clock; tests pass their own."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class FleetFeed:
    """One Prometheus and how the fleet views read it."""

    reader: PrometheusReader
    interval: float  # seconds between refreshes, of the fleet and of an open deployment alike
    settings: Settings = field(default_factory=Settings)
    source: str | None = None  # what the status line names; the reader's URL when None
    clock: Callable[[], datetime] = utc_now


class PrometheusPolling(Screen[None]):
    """A screen refreshed from Prometheus: subclasses say what one refresh asks and shows."""

    feed: FleetFeed
    refreshes = 0
    asking = False  # a refresh is in flight
    error: str | None = None  # the last refresh's failure; None once one succeeds

    def start_polling(self) -> None:
        """Ask at once, then every interval."""
        self.refresh_from_prometheus()
        self.set_interval(self.feed.interval, self._interval_refresh)

    def _interval_refresh(self) -> None:
        # Not `_tick`: that is the Dashboard's once-a-second clock (a DeploymentScreen is both), which
        # this name once replaced, asking Prometheus every second and freezing the deployment's
        # countdown and staleness. Covered by a deployment's screen: no queries for a table nobody
        # sees; caught up on return.
        if self.is_current:
            self.refresh_from_prometheus()

    def on_screen_resume(self) -> None:
        """Back on top: show fresh data at once if it was skipped while covered."""
        if self.refreshes:
            self.refresh_from_prometheus()

    def refresh_from_prometheus(self) -> None:
        """One refresh, unless one is in flight: a slow Prometheus never has two of ours waiting on
        it, and `r` or a tick joins the running one instead of cancelling it (cancelling each time
        would mean no answer ever, from a Prometheus slower than the interval or a held key)."""
        if not self.asking:
            self.asking = True
            self._refresh()

    @work(group="prometheus-refresh")
    async def _refresh(self) -> None:
        try:
            await self.ask_prometheus()
        except PrometheusError as exc:
            if str(exc) != self.error:
                self.prometheus_failed(str(exc))
            self.error = str(exc)
        except Exception as exc:  # an answer nobody foresaw: one line and a non-zero exit, no traceback
            self.asking = False
            said = clean_line(f"{type(exc).__name__}: {exc}", 200)
            line = f"sutazai-tui fleet: {self.feed.reader.url} sent an answer this view cannot show: {said}"
            self.app.exit(return_code=1, message=Text(line))
            return
        else:
            self.error = None
        finally:
            self.asking = False
        self.refreshes += 1
        self.refreshed()

    async def ask_prometheus(self) -> None:
        """Query Prometheus and keep the answer; raises PrometheusError."""
        raise NotImplementedError

    def prometheus_failed(self, message: str) -> None:
        """A new failure (not the same one again); the fleet shows it in its status line instead."""

    def refreshed(self) -> None:
        """After each refresh, failed or not."""
