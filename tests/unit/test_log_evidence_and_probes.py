"""Log evidence and dependency probes: reading (sources/engine/log_evidence, sources/probes) and
joining (core/evidence).

Real parts throughout: the matcher is fed the real backend's log lines (docs/backend.md), the watcher
reads the simulated fleet's logs, the probes talk to tiny asyncio servers on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from sutazai_tui.config.settings import ConfigError, ProbeConfig, load_settings
from sutazai_tui.core.evidence import backend_mode, join_evidence
from sutazai_tui.demo.answers import EMERGENCY, HANG, RECOVERED
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import BACKEND, SimulatedFleet
from sutazai_tui.models import (
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    LogEvidence,
    LogMatch,
    Snapshot,
    State,
)
from sutazai_tui.sources.engine.details import LogLine, read_head
from sutazai_tui.sources.engine.log_evidence import PER_SIGNATURE, LogWatcher, Matcher, watched
from sutazai_tui.sources.probes import SSL_REQUEST, default_probes, probe, published_ports, run_probes
from sutazai_tui.util.redact import MASK, Redactor
from tests.docker_support import wait_for

T0 = datetime(2025, 8, 18, 4, 1, 31, tzinfo=UTC)
SECRET = "s3cr3t-VALUE-0123456789abcdef"


def lines(*texts: str) -> list[LogLine]:
    """Log lines one second apart from T0."""
    base = int(T0.timestamp()) * 1_000_000_000
    return [LogLine(base + k * 1_000_000_000, text) for k, text in enumerate(texts)]


def matched(*texts: str, secrets: tuple[str, ...] = ()) -> Matcher:
    m = Matcher(Redactor(secrets))
    m.feed(lines(*texts))
    return m


# ---------------------------------------------------------------- matching


def test_every_signature_of_the_real_backend_is_recognised() -> None:
    m = matched(
        "2025-08-18 04:01:31,797 - app.main - INFO - Backend started in normal mode",
        "2025-08-18 04:01:31,797 - app.main - INFO - Backend started in emergency mode",
        "⚠️ Initialization timeout - running in emergency mode",
        "❌ Initialization failed: 'State' object has no attribute 'emergency_mode'",
        "JWT_SECRET_KEY must be set with a secure value (at least 32 characters)",
        "❌ Failed to connect to Redis: Error 111 connecting to 127.0.0.1:6379. Connection refused.",
        "Failed to load MCP router: name 'logger' is not defined",
        "GET /health 200",
    )
    assert [x.signature for x in m.matches] == [
        "mode-normal",
        "mode-emergency",
        "init-timeout",
        "init-failed",
        "jwt-secret-key",
        "redis-connect",
        "mcp-logger",
    ]
    assert m.lines == 8 and m.matches[0].at == T0
    assert m.last is not None and m.last.text == "GET /health 200"  # the last line before silence


def test_pydantic_field_required_names_the_variable_and_a_traceback_gives_its_last_line() -> None:
    m = matched(
        "Traceback (most recent call last):",
        '  File "/app/app/core/config.py", line 212, in <module>',
        "    settings = Settings()",
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings",
        "SECRET_KEY",
        f"  Field required [type=missing, input_value={{'jwt_secret': '{SECRET}'}}, input_type=dict]",
    )
    by = {x.signature: x for x in m.matches}
    assert by["traceback"].text.startswith("pydantic_core._pydantic_core.ValidationError")
    assert by["field-required"].detail == "SECRET_KEY"
    assert by["field-required"].text.startswith("SECRET_KEY Field required")
    assert SECRET not in by["field-required"].text and f"input_value={MASK}" in by["field-required"].text


def test_matched_lines_are_redacted_and_bounded_and_nothing_else_is_kept() -> None:
    flood = [f"❌ Failed to connect to Redis: attempt {k}" for k in range(50)]
    m = matched(
        "Backend started in normal mode",
        *flood,
        f"❌ Initialization failed: JWT_SECRET_KEY={SECRET} rejected",
        f"❌ Initialization failed: db postgresql://sutazai:{SECRET}@sutazai-postgres/sutazai",
        f"❌ Initialization failed: Authorization: Bearer {SECRET}",
        f"❌ Initialization failed: raw value {SECRET}",
        "an unmatched line that must not travel",
        secrets=(SECRET,),
    )
    redis = [x for x in m.matches if x.signature == "redis-connect"]
    assert len(redis) == PER_SIGNATURE and redis[-1].text.endswith("attempt 49")
    assert m.matches[0].signature == "mode-normal"  # a flood cannot push the mode line out
    assert all(SECRET not in x.text for x in m.matches)
    assert sum(MASK in x.text for x in m.matches) == 4
    kept = " ".join(x.text for x in m.matches)
    assert "unmatched" not in kept and len(m.matches) <= 7 * PER_SIGNATURE


def test_redactor_masks_secret_assignments_but_keeps_messages_that_only_name_them() -> None:
    r = Redactor()
    assert r.clean_log("JWT_SECRET_KEY must be set") == "JWT_SECRET_KEY must be set"
    assert r.clean_log('export DB_PASSWORD="a b c" now') == f'export DB_PASSWORD="{MASK}" now'
    assert r.clean_log("redis://user:pw-123@redis:6379/0") == f"redis://user:{MASK}@redis:6379/0"
    assert r.clean_log('{"secret_key": "xyz"}') == f'{{"secret_key": "{MASK}"}}'  # still JSON


# ---------------------------------------------------------------- the watcher


async def test_watcher_reads_since_the_start_then_only_when_the_log_changed() -> None:
    now = [datetime.now(UTC)]
    fleet = SimulatedFleet(clock=lambda: now[0])
    backend = SimulatedBackend("incident")
    backend.forced_phase = EMERGENCY
    fleet.backend = backend
    status = await fleet.poll()
    primary = next(c for c in status.containers if c.name == BACKEND)
    watcher = LogWatcher(fleet.log_reader)
    (first,) = await watcher.read([primary])
    assert backend_mode(Snapshot(logs=(first,)), BACKEND)[0] == "emergency"
    assert first.find("init-timeout") is not None and first.lines >= 4
    (same,) = await watcher.read([primary])
    assert same is first  # nothing new: the very same evidence, not re-matched
    now[0] += timedelta(seconds=3)
    (grown,) = await watcher.read([primary])
    assert grown is not first and grown.lines == first.lines + 3 and grown.matches == first.matches
    backend.forced_phase = RECOVERED  # a redeploy: a new start, read afresh
    status = await fleet.poll()
    primary = next(c for c in status.containers if c.name == BACKEND)
    now[0] += timedelta(seconds=1)
    (fresh,) = await watcher.read([primary])
    assert (
        backend_mode(Snapshot(logs=(fresh,)), BACKEND)[0] == "normal" and fresh.find("init-timeout") is None
    )
    assert watcher.reads == 4


def test_watched_is_the_primary_and_troubled_containers_only() -> None:
    ok = ContainerStats(name="sutazai-frontend", id="f", state="running")
    sick = ContainerStats(name="sutazai-redis", id="r", state="exited", exit_code=1)
    primary = ContainerStats(name=BACKEND, id="b", state="running")
    assert [c.name for c in watched([ok, sick, primary], BACKEND)] == [BACKEND, "sutazai-redis"]


# ---------------------------------------------------------------- probes


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def server(handler: Handler) -> AsyncIterator[int]:
    """A tiny TCP server on 127.0.0.1; yields its port."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    srv = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield srv.sockets[0].getsockname()[1]
    finally:
        srv.close()
        await srv.wait_closed()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answer(reply: bytes, expect: bytes) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        got = await reader.readexactly(len(expect))
        writer.write(reply if got == expect else b"?")
        await writer.drain()

    return handle


