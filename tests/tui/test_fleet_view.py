"""The fleet view over recorded Prometheus answers (a real loopback HTTP server): the SVG snapshot,
worst-first order, the cost of a refresh, and an unreachable Prometheus.

The same screen against a live Prometheus and two exporters is in test_prometheus.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sutazai_tui.integrations.fleet import CURRENT, LAST_CYCLE, PrometheusReader, deployment_query
from sutazai_tui.models import State
from sutazai_tui.tui.fleet_app import FleetApp
from sutazai_tui.tui.screens.dashboard import Dashboard
from sutazai_tui.tui.screens.deployment import DeploymentScreen
from sutazai_tui.tui.screens.fleet import FleetScreen, age_text
from sutazai_tui.tui.screens.fleet_feed import FleetFeed
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.findings import FindingsPanel
from tests.prometheus_support import RecordedPrometheus
from tests.tui_support import wait_until

pytestmark = pytest.mark.usefixtures("utc_local_time")  # conftest: local time is UTC

AT = 1_763_000_000.0  # the evaluation time of every recorded answer


def at_recording() -> datetime:
    """The screens' clock: the moment the answers were recorded (else the data is STALE, rightly)."""
    return datetime.fromtimestamp(AT, UTC)


def _sample(name: str, value: float, **labels: str) -> dict[str, Any]:
    return {"metric": {"__name__": name, "job": "sutazai", **labels}, "value": [AT, str(value)]}


def recorded_fleet() -> dict[str, list[dict[str, Any]]]:
    """Three deployments as Prometheus answers the fleet's two queries about them."""
    current = [
        _sample("sutazai_verdict", 1, target="edge", level="OK"),
        _sample("sutazai_endpoint_state", 1, target="edge", endpoint="health", state="OK"),
        _sample("sutazai_container_state", 1, target="edge", container="sutazai-backend", state="OK"),
        _sample("sutazai_verdict", 1, target="prod", level="CRITICAL"),
        _sample("sutazai_endpoint_state", 1, target="prod", endpoint="health", state="DOWN"),
        _sample("sutazai_container_state", 1, target="prod", container="sutazai-backend", state="OK"),
        _sample(
            "sutazai_finding", 1, target="prod", id="startup-hang", subject="health", severity="critical"
        ),
        _sample(
            "sutazai_finding",
            1,
            target="prod",
            id="missing-env",
            subject="sutazai-backend",
            severity="critical",
        ),
        _sample("sutazai_verdict", 1, target="staging", level="WARNING"),
        _sample("sutazai_endpoint_state", 1, target="staging", endpoint="health", state="DEGRADED"),
        _sample(
            "sutazai_finding",
            1,
            target="staging",
            id="unhealthy",
            subject="sutazai-redis",
            severity="warning",
        ),
    ]
    cycles = [
        _sample(LAST_CYCLE, AT - 4, target="edge"),
        _sample(LAST_CYCLE, AT - 12, target="prod"),
        _sample(LAST_CYCLE, AT - 400, target="staging"),
    ]
    prod = [
        _sample(LAST_CYCLE, AT - 12, target="prod"),
        _sample("sutazai_poll_interval_seconds", 30, target="prod"),
        _sample("sutazai_cycles_total", 118, target="prod"),
        _sample("sutazai_cycle_duration_seconds", 5.012, target="prod"),
        _sample("sutazai_endpoint_state", 1, target="prod", endpoint="health", state="DOWN"),
        _sample("sutazai_endpoint_state", 0, target="prod", endpoint="health", state="OK"),
        _sample("sutazai_endpoint_latency_seconds", 5.0, target="prod", endpoint="health"),
        _sample("sutazai_endpoint_state", 1, target="prod", endpoint="emergency", state="OK"),
        _sample("sutazai_endpoint_http_status", 404, target="prod", endpoint="emergency"),
        _sample("sutazai_endpoint_latency_seconds", 0.004, target="prod", endpoint="emergency"),
        _sample("sutazai_container_engine_up", 1, target="prod"),
        _sample("sutazai_container_state", 1, target="prod", container="sutazai-backend", state="OK"),
        _sample(
            "sutazai_container_status",
            1,
            target="prod",
            container="sutazai-backend",
            status="running",
            health="",
        ),
        _sample("sutazai_container_restarts_total", 3, target="prod", container="sutazai-backend"),
        _sample("sutazai_container_memory_bytes", 512 << 20, target="prod", container="sutazai-backend"),
        _sample("sutazai_container_memory_limit_bytes", 2 << 30, target="prod", container="sutazai-backend"),
        _sample(
            "sutazai_container_status",
            1,
            target="prod",
            container="sutazai-redis",
            status="exited",
            health="",
        ),
        _sample("sutazai_container_exit_code", 1, target="prod", container="sutazai-redis"),
        _sample("sutazai_container_state", 1, target="prod", container="sutazai-redis", state="DOWN"),
        _sample(
            "sutazai_finding", 1, target="prod", id="startup-hang", subject="health", severity="critical"
        ),
        _sample(
            "sutazai_finding", 0, target="prod", id="crashed", subject="sutazai-redis", severity="warning"
        ),
    ]
    return {CURRENT: current, LAST_CYCLE: cycles, deployment_query("prod"): prod}


