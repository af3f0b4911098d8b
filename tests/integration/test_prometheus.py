"""The rules in deploy/prometheus and a real Prometheus (Debian's) scraping two real exporters.

Prometheus runs only on 127.0.0.1 with its own config and a tmp storage dir, and is stopped by its
pid; it never reaches past loopback (nothing in its config points anywhere else).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.widgets import DataTable

from sutazai_tui.diagnosis.run import FINDINGS
from sutazai_tui.integrations.fleet import FleetRow, PrometheusReader
from sutazai_tui.integrations.rules import literal, render
from sutazai_tui.models import State
from sutazai_tui.tui.fleet_app import FleetApp
from sutazai_tui.tui.screens.deployment import DeploymentScreen
from sutazai_tui.tui.screens.fleet import FleetScreen
from sutazai_tui.tui.screens.fleet_feed import FleetFeed
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.findings import FindingsPanel
from tests.docker_support import wait_for
from tests.exporter_support import get

# Fixtures (module-scoped): one Prometheus and two exporters for every test here.
from tests.prometheus_support import prometheus_fixture, query, two_deployments_fixture  # noqa: F401
from tests.tui_support import wait_until

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = DEPLOY / "sutazai.rules.yml"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing: apt-get install prometheus")


def test_the_rules_file_is_what_the_generator_writes() -> None:
    assert RULES.read_text(encoding="utf-8") == render(), (
        "regenerate: python -m sutazai_tui.integrations.rules > deploy/prometheus/sutazai.rules.yml"
    )


def test_every_finding_alert_carries_that_findings_fix() -> None:
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"][0]["rules"]
    by_finding: dict[tuple[str, str], dict[str, Any]] = {
        (r["alert"], r["labels"]["finding"]): r for r in rules if "finding" in r.get("labels", {})
    }
    for fid, (_, fix) in FINDINGS.items():
        for alert in ("SutazaiCriticalFinding", "SutazaiWarningFinding"):
            assert by_finding[alert, fid]["annotations"]["runbook"] == literal(fix)
    names = {r["alert"] for r in rules}
    assert {"SutazaiBackendDown", "SutazaiEmergencyMode", "SutazaiRestartLoop", "SutazaiDataStale"} <= names


@needs_promtool
@pytest.mark.parametrize(
    "args",
    [
        ("check", "rules", "sutazai.rules.yml"),
        ("test", "rules", "sutazai.rules.test.yml"),
        ("check", "config", "prometheus.yml"),
    ],
)
def test_promtool_accepts_the_rules_their_tests_and_the_example_config(args: tuple[str, ...]) -> None:
    assert PROMTOOL is not None
    proc = subprocess.run([PROMTOOL, *args], cwd=DEPLOY, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_prometheus_sees_the_incident_and_fires_its_alert(prometheus: str) -> None:
    critical = wait_for(
        lambda: query(prometheus, 'sutazai_finding{severity="critical"} == 1'), 60, "a critical finding"
    )
    assert {(r["metric"]["target"], r["metric"]["id"]) for r in critical} == {("incident", "startup-hang")}
    calm = wait_for(lambda: query(prometheus, 'sutazai_verdict{target="calm"} == 1'), 30, "calm's verdict")
    assert [r["metric"]["level"] for r in calm] == ["OK"]
    health = query(prometheus, 'sutazai_endpoint_state{endpoint="health"} == 1')
    assert {r["metric"]["target"]: r["metric"]["state"] for r in health} == {"calm": "OK", "incident": "DOWN"}
    firing = wait_for(
        lambda: query(prometheus, 'ALERTS{alertname="SutazaiCriticalFinding",alertstate="firing"}'),
        60,
        "the critical-finding alert firing",
    )
    assert [(r["metric"]["target"], r["metric"]["finding"]) for r in firing] == [("incident", "startup-hang")]
    status, body = get(f"{prometheus}/api/v1/alerts")
    assert status == 200, body
    alerts = json.loads(body)["data"]["alerts"]
    fix = FINDINGS["startup-hang"][1]
    assert any(a["annotations"].get("runbook") == fix for a in alerts), alerts


@pytest.mark.slow
async def test_the_fleet_reader_lists_both_deployments_in_two_queries(prometheus: str) -> None:
    reader = PrometheusReader(prometheus)
    try:

        async def both() -> list[FleetRow] | None:
            rows = await reader.rows()
            return rows if {r.target for r in rows} == {"calm", "incident"} and rows[0].critical else None

        rows = None
        for _ in range(100):  # the exporters' series may need a scrape or two to appear
            if rows := await both():
                break
            await asyncio.sleep(0.2)
        assert rows is not None, "Prometheus never listed both deployments"
        sent = reader.queries
        rows = await reader.rows()
        assert reader.queries - sent == 2  # the whole fleet: two queries, not one per deployment
        incident, calm = rows  # worst first
        assert (incident.target, incident.state, incident.verdict, incident.critical) == (
            "incident",
            State.DOWN,
            "CRITICAL",
            1,
        )
        assert (calm.target, calm.state, calm.verdict, calm.critical) == ("calm", State.OK, "OK", 0)
        assert calm.age_s is not None and -1 < calm.age_s < 10
        snap, findings, interval, _ = await reader.snapshot("incident")
        assert interval == 1
        health = snap.endpoint("health")
        assert health is not None and health.state is State.DOWN
        assert [(f.id, f.fix) for f in findings] == [("startup-hang", FINDINGS["startup-hang"][1])]
    finally:
        await reader.close()


@pytest.mark.slow
async def test_the_fleet_view_shows_both_deployments_with_their_worst_state(prometheus: str) -> None:
    app = FleetApp(FleetFeed(PrometheusReader(prometheus), interval=0.5))
    async with app.run_test(size=(100, 16)) as pilot:
        screen = app.screen
        assert isinstance(screen, FleetScreen)
        both = {("incident", State.DOWN, 1), ("calm", State.OK, 0)}
        await wait_until(pilot, lambda: {(r.target, r.state, r.critical) for r in screen.rows} == both, 60)
        table = screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][:4] == ["incident", "DOWN", "CRITICAL", "1"]
        assert [str(c) for c in table.get_row_at(1)][:4] == ["calm", "OK", "OK", "0"]
        start = screen.refreshes
        await wait_until(pilot, lambda: screen.refreshes >= start + 3, 30)
        # Two queries per refresh for the whole fleet (one more pair may be in flight).
        assert 2 * screen.refreshes <= app.feed.reader.queries <= 2 * screen.refreshes + 2
        await pilot.press("enter")  # the cursor is on the worst: the incident
        deployment = app.screen
        assert isinstance(deployment, DeploymentScreen) and deployment.target == "incident"
        await wait_until(pilot, lambda: deployment.refreshes >= 1)
        # The one deployment query also says when Prometheus scraped it: STALE allows for that lag.
        rebuilt = await app.feed.reader.snapshot("incident")
        assert rebuilt.interval == 1.0 and rebuilt.scraped is not None
        assert 0 <= time.time() - rebuilt.scraped < 30
        assert deployment.session.history.interval > 1.0  # 1 s exporter interval + half the lag
        panels = {p.endpoint_name: p.view.state for p in deployment.query(EndpointPanel)}
        assert panels["health"] is State.DOWN
        findings = deployment.query_one(FindingsPanel).findings
        assert [(f.id, f.fix) for f in findings] == [("startup-hang", FINDINGS["startup-hang"][1])]
