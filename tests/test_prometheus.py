"""The rules in deploy/prometheus and a real Prometheus (Debian's) scraping two real exporters.

Prometheus runs only on 127.0.0.1 with its own config and a tmp storage dir, and is stopped by its
pid; it never reaches past loopback (nothing in its config points anywhere else).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.diagnosis.run import FINDINGS
from sutazai_tui.integrations.rules import literal, render
from tests.docker_support import wait_for
from tests.exporter_support import exporter_process, get

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"
RULES = DEPLOY / "sutazai.rules.yml"
PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def query(base: str, promql: str) -> list[dict[str, Any]]:
    status, body = get(f"{base}/api/v1/query?query={urllib.parse.quote(promql)}")
    assert status == 200, body
    result: list[dict[str, Any]] = json.loads(body)["data"]["result"]
    return result


@pytest.fixture
def two_deployments(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Exporters for a healthy backend ("calm") and one hung in the incident ("incident")."""
    calm = SimulatedBackend("healthy", rate_limit=False).start_thread()
    sick = SimulatedBackend("incident", rate_limit=False).start_thread()
    sick.forced_phase = answers.HANG
    config = tmp_path / "exporter.toml"
    config.write_text("containers = false\nrequest_budget = 1000\n", encoding="utf-8")
    common = ("--config", str(config), "--interval", "1", "--timeout", "0.3")
    try:
        with (
            exporter_process(*common, "--base-url", calm.url, "--name", "calm") as calm_url,
            exporter_process(*common, "--base-url", sick.url, "--name", "incident") as sick_url,
        ):
            yield calm_url, sick_url
    finally:
        sick.stop_thread()
        calm.stop_thread()


@pytest.fixture
def prometheus(tmp_path: Path, two_deployments: tuple[str, str]) -> Iterator[str]:
    """Debian's Prometheus on a free loopback port, scraping both exporters every second."""
    if PROMETHEUS is None:
        pytest.skip("prometheus missing: apt-get install prometheus")
    targets = [url.removeprefix("http://") for url in two_deployments]
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(RULES)],
        "scrape_configs": [
            {"job_name": "sutazai", "honor_labels": True, "static_configs": [{"targets": targets}]}
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [
            PROMETHEUS,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base), 30, "prometheus ready")
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


def _ready(base: str) -> bool:
    try:
        return get(f"{base}/-/ready")[0] == 200
    except OSError:
        return False


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