def cells(app: FleetApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_rows_worst_first_and_two_queries_per_refresh() -> None:
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(FleetFeed(PrometheusReader(prom.url), interval=3600, clock=at_recording))
        async with app.run_test(size=(120, 30)) as pilot:
            screen = app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)
            assert cells(app) == [
                ["prod", "DOWN", "CRITICAL", "2", "12 s"],
                ["staging", "DEGRADED", "WARNING", "0", "6 min"],
                ["edge", "OK", "OK", "0", "4 s"],
            ]
            assert sorted(prom.asked) == sorted([CURRENT, LAST_CYCLE])
            await pilot.press("r")
            await wait_until(pilot, lambda: screen.refreshes >= 2)
            assert len(prom.asked) == 4  # a refresh is two queries, for three deployments
            await pilot.press("enter")
            deployment = app.screen
            assert isinstance(deployment, DeploymentScreen) and deployment.target == "prod"
            await wait_until(pilot, lambda: deployment.refreshes >= 1)
            assert len(prom.asked) == 5, "\n".join(prom.asked)  # opening one deployment: one query
            panels = {p.endpoint_name: p.view.state for p in deployment.query(EndpointPanel)}
            assert panels == {"health": State.DOWN, "emergency": State.OK}
            table = deployment.query_one(ContainerTable)
            assert table.row_count == 2
            assert [f.id for f in deployment.query_one(FindingsPanel).findings] == ["startup-hang"]
            assert deployment.session.settings.read_only and deployment.session.monitor is None
            assert deployment.session.history.interval == 30  # the exporter's, for staleness
            # Read-only: none of the live monitor's keys that act or poll exists here.
            acting = {"stop", "restart", "emergency_stop", "poll_now", "pause", "logs"}
            active = {b.binding.id for b in deployment.active_bindings.values()}
            assert "fleet.back" in active and not acting & active
            await pilot.press("escape")
            assert app.screen is screen


async def test_an_unreachable_prometheus_is_one_line_on_the_status_bar() -> None:
    with RecordedPrometheus({}) as prom:
        url = prom.url  # stopped at the end of the block: nothing listens there any more
    app = FleetApp(FleetFeed(PrometheusReader(url), interval=3600))
    async with app.run_test(size=(100, 16)) as pilot:
        screen = app.screen
        assert isinstance(screen, FleetScreen)
        await wait_until(pilot, lambda: screen.refreshes >= 1)
        status = str(screen.query_one("#fleet-status", Static).render())
        assert f"cannot reach Prometheus at {url}: ConnectError" in status
        assert screen.rows == []


@asynccontextmanager
async def fleet_shown() -> AsyncIterator[tuple[RecordedPrometheus, Pilot[int], FleetScreen]]:
    """The fleet view over the recorded fleet, after its first refresh."""
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(FleetFeed(PrometheusReader(prom.url), interval=3600))
        async with app.run_test(size=(100, 16)) as pilot:
            screen = app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)
            yield prom, pilot, screen


async def test_a_refused_query_keeps_the_last_rows() -> None:
    async with fleet_shown() as (prom, pilot, screen):
        prom.answers.clear()
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.refreshes >= 2)
        status = str(screen.query_one("#fleet-status", Static).render())
        assert "Prometheus refused the query: unknown query" in status and "showing the last answer" in status
        assert [r.state for r in screen.rows] == [State.DOWN, State.DEGRADED, State.OK]


async def test_r_while_prometheus_is_slow_joins_the_refresh_in_flight() -> None:
    async with fleet_shown() as (prom, pilot, screen):
        prom.answering.clear()  # Prometheus is slow now
        asked = len(prom.asked)
        await pilot.press("r")
        await wait_until(pilot, lambda: len(prom.asked) == asked + 2)  # one refresh: two queries
        await pilot.press("r", "r", "r")  # an impatient operator: no new query, no cancelled one
        assert screen.asking
        prom.answering.set()
        await wait_until(pilot, lambda: screen.refreshes >= 2 and not screen.asking)
        assert screen.refreshes == 2 and screen.error is None
        assert len(prom.asked) == asked + 2  # cancelling and asking again would have added 6
        assert [r.state for r in screen.rows] == [State.DOWN, State.DEGRADED, State.OK]


def test_age_text() -> None:
    assert [age_text(x) for x in (None, -1, 5, 119, 120, 7199, 7200)] == [
        "—",
        "0 s",
        "5 s",
        "119 s",
        "2 min",
        "119 min",
        "2 h",
    ]


def test_fleet_snapshot(snap_compare: Any) -> None:
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(FleetFeed(PrometheusReader(prom.url), interval=3600, source="prometheus.example:9090"))

        async def before(pilot: Pilot[int]) -> None:
            screen = pilot.app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)

        assert snap_compare(app, terminal_size=(90, 14), run_before=before)


def test_deployment_snapshot(snap_compare: Any) -> None:
    """`enter` on prod: its Dashboard as Prometheus has it, read-only."""
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(
            FleetFeed(
                PrometheusReader(prom.url),
                interval=3600,
                source="prometheus.example:9090",
                clock=at_recording,
            )
        )

        async def before(pilot: Pilot[int]) -> None:
            fleet = pilot.app.screen
            assert isinstance(fleet, FleetScreen)
            await wait_until(pilot, lambda: fleet.refreshes >= 1)
            await pilot.press("enter")
            deployment = pilot.app.screen
            assert isinstance(deployment, DeploymentScreen)
            await wait_until(pilot, lambda: deployment.refreshes >= 1)

        assert snap_compare(app, terminal_size=(120, 30), run_before=before)


def test_a_deployment_keeps_the_dashboards_clock() -> None:
    # The refresh timer once had the Dashboard's tick's name, so a deployment asked Prometheus every
    # second (a sixth query on a loaded machine) and its countdown and staleness stood still.
    assert DeploymentScreen._tick is Dashboard._tick
