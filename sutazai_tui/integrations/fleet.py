"""The fleet as Prometheus knows it: one row per deployment, and one deployment rebuilt as a Snapshot.

The exporters already poll every backend; the fleet view only reads Prometheus's HTTP API. A
refresh of the whole fleet is two instant queries however many deployments there are (the
current-state series of every deployment, and every last-cycle timestamp); opening one deployment
is one more query for that deployment's series. Nothing here talks to a backend or an engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import httpx

from sutazai_tui.config.targets import check_url
from sutazai_tui.diagnosis.run import FINDINGS, worst_first
from sutazai_tui.models import (
    ContainersStatus,
    ContainerStats,
    EndpointKind,
    EndpointStatus,
    Finding,
    Snapshot,
    State,
    worst,
)
from sutazai_tui.util.clean import clean, clean_line

# Series that are 1 for the current state: filtering `== 1` keeps only what is true now.
CURRENT = '{__name__=~"sutazai_(verdict|endpoint_state|container_state|finding)"} == 1'
LAST_CYCLE = "sutazai_last_cycle_timestamp_seconds"
# When Prometheus last scraped a deployment (not a series of ours: the deployment query adds it).
SCRAPED = "sutazai_tui_scraped_timestamp_seconds"


def deployment_query(target: str) -> str:
    """One deployment's series, and when Prometheus last scraped them (`timestamp()`), in one query."""
    quoted = target.replace("\\", "\\\\").replace('"', '\\"')
    # `or` matches label sets without the metric name: a label of its own keeps this series apart.
    when = f'timestamp({LAST_CYCLE}{{target="{quoted}"}})'
    scraped = f'label_replace(label_replace({when}, "__name__", "{SCRAPED}", "", ""), "of", "scrape", "", "")'
    return f'{{__name__=~"sutazai_.+",target="{quoted}"}} or {scraped}'


KINDS = {
    "health": EndpointKind.HEALTH,
    "emergency": EndpointKind.EMERGENCY,
    "mcp": EndpointKind.MCP,
    # Found by trying on both backend lines (sources/backend/releases.py DETAILED_PATHS).
    "detailed": EndpointKind.DETAILED,
    "detailed-v1": EndpointKind.DETAILED,
}


class PrometheusError(Exception):
    """Prometheus could not be asked or gave no usable answer; the message is one line."""


@dataclass(frozen=True)
class FleetRow:
    """One deployment in the fleet table."""

    target: str
    state: State  # the worst of its endpoints' and containers' states
    verdict: str  # check's level: OK, WARNING, CRITICAL, UNKNOWN
    critical: int  # active critical findings
    age_s: float | None  # seconds since its last cycle ended, as of the query


Sample = tuple[dict[str, str], float, float]  # labels, value, evaluation time


class PrometheusReader:
    """Instant queries against one Prometheus; `rows` for the fleet, `snapshot` for one deployment."""

    def __init__(self, url: str, timeout: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        self.url = check_url(url).rstrip("/")
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)
        self.queries = 0  # how many queries were sent: the fleet's cost, for tests and the footer

    async def query(self, promql: str) -> list[Sample]:
        """One instant query; PrometheusError with one line on any failure."""
        self.queries += 1
        try:
            resp = await self._client.get(f"{self.url}/api/v1/query", params={"query": promql})
            body: dict[str, Any] = resp.json()
        except httpx.HTTPError as exc:
            raise PrometheusError(f"cannot reach Prometheus at {self.url}: {type(exc).__name__}") from exc
        except ValueError as exc:
            raise PrometheusError(f"{self.url} answered {resp.status_code}, not Prometheus JSON") from exc
        if not isinstance(body, dict):
            raise PrometheusError(
                f"{self.url} answered {resp.status_code}, not Prometheus JSON: {said(body)}"
            )
        if body.get("status") != "success":
            error = clean_line(str(body.get("error", resp.status_code)), 200)
            raise PrometheusError(f"Prometheus refused the query: {error}")
        try:
            result = body.get("data", {}).get("result", [])
            return [(_labels(r["metric"]), float(r["value"][1]), float(r["value"][0])) for r in result]
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise PrometheusError(
                f"Prometheus sent a result the fleet cannot read ({type(exc).__name__}): {said(body)}"
            ) from None

    async def rows(self) -> list[FleetRow]:
        """Every deployment the exporters report, worst first; two queries in all."""
        current, cycles = await asyncio.gather(self.query(CURRENT), self.query(LAST_CYCLE))
        states: dict[str, list[State]] = {}
        verdicts: dict[str, str] = {}
        critical: dict[str, int] = {}
        for labels, _, _ in current:
            target = labels.get("target", "?")
            states.setdefault(target, [])
            name = labels.get("__name__", "")
            if name in ("sutazai_endpoint_state", "sutazai_container_state"):
                states[target].append(_state(labels.get("state", "")))
            elif name == "sutazai_verdict":
                verdicts[target] = labels.get("level", "UNKNOWN")
            elif name == "sutazai_finding" and labels.get("severity") == "critical":
                critical[target] = critical.get(target, 0) + 1
        ages = {labels.get("target", "?"): at - value for labels, value, at in cycles}
        found = [
            FleetRow(t, worst(states.get(t, [])), verdicts.get(t, "UNKNOWN"), critical.get(t, 0), ages.get(t))
            for t in sorted(states.keys() | ages.keys())
        ]
        return sorted(found, key=lambda r: (-r.state.rank, -r.critical, r.target))

    async def snapshot(self, target: str) -> Rebuilt:
        """One deployment's last cycle rebuilt from its series (one query), its findings, its interval."""
        return rebuild(target, await self.query(deployment_query(target)))

    async def close(self) -> None:
        """Release the connection pool."""
        await self._client.aclose()


