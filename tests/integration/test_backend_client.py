"""The endpoint source against a real misbehaving server: bounded time, bounded memory, right reason."""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import pytest

from sutazai_tui.config.settings import EndpointConfig
from sutazai_tui.models import EndpointKind, EndpointStatus, State
from sutazai_tui.sources.backend.client import HttpSource
from tests.conftest import settings_for
from tests.hostile import HostileServer

TIMEOUT = 1.0
SLACK = 0.5


async def poll_path(
    hostile: HostileServer, path: str, kind: EndpointKind = EndpointKind.HEALTH, **kw: Any
) -> tuple[EndpointStatus, float]:
    settings = settings_for(
        hostile.url,
        timeout=TIMEOUT,
        default_endpoints=False,
        endpoints=[EndpointConfig(name="t", url=path, kind=kind)],
        **kw,
    )
    source = HttpSource(settings)
    started = time.monotonic()
    try:
        (status,) = await source.poll()
    finally:
        await source.close()
    return status, time.monotonic() - started


# path, expected state, expected failure code, words the reason must contain
CASES = [
    ("/hang", State.DOWN, "timeout-connected", "no answer within"),
    ("/trickle", State.DOWN, "timeout-body", "incomplete"),
    ("/huge", State.DOWN, "too-large", "cap"),
    ("/huge-chunked", State.DOWN, "too-large", "cap"),
    ("/gzip-bomb", State.DOWN, "too-large", "cap"),
    ("/not-json", State.DOWN, "bad-json", "not valid JSON"),
    ("/deep", State.DOWN, "bad-json", "nested too deeply"),
    ("/wrong-types", State.DEGRADED, "bad-shape", "unexpected shape"),
    ("/empty", State.DOWN, "bad-json", "empty answer"),
    ("/html-error", State.DOWN, "bad-json", "HTML page"),
    ("/loop", State.DOWN, "redirects", "redirects"),
    ("/429", State.UNKNOWN, "rate-limited", "backing off 7 s"),
    ("/403-block", State.UNKNOWN, "blocked", "IP is blocked by the backend's rate limiter"),
    ("/401", State.DOWN, "auth", "token missing"),
    ("/403", State.DOWN, "auth", "scope"),
    ("/500", State.DOWN, "http-error", "HTTP 500: Internal server error"),
    ("/reset", State.DOWN, "reset", "reset"),
    ("/tls", State.DOWN, "tls", "not HTTP"),
]


