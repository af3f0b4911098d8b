"""What a container key acts on: the thing the operator sees highlighted, never a guess.

The findings list focused: the highlighted finding's container — an endpoint's finding names no
container, so it acts on the primary one and the dialog says so. The table focused: the row under
the cursor. The container screen: its own container (LiveScreen.act_for). Anything else focused
(events, panels): no target, and the key says what to select instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sutazai_tui.config.settings import Settings
from sutazai_tui.models import Finding, Snapshot

SELECT_FIRST = "select a container in the table or a finding first (tab moves the focus)"
NOTHING_IN_TABLE = "no container in the table to act on"


@dataclass(frozen=True)
class Aim:
    """The container a key acts on, and why when it is not the one highlighted."""

    name: str
    because: str | None = None


def aim_at_finding(finding: Finding | None, snapshot: Snapshot | None, settings: Settings) -> Aim | str:
    """The container behind a finding, or what to select when it names none."""
    if finding is None:
        return "no finding highlighted: " + SELECT_FIRST
    if snapshot is not None and snapshot.container(finding.subject) is not None:
        return Aim(finding.subject)
    endpoints = {e.name for e in settings.all_endpoints()}
    if snapshot is not None:
        endpoints |= {e.name for e in snapshot.endpoints}
    if finding.subject in endpoints:
        primary = settings.primary_service
        return Aim(
            primary, f"the finding is about the endpoint {finding.subject}: the primary container {primary}"
        )
    return f"the finding about {finding.subject} names no container: select one in the table"
