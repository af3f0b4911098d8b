"""The SDK-free client of a local engine socket (sources/engine/local.py): the same answers as the
docker SDK's APIClient on the real engine, and the same one-line reasons when the engine fails.

The faults come from a real HTTP server on a unix socket that answers as a failing engine would
(an error status, an empty body, an answer cut short); the SDK's side is compared on the real
engine, which needs scripts/docker-engine.sh start (tests/docker_support.py).
"""

from __future__ import annotations

import json
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sutazai_tui.sources.engine.client import api_client, fault_detail, is_gone, sdk_client, socket_path
from sutazai_tui.sources.engine.local import LocalEngine
from tests.docker_support import ContainerFactory, containers, docker_client, engine

__all__ = ["containers", "docker_client"]  # fixtures, used by name below

LOCAL = "/var/run/docker.sock"
# path (without the API version) -> (status, body); body None: the connection is closed unanswered.
Routes = dict[str, tuple[int, bytes | None]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[Routes] = {}

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        path = "/" + path.split("/", 2)[2] if path.startswith("/v1.") else path
        status, body = self.routes.get(path, (404, b'{"message": "page not found"}'))
        if body is None:
            self.close_connection = True
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if body == b"<cut>":  # promises 100 bytes and sends 9: the engine died mid-answer
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b'{"Id": "x')
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def address_string(self) -> str:  # a unix socket's peer has no address
        return "engine"

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@pytest.fixture
def failing_engine(tmp_path: Path) -> Iterator[tuple[str, Routes]]:
    """A unix socket answering like an engine (its /version) whose routes a test fills."""
    routes: Routes = {"/version": (200, b'{"ApiVersion": "1.45"}')}
    handler = type("Handler", (_Handler,), {"routes": routes})
    path = str(tmp_path / "engine.sock")
    server = _UnixServer(path, handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield path, routes
    finally:
        server.shutdown()
        server.server_close()


def failure(call: Any, *args: Any) -> BaseException:
    """The exception a client call raised (the test fails if it raised none)."""
    try:
        call(*args)
    except Exception as exc:
        return exc
    raise AssertionError(f"{call} did not fail")


def test_engine_faults_read_as_the_sdks(failing_engine: tuple[str, Routes]) -> None:
    path, routes = failing_engine
    routes["/containers/gone/json"] = (404, b'{"message": "No such container: gone"}')
    routes["/containers/going/json"] = (409, b'{"message": "removal of container going is in progress"}')
    routes["/containers/empty/stats"] = (200, b"")
    routes["/containers/json"] = (500, b'{"message": "boom\\nsecond line"}')
    routes["/images/json"] = (200, b"<cut>")
    routes["/containers/hangup/json"] = (200, None)
    client = LocalEngine(path, timeout=2)
    try:
        gone = failure(client.inspect_container, "gone")
        assert (
            is_gone(gone) and fault_detail(gone, 2) == "the engine answered HTTP 404: No such container: gone"
        )
        assert is_gone(failure(client.inspect_container, "going"))
        assert is_gone(failure(client.stats, "empty"))  # a removed container's stats: an empty answer
        broken = failure(client.containers, True)
        assert not is_gone(broken) and fault_detail(broken, 2) == "the engine answered HTTP 500: boom"
        for cut in (failure(client.images), failure(client.inspect_container, "hangup")):
            assert (
                fault_detail(cut, 2)
                == "the connection to the engine broke mid-answer — it retries next cycle"
            )
    finally:
        client.close()


def test_an_engine_without_an_api_version_fails_when_the_client_is_made(
    failing_engine: tuple[str, Routes],
) -> None:
    path, routes = failing_engine
    routes["/version"] = (503, b'{"message": "starting up"}')
    said = fault_detail(failure(LocalEngine, path, 2), 2)
    assert said == "the engine answered HTTP 503: starting up"


def test_only_a_local_socket_gets_the_sdk_free_client() -> None:
    assert socket_path("unix:///var/run/docker.sock") == "/var/run/docker.sock"
    for other in ("tcp://127.0.0.1:2375", "ssh://ops@host", "https://h:2376", "unix://relative.sock"):
        assert socket_path(other) is None
    # tcp:// goes to the SDK: its own exception, from asking the (absent) engine's version.
    refused = failure(api_client, "tcp://127.0.0.1:9", 1)
    assert type(refused).__module__.startswith("docker.")
    assert fault_detail(refused, 1).startswith("connection refused")


@engine
def test_the_local_client_answers_as_the_sdk_does(containers: ContainerFactory, docker_client: Any) -> None:
    running = containers.run("up", ["sleep", "300"])
    stopped = containers.create("down")
    sdk, ours = sdk_client(f"unix://{LOCAL}", 10), api_client(f"unix://{LOCAL}", 10)
    try:
        assert isinstance(ours, LocalEngine)
        mine = {running.id, stopped.id}
        theirs_rows = {r["Id"]: r for r in sdk.containers(all=True) if r["Id"] in mine}
        our_rows = {r["Id"]: r for r in ours.containers(all=True) if r["Id"] in mine}
        assert our_rows.keys() == mine and {k: r["State"] for k, r in our_rows.items()} == {
            k: r["State"] for k, r in theirs_rows.items()
        }
        assert set(our_rows[stopped.id]) == set(theirs_rows[stopped.id])  # the same row shape
        assert stopped.id not in {r["Id"] for r in ours.containers()}  # running only, as the SDK
        assert ours.inspect_container(stopped.id) == sdk.inspect_container(stopped.id)
        assert {i["Id"] for i in ours.images()} == {i["Id"] for i in sdk.images()}
        assert ours.stats(running.id)["cpu_stats"]["cpu_usage"]["total_usage"] > 0
        mine_gone, theirs_gone = (
            failure(ours.inspect_container, "0" * 64),
            failure(sdk.inspect_container, "0" * 64),
        )
        assert is_gone(mine_gone) and is_gone(theirs_gone)
        assert fault_detail(mine_gone, 10) == fault_detail(theirs_gone, 10)
    finally:
        ours.close()
        sdk.close()


SESSION = """
import asyncio, json, sys
from sutazai_tui.config.settings import Settings
from sutazai_tui.session.session import Session

async def main():
    settings = Settings(base_url="http://127.0.0.1:9", container_prefix=sys.argv[1], interval=0.2, timeout=2)
    session = Session(settings)
    cycles = session.cycles()
    for _ in range(2):
        cycle = await cycles.__anext__()
    await cycles.aclose()
    await session.close()
    status = cycle.snapshot.containers
    sdk = [m for m in ("docker", "requests", "urllib3") if m in sys.modules]
    print(json.dumps([status.state.value, [c.name for c in status.containers], sdk]))

asyncio.run(main())
"""


@engine
def test_a_session_polling_the_local_engine_loads_no_sdk(containers: ContainerFactory) -> None:
    name = containers.run("up", ["sleep", "300"]).name
    done = subprocess.run(
        [sys.executable, "-c", SESSION, containers.prefix],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    state, listed, sdk = json.loads(done.stdout.splitlines()[-1])
    assert (state, listed) == ("OK", [name])
    assert sdk == []  # docker, requests, urllib3: never loaded by polling a local socket
