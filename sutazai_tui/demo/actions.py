"""The demo fleet's action backend: `FleetBackend` adapts the simulated fleet to the same
`ActionBackend` calls the Docker engine answers, so `--demo` goes through the real policy and
audit log. Built by demo/factory.py, the one place the demo plugs into a Session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sutazai_tui.actions.backends import ContainerGone, ContainerInfo
from sutazai_tui.models import ContainerStats
from sutazai_tui.sources.engine.compose_labels import RecreatePlan


class SimulatedEngine(Protocol):
    """What FleetBackend needs of the demo's SimulatedFleet (it acts by name)."""

    @property
    def engine(self) -> str:
        """ "simulated"."""
        ...

    def inspect(self, name: str) -> ContainerStats:
        """The container now, without side effects; LookupError when there is none."""
        ...

    def stop(self, name: str) -> None:
        """Stop it."""
        ...

    def restart(self, name: str) -> None:
        """Restart it."""
        ...

    def recreate_service(self, service: str) -> None:
        """Replace this compose service's container with a new one (new id); LookupError if none."""
        ...


class FleetBackend:
    """Actions on the demo's simulated fleet, so `--demo` goes through the same policy and audit."""

    runs_on_host = False  # a recreate is played on the fleet: no compose files or CLI needed here

    def __init__(self, fleet: SimulatedEngine) -> None:
        self.fleet = fleet
        self._names: dict[str, str] = {}  # id -> name: the fleet acts by name

    @property
    def engine(self) -> str:
        """Where actions go: the fleet's engine label."""
        return self.fleet.engine

    def inspect(self, name: str) -> ContainerInfo:
        """The simulated container now, by name or by an id this backend has seen."""
        try:
            c = self.fleet.inspect(self._names.get(name, name))
        except LookupError:
            raise ContainerGone(f"container {name} no longer exists") from None
        self._names[c.id] = c.name
        fields = ("name", "id", "image", "state", "started_at", "exit_code", "labels")
        return ContainerInfo(**{f: getattr(c, f) for f in fields})

    def stop(self, ref: str, timeout: int) -> None:
        """Stop at once: simulated containers always honour SIGTERM."""
        self._act(self.fleet.stop, ref)

    def restart(self, ref: str, timeout: int) -> None:
        """Restart at once."""
        self._act(self.fleet.restart, ref)

    def start(self, ref: str, timeout: int) -> None:
        """Start at once (the fleet's restart brings a stopped container up)."""
        self._act(self.fleet.restart, ref)

    def kill(self, ref: str) -> None:
        """The fleet has no kill; a stop looks the same from outside."""
        self._act(self.fleet.stop, ref)

    def recreate(self, plan: RecreatePlan, timeout: int) -> str:
        """Played on the fleet (a new container for the service); says the command it stands for."""
        self._act(self.fleet.recreate_service, plan.argv[-1])  # the plan ends with the service
        return f"simulated (demo): {plan.command}"

    def _act(self, action: Callable[[str], None], ref: str) -> None:
        try:
            action(self._names.get(ref, ref))
        except LookupError:
            raise ContainerGone(f"container {ref} no longer exists") from None

    def close(self) -> None:
        """Nothing to release: the fleet lives in this process."""
