"""Debian's Prometheus on loopback scraping two real exporters: one healthy backend, one hung.

Prometheus runs only on 127.0.0.1 with its own config and a tmp storage dir and is stopped by its
pid; nothing in its config points past loopback. Module-scoped: the tests of one file share it.
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
from tests.docker_support import wait_for
from tests.exporter_support import exporter_process, get

RULES = Path(__file__).resolve().parent.parent / "deploy" / "prometheus" / "sutazai.rules.yml"
PROMETHEUS = shutil.which("prometheus")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def query(base: str, promql: str) -> list[dict[str, Any]]:
    status, body = get(f"{base}/api/v1/query?query={urllib.parse.quote(promql)}")
    assert status == 200, body
    result: list[dict[str, Any]] = json.loads(body)["data"]["result"]
    return result


@pytest.fixture(scope="module", name="two_deployments")
def two_deployments_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Exporters for a healthy backend ("calm") and one hung in the incident ("incident")."""
    calm = SimulatedBackend("healthy", rate_limit=False).start_thread()
    sick = SimulatedBackend("incident", rate_limit=False).start_thread()
    sick.forced_phase = answers.HANG
    config = tmp_path_factory.mktemp("exporters") / "exporter.toml"
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


@pytest.fixture(scope="module", name="prometheus")
def prometheus_fixture(
    tmp_path_factory: pytest.TempPathFactory, two_deployments: tuple[str, str]
) -> Iterator[str]:
    """Debian's Prometheus on a free loopback port, scraping both exporters every second."""
    if PROMETHEUS is None:
        pytest.skip("prometheus missing: apt-get install prometheus")
    tmp_path = tmp_path_factory.mktemp("prometheus")
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
