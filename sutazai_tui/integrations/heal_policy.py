"""What `heal` may do about each finding, and why: the shipped policy and the checks a restart needs.

A restart helps only where the container's own process is wedged and its configuration is right.
Everything whose fix is a recreate (new env, new image) or a person gets a page instead: the
deployment's old `health-monitor-daemon.sh` restarted whatever looked unhealthy, and in the
2025-08-17 incident that meant a backend without SECRET_KEY restarting into the same failure
forever. `sutazai-tui heal --explain` prints this policy. Pure functions, no I/O, no textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sutazai_tui.config.heal import HealAction
from sutazai_tui.config.settings import ConfigError, Settings
from sutazai_tui.models import ContainerStats, Finding, LogMatch, Snapshot


@dataclass(frozen=True, slots=True)
class Rule:
    """One finding id's action and the reason it ships so."""

    action: HealAction
    reason: str


# finding id -> the shipped rule. Every id of `diagnosis.run.FINDINGS` is here (a test holds them
# to each other): a new finding must decide, with a reason, before heal ships with it.
DEFAULT_POLICY: dict[str, Rule] = {
    "unhealthy": Rule(
        "restart",
        "its own health check fails while its config is right: a restart clears a wedged process "
        "(only when the container has a health check and no recreate finding)",
    ),
    "startup-hang": Rule(
        "restart",
        "only where the backend's log shows a dependency failed and the dependency is up again: then a "
        "restart re-runs a start-up that can now finish; without that evidence the hang is its own "
        "(the 2025-08-17 circular init wait) and a restart re-enters it",
    ),
    "missing-env": Rule("none", "a restart keeps the same env: the fix is setting it and a recreate"),
    "env-name-mismatch": Rule(
        "none", "a restart keeps the same env: the fix is the sibling name and a recreate"
    ),
    "stale-image": Rule("none", "a restart keeps the old image: the fix is a recreate"),
    "restart-loop": Rule("none", "it already restarts and fails each time: another restart adds nothing"),
    "crashed": Rule("none", "it exited with an error: someone must read why before it runs again"),
    "oom-killed": Rule("none", "it would be killed again: the fix is its memory limit or its use"),
    "emergency-build": Rule("none", "the wrong build is deployed: the fix is a rebuild and a recreate"),
    "stuck-initializing": Rule("none", "self-report only: not evidence enough to act on"),
    "self-report-contradicted": Rule("none", "the fix is the dependency, which a person must look at"),
    "dependency-down": Rule(
        "none", "a hung or refusing dependency: a person looks at it (a stopped process needs SIGCONT)"
    ),
    "mcp-router-failed": Rule("none", "a code fault in the build: a restart loads the same code"),
    "cpu-saturated": Rule(
        "none", "a busy loop is a symptom: a restart hides what it loops on, a person should look first"
    ),
}
UNKNOWN_RULE = Rule("none", "no shipped rule for this finding: a person decides")
# A log line that says a dependency failed -> the dependency (probe name / container suffix).
DEPENDENCY_SIGNATURES: dict[str, str] = {"redis-connect": "redis"}
PAGED_SEVERITIES = frozenset({"critical", "warning"})  # info findings are not heal's business


def policy_for(settings: Settings) -> dict[str, Rule]:
    """The shipped policy with `[heal] actions` on top; ConfigError for an id no detector makes."""
    overrides: Mapping[str, HealAction] = settings.heal.actions
    unknown = sorted(set(overrides) - set(DEFAULT_POLICY))
    if unknown:
        known = ", ".join(DEFAULT_POLICY)
        raise ConfigError(
            f"[heal] actions names unknown finding id {', '.join(unknown)} — use one of: {known}"
        )
    policy = dict(DEFAULT_POLICY)
    for fid, action in overrides.items():
        if action != policy[fid].action:
            policy[fid] = Rule(action, f"set in the config ([heal] actions.{fid} = {action!r})")
    return policy


def target_of(finding: Finding, snapshot: Snapshot, settings: Settings) -> ContainerStats | None:
    """The container a finding is about: its subject, or the primary for an endpoint's (the backend
    answers there: `startup-hang`, `emergency-build`, …); None for anything else."""
    found = snapshot.container(finding.subject)
    if found is None and snapshot.endpoint(finding.subject) is not None:
        found = snapshot.container(settings.primary_service)
    return found


def restart_helps(
    finding: Finding, container: ContainerStats, snapshot: Snapshot, settings: Settings
) -> str | None:
    """None when the evidence says a restart can clear this finding; else why not (one line)."""
    if finding.id == "unhealthy":
        if container.health is None:
            return f"{container.name} has no health check: nothing says a restart would help"
        if container.state != "running":
            return f"{container.name} is {container.state}, not a running container failing its check"
        return None
    if finding.id == "startup-hang":
        return _dependency_back(container, snapshot, settings)
    return None  # a `restart` override of another id: the operator chose it


def _dependency_back(container: ContainerStats, snapshot: Snapshot, settings: Settings) -> str | None:
    """None when the log shows a dependency failed and that dependency is up now; else why not."""
    log = snapshot.log(container.name)
    failed: list[tuple[LogMatch, str]] = []
    if log is not None:
        failed = [
            (m, DEPENDENCY_SIGNATURES[m.signature])
            for m in log.matches
            if m.signature in DEPENDENCY_SIGNATURES
        ]
    if not failed:
        return (
            f"{container.name}'s log shows no dependency failure: the hang is its own start-up (as on "
            f"2025-08-17) and a restart re-enters it"
        )
    match, dependency = failed[-1]
    up = _dependency_up(dependency, match, snapshot, settings)
    if up is None:
        said = match.text[:80]
        return f"{container.name}'s log says {dependency} failed ({said!r}) and nothing shows it back yet"
    return None


def _dependency_up(dependency: str, failed: LogMatch, snapshot: Snapshot, settings: Settings) -> str | None:
    """What shows `dependency` up now (after the failure line), or None."""
    probe = snapshot.probe(dependency)
    if probe is not None and probe.up:
        return f"probe {probe.address} answers"
    dep = snapshot.container(settings.container_prefix + dependency)
    if dep is None or dep.state != "running" or dep.health in ("unhealthy", "starting"):
        return None
    if (
        failed.at is not None
        and dep.started_at is not None
        and dep.started_at < failed.at
        and dep.health is None
    ):
        return None  # running all along, no health check: nothing says it came back
    return f"{dep.name} runs" + (f" ({dep.health})" if dep.health else "")
