"""`sutazai-tui exporter`: a real process polling a simulated backend, read by prometheus_client's parser."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.integrations.exporter import default_target_name
from sutazai_tui.integrations.metrics import RESOLVED_KEEP_CYCLES, SutazaiCollector
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
)
from tests.docker_support import ContainerFactory, containers, docker_client  # noqa: F401
from tests.exporter_support import exporter_process, get, samples, value, wait_for_cycles

TOKEN = "tok-3xp0rter-s3cret-value"


def test_metrics_of_a_healthy_backend_and_no_secret_in_them(
    backend_thread: SimulatedBackend, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'containers = false\ntoken = "{TOKEN}"\n', encoding="utf-8")
    args = ("--config", str(config), "--base-url", backend_thread.url, "--interval", "60", "--name", "prod")
    with exporter_process(*args) as base:
        found = wait_for_cycles(base, 1)
        status, body = get(f"{base}/metrics")
    assert status == 200
    assert TOKEN not in body and backend_thread.url not in body
    assert value(found, "sutazai_endpoint_state", endpoint="health", state="OK", target="prod") == 1
    assert value(found, "sutazai_endpoint_state", endpoint="health", state="DOWN") == 0
    assert value(found, "sutazai_endpoint_http_status", endpoint="mcp") == 200
    latency = value(found, "sutazai_endpoint_latency_seconds", endpoint="health")
    assert latency is not None and 0 < latency < 1
    assert value(found, "sutazai_verdict", level="OK") == 1
    assert value(found, "sutazai_requests_skipped_total", reason="skipped-budget") == 0
    assert value(found, "sutazai_poll_interval_seconds") == 60
    stamp = value(found, "sutazai_last_cycle_timestamp_seconds")
    assert stamp is not None and abs(stamp - datetime.now(UTC).timestamp()) < 60
    # Bounded label names: nothing carries a reason, URL or message.
    names = {name for (_, labels) in found for name, _ in labels}
    assert names <= {
        "target",
        "endpoint",
        "state",
        "level",
        "reason",
        "container",
        "id",
        "subject",
        "severity",
    }


def test_a_scrape_never_polls(backend_thread: SimulatedBackend) -> None:
    args = ("--no-containers", "--base-url", backend_thread.url, "--interval", "3600")
    with exporter_process(*args) as base:
        wait_for_cycles(base, 1)
        before = sum(backend_thread.requests.values())
        for _ in range(20):
            found = samples(base)
        assert sum(backend_thread.requests.values()) == before
    assert value(found, "sutazai_cycles_total") == 1


def test_hung_backend_exports_the_startup_hang_finding(
    backend_thread: SimulatedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend_thread.forced_phase = answers.HANG
    # About the finding, not the budget: at a 0.5 s interval the 8/10 s budget would leave later
    # cycles not asked, and a not-asked endpoint is UNKNOWN, not its old DOWN.
    monkeypatch.setenv("SUTAZAI_TUI_REQUEST_BUDGET", "1000")
    args = ("--no-containers", "--base-url", backend_thread.url, "--interval", "0.5", "--timeout", "0.3")
    with exporter_process(*args) as base:
        found = wait_for_cycles(base, 3)
        status, health = get(f"{base}/healthz")
        missing, _ = get(f"{base}/nope")
    labels = {"id": "startup-hang", "subject": "health", "severity": "critical"}
    assert value(found, "sutazai_finding", **labels) == 1
    assert value(found, "sutazai_verdict", level="CRITICAL") == 1
    assert value(found, "sutazai_endpoint_state", endpoint="health", state="DOWN") == 1
    assert status == 200 and '"status": "ok"' in health
    assert missing == 404


def _snapshot(restarting: bool, skipped: bool) -> Snapshot:
    health = EndpointStatus(
        name="health",
        url="http://u",
        kind=EndpointKind.HEALTH,
        state=State.OK,
        http_code=200,
        latency_ms=12.0,
        carried=skipped,
        failure="skipped-budget" if skipped else None,
    )
    state = "restarting" if restarting else "running"
    box = ContainerStats(
        name="sutazai-backend", id="1", state=state, restart_count=4, cpu_percent=150.0, mem_used=1024
    )
    return Snapshot(
        endpoints=(health,),
        containers=ContainersStatus(engine="simulated", state=State.OK, containers=(box,)),
    )


def _scrape(collector: SutazaiCollector) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    text = generate_latest(registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_containers_findings_that_resolve_and_skipped_requests() -> None:
    collector = SutazaiCollector("prod", 30.0)
    loop = Finding(
        id="restart-loop", severity="critical", subject="sutazai-backend", title="t", evidence="e", fix="f"
    )
    collector.observe(_snapshot(restarting=True, skipped=False), [loop])
    first = _scrape(collector)
    assert value(first, "sutazai_container_state", container="sutazai-backend", state="DOWN") == 1
    assert value(first, "sutazai_container_restarts_total", container="sutazai-backend") == 4
    assert value(first, "sutazai_container_cpu_ratio") == 1.5
    assert value(first, "sutazai_container_memory_bytes") == 1024
    assert value(first, "sutazai_finding", id="restart-loop") == 1
    collector.observe(_snapshot(restarting=False, skipped=True), [])
    second = _scrape(collector)
    assert value(second, "sutazai_finding", id="restart-loop") == 0  # resolved: 0, so the alert resolves
    assert value(second, "sutazai_container_state", state="OK") == 1
    assert value(second, "sutazai_requests_skipped_total", reason="skipped-budget") == 1
    assert value(second, "sutazai_endpoint_latency_seconds") is None  # carried over: no fresh figure
    for _ in range(RESOLVED_KEEP_CYCLES - 1):  # cycle 1 had it active; cycles 2..121 do not
        collector.observe(_snapshot(restarting=False, skipped=False), [])
    assert value(_scrape(collector), "sutazai_finding", id="restart-loop") == 0  # still there: 0
    collector.observe(_snapshot(restarting=False, skipped=False), [])
    assert value(_scrape(collector), "sutazai_finding", id="restart-loop") is None  # gone: bounded


def test_before_the_first_cycle_only_the_interval_is_served() -> None:
    found = _scrape(SutazaiCollector("prod", 30.0))
    assert [name for name, _ in found] == ["sutazai_poll_interval_seconds"]


def test_target_label_never_carries_credentials() -> None:
    assert default_target_name("https://user:pw@backend.example:8443/api") == "backend.example:8443"
    assert default_target_name("http://localhost") == "localhost"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sutazai_tui", "exporter", "--no-containers", *args],
        capture_output=True,
        text=True,
        timeout=20,
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--listen", "0.0.0.0:9810"), "not a loopback address"),
        (("--listen", "9810"), "is not HOST:PORT"),
        (("--listen", "127.0.0.1:99999"), "is not HOST:PORT"),
        (("--target", "nope"), "--target needs [[targets]]"),
    ],
)
def test_bad_start_is_one_line_and_exit_2(args: tuple[str, ...], words: str) -> None:
    proc = _run(*args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and words in proc.stderr, proc.stderr


def test_a_taken_port_is_one_line(backend_thread: SimulatedBackend) -> None:
    port = backend_thread.url.rsplit(":", 1)[1]
    proc = _run("--listen", f"127.0.0.1:{port}", "--base-url", backend_thread.url)
    assert proc.returncode == 2 and "cannot listen on" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.engine
def test_container_metrics_from_the_real_engine(
    backend_thread: SimulatedBackend,
    containers: ContainerFactory,  # noqa: F811 (the fixture imported above)
) -> None:
    """A running and an exited container on the real engine, as the exporter reports them."""
    up = containers.run("up", ["sleep", "300"], mem_limit="64m")
    down = containers.run("down", ["sh", "-c", "exit 3"])
    down.wait(timeout=30)
    args = ("--base-url", backend_thread.url, "--container-prefix", containers.prefix, "--interval", "0.5")
    with exporter_process(*args) as base:
        # The second cycle has CPU figures (a delta needs two readings).
        found = wait_for_cycles(base, 2)
    assert value(found, "sutazai_container_engine_up") == 1
    assert value(found, "sutazai_container_state", container=up.name, state="OK") == 1
    assert value(found, "sutazai_container_state", container=down.name, state="DOWN") == 1
    assert value(found, "sutazai_container_status", container=down.name, status="exited") == 1
    assert value(found, "sutazai_container_exit_code", container=down.name) == 3
    assert value(found, "sutazai_container_memory_limit_bytes", container=up.name) == 64 * 1024 * 1024
    memory = value(found, "sutazai_container_memory_bytes", container=up.name)
    assert memory is not None and 0 < memory < 64 * 1024 * 1024
    assert value(found, "sutazai_container_cpu_ratio", container=up.name) is not None
    assert value(found, "sutazai_finding", id="crashed", subject=down.name) == 1
    containers_seen = {dict(labels).get("container") for (_, labels) in found} - {None}
    assert containers_seen == {up.name, down.name}
