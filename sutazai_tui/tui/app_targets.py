"""Several deployments in one app (`[[targets]]`): the keys and palette entries that switch targets.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API. Each
target is a `Session` polling on its own worker (app.py starts them all through `Session.run`);
switching only points `app.shown` at another session and repaints from its latest snapshot.
Without `[[targets]]` there is one session and the number keys are hidden and inert.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType

from sutazai_tui.models import ContainersStatus, Event, Finding, Snapshot
from sutazai_tui.session.session import Session
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.endpoint_panel import EndpointPanel
from sutazai_tui.tui.widgets.event_log import EventLog
from sutazai_tui.tui.widgets.header import TargetTab
from sutazai_tui.tui.widgets.host_panel import HostPanel

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings

TARGET_KEYS = 9
POLL_GROUP = "poll"


def _target_binding(key: int) -> Binding:
    # Hidden from the footer (it has no room for nine), listed in help; inert without [[targets]].
    tip = f"Show target {key} ([[targets]] order)"
    return Binding(
        str(key), f"switch_target({key})", f"Target {key}", show=False, tooltip=tip, id=f"target.{key}"
    )


TARGETS_BINDINGS: list[BindingType] = [_target_binding(k) for k in range(1, TARGET_KEYS + 1)]


class TargetsMixin(App[int]):
    """Several targets, one shown at a time."""

    sessions: tuple[Session, ...]
    shown: Session
    snapshot: Snapshot | None
    _repolled: ContainersStatus | None
    _panels: dict[str, EndpointPanel]
    _latencies: dict[str, tuple[float | None, ...]]
    clock: Callable[[], datetime]

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...
        def show_snapshot(self, snapshot: Snapshot, events: Sequence[Event] = ()) -> None: ...
        def show_findings(self, findings: Sequence[Finding]) -> None: ...
        def _refresh_header(self, now: datetime) -> None: ...
        def _render_panels(self, now: datetime) -> None: ...

    def target_tabs(self) -> tuple[TargetTab, ...]:
        """What the header shows of the targets (nothing without `[[targets]]`)."""
        if not self.shown.key:
            return ()
        return tuple(TargetTab(s.key, s.name, s is self.shown, s.trouble) for s in self.sessions)

    def targets_commands(self) -> Iterator[SystemCommand]:
        """Palette entries: one "Switch to <name>" per target."""
        for session in self.sessions if self.shown.key else ():
            key = f" (key {session.key})" if session.key <= TARGET_KEYS else ""
            yield SystemCommand(
                f"Switch to {session.name}",
                f"{session.settings.base_url}{key}",
                partial(self.switch_target, session),
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys 1-9 exist only for configured targets (hidden and inert otherwise)."""
        if action == "switch_target":
            return any(s.key and s.key == parameters[0] for s in self.sessions)
        return super().check_action(action, parameters)

    def action_switch_target(self, key: int) -> None:
        """Show the target bound to this key."""
        for session in self.sessions:
            if session.key == key:
                self.switch_target(session)

    def switch_target(self, session: Session) -> None:
        """Show `session`: point the screen at it, then repaint from its latest snapshot."""
        if session is self.shown:
            return
        self.shown, self._repolled = session, None
        self._rebuild_panels()
        now = self.clock()
        if session.snapshot is not None:
            self.show_snapshot(session.snapshot)
        else:  # not polled yet: blank panels rather than the other target's data
            self.snapshot, self._latencies = None, {}
            self._render_panels(now)
            self.query_one(ContainerTable).show(None, now, enabled=self.settings.containers)
            self.query_one(HostPanel).show(None)
            self.query_one(EventLog).show(session.history.events)
        self.show_findings(session.findings)
        self._refresh_header(now)

    def _rebuild_panels(self) -> None:
        # All targets share the endpoint list today; rebuild only if a target's differs.
        names = [e.name for e in self.settings.all_endpoints()]
        if list(self._panels) == names:
            return
        for panel in self._panels.values():
            panel.remove()
        self._panels.clear()
        box = self.query_one("#endpoints")
        for name in names:
            self._panels[name] = panel = EndpointPanel(name)
            box.mount(panel)
