"""The truth-before-echo detectors rule by rule: what counts as independent evidence of a
dependency, when the backend's word contradicts it, and how the finding quotes both sides.
test_evidence_verdicts.py runs them on incidents; this file pins each rule at its edge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sutazai_tui.config.settings import Settings
from sutazai_tui.diagnosis.context import Context
from sutazai_tui.diagnosis.evidence import (
    Seen,
    claim,
    independent,
    log_says,
    mcp_router_failed,
    self_report_contradicted,
)
from sutazai_tui.models import (
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    LogEvidence,
    LogMatch,
    ProbeResult,
    Snapshot,
    State,
)
from tests.builders import BACKEND, at, snapshot

CHECKED = at(-1)


def redis(**values: Any) -> ContainerStats:
    return ContainerStats(name="sutazai-redis", id="r", **({"state": "running"} | values))


def probe(name: str, up: bool | None) -> ProbeResult:
    return ProbeResult(name=name, kind="tcp", address="127.0.0.1:1", up=up, detail="said", checked_at=at(-2))


def log(*matches: LogMatch, started: datetime | None = None) -> LogEvidence:
    return LogEvidence(container=BACKEND, matches=matches, started_at=started, read_at=at(0))


def line(signature: str, text: str, seconds: float = -30) -> LogMatch:
    return LogMatch(signature=signature, text=text, at=at(seconds))


def ctx(*snaps: Snapshot) -> Context:
    return Context(snapshots=snaps, settings=Settings(), now=snaps[-1].taken_at)


def detailed(seconds: float = 0, name: str = "detailed", **services: str) -> EndpointStatus:
    return EndpointStatus(
        name=name,
        url=f"/{name}",
        kind=EndpointKind.DETAILED,
        state=State.OK,
        services=services,
        checked_at=at(seconds),
    )


def test_what_the_engine_says_of_a_dependency() -> None:
    def seen(*containers: ContainerStats) -> list[Seen]:
        return independent(ctx(snapshot(0, containers=list(containers), checked_at=CHECKED)), "cache")

    assert seen(redis(health="healthy")) == [
        Seen(True, "container sutazai-redis running, health check healthy", CHECKED)
    ]
    assert seen(redis()) == [Seen(True, "container sutazai-redis running", CHECKED)]
    assert seen(redis(health="unhealthy")) == [
        Seen(False, "container sutazai-redis: health check failing", CHECKED)
    ]
    assert seen(redis(state="exited", exit_code=1)) == [
        Seen(False, "container sutazai-redis: exited with code 1", CHECKED)
    ]
    assert seen(redis(state="created")) == [Seen(False, "container sutazai-redis: created", CHECKED)]
    assert seen(redis(health="starting")) == []  # starting: neither up nor down yet
    assert independent(ctx(snapshot(0)), "redis") == []


def test_a_probe_by_the_dependencys_name_or_the_services() -> None:
    by_dep = independent(ctx(snapshot(0, probes=(probe("postgres", False),))), "database")
    assert by_dep == [Seen(False, "probe tcp 127.0.0.1:1: said", at(-2))]
    by_service = independent(ctx(snapshot(0, probes=(probe("database", True),))), "database")
    assert [s.up for s in by_service] == [True]
    assert independent(ctx(snapshot(0, probes=(probe("postgres", None),))), "db") == []  # could not tell


def test_the_backends_own_log_counts_only_when_nothing_says_up() -> None:
    failed = line("redis-connect", "Error connecting to redis:6379")
    alone = independent(ctx(snapshot(0, logs=(log(failed),))), "redis")
    assert alone == [Seen(False, f"{BACKEND}'s log [23:14:30 UTC] Error connecting to redis:6379", failed.at)]
    with_up = independent(
        ctx(snapshot(0, containers=[redis()], logs=(log(failed),), checked_at=CHECKED)), "redis"
    )
    assert [s.up for s in with_up] == [True]
    assert (
        independent(ctx(snapshot(0, logs=(log(failed),))), "database") == []
    )  # a redis line says nothing of postgres


def test_claim_words() -> None:
    assert [claim(w) for w in (" OK ", "Disconnected", "initializing", "weird")] == [
        "up",
        "down",
        "initializing",
        "other",
    ]


def test_each_contradiction_is_found_and_both_sides_quoted() -> None:
    contradicted = detailed(database="healthy", cache="healthy", queue="healthy")
    fleet = [redis(state="exited", exit_code=1)]
    s = snapshot(
        0,
        detailed(name="clean", queue="weird"),
        contradicted,
        containers=fleet,
        probes=(probe("postgres", False), probe("redis", False)),
        checked_at=CHECKED,
    )
    [found] = self_report_contradicted(ctx(s))
    assert found.subject == "detailed"
    assert found.title == "detailed says database 'healthy'; cache 'healthy'; independent evidence disagrees"
    assert found.evidence == (
        "GET /detailed at 23:15:00 UTC says "
        "database 'healthy', but probe tcp 127.0.0.1:1: said (at 23:14:58 UTC); "
        "cache 'healthy', but container sutazai-redis: exited with code 1 (at 23:14:59 UTC), "
        "probe tcp 127.0.0.1:1: said (at 23:14:58 UTC)"
    )
    # Issue 27: the fix follows the evidence — what is down is brought up; a restart of the backend
    # does not change a build's "healthy" answer, so none is advised here.
    assert "bring postgres and redis up" in found.fix and "restart" not in found.fix


def test_not_asked_or_failed_answers_are_not_read_but_shared_ones_are() -> None:
    fleet = [redis(state="exited", exit_code=1)]
    unasked = detailed(cache="healthy").model_copy(update={"failure": "skipped-budget", "carried": True})
    failed = detailed(cache="healthy").model_copy(update={"failure": "timeout"})
    assert (
        self_report_contradicted(ctx(snapshot(0, unasked, failed, containers=fleet, checked_at=CHECKED)))
        == []
    )
    # Issue 27: an answer another process of ours heard is judged exactly like a fresh one, its age said.
    shared = detailed(-20, cache="healthy").model_copy(update={"carried": True})
    [found] = self_report_contradicted(ctx(snapshot(0, shared, containers=fleet, checked_at=CHECKED)))
    assert found.severity == "warning" and "(shared answer, 20 s old)" in found.evidence


def test_initializing_against_a_live_dependency_is_a_contradiction_at_once() -> None:
    # Issue 27: it came only after `stuck_initializing` (300 s), so `check` never saw it.
    fleet = [redis(health="healthy")]
    [found] = self_report_contradicted(
        ctx(snapshot(0, detailed(cache="initializing"), containers=fleet, checked_at=CHECKED))
    )
    assert "cache 'initializing'" in found.title and "container sutazai-redis running" in found.evidence
    assert "bring" not in found.fix and "a restart will not change that answer" in found.fix


def test_log_says_quotes_the_newest_cause_lines() -> None:
    causes = [line("traceback", f"Traceback {n}", -50 + n) for n in range(5)]
    c = ctx(snapshot(0, logs=(log(line("mode-normal", "normal"), *causes),)))
    said = log_says(c, BACKEND)
    newest = "; ".join(f"[23:14:{12 + n} UTC] Traceback {2 + n}" for n in range(3))
    assert said == f"; its log since the start: {newest}"  # three by default, the newest, in order
    assert log_says(c, "other") == ""


def test_container_findings_quote_the_containers_own_log() -> None:
    from sutazai_tui.diagnosis.containers import crashed, restart_loop, unhealthy

    own = LogEvidence(container="sutazai-x", matches=(line("field-required", "SECRET_KEY Field required"),))
    fleet = [
        ContainerStats(name="sutazai-x", id="x", state="exited", exit_code=1),
        ContainerStats(name="sutazai-y", id="y", state="restarting", restart_count=5),
        ContainerStats(name="sutazai-z", id="z", state="running", health="unhealthy"),
    ]
    logs = (
        own,
        own.model_copy(update={"container": "sutazai-y"}),
        own.model_copy(update={"container": "sutazai-z"}),
    )
    c = ctx(snapshot(0, containers=fleet, logs=logs, checked_at=CHECKED))
    for found in (*crashed(c), *restart_loop(c), *unhealthy(c)):
        assert found.evidence.endswith("; its log since the start: [23:14:30 UTC] SECRET_KEY Field required")


def test_the_mcp_router_finding_quotes_the_crash_and_the_start() -> None:
    e = EndpointStatus(
        name="mcp", url="/mcp", kind=EndpointKind.MCP, failure="mcp-router-failed", checked_at=at(0)
    )
    fine = EndpointStatus(name="health", url="/health", kind=EndpointKind.HEALTH)
    crash = line("mcp-logger", "NameError: name 'logger' is not defined")
    [found] = mcp_router_failed(ctx(snapshot(0, fine, e, logs=(log(crash, started=at(-120)),))))
    assert found.title == "the MCP router crashed while loading: MCP routes answer 404"
    assert found.evidence == (
        f"GET /mcp → 404 at 23:15:00 UTC; {BACKEND}'s log (started 120 s ago): "
        "[23:14:30 UTC] NameError: name 'logger' is not defined"
    )
    [bare] = mcp_router_failed(ctx(snapshot(0, e)))
    assert bare.evidence == f"GET /mcp → 404 at 23:15:00 UTC; {BACKEND}'s log: the MCP router error"
    [no_start] = mcp_router_failed(ctx(snapshot(0, e, logs=(log(crash),))))
    assert no_start.evidence.endswith(
        f"{BACKEND}'s log: [23:14:30 UTC] NameError: name 'logger' is not defined"
    )


def test_a_hangs_last_words() -> None:
    from sutazai_tui.diagnosis.endpoints import _last_words

    def words(evidence: LogEvidence | None) -> str:
        return _last_words(ctx(snapshot(0, logs=() if evidence is None else (evidence,))))

    assert words(None) == ""
    assert words(LogEvidence(container=BACKEND)) == "; its log is empty"
    assert (
        words(LogEvidence(container=BACKEND, error="engine fault"))
        == "; its log could not be read (engine fault)"
    )
    last = LogEvidence(container=BACKEND, last=line("last", "Connecting to Redis...", -90))
    assert words(last) == "; its last log line, silent for 90 s: [23:13:30 UTC] Connecting to Redis..."
    timeless = LogEvidence(container=BACKEND, last=LogMatch(signature="last", text="x"))
    assert words(timeless) == "; its last log line: [time unknown] x"
