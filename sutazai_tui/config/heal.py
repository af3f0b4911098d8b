"""`[heal]`: the settings of `sutazai-tui heal`, the opt-in remediation (integrations/heal*.py).

Only knobs live here. The policy itself — which finding a restart helps, and why the others get a
page instead — is `integrations.heal_policy.DEFAULT_POLICY`; `actions` here overrides it per
finding id (checked against the known ids when `heal` starts).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

HealAction = Literal["restart", "none"]


class HealConfig(BaseModel):
    """`[heal]` table. Every default is the conservative one."""

    model_config = ConfigDict(extra="forbid")

    apply: bool = False
    """Act for real; false (the default) is a dry run that only says what it would do (`--apply` wins)."""
    cycles: int = Field(default=3, ge=1, le=1000)
    """A finding must hold this many consecutive cycles before heal acts on it."""
    per_container_hour: int = Field(default=2, ge=0, le=100)
    """At most this many actions on one container within any hour."""
    per_deployment_hour: int = Field(default=4, ge=0, le=1000)
    """At most this many actions on the whole deployment within any hour."""
    grace: float = Field(default=120.0, gt=0, le=86400)
    """Seconds after an action for its finding to clear; still there then: the breaker opens."""
    actions: dict[str, HealAction] = Field(default_factory=dict)
    """Finding id -> `restart` or `none` (page instead), over the shipped policy."""
    state_dir: Path | None = None
    """Where heal keeps its lock and status file; default `<state_dir>/heal`. The TUI and the
    exporter read heal's status here too, so point theirs at the service's folder."""