async def test_redis_probe_pong_wrong_answer_and_refused() -> None:
    async with server(answer(b"+PONG\r\n", b"PING\r\n")) as port:
        up = await probe(ProbeConfig(name="redis", kind="redis", port=port), 2)
    async with server(answer(b"-ERR nope\r\n", b"PING\r\n")) as port:
        wrong = await probe(ProbeConfig(name="redis", kind="redis", port=port), 2)
    refused = await probe(ProbeConfig(name="redis", kind="redis", port=closed_port()), 2)
    assert up.up is True and up.detail == "PING → +PONG" and up.address.startswith("127.0.0.1:")
    assert wrong.up is False and "-ERR" in wrong.detail
    assert refused.up is False and refused.detail == "connection refused"


async def test_postgres_probe_sends_an_ssl_request_and_accepts_s_or_n() -> None:
    assert struct.pack("!ii", 8, 80877103) == SSL_REQUEST and len(SSL_REQUEST) == 8
    for reply in (b"S", b"N"):
        async with server(answer(reply, SSL_REQUEST)) as port:
            result = await probe(ProbeConfig(name="postgres", kind="postgres", port=port), 2)
        assert result.up is True and result.detail == f"SSLRequest → {reply.decode()}"


async def test_tcp_and_http_probes_and_a_silent_peer_within_the_deadline() -> None:
    async def http(code: int) -> Handler:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(f"HTTP/1.1 {code} X\r\nContent-Length: 0\r\n\r\n".encode())
            await writer.drain()

        return handle

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # never answers; returns when the prober gives up

    async with server(await http(404)) as p404, server(await http(503)) as p503, server(silent) as quiet:
        found = await run_probes(
            [
                (ProbeConfig(name="a", kind="tcp", port=p404), "config"),
                (ProbeConfig(name="b", kind="http", port=p404), "config"),
                (ProbeConfig(name="c", kind="http", port=p503), "config"),
                (ProbeConfig(name="d", kind="redis", port=quiet, deadline=0.3), "config"),
            ],
            budget=5,
        )
    # A peer that accepts and never answers is hung (issue 27: a SIGSTOPped Redis): evidence, not unknown.
    assert [r.up for r in found] == [True, True, False, False] and [r.hung for r in found][3]
    assert found[1].detail == "GET / → 404" and found[2].detail == "GET / → 503"
    assert found[3].detail == "connected, no answer within 0.3 s: hung"