@pytest.mark.parametrize(("path", "state", "failure", "words"), CASES, ids=[c[0] for c in CASES])
async def test_misbehaving_server_gives_a_bounded_clear_verdict(
    hostile: HostileServer, path: str, state: State, failure: str, words: str
) -> None:
    tracemalloc.start()
    try:
        status, elapsed = await poll_path(hostile, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert status.state is state, status.reason
    assert status.failure == failure, status.reason
    assert words in status.reason
    assert "\n" not in status.reason and "Traceback" not in status.reason
    assert elapsed < TIMEOUT + SLACK
    # The body cap is 1 MiB; decoding and parsing may copy it a few times, never hold 200 MiB.
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


async def test_connection_refused_is_named() -> None:
    settings = settings_for("http://127.0.0.1:1", timeout=TIMEOUT)
    source = HttpSource(settings)
    statuses = await source.poll()
    await source.close()
    assert {s.failure for s in statuses} == {"refused"}
    assert "connection refused at 127.0.0.1:1" in statuses[0].reason


async def test_unknown_host_is_named() -> None:
    settings = settings_for("http://no-such-host.invalid:10010", timeout=TIMEOUT)
    source = HttpSource(settings)
    statuses = await source.poll()
    await source.close()
    assert statuses[0].failure == "dns"
    assert "unknown host 'no-such-host.invalid'" in statuses[0].reason


async def test_https_to_a_plain_port_is_a_tls_failure(hostile: HostileServer) -> None:
    settings = settings_for(hostile.url.replace("http:", "https:"), timeout=TIMEOUT)
    source = HttpSource(settings)
    status = (await source.poll())[0]
    await source.close()
    assert status.state is State.DOWN
    assert status.failure == "tls", status.reason


async def test_429_is_not_asked_again_before_retry_after(hostile: HostileServer) -> None:
    settings = settings_for(
        hostile.url,
        default_endpoints=False,
        endpoints=[EndpointConfig(name="t", url="/429", kind=EndpointKind.HEALTH)],
    )
    source = HttpSource(settings)
    before = hostile.requests["/429"]
    first = (await source.poll())[0]
    second = (await source.poll())[0]
    await source.close()
    assert first.failure == "rate-limited"
    assert hostile.requests["/429"] == before + 1
    assert second.carried and second.retry_at is not None
    assert "next request in" in second.reason


async def test_token_is_sent_and_never_shown(hostile: HostileServer) -> None:
    secret = "tok-SECRET-1234567890abcdef"
    settings = settings_for(
        hostile.url,
        token=secret,
        default_endpoints=False,
        endpoints=[EndpointConfig(name="t", url="/echo-auth", kind=EndpointKind.HEALTH)],
    )
    source = HttpSource(settings)
    status = (await source.poll())[0]
    await source.close()
    assert hostile.auth_seen[-1] == f"Bearer {secret}"
    assert secret not in status.model_dump_json()


async def test_the_token_is_not_sent_to_other_hosts(hostile: HostileServer) -> None:
    settings = settings_for(
        "http://localhost:9",
        token="tok-SECRET-abcdef",
        default_endpoints=False,
        endpoints=[EndpointConfig(name="t", url=hostile.url + "/echo-auth", kind=EndpointKind.HEALTH)],
    )
    source = HttpSource(settings)
    await source.poll()
    await source.close()
    assert hostile.auth_seen[-1] == ""


async def test_request_budget_caps_requests_per_window(hostile: HostileServer) -> None:
    settings = settings_for(
        hostile.url,
        request_budget=4,
        default_endpoints=False,
        endpoints=[EndpointConfig(name="t", url="/ok", kind=EndpointKind.HEALTH)],
    )
    source = HttpSource(settings)
    before = hostile.requests["/ok"]
    results = [(await source.poll())[0] for _ in range(10)]
    await source.close()
    assert hostile.requests["/ok"] - before == 4
    assert results[-1].failure == "skipped-budget"
    assert results[-1].carried
    # Not asked is UNKNOWN, saying how old the last real verdict is; that verdict is kept apart.
    assert results[-1].state is State.UNKNOWN
    assert results[-1].last_state is State.OK and results[-1].last_checked_at == results[3].checked_at
    assert "last real verdict OK" in results[-1].reason and " ago: healthy" in results[-1].reason


async def test_an_ip_block_stops_asking_every_path_of_that_backend(hostile: HostileServer) -> None:
    settings = settings_for(
        hostile.url,
        default_endpoints=False,
        endpoints=[
            EndpointConfig(name="a", url="/403-block", kind=EndpointKind.HEALTH),
            EndpointConfig(name="b", url="/ok", kind=EndpointKind.HEALTH),
        ],
    )
    source = HttpSource(settings)
    blocked, _ = await source.poll()
    before = hostile.requests["/ok"] + hostile.requests["/403-block"]
    again = await source.poll()
    await source.close()
    assert blocked.state is State.UNKNOWN and blocked.http_code == 403
    assert "the block lasts up to an hour" in blocked.reason and "scope" not in blocked.reason
    assert hostile.requests["/ok"] + hostile.requests["/403-block"] == before  # nothing asked while blocked
    assert all(e.failure == "blocked" and e.state is State.UNKNOWN for e in again)
    assert all("not asked" in e.reason for e in again)


async def test_slow_answer_is_degraded() -> None:
    from sutazai_tui.demo.backend import SimulatedBackend

    server = SimulatedBackend("degraded", rate_limit=False, slow_s=0.3).start_thread()
    try:
        source = HttpSource(settings_for(server.url, latency_threshold=0.1))
        health = (await source.poll())[0]
        await source.close()
    finally:
        server.stop_thread()
    assert health.state is State.DEGRADED
    assert "unhealthy: redis" in health.reason
