"""`sutazai-tui exporter`: one target polled on its own schedule, its last cycle served to Prometheus.

The poll loop is a `Session`, the TUI's own (monitor, history, findings, `--record`); each of its
`cycles()` is handed to `SutazaiCollector.observe`. No `on_state_change` hook runs here: alerting
from the exporter is Prometheus's (its alert rules). The HTTP side is a small threaded server:
`/metrics` renders whatever the collector holds (a scrape never polls), `/healthz` says whether the
exporter itself keeps up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from sutazai_tui.config.settings import Settings
from sutazai_tui.core.monitor import Monitor
from sutazai_tui.integrations.heal_status import read_heal
from sutazai_tui.integrations.metrics import SutazaiCollector
from sutazai_tui.session.session import Session

# /healthz fails once no cycle has ended for this many intervals (plus one timeout): the loop is stuck.
STALE_INTERVALS = 3


def default_target_name(base_url: str) -> str:
    """The deployment label when none is given: host[:port] of the backend, never its credentials."""
    parts = urlsplit(base_url)
    host = parts.hostname or base_url
    return f"{host}:{parts.port}" if parts.port else host


class Exporter:
    """The session and the collector for one target; `MetricsServer` adds the HTTP endpoint."""

    def __init__(
        self,
        settings: Settings,
        target: str,
        monitor: Monitor | None = None,
        clock: Callable[[], float] = time.time,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.registry = CollectorRegistry(auto_describe=False)
        self.collector = SutazaiCollector(target, settings.interval)
        self.registry.register(self.collector)
        say = on_problem if on_problem is not None else (lambda text: None)
        # monitor=None: the session builds the live one (engine from the settings) when it starts.
        self.session = Session(
            settings, monitor, name=target, on_problem=lambda _s, text, _sev: say(text), hooks=False
        )
        self._clock = clock
        self.started_at = clock()

    def health(self) -> tuple[bool, dict[str, object]]:
        """(healthy, details): healthy while cycles keep ending on schedule."""
        latest = self.collector.latest
        since = latest.finished_at if latest is not None else self.started_at
        age = self._clock() - since
        limit = STALE_INTERVALS * self.settings.interval + self.settings.timeout
        details: dict[str, object] = {
            "target": self.collector.target,
            "cycles": latest.cycles if latest is not None else 0,
            "last_cycle_age_seconds": round(age, 3) if latest is not None else None,
        }
        healthy = age <= limit
        details["status"] = (
            "ok" if healthy else f"stale: no cycle ended for {age:.0f} s (limit {limit:.0f} s)"
        )
        return healthy, details

    async def run(self) -> None:
        """Poll until cancelled, then release the sources and the recording."""
        try:
            async for cycle in self.session.cycles():
                heal = read_heal(self.settings, audit=False)  # one small file: heal's own process writes it
                self.collector.observe(
                    cycle.snapshot, list(cycle.findings), finished_at=self._clock(), heal=heal
                )
        finally:
            await self.session.close()


def make_handler(exporter: Exporter) -> type[BaseHTTPRequestHandler]:
    """A request handler bound to one exporter: /metrics, /healthz, and a pointer at /."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "sutazai-tui-exporter"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/metrics":
                encoder, content_type = choose_encoder(self.headers.get("Accept", ""))
                self._send(200, content_type, encoder(exporter.registry))
            elif path == "/healthz":
                healthy, details = exporter.health()
                self._send(200 if healthy else 503, "application/json", json.dumps(details).encode())
            elif path == "/":
                self._send(200, "text/plain; charset=utf-8", b"sutazai-tui exporter: /metrics, /healthz\n")
            else:
                self._send(404, "text/plain; charset=utf-8", b"not found: try /metrics or /healthz\n")

        def _send(self, code: int, content_type: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: a scrape every few seconds must not fill the terminal or the journal."""

    return Handler


class MetricsServer:
    """The threaded HTTP server in a daemon thread, so scrapes never wait on the poll loop."""

    def __init__(self, exporter: Exporter, host: str, port: int) -> None:
        self.httpd = ThreadingHTTPServer((host, port), make_handler(exporter))
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="metrics", daemon=True)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self.httpd.server_address[1])

    def start(self) -> MetricsServer:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()


async def serve_until_stopped(exporter: Exporter, server: MetricsServer) -> None:
    """Run the poll loop with the server up until SIGINT/SIGTERM; stop both cleanly."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(exporter.run())
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    server.start()
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        server.stop()