def test_default_probes_come_from_the_dependency_containers_published_ports() -> None:
    ports = published_ports({"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "16379"}], "80/tcp": None})
    assert ports == {"6379/tcp": 16379}
    redis = ContainerStats(name="sutazai-redis", id="r", state="running", ports=ports)
    pg = ContainerStats(name="sutazai-postgres", id="p", state="running")  # publishes nothing
    chosen = default_probes([], [redis, pg], "sutazai-", "unix:///var/run/docker.sock")
    assert [(c.name, c.kind, c.host, c.port, src) for c, src in chosen] == [
        ("redis", "redis", "127.0.0.1", 16379, "sutazai-redis")
    ]
    mine = ProbeConfig(name="redis", kind="redis", port=7000)
    assert [c for c, _ in default_probes([mine], [redis], "sutazai-", None)] == [mine]


# ---------------------------------------------------------------- joining


def emergency_200(carried: bool = False, state: State = State.OK) -> EndpointStatus:
    return EndpointStatus(
        name="emergency",
        url="http://127.0.0.1:10010/health-emergency",
        kind=EndpointKind.EMERGENCY,
        state=state,
        reason="route present",
        http_code=200,
        status="emergency",
        carried=carried,
        checked_at=T0,
    )


def log(*signatures: str) -> LogEvidence:
    text = {
        "mode-normal": "Backend started in normal mode",
        "mode-emergency": "Backend started in emergency mode",
    }
    found = tuple(LogMatch(signature=s, text=text.get(s, s), at=T0) for s in signatures)
    return LogEvidence(container=BACKEND, matches=found, read_at=T0)


def test_the_emergency_route_is_emergency_only_with_the_log_saying_so() -> None:
    def joined(*logs: LogEvidence, e: EndpointStatus | None = None) -> EndpointStatus:
        snap = Snapshot(endpoints=(e or emergency_200(),), logs=logs)
        return join_evidence(snap, BACKEND).endpoints[0]

    sick = joined(log("mode-emergency"))
    assert sick.state is State.EMERGENCY and "Backend started in emergency mode" in sick.reason
    assert joined(log("init-timeout")).state is State.EMERGENCY
    normal = joined(log("mode-normal"))
    assert normal.state is State.OK and "started in normal mode" in normal.reason
    unknown = joined()
    assert unknown.state is State.OK and "mode unknown: no log to read" in unknown.reason
    # Not asked this cycle (429): its last verdict, kept so `check` never improves, needs the log too.
    skipped = emergency_200(carried=True, state=State.UNKNOWN).model_copy(
        update={"failure": "rate-limited", "last_state": State.EMERGENCY}
    )
    assert joined(e=skipped).last_state is State.OK and "mode per" in joined(e=skipped).reason
    assert joined(log("mode-emergency"), e=skipped).last_state is State.EMERGENCY


def test_an_mcp_404_with_the_router_crash_in_the_log_says_so() -> None:
    mcp = EndpointStatus(
        name="mcp", url="http://x/api/v1/mcp/status", kind=EndpointKind.MCP, state=State.OK, http_code=404
    )
    crash = LogEvidence(
        container=BACKEND,
        matches=(LogMatch(signature="mcp-logger", text="name 'logger' is not defined", at=T0),),
    )
    e = join_evidence(Snapshot(endpoints=(mcp,), logs=(crash,)), BACKEND).endpoints[0]
    assert e.state is State.DOWN and "MCP router failed to load" in e.reason and "logger" in e.reason
    assert join_evidence(Snapshot(endpoints=(mcp,)), BACKEND).endpoints[0] == mcp  # no log: as judged
    clean = LogEvidence(container=BACKEND, matches=(LogMatch(signature="mode-normal", text="normal", at=T0),))
    absent = join_evidence(Snapshot(endpoints=(mcp,), logs=(clean,)), BACKEND).endpoints[0]
    assert absent.state is State.OK and "no MCP routes on this build" in absent.reason


async def test_the_demo_incident_keeps_its_story_with_log_evidence() -> None:
    backend = SimulatedBackend("incident")
    fleet = SimulatedFleet(backend)
    backend.forced_phase = HANG
    status = await fleet.poll()
    primary = next(c for c in status.containers if c.name == BACKEND)
    (evidence,) = await LogWatcher(fleet.log_reader).read([primary])
    field = evidence.find("field-required")
    assert field is not None and field.detail == "SECRET_KEY" and "dem0pass" not in field.text


def test_probes_config_mistakes_are_one_line_naming_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[[probes]]\nname = "redis"\nkind = "redis"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as missing:
        load_settings(path)
    assert "probes.0.port" in str(missing.value) and "\n" not in str(missing.value)
    path.write_text('[[probes]]\nname = "mq"\nkind = "amqp"\nport = 5672\n', encoding="utf-8")
    with pytest.raises(ConfigError) as kind:
        load_settings(path)
    assert "probes.0.kind" in str(kind.value) and "'redis'" in str(kind.value)
    path.write_text(
        '[[probes]]\nname = "redis"\nkind = "redis"\nport = 16379\ndeadline = 0.5\n', encoding="utf-8"
    )
    (probe_cfg,) = load_settings(path).probes
    assert (probe_cfg.host, probe_cfg.port, probe_cfg.deadline) == ("127.0.0.1", 16379, 0.5)


def test_read_head_keeps_whole_lines_from_the_start_and_closes_the_stream() -> None:
    closed: list[bool] = []

    class Stream:
        def __iter__(self) -> Iterator[bytes]:
            for k in range(10_000):  # far more than asked: the reader must stop early
                yield f"line {k}\n".encode()

        def close(self) -> None:
            closed.append(True)

    got = read_head(Stream(), limit=100)
    assert got.startswith(b"line 0\n") and got.endswith(b"\n") and len(got) <= 100 and closed == [True]


async def test_a_read_still_running_after_its_deadline_is_never_joined_by_a_second() -> None:
    fleet = SimulatedFleet()
    status = await fleet.poll()
    primary = next(c for c in status.containers if c.name == BACKEND)
    gate, calls = threading.Event(), [0]

    class Stuck:
        """The fleet's reader, held until the test lets it go."""

        def logs(self, name: str, *args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            gate.wait(10)
            return fleet.log_reader.logs(name, *args, **kwargs)

        def secret_values(self, name: str) -> tuple[str, ...]:
            return fleet.log_reader.secret_values(name)

    watcher = LogWatcher(cast(Any, Stuck()), deadline=0.2)
    (late,) = await watcher.read([primary])
    assert late.error is not None and "0.2 s" in late.error
    (again,) = await watcher.read([primary])  # the first read still holds its thread
    assert again.error == "the previous log read has not finished" and calls[0] == 1
    gate.set()
    await asyncio.to_thread(wait_for, lambda: BACKEND not in watcher._busy, 10, "the first read to end")
    (done,) = await watcher.read([primary])
    assert done.error is None and calls[0] > 1
