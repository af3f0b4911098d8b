"""Which containers an action may touch, and when: the allow-list actions/policy.py asks first.

Only monitored containers (the monitor's own prefix/label rule, `sources.engine.source.is_selected`)
may be touched; a protected one (`Settings.protected`) needs its name typed; read-only mode refuses
everything; and one action at a time per container. Judged on the container as inspected, by id,
never on a name that might have moved.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sutazai_tui.actions.backends import ContainerInfo
from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.engine.source import is_selected

READ_ONLY = "read-only mode: actions are turned off (read_only / --read-only)"


class AllowList:
    """The rules of who may be touched, over one Settings; thread-safe (one per `Actions`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._busy: set[str] = set()
        self._busy_guard = threading.Lock()

    def is_protected(self, name: str) -> bool:
        """Whether an action on `name` needs its name typed to confirm (`Settings.protected`)."""
        return name in self.settings.protected

    def outside(self, info: ContainerInfo) -> str | None:
        """Why this container is not ours to touch (the prefix/label rule), or None when it is."""
        prefix, labels = self.settings.container_prefix, self.settings.container_labels
        if is_selected(info.name, info.labels, prefix, labels):
            return None
        rule = f"name prefix {prefix!r}"
        if labels:
            rule += f" or labels {', '.join(labels)}"
        return f"{info.name} is not a monitored container ({rule}); not touching it"

    def refusal(self, info: ContainerInfo, typed: str | None) -> str | None:
        """Why acting on this container is refused (outside, or protected and its name not typed)."""
        refusal = self.outside(info)
        if refusal is None and self.is_protected(info.name) and typed != info.name:
            refusal = f"{info.name} is protected: type its name to confirm"
        return refusal

    @contextmanager
    def claim(self, name: str) -> Iterator[bool]:
        """Hold the per-container slot; yields False when another action holds it."""
        with self._busy_guard:
            claimed = name not in self._busy
            self._busy.add(name)
        try:
            yield claimed
        finally:
            if claimed:
                with self._busy_guard:
                    self._busy.discard(name)
