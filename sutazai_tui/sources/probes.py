"""Dependency probes: ask Redis, Postgres (or any TCP/HTTP service) directly whether it is up.

The backend's /health says `redis: healthy` with Redis stopped (docs/backend.md "GET /health"), so
a dependency's state needs a look of our own: Redis `PING` → `+PONG`; Postgres answers an SSLRequest (8 bytes:
length 8, code 80877103) with one byte, `S` or `N`, before any authentication; `tcp` is a connect;
`http` a GET whose status is below 500. Every probe is bounded by its own deadline and by the
cycle's; all run at once. No credentials are needed or sent.

`up` is True (it answered as that service does), False (refused, closed, answered wrong, or
connected and said nothing within the deadline: `hung`, e.g. a SIGSTOPped Redis — the kernel still
accepts), or None (could not tell: name lookup or the connect itself timed out).
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sutazai_tui.config.settings import ProbeConfig
from sutazai_tui.models import ContainerStats, ProbeResult
from sutazai_tui.util.clean import clean_line

SSL_REQUEST = struct.pack("!ii", 8, 80877103)
DEFAULT_PORTS = {"redis": "6379/tcp", "postgres": "5432/tcp"}


class _Wrong(Exception):
    """The peer answered, but not as this kind of service does."""


async def _exchange(cfg: ProbeConfig, connected: list[bool]) -> str:
    """Connect, speak the kind's greeting, read its answer; the detail when it is up, else raises."""
    reader, writer = await asyncio.open_connection(cfg.host, cfg.port)
    connected.append(True)
    try:
        if cfg.kind == "tcp":
            return "accepts connections"
        if cfg.kind == "redis":
            writer.write(b"PING\r\n")
            answer = await reader.readline()
            if answer.startswith(b"+PONG"):
                return "PING → +PONG"
            if answer.startswith((b"-NOAUTH", b"-WRONGPASS")):
                return "PING → asks for AUTH (Redis is up)"
            raise _Wrong(f"PING → {answer[:40]!r}" if answer else "PING → connection closed")
        if cfg.kind == "postgres":
            writer.write(SSL_REQUEST)
            answer = await reader.read(1)
            if answer in (b"S", b"N"):
                return f"SSLRequest → {answer.decode()}"
            raise _Wrong(f"SSLRequest → {answer!r}" if answer else "SSLRequest → connection closed")
        writer.write(f"GET {cfg.path} HTTP/1.0\r\nHost: {cfg.host}\r\n\r\n".encode())
        status = (await reader.readline()).decode("latin-1").split()
        code = int(status[1]) if len(status) >= 2 and status[1].isdigit() else None
        if code is not None and code < 500:
            return f"GET {cfg.path} → {code}"
        raise _Wrong(f"GET {cfg.path} → {code if code is not None else 'no HTTP answer'}")
    finally:
        writer.close()


async def probe(cfg: ProbeConfig, budget: float, source: str = "config") -> ProbeResult:
    """One probe within min(its deadline, `budget`) seconds; never raises."""
    deadline = min(cfg.deadline, budget)
    started = time.monotonic()
    up: bool | None
    connected: list[bool] = []
    hung = False
    try:
        detail, up = await asyncio.wait_for(_exchange(cfg, connected), deadline), True
    except _Wrong as exc:
        detail, up = str(exc), False
    except ConnectionRefusedError:
        detail, up = "connection refused", False
    except (ConnectionResetError, asyncio.IncompleteReadError, BrokenPipeError):
        detail, up = "connection reset", False
    except TimeoutError:
        if connected:  # it accepted and then said nothing: a hung service is evidence, not "unknown"
            detail, up, hung = f"connected, no answer within {deadline:g} s: hung", False, True
        else:
            detail, up = f"no answer within {deadline:g} s", None
    except socket.gaierror as exc:
        detail, up = f"cannot resolve {cfg.host}: {exc.strerror}", None
    except OSError as exc:
        detail, up = f"{type(exc).__name__}: {exc.strerror or exc}", None
    return ProbeResult(
        name=cfg.name,
        kind=cfg.kind,
        address=f"{cfg.host}:{cfg.port}",
        up=up,
        hung=hung,
        detail=clean_line(detail, 200),  # a server's answer: outside text
        latency_ms=round((time.monotonic() - started) * 1000, 1),
        checked_at=datetime.now(UTC),
        source=source,
    )


def published_ports(ports: Mapping[str, Any] | None) -> dict[str, int]:
    """Container port -> the first host port it is published on (unpublished ones left out)."""
    found: dict[str, int] = {}
    for port, binds in (ports or {}).items():
        for bind in binds or ():
            host_port = str((bind or {}).get("HostPort") or "")
            if host_port.isdigit():
                found[port] = int(host_port)
                break
    return found


def engine_hostname(engine: str | None) -> str:
    """Where an engine's published ports are reached: its host for tcp:// and ssh://, else loopback."""
    if engine and engine.startswith(("tcp://", "ssh://", "http://", "https://")):
        return urlsplit(engine).hostname or "127.0.0.1"
    return "127.0.0.1"


def default_probes(
    configured: Sequence[ProbeConfig], containers: Sequence[ContainerStats], prefix: str, engine: str | None
) -> list[tuple[ProbeConfig, str]]:
    """The configured probes, plus redis/postgres from `<prefix>redis` / `<prefix>postgres` ports."""
    found = [(p, "config") for p in configured]
    taken = {p.name for p in configured} | {p.kind for p in configured}
    by_name = {c.name: c for c in containers}
    for kind, port in DEFAULT_PORTS.items():
        c = by_name.get(f"{prefix}{kind}")
        if kind in taken or c is None or not c.ports:
            continue
        host_port = c.ports.get(port)
        if host_port is None and len(c.ports) == 1:
            host_port = next(iter(c.ports.values()))  # a single published port: that is the service
        if host_port is not None:
            cfg = ProbeConfig(name=kind, kind=kind, host=engine_hostname(engine), port=host_port)
            found.append((cfg, c.name))
    return found


async def run_probes(chosen: Sequence[tuple[ProbeConfig, str]], budget: float) -> tuple[ProbeResult, ...]:
    """Every probe at once, each within its deadline and `budget`."""
    return tuple(await asyncio.gather(*(probe(cfg, budget, source) for cfg, source in chosen)))
