"""The fleet view over recorded Prometheus answers (a real loopback HTTP server): the SVG snapshot,
worst-first order, the cost of a refresh, and an unreachable Prometheus.

The same screen against a live Prometheus and two exporters is in test_prometheus.py.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from sutazai_tui.integrations.fleet import CURRENT, LAST_CYCLE, PrometheusReader
from sutazai_tui.models import State
from sutazai_tui.tui.fleet_app import FleetApp
from sutazai_tui.tui.screens.fleet import FleetScreen, age_text
from tests.prometheus_support import RecordedPrometheus
from tests.tui_support import wait_until

AT = 1_763_000_000.0  # the evaluation time of every recorded answer


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
    return {CURRENT: current, LAST_CYCLE: cycles}


def cells(app: FleetApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_rows_worst_first_and_two_queries_per_refresh() -> None:
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(PrometheusReader(prom.url), interval=3600)
        async with app.run_test(size=(100, 16)) as pilot:
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
            await pilot.press("down", "enter")  # no Dashboard opener given: says so, stays here
            await wait_until(pilot, lambda: bool(app._notifications))
            assert app.screen is screen and screen.selected() == "staging"


async def test_an_unreachable_prometheus_is_one_line_on_the_status_bar() -> None:
    with RecordedPrometheus({}) as prom:
        url = prom.url  # stopped at the end of the block: nothing listens there any more
    app = FleetApp(PrometheusReader(url), interval=3600)
    async with app.run_test(size=(100, 16)) as pilot:
        screen = app.screen
        assert isinstance(screen, FleetScreen)
        await wait_until(pilot, lambda: screen.refreshes >= 1)
        status = str(screen.query_one("#fleet-status", Static).render())
        assert f"cannot reach Prometheus at {url}: ConnectError" in status
        assert screen.rows == []


async def test_a_refused_query_keeps_the_last_rows() -> None:
    with RecordedPrometheus(recorded_fleet()) as prom:
        app = FleetApp(PrometheusReader(prom.url), interval=3600)
        async with app.run_test(size=(100, 16)) as pilot:
            screen = app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)
            prom.answers.clear()
            await pilot.press("r")
            await wait_until(pilot, lambda: screen.refreshes >= 2)
            status = str(screen.query_one("#fleet-status", Static).render())
            assert (
                "Prometheus refused the query: unknown query" in status
                and "showing the last answer" in status
            )
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
        app = FleetApp(PrometheusReader(prom.url), interval=3600, source="prometheus.example:9090")

        async def before(pilot: Pilot[int]) -> None:
            screen = pilot.app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)

        assert snap_compare(app, terminal_size=(90, 14), run_before=before)
