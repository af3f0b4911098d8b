"""The engine's list asked as the TUI starts (sources/engine/early_list.py): read from a real unix
socket server that answers as an engine would (or fails), used once and only for the socket the
settings name, and shown by the warm-up before it builds the Monitor (Session.warm_up).
On the real engine (marked engine) it lists what the SDK-free client lists."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import ContainersStatus, State
from sutazai_tui.session.session import Session
from sutazai_tui.sources.engine import early_list
from sutazai_tui.sources.engine.early_list import EarlyList, ask, early_rows, rows_of
from sutazai_tui.sources.engine.listrow import early_listing
from tests.conftest import settings_for
from tests.docker_support import ContainerFactory, containers, docker_client, engine

__all__ = ["containers", "docker_client"]  # fixtures, used by name below

ROWS = [
    {"Id": "a" * 64, "Names": ["/sutazai-api"], "State": "running", "Status": "Up 2 hours", "Labels": {}},
    {"Id": "b" * 64, "Names": ["/other"], "State": "running", "Status": "Up 1 hour", "Labels": {"app": "x"}},
]


def answer(status: str, body: bytes) -> bytes:
    return f"HTTP/1.0 {status}\r\nContent-Type: application/json\r\n\r\n".encode() + body


@pytest.fixture
def fake_engine(tmp_path: Path) -> Iterator[tuple[str, list[bytes], list[bytes]]]:
    """A unix socket that answers each connection with the next of `answers` (then closes it),
    and keeps each request's first line in `asked`."""
    path = str(tmp_path / "engine.sock")
    answers: list[bytes] = []
    asked: list[bytes] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                asked.append(conn.recv(4096).split(b"\r\n", 1)[0])
                conn.sendall(answers.pop(0) if answers else answer("500 Internal Server Error", b"{}"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, answers, asked
    server.close()
    early_list._asked = None  # nothing asked by one test is taken by the next


def asked_at_start(engine: tuple[str, list[bytes], list[bytes]], url: str) -> Settings:
    """The engine answers ROWS to the list asked at start (then fails); settings watching it."""
    path, answers, _ = engine
    answers.append(answer("200 OK", json.dumps(ROWS).encode()))
    ask(path)
    return settings_for(
        url, containers=True, docker_host=f"unix://{path}", container_prefix="sutazai-", interval=3600.0
    )


def test_rows_of_takes_only_a_200_whose_body_is_a_list_of_objects() -> None:
    assert rows_of(answer("200 OK", json.dumps(ROWS).encode())) == ROWS
    for bad in (
        answer("500 Internal Server Error", b'{"message": "boom"}'),
        answer("200 OK", b'{"message": "not a list"}'),
        answer("200 OK", b"[1, 2]"),
        answer("200 OK", b"[{"),
        b"garbage",
    ):
        with pytest.raises(ValueError):
            rows_of(bad)


def test_the_list_is_read_once_and_only_for_the_socket_asked(
    fake_engine: tuple[str, list[bytes], list[bytes]],
) -> None:
    path, answers, asked = fake_engine
    answers.append(answer("200 OK", json.dumps(ROWS).encode()))
    ask(path)
    assert early_rows("/elsewhere.sock", 5.0) is None  # another engine: not this answer
    assert early_rows(path, 5.0) == ROWS
    assert early_rows(path, 5.0) is None  # taken: the next caller asks the engine itself
    assert asked == [b"GET /containers/json?all=1 HTTP/1.0"]


def test_a_failing_or_missing_engine_leaves_no_early_list(
    fake_engine: tuple[str, list[bytes], list[bytes]], tmp_path: Path
) -> None:
    path, _, _ = fake_engine  # no answer queued: it answers 500
    assert EarlyList(path, 5.0).rows(5.0) is None
    assert EarlyList(str(tmp_path / "no-such.sock"), 5.0).rows(5.0) is None


def test_early_listing_keeps_the_monitored_containers_as_the_source_lists_them(
    fake_engine: tuple[str, list[bytes], list[bytes]],
) -> None:
    path, answers, _ = fake_engine
    answers.append(answer("200 OK", json.dumps(ROWS).encode()))
    ask(path)
    settings = settings_for(
        "http://127.0.0.1:9", containers=True, docker_host=f"unix://{path}", container_labels=["app=x"]
    )
    assert early_listing(settings.model_copy(update={"containers": False}), 5.0) is None  # off: not taken
    status = early_listing(settings, 5.0)
    assert status is not None and status.state is State.UNKNOWN and status.engine == f"unix://{path}"
    assert [c.name for c in status.containers] == ["other", "sutazai-api"]  # by label, by prefix
    assert early_listing(settings, 5.0) is None  # once


async def test_the_warm_up_shows_the_early_list_before_it_asks_the_engine(
    fake_engine: tuple[str, list[bytes], list[bytes]], backend: SimulatedBackend
) -> None:
    """The engine answers the early list, then fails every later request: the warm-up's own
    connection fails (best effort), yet the list it was given at start is on `on_listed`."""
    asked = fake_engine[2]
    settings = asked_at_start(fake_engine, backend.url)
    session = Session(settings)
    got: list[ContainersStatus] = []
    listed = asyncio.Event()

    def on_listed(status: ContainersStatus) -> None:
        got.append(status)
        listed.set()

    session.warm_up(on_listed)
    try:
        async with asyncio.timeout(30):
            await listed.wait()
        assert [c.name for c in got[0].containers] == ["sutazai-api"]
        assert asked[0] == b"GET /containers/json?all=1 HTTP/1.0"
    finally:
        await session.close()
    assert len(got) == 1  # the warm-up did not list again


@engine
def test_the_early_list_on_the_real_engine_is_the_sdk_free_clients_list(containers: ContainerFactory) -> None:
    from sutazai_tui.sources.engine.client import DEFAULT_HOST, socket_path
    from sutazai_tui.sources.engine.local import LocalEngine

    box = containers.run("early", ["sleep", "300"])
    path = socket_path(os.environ.get("DOCKER_HOST") or DEFAULT_HOST)
    assert path is not None
    rows = EarlyList(path, 10.0).rows(10.0)
    client = LocalEngine(path, 10.0)
    try:
        listed = client.containers(all=True)
    finally:
        client.close()
    assert rows is not None and box.name in {r["Names"][0].lstrip("/") for r in rows}
    mine = {r["Id"]: r["Names"] for r in rows if r["Names"][0].lstrip("/").startswith(containers.prefix)}
    assert mine == {
        r["Id"]: r["Names"] for r in listed if r["Names"][0].lstrip("/").startswith(containers.prefix)
    }


async def test_the_dashboard_shows_the_list_asked_at_start_right_after_its_first_frame(
    fake_engine: tuple[str, list[bytes], list[bytes]], backend: SimulatedBackend
) -> None:
    """The TUI's path: the list asked at start is in the table, every unread column saying so,
    though the engine fails everything after it (the first cycle then says so)."""
    from sutazai_tui.tui import factory
    from sutazai_tui.tui.widgets.container_cells import READING
    from sutazai_tui.tui.widgets.container_table import COLUMNS, ContainerTable
    from tests.tui_support import wait_until

    asked = fake_engine[2]
    settings = asked_at_start(fake_engine, backend.url)
    assert early_list._asked is not None and early_list._asked.rows(5.0) == ROWS  # answered, still there
    app = factory.make_app(settings)
    async with app.run_test(size=(160, 30)) as pilot:
        table = app.query_one(ContainerTable)
        await wait_until(pilot, lambda: [c.name for c in table.shown] == ["sutazai-api"])
        assert len(table.columns) == len(COLUMNS)
        assert READING in table.render_line(1).text and "sutazai-api" in table.render_line(1).text
        assert asked[0] == b"GET /containers/json?all=1 HTTP/1.0"
        await wait_until(pilot, lambda: app.shown.snapshot is not None)  # the cycle, then the engine's fault
        assert app.shown.snapshot is not None and app.shown.snapshot.containers is not None
        assert app.shown.snapshot.containers.state is State.DOWN
