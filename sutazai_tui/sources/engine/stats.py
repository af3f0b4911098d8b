"""The numbers of an engine stats answer: CPU % across cycles, memory used, network and block I/O.

Both stats paths produce this shape: the engine's own one-shot answer and the cgroup readers
(sources/engine/cgroups.py), so one parser turns either into ContainerStats fields.

CPU % (as `docker stats`; across our own cycles, since one-shot stats leave `precpu_stats` empty):

    cpu % = Δ cpu_stats.cpu_usage.total_usage / Δ cpu_stats.system_cpu_usage × online_cpus × 100

Δ between this cycle and the previous one of the same container id. None on the first cycle, and
None again (a reset) when a delta is negative (the container restarted) or the system delta is 0.
Memory used = usage − inactive page cache (cgroup v1 `total_inactive_file`, v2 `inactive_file`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Json = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CpuSample:
    """The cumulative CPU counters of one container at one cycle."""

    total: int
    system: int
    online: int


def one_shot_stats(client: Any, cid: str) -> Any:
    """The engine's latest stats sample of a container, without waiting for a second one."""
    return client.stats(cid, stream=False, one_shot=True)


def cpu_sample(stats: Json) -> CpuSample | None:
    """The CPU counters in a stats answer; None when the engine gave none (not running)."""
    cpu = stats.get("cpu_stats") or {}
    usage = cpu.get("cpu_usage") or {}
    total, system = usage.get("total_usage"), cpu.get("system_cpu_usage")
    if total is None or system is None:
        return None
    online = cpu.get("online_cpus") or len(usage.get("percpu_usage") or ()) or 1
    return CpuSample(int(total), int(system), int(online))


def cpu_percent(prev: CpuSample | None, cur: CpuSample | None) -> float | None:
    """CPU % between two cycles (formula in the module docstring); None without a valid delta."""
    if prev is None or cur is None:
        return None
    d_total, d_system = cur.total - prev.total, cur.system - prev.system
    if d_total < 0 or d_system <= 0:
        return None
    return d_total / d_system * cur.online * 100.0


def mem_used(memory_stats: Json) -> int | None:
    """Memory in use minus inactive page cache, as the docker CLI shows it."""
    usage = memory_stats.get("usage")
    if usage is None:
        return None
    extra = memory_stats.get("stats") or {}
    # cgroup v1 has the hierarchical total_inactive_file; v2 only inactive_file.
    inactive = extra.get("total_inactive_file", extra.get("inactive_file"))
    return int(usage - inactive) if inactive is not None and inactive < usage else int(usage)


def mem_percent(used: int | None, limit: int | None) -> float | None:
    """Used memory as a percentage of the limit; None when either is unknown or zero."""
    return used / limit * 100.0 if used is not None and limit else None


def net_io(stats: Json) -> tuple[int | None, int | None]:
    """Bytes received and sent, summed over all networks; None without networks."""
    nets = (stats.get("networks") or {}).values()
    if not nets:
        return None, None
    return sum(int(n.get("rx_bytes", 0)) for n in nets), sum(int(n.get("tx_bytes", 0)) for n in nets)


def block_io(stats: Json) -> tuple[int | None, int | None]:
    """Bytes read and written, from `io_service_bytes_recursive` (v1 "Read", v2 "read")."""
    if "blkio_stats" not in stats:
        return None, None
    entries = (stats.get("blkio_stats") or {}).get("io_service_bytes_recursive") or ()
    total = {"read": 0, "write": 0}
    for entry in entries:
        op = str(entry.get("op", "")).lower()
        if op in total:
            total[op] += int(entry.get("value", 0))
    return total["read"], total["write"]


def stats_fields(stats: Json, prev: CpuSample | None) -> tuple[dict[str, Any], CpuSample | None]:
    """The ContainerStats fields of a stats answer (CPU against `prev`), and its CPU sample."""
    sample = cpu_sample(stats)
    memory = stats.get("memory_stats") or {}
    used, limit = mem_used(memory), memory.get("limit")
    (rx, tx), (read, write) = net_io(stats), block_io(stats)
    found = {
        "cpu_percent": cpu_percent(prev, sample),
        "mem_used": used,
        "mem_limit": limit,
        "mem_percent": mem_percent(used, limit),
        "net_rx": rx,
        "net_tx": tx,
        "blk_read": read,
        "blk_write": write,
        "pids": (stats.get("pids_stats") or {}).get("current"),
    }
    return found, sample
