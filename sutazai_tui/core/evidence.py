"""Joining the evidence: an endpoint's final state weighs what the engine and the log say.

The HTTP classifier judges an answer alone; some answers mean nothing alone (docs/backend.md):
- `/health-emergency` 200 is answered on EVERY start of the emergency-fix build, so it proves only
  that the build is deployed. The mode is what the backend's log says at start-up:
  `Backend started in emergency mode` or `Initialization timeout` = emergency; `Backend started in
  normal mode` = normal; no log (no engine, a remote backend) = unknown — never EMERGENCY on the
  route alone.
- An MCP 404 on a backend whose log shows `name 'logger' is not defined` is the MCP router that
  crashed while loading, not a build without MCP.

- A /health sub-service stuck at `initializing` (the 2025-08-18 build's `database`, forever) while
  its container, a probe and the log say the dependency is up and a detailed self-report agrees:
  the panel is OK with a note, not DEGRADED (core/dependencies.py ranks the evidence).

No endpoint leaves here EMERGENCY without the log saying so. `join_evidence` runs once per cycle,
inside the monitor, so recordings, replay, `check` and bundles all carry the joined states.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from sutazai_tui.core.dependencies import INITIALIZING, claim, independent, verdict
from sutazai_tui.models import EndpointKind, EndpointStatus, LogMatch, Snapshot, State

Mode = Literal["normal", "emergency", "unknown"]
EMERGENCY_SIGNS = ("mode-emergency", "init-timeout")


def backend_mode(snapshot: Snapshot, primary: str) -> tuple[Mode, LogMatch | None]:
    """The start-up mode the primary's log states since its start, and the line that says so."""
    log = snapshot.log(primary)
    if log is None:
        return "unknown", None
    sign = log.find(*EMERGENCY_SIGNS)
    normal = log.find("mode-normal")
    if sign is not None and (normal is None or (normal.at and sign.at and sign.at >= normal.at)):
        return "emergency", sign
    if normal is not None:
        return "normal", normal
    return "unknown", None


def quote(m: LogMatch) -> str:
    """A log line as evidence: its time and its (redacted) text."""
    when = m.at.strftime("%H:%M:%S UTC") if m.at is not None else "time unknown"
    return f"[{when}] {m.text}"


def _emergency(e: EndpointStatus, snapshot: Snapshot, primary: str) -> EndpointStatus:
    mode, line = backend_mode(snapshot, primary)
    if mode == "emergency" and line is not None:
        reason = f"emergency mode, per {primary}'s log: {quote(line)}"
        return e.model_copy(update={"state": State.EMERGENCY, "reason": reason})
    if mode == "normal" and line is not None:
        reason = f"emergency-fix build deployed; started in normal mode, per {primary}'s log: {quote(line)}"
        # The route's own text ("Backend running in emergency mode - …") is false here: never shown
        # beside OK (a panel shows an emergency route's message in place of its reason).
        return e.model_copy(update={"state": State.OK, "reason": reason, "message": None})
    log = snapshot.log(primary)
    why = "no log line states the mode" if log is not None and log.error is None else "no log to read"
    reason = f"emergency-fix build deployed (route answers 200 on every start); mode unknown: {why}"
    return e.model_copy(update={"state": State.OK, "reason": reason, "message": None})


def _emergency_not_asked(e: EndpointStatus, snapshot: Snapshot, primary: str) -> EndpointStatus:
    """Not asked this cycle: its last verdict (kept so `check` never improves) needs the log too."""
    mode = backend_mode(snapshot, primary)[0]
    if e.last_state is not State.EMERGENCY or mode == "emergency":
        return e
    note = f" — but the route's 200 alone is not EMERGENCY (mode per {primary}'s log: {mode})"
    return e.model_copy(update={"last_state": State.OK, "reason": e.reason + note})


def _mcp(e: EndpointStatus, snapshot: Snapshot, primary: str) -> EndpointStatus:
    log = snapshot.log(primary)
    if log is None or log.error is not None:
        return e  # nothing to tell a build without MCP from a crashed router: stays as judged
    crash = log.find("mcp-logger")
    if crash is None:
        reason = (
            f"404: no MCP routes on this build ({primary}'s log since its start shows no MCP router failure)"
        )
        return e.model_copy(update={"state": State.OK, "reason": reason})
    reason = f"404: the MCP router failed to load, per {primary}'s log: {quote(crash)}"
    return e.model_copy(update={"state": State.DOWN, "reason": reason, "failure": "mcp-router-failed"})


def _settle_initializing(e: EndpointStatus, snapshot: Snapshot, prefix: str, primary: str) -> EndpointStatus:
    """A /health whose only fault is sub-services stuck `initializing`, while the engine, probes and
    log say each dependency is up AND a detailed self-report agrees: OK, with a note (the 2025-08-18
    build's /health never leaves `initializing` on a healthy start)."""
    if (
        e.state is not State.DEGRADED
        or e.failure is not None
        or not e.reason.startswith("still initializing")
    ):
        return e
    waiting = [s for s, w in e.services.items() if claim(w) == INITIALIZING]
    detailed = [
        d
        for d in snapshot.endpoints
        if d.kind is EndpointKind.DETAILED and d.failure is None and not d.not_asked and d.services
    ]
    kinds: set[str] = set()
    paths: list[str] = []
    for service in waiting:
        seen = independent(snapshot, service, prefix, primary)
        agree = next((d for d in detailed if claim(d.services.get(service, "")) == "up"), None)
        if verdict(seen) is not True or agree is None:
            return e
        kinds |= {x.kind for x in seen}
        paths.append(urlsplit(agree.url).path)
    said = ", ".join([k + "s" for k in sorted(kinds)] + sorted(set(paths))[:1])
    said = " and ".join(said.rsplit(", ", 1))
    note = f"self-report stuck at initializing ({', '.join(waiting)}); {said} say up"
    return e.model_copy(update={"state": State.OK, "reason": f"healthy, {len(e.services)} services; {note}"})


def join_evidence(snapshot: Snapshot, primary: str, prefix: str = "sutazai-") -> Snapshot:
    """The snapshot with endpoint states that weigh the log evidence (see the module docstring)."""
    joined: list[EndpointStatus] = []
    for e in snapshot.endpoints:
        if e.kind is EndpointKind.EMERGENCY and e.not_asked:
            e = _emergency_not_asked(e, snapshot, primary)
        elif e.kind is EndpointKind.EMERGENCY and e.http_code == 200 and e.failure is None:
            e = _emergency(e, snapshot, primary)
        elif e.state is State.EMERGENCY and backend_mode(snapshot, primary)[0] != "emergency":
            mode = backend_mode(snapshot, primary)[0]  # any other way to EMERGENCY needs the log too
            e = e.model_copy(update={"state": State.UNKNOWN, "reason": f"{e.reason} (mode per log: {mode})"})
        elif e.kind is EndpointKind.MCP and e.http_code == 404 and not e.not_asked:
            e = _mcp(e, snapshot, primary)
        elif e.kind is EndpointKind.HEALTH and e.services:
            e = _settle_initializing(e, snapshot, prefix, primary)
        joined.append(e)
    return snapshot.model_copy(update={"endpoints": tuple(joined)})
