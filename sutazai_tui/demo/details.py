"""Simulated logs and inspect for the demo's fleet: `FleetDetails` reads them as the engine's
reader would (sources/engine/details.py), bounded by the same windows; demo/factory.py hands it
to the Session and the Monitor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from sutazai_tui.sources.engine.details import (
    HIDDEN,
    DetailsError,
    InspectView,
    LogLine,
    LogWindow,
    WindowedLogs,
    sections,
)

_OK_LINES = ("GET /health 200", "cache hit ratio 0.97", "heartbeat ok")
# (start-up lines written once, lines repeated after them) for one simulated container now.
LogScript = Callable[[str], tuple[Sequence[str], Sequence[str]]]


def _plain_script(name: str) -> tuple[Sequence[str], Sequence[str]]:
    return (), _OK_LINES


def _wall() -> datetime:
    return datetime.now(UTC)


class FleetDetails(WindowedLogs):
    """Simulated logs and inspect for `SimulatedFleet` containers: one line a second per container.

    With `started` and `script` (the fleet gives both) a container's log begins at its start with
    its start-up lines, then repeats its running lines, as a real container's log would.
    """

    def __init__(
        self,
        phase: Callable[[], str],
        images: Mapping[str, str],
        env: Callable[[str, str], Sequence[str]],
        clock: Callable[[], datetime] = _wall,
        started: Callable[[str], datetime | None] | None = None,
        script: LogScript = _plain_script,
    ) -> None:
        self._phase, self._images, self._env, self._clock = phase, images, env, clock
        self._origin = clock() - timedelta(minutes=10)
        self._started, self._script = started, script

    def _get_image(self, name: str) -> str:
        if name not in self._images:
            raise DetailsError(f"no simulated container named {name!r}")
        return self._images[name]

    def read_window(self, name: str, window: LogWindow) -> list[LogLine]:
        """Simulated lines newer than `since_ns` / older than `until_ns` (the last `tail` seconds' worth)."""
        tail, since_ns, until_ns = window.tail, window.since_ns, window.until_ns
        self._get_image(name)
        origin = (self._started(name) if self._started is not None else None) or self._origin
        origin_ns = int(origin.replace(microsecond=0).timestamp()) * 1_000_000_000 + origin.microsecond * 1000
        once, pool = self._script(name)
        if not once and not pool:
            pool = _OK_LINES
        # Start-up lines come out within the first second; running lines one a second after that.
        found = [LogLine(origin_ns + k * 1_000_000, text) for k, text in enumerate(once)]
        last = int((self._clock() - origin).total_seconds())
        if until_ns:
            last = min(last, (until_ns - origin_ns) // 1_000_000_000)
        if pool:
            first = max(1, last - tail + 1, (since_ns - origin_ns) // 1_000_000_000 if since_ns else 1)
            found += [
                LogLine(origin_ns + k * 1_000_000_000, f"{name} [{k:05d}] {pool[k % len(pool)]}")
                for k in range(first, last + 1)
            ]
        return [x for x in found if x.ts_ns > since_ns and (not until_ns or x.ts_ns <= until_ns)]

    def secret_values(self, name: str) -> tuple[str, ...]:
        """The simulated fleet's env has names only, so there is no value to mask."""
        self._get_image(name)
        return ()

    def inspect(self, name: str) -> InspectView:
        """A plausible inspect view of the simulated container."""
        image = self._get_image(name)
        return sections(
            name,
            image=(image,),
            command=(f"/entrypoint.sh {name.removeprefix('sutazai-')}",),
            ports=("none (simulated)",),
            mounts=("none (simulated)",),
            restart=("unless-stopped",),
            health=("test: CMD-SHELL curl -f http://localhost/health", "interval 30s"),
            labels=("com.docker.compose.project=sutazai",),
            env=[f"{n}={HIDDEN}" for n in self._env(name, self._phase())],
        )
