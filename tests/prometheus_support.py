"""Debian's Prometheus on loopback scraping two real exporters: one healthy backend, one hung.

Prometheus runs only on 127.0.0.1 with its own config and a tmp storage dir and is stopped by its
pid; nothing in its config points past loopback. Module-scoped: the tests of one file share it.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class RecordedPrometheus:
    """A real HTTP server on 127.0.0.1 answering /api/v1/query from recorded answers, by query text.

    For screens that must look the same every run (SVG snapshots): a live Prometheus's ages and
    latencies change. An unknown query gets Prometheus's own 400 error shape.
    """

    def __init__(self, answers: dict[str, list[dict[str, Any]]]) -> None:
        self.answers = answers
        self.asked: list[str] = []
        self.answering = threading.Event()  # cleared: every answer waits until it is set again
        self.answering.set()
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                promql = urllib.parse.parse_qs(parts.query).get("query", [""])[0]
                recorded.asked.append(promql)
                recorded.answering.wait(30)
                if parts.path == "/api/v1/query" and promql in recorded.answers:
                    code, doc = (
                        200,
                        {
                            "status": "success",
                            "data": {"resultType": "vector", "result": recorded.answers[promql]},
                        },
                    )
                else:
                    code, doc = (
                        400,
                        {"status": "error", "errorType": "bad_data", "error": f"unknown query {promql!r}"},
                    )
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> RecordedPrometheus:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.answering.set()
        self.httpd.shutdown()
        self.httpd.server_close()
