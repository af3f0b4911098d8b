"""`check`'s first line as a monitoring plugin status line: `SUTAZAI <LEVEL> - <summary> | <perfdata>`.

Nagios, Icinga, Naemon and Sensu read only that line (and the exit code) unless told otherwise:
the summary says what is worst in one line, the perfdata carries the figures they graph. The format
is the monitoring-plugins development guidelines' (section "Performance data"):
`'label'=value[UOM];[warn];[crit];[min];[max]`, space-separated, a label quoted when it has a space,
a quote inside it doubled, `U` for a value that could not be determined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sutazai_tui.core.verdict import Level, Overall
from sutazai_tui.models import Finding, Snapshot, State, container_state

PREFIX = "SUTAZAI"
# Container counts by panel state: a fixed set, so a graph's series never appear and vanish.
CONTAINER_STATES = (State.OK, State.DEGRADED, State.DOWN, State.UNKNOWN)


@dataclass(frozen=True)
class Perf:
    """One perfdata item; None fields are left empty, a None value is written `U`."""

    label: str
    value: float | None
    uom: str = ""
    warn: float | None = None
    crit: float | None = None
    min: float | None = None
    max: float | None = None

    def render(self) -> str:
        """`'label'=value[UOM];warn;crit;min;max`, trailing empty fields dropped."""
        value = "U" if self.value is None else _number(self.value) + self.uom
        fields = [
            value,
            *(_number(x) if x is not None else "" for x in (self.warn, self.crit, self.min, self.max)),
        ]
        return f"{quote_label(self.label)}={';'.join(fields).rstrip(';')}"


def _number(x: float) -> str:
    # Plain decimal, never an exponent: the guidelines allow only [-0-9.].
    text = f"{x:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def quote_label(label: str) -> str:
    """A label as the guidelines allow it: no `=`, quotes doubled, quoted when it holds a space."""
    # `|` is legal in a label, but some runners split the whole line at every one.
    clean = label.replace("=", "_").replace("|", "/").replace("\n", " ")
    if re.search(r"[\s']", clean):
        return "'" + clean.replace("'", "''") + "'"
    return clean


def perfdata(
    snapshot: Snapshot, findings: list[Finding] | None, warn_s: float | None, crit_s: float | None
) -> list[Perf]:
    """Latency per endpoint (seconds, with thresholds), containers by state, findings by severity."""
    items = [
        Perf(
            f"{e.name}_latency",
            e.latency_ms / 1000 if e.latency_ms is not None and e.failure is None else None,
            "s",
            warn_s,
            crit_s,
            0,
        )
        for e in snapshot.endpoints
    ]
    if snapshot.containers is not None:
        states = [container_state(c) for c in snapshot.containers.containers]
        items += [Perf(f"containers_{s.value.lower()}", states.count(s), min=0) for s in CONTAINER_STATES]
    found = findings or []
    # Nagios ranges: a threshold of 0 alerts on anything above 0.
    items.append(Perf("findings_critical", sum(f.severity == "critical" for f in found), crit=0, min=0))
    items.append(Perf("findings_warning", sum(f.severity == "warning" for f in found), warn=0, min=0))
    return items


def summary(snapshot: Snapshot, overall: Overall) -> str:
    """One line: the worst reason (and how many more), or what is fine."""
    reasons = overall.lines()
    if reasons:
        more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
        text = reasons[0].split(": ", 1)[-1] + more
    else:
        ok = sum(e.state is State.OK for e in snapshot.endpoints)
        text = f"{ok}/{len(snapshot.endpoints)} endpoints OK"
        if snapshot.containers is not None:
            running = sum(container_state(c) is State.OK for c in snapshot.containers.containers)
            text += f", {running} containers running"
    return one_line(text)


def one_line(text: str) -> str:
    """No newline and no `|`: either would cut the status line where a runner splits it."""
    return " ".join(text.replace("|", "/").split())


def status_line(level: Level, text: str, perf: list[Perf] | list[str]) -> str:
    """`SUTAZAI CRITICAL - text | perfdata`."""
    rendered = [p if isinstance(p, str) else p.render() for p in perf]
    tail = f" | {' '.join(rendered)}" if rendered else ""
    return f"{PREFIX} {level.name} - {one_line(text)}{tail}"


def check_line(
    snapshot: Snapshot,
    overall: Overall,
    findings: list[Finding] | None = None,
    warn_s: float | None = None,
    crit_s: float | None = None,
) -> str:
    """The status line of one target's check."""
    return status_line(
        overall.level, summary(snapshot, overall), perfdata(snapshot, findings, warn_s, crit_s)
    )


_PERF_ITEM = re.compile(r"('(?:[^']|'')+'|[^\s'=]+)=(\S*)")


def prefixed(line: str, prefix: str) -> tuple[str, list[str]]:
    """A status line's summary and its perfdata items with `prefix` before each label (multi-target)."""
    head, _, perf = line.partition(" | ")
    text = head.split(" - ", 1)[-1]
    items = []
    for match in _PERF_ITEM.finditer(perf):
        label = match.group(1)
        bare = label[1:-1].replace("''", "'") if label.startswith("'") else label
        items.append(f"{quote_label(f'{prefix}{bare}')}={match.group(2)}")
    return text, items
