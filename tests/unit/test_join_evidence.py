"""join_evidence field by field: the state, reason and failure each endpoint leaves with, and the
mode the log gives (which line wins, what counts as no log). test_evidence_verdicts.py covers the
findings and `check` levels built on top.
"""

from __future__ import annotations

from typing import Any

from sutazai_tui.core.evidence import backend_mode, join_evidence, quote
from sutazai_tui.models import EndpointKind, EndpointStatus, LogEvidence, LogMatch, Snapshot, State
from tests.builders import BACKEND, at, emergency

NORMAL = "Backend started in normal mode"
EMERG = "Backend started in emergency mode"


def line(signature: str, text: str, seconds: float | None = -30) -> LogMatch:
    return LogMatch(signature=signature, text=text, at=None if seconds is None else at(seconds))


def log(*matches: LogMatch, error: str | None = None, container: str = BACKEND) -> LogEvidence:
    return LogEvidence(container=container, matches=matches, error=error, read_at=at(0))


def joined(e: EndpointStatus, *logs: LogEvidence) -> EndpointStatus:
    [out] = join_evidence(Snapshot(taken_at=at(0), endpoints=(e,), logs=logs), BACKEND).endpoints
    return out


def mcp404(**values: Any) -> EndpointStatus:
    base: dict[str, Any] = {"name": "mcp", "url": "/api/v1/mcp/status", "kind": EndpointKind.MCP}
    base |= {
        "state": State.UNKNOWN,
        "http_code": 404,
        "failure": "mcp-absent",
        "reason": "404",
        "checked_at": at(0),
    }
    return EndpointStatus(**(base | values))


def test_the_newest_mode_line_wins_and_a_timeless_line_cannot_overrule() -> None:
    def mode(*matches: LogMatch) -> str:
        return backend_mode(Snapshot(logs=(log(*matches),)), BACKEND)[0]

    assert mode(line("mode-normal", NORMAL, -60), line("mode-emergency", EMERG, -30)) == "emergency"
    assert mode(line("mode-emergency", EMERG, -60), line("mode-normal", NORMAL, -30)) == "normal"
    assert (
        mode(line("mode-normal", NORMAL, -30), line("init-timeout", "timeout", -30)) == "emergency"
    )  # same second
    assert mode(line("mode-normal", NORMAL, None), line("mode-emergency", EMERG, -30)) == "normal"
    assert mode(line("mode-normal", NORMAL, -30), line("mode-emergency", EMERG, None)) == "normal"
    assert mode() == "unknown"
    assert backend_mode(Snapshot(), BACKEND) == ("unknown", None)
    assert (
        backend_mode(Snapshot(logs=(log(line("mode-emergency", EMERG), container="other"),)), BACKEND)[0]
        == "unknown"
    )


def test_quote_gives_the_lines_time_or_says_it_is_unknown() -> None:
    assert quote(line("x", "hello", 0)) == "[23:15:00 UTC] hello"
    assert quote(line("x", "hello", None)) == "[time unknown] hello"


def test_the_emergency_route_becomes_what_the_log_says() -> None:
    route = emergency(0, 200)
    said = joined(route, log(line("mode-emergency", EMERG)))
    assert (said.state, said.reason) == (
        State.EMERGENCY,
        f"emergency mode, per {BACKEND}'s log: [23:14:30 UTC] {EMERG}",
    )
    normal = joined(route, log(line("mode-normal", NORMAL)))
    assert normal.state is State.OK and normal.reason == (
        f"emergency-fix build deployed; started in normal mode, per {BACKEND}'s log: [23:14:30 UTC] {NORMAL}"
    )
    silent = joined(route, log())
    lead = "emergency-fix build deployed (route answers 200 on every start); mode unknown: "
    assert (silent.state, silent.reason) == (State.OK, lead + "no log line states the mode")
    assert joined(route).reason == lead + "no log to read"
    assert joined(route, log(error="engine fault")).reason == lead + "no log to read"


def test_emergency_by_another_way_needs_the_log_too() -> None:
    other = EndpointStatus(
        name="x", url="/x", kind=EndpointKind.GENERIC, state=State.EMERGENCY, reason="said so"
    )
    demoted = joined(other, log(line("mode-normal", NORMAL)))
    assert (demoted.state, demoted.reason) == (State.UNKNOWN, "said so (mode per log: normal)")
    assert joined(other, log(line("mode-emergency", EMERG))) == other
    failed_route = emergency(0, 200).model_copy(update={"failure": "bad-shape", "state": State.DEGRADED})
    assert joined(failed_route, log(line("mode-emergency", EMERG))) == failed_route  # not the 200 path
    not_200 = emergency(0, 200).model_copy(update={"http_code": 201})
    assert joined(not_200, log(line("mode-normal", NORMAL))).state is State.UNKNOWN


def test_an_mcp_404_is_told_apart_by_the_log() -> None:
    crashed = joined(mcp404(), log(line("mcp-logger", "NameError: name 'logger' is not defined")))
    assert (crashed.state, crashed.failure) == (State.DOWN, "mcp-router-failed")
    said = "[23:14:30 UTC] NameError: name 'logger' is not defined"
    assert crashed.reason == f"404: the MCP router failed to load, per {BACKEND}'s log: {said}"
    absent = joined(mcp404(), log())
    assert (absent.state, absent.failure) == (State.OK, "mcp-absent")
    assert absent.reason.startswith("404: no MCP routes on this build")
    assert joined(mcp404()) == mcp404()  # no log: stays as judged
    assert joined(mcp404(), log(error="engine fault")) == mcp404()
    other_code = mcp404(http_code=503, state=State.DOWN)
    assert joined(other_code, log()) == other_code
    health404 = mcp404(kind=EndpointKind.HEALTH)
    assert joined(health404, log()) == health404
    skipped = mcp404(failure="skipped-budget")  # not asked this cycle: its 404 is an old one
    assert skipped.not_asked and joined(skipped, log()) == skipped