def said(body: object) -> str:
    """What Prometheus sent, as one short clean line for the status line."""
    return clean_line(repr(body), 160)


def _labels(metric: dict[str, object]) -> dict[str, str]:
    """A series' labels as Prometheus sent them, cleaned where they enter (util/clean.py)."""
    return {clean(str(k)): clean(str(v)) for k, v in metric.items()}


def _state(word: str) -> State:
    try:
        return State(word)
    except ValueError:
        return State.UNKNOWN


class Rebuilt(NamedTuple):
    """What Prometheus holds about one deployment's last cycle."""

    snapshot: Snapshot
    findings: list[Finding]
    interval: float | None  # the exporter's poll interval: when its data counts as stale
    scraped: float | None = None  # when Prometheus last scraped it (epoch s): its copy is this old


def rebuild(target: str, samples: list[Sample]) -> Rebuilt:
    """A Snapshot (and findings) from one deployment's samples: what the exporter saw last."""
    by_name: dict[str, list[tuple[dict[str, str], float]]] = {}
    for labels, value, _ in samples:
        by_name.setdefault(labels.get("__name__", ""), []).append((labels, value))

    def per(name: str, key: str, current_only: bool = False) -> dict[str, tuple[dict[str, str], float]]:
        return {ls.get(key, ""): (ls, v) for ls, v in by_name.get(name, []) if not current_only or v == 1}

    taken = next((v for _, v in by_name.get(LAST_CYCLE, [])), None)
    taken_at = datetime.fromtimestamp(taken, UTC) if taken is not None else datetime.now(UTC)
    latency, status = (
        per("sutazai_endpoint_latency_seconds", "endpoint"),
        per("sutazai_endpoint_http_status", "endpoint"),
    )
    endpoints = []
    for name, (labels, _) in per("sutazai_endpoint_state", "endpoint", current_only=True).items():
        state = _state(labels.get("state", ""))
        code = status.get(name)
        seconds = latency.get(name)
        endpoints.append(
            EndpointStatus(
                name=name,
                url=f"(via Prometheus, target {target})",
                kind=KINDS.get(name, EndpointKind.GENERIC),
                state=state,
                reason=f"{state.value} as the exporter last saw it",
                http_code=int(code[1]) if code else None,
                latency_ms=seconds[1] * 1000 if seconds else None,
                checked_at=taken_at,
            )
        )
    containers = _containers(by_name, per) if "sutazai_container_state" in by_name else None
    findings = worst_first(
        Finding(
            id=ls.get("id", "?"),
            severity=sev if (sev := ls.get("severity")) in ("critical", "warning") else "info",
            subject=ls.get("subject", "?"),
            title=FINDINGS.get(ls.get("id", ""), ("reported by the exporter", ""))[0],
            evidence=f"sutazai_finding is 1 in Prometheus for target {target}",
            fix=FINDINGS.get(ls.get("id", ""), ("", "see `sutazai-tui check` on that deployment"))[1],
        )
        for ls, v in by_name.get("sutazai_finding", [])
        if v == 1
    )
    cycles = next((v for _, v in by_name.get("sutazai_cycles_total", [])), 0.0)
    duration = next((v for _, v in by_name.get("sutazai_cycle_duration_seconds", [])), 0.0)
    snap = Snapshot(
        cycle=int(cycles),
        taken_at=taken_at,
        duration_ms=duration * 1000,
        target=target,
        endpoints=tuple(endpoints),
        containers=containers,
    )
    interval = next((v for _, v in by_name.get("sutazai_poll_interval_seconds", [])), None)
    scraped = next((v for _, v in by_name.get(SCRAPED, [])), None)
    return Rebuilt(snap, findings, interval, scraped)


Per = dict[str, tuple[dict[str, str], float]]


def _containers(by_name: dict[str, list[tuple[dict[str, str], float]]], per: Any) -> ContainersStatus:
    status: Per = per("sutazai_container_status", "container")
    restarts: Per = per("sutazai_container_restarts_total", "container")
    cpu: Per = per("sutazai_container_cpu_ratio", "container")
    memory: Per = per("sutazai_container_memory_bytes", "container")
    limit: Per = per("sutazai_container_memory_limit_bytes", "container")
    exit_code: Per = per("sutazai_container_exit_code", "container")
    oom: Per = per("sutazai_container_oom_killed", "container")
    engine_up = next((v for _, v in by_name.get("sutazai_container_engine_up", [])), 1.0)
    found = []
    for name in sorted(status):
        labels = status[name][0]
        found.append(
            ContainerStats(
                name=name,
                id="",
                state=labels.get("status", "unknown"),
                health=labels.get("health") or None,
                restart_count=int(restarts[name][1]) if name in restarts else 0,
                exit_code=int(exit_code[name][1]) if name in exit_code else None,
                oom_killed=bool(oom[name][1]) if name in oom else False,
                cpu_percent=cpu[name][1] * 100 if name in cpu else None,
                mem_used=int(memory[name][1]) if name in memory else None,
                mem_limit=int(limit[name][1]) if name in limit else None,
            )
        )
    state = State.OK if engine_up else State.DOWN
    return ContainersStatus(
        engine="via Prometheus", state=state, reason="as the exporter last saw it", containers=tuple(found)
    )
