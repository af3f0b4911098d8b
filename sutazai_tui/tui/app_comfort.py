"""Operator comfort: logs, inspect, sort, alerts, keymap and themes.

A mixin of `SutazaiApp` (app.py), itself an `App` so the type checker knows Textual's API; it
declares the attributes of SutazaiApp it uses. Its bindings go into `COMFORT_BINDINGS`, its palette
entries come from `comfort_commands`. `comfort_setup` (called from SutazaiApp.__init__) checks the
`[keymap]` and `theme` settings and raises `ConfigError` (exit 2) before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message

from sutazai_tui.config.settings import ConfigError, Settings
from sutazai_tui.core.alerts import alert_events, alert_message, run_hook
from sutazai_tui.core.history import History
from sutazai_tui.models import ContainerStats, Event
from sutazai_tui.tui.screens.help import HelpScreen
from sutazai_tui.tui.screens.inspect import InspectScreen
from sutazai_tui.tui.screens.logs import LogsScreen
from sutazai_tui.tui.widgets.container_table import ContainerTable
from sutazai_tui.tui.widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from sutazai_tui.session.session import Session

COMFORT_BINDINGS: list[BindingType] = [
    Binding("l", "logs", "Logs", tooltip="Logs of the selected container", id="logs"),
    Binding("i", "inspect", "Inspect", show=False, tooltip="Inspect the selected container", id="inspect"),
    Binding("o", "sort_next", "Sort", show=False, id="sort"),
    Binding("O", "sort_reverse", "Reverse sort", show=False, id="sort_reverse"),
    Binding("v", "only_troubled", "Only not OK", show=False, id="only_troubled"),
]
MAX_TOASTS = 3  # more alerts than this in one cycle make one summary notification
# Screens and widgets whose bindings the keymap may remap, each its own key space; any other
# sutazai_tui widget with bindings of its own (e.g. the confirm screen) is found when imported.
KEYMAP_SCOPES: list[type[DOMNode]] = [LogsScreen, InspectScreen, HelpScreen, FilterBar]


def _our_widgets() -> list[type[DOMNode]]:
    found, stack = list(KEYMAP_SCOPES), list(DOMNode.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        ours = cls.__module__.startswith("sutazai_tui.tui.") and cls.__dict__.get("BINDINGS")
        if ours and cls not in found:
            found.append(cls)
    return found


def keymap_scopes(app_class: type[App[int]]) -> dict[str, dict[str, list[Binding]]]:
    """Each key space (the app, then each screen) as key -> bindings, after Textual's own merging."""
    spaces = {"app": app_class._merge_bindings().key_to_bindings}
    spaces.update({cls.__name__: cls._merge_bindings().key_to_bindings for cls in _our_widgets()})
    return spaces


def binding_ids(app_class: type[App[int]]) -> list[str]:
    """Every binding id a `[keymap]` entry may name."""
    spaces = keymap_scopes(app_class).values()
    return sorted({b.id for keys in spaces for bindings in keys.values() for b in bindings if b.id})


def check_keymap(keymap: Mapping[str, str], app_class: type[App[int]]) -> dict[str, str]:
    """The keymap with keys normalised ("/" -> "slash"); ConfigError on an unknown id or a clash."""
    known = binding_ids(app_class)
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            raise ConfigError(f"[keymap] unknown binding id '{binding_id}' — use one of: {', '.join(known)}")
        if not all(k.strip() for k in keys.split(",")):
            raise ConfigError(f"[keymap] '{binding_id}' = {keys!r} has an empty key — give a key name")
    normal = dict(App._normalize_keymap(dict(keymap)))
    for space, key_map in keymap_scopes(app_class).items():
        final: dict[str, list[str]] = {}
        for key, bindings in key_map.items():
            for b in bindings:
                shown = b.id or b.action
                for new in normal[b.id].split(",") if b.id and b.id in normal else [key]:
                    if shown not in final.setdefault(new, []):
                        final[new].append(shown)
        for key, ids in final.items():
            remapped = [i for i in ids if i in normal]
            if len(ids) > 1 and remapped:
                others = ", ".join(f"'{i}'" for i in ids if i != remapped[0])
                raise ConfigError(
                    f"[keymap] '{remapped[0]}' = {key!r} clashes with {others} on the same key"
                    f" ({'main screen' if space == 'app' else space}) — pick another key"
                )
    return normal


class HookFailed(Message):
    """The on_state_change command failed or timed out: one line for a notification."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class ComfortMixin(App[int]):
    """Operator comfort."""

    if TYPE_CHECKING:

        @property
        def settings(self) -> Settings: ...
        @property
        def history(self) -> History: ...

    replay: bool
    shown: Session

    def comfort_setup(self) -> None:
        """Check and apply `[keymap]` and `theme`; ConfigError (one line) when either is wrong."""
        theme = self.settings.theme
        if theme is not None and theme not in self.available_themes:
            names = ", ".join(sorted(self.available_themes))
            raise ConfigError(
                f"invalid setting 'theme' = {theme!r}: not a Textual theme — use one of: {names}"
            )
        if self.settings.keymap:
            self.set_keymap(check_keymap(self.settings.keymap, type(self)))
        if theme is not None:
            self.theme = theme

    def comfort_commands(self) -> Iterator[SystemCommand]:
        """Entries for the command palette."""
        yield SystemCommand("Logs", "Last lines of the selected container's log", self.action_logs)
        yield SystemCommand("Inspect", "The selected container's configuration", self.action_inspect)
        yield SystemCommand("Sort by next column", "Cycle the container table's sort", self.action_sort_next)
        yield SystemCommand("Reverse sort", "Flip the container table's order", self.action_sort_reverse)
        yield SystemCommand("Only not OK", "Toggle: troubled containers only", self.action_only_troubled)

    def _target(self, what: str) -> ContainerStats | None:
        if self.replay:
            self.notify(f"replay: no live container to {what}", severity="warning")
            return None
        chosen = self.query_one(ContainerTable).selected_container()
        if chosen is None:
            self.notify(f"no container selected to {what}", severity="warning")
        return chosen

    def action_logs(self) -> None:
        """The selected container's last lines, with follow and search."""
        if (chosen := self._target("read logs of")) is not None:
            self.push_screen(LogsScreen(chosen.name, self.shown.details()))

    def action_inspect(self) -> None:
        """The selected container's configuration as a tree."""
        if (chosen := self._target("inspect")) is not None:
            self.push_screen(InspectScreen(chosen.name, self.shown.details()))

    def action_sort_next(self) -> None:
        """Sort the table by the next column (worst-first comes round again)."""
        self.query_one(ContainerTable).cycle_sort()

    def action_sort_reverse(self) -> None:
        """Reverse the table's order."""
        self.query_one(ContainerTable).toggle_sort_reverse()

    def action_only_troubled(self) -> None:
        """List only containers that are not OK (or all again)."""
        self.query_one(ContainerTable).toggle_troubled_only()

    def comfort_alert(self, events: Sequence[Event]) -> None:
        """Bell, notification and hook for transitions into DOWN or EMERGENCY."""
        bad = alert_events(events)
        if not bad:
            return
        if self.settings.bell:
            self.bell()
        if len(bad) > MAX_TOASTS:  # an engine outage must not bury the screen in toasts
            names = ", ".join(e.subject.removeprefix("container:") for e in bad[:MAX_TOASTS])
            self.notify(f"{len(bad)} went DOWN/EMERGENCY: {names}, …", severity="error", timeout=10)
        for event in bad if len(bad) <= MAX_TOASTS else ():
            self.notify(alert_message(event), severity="error", timeout=10)
        if self.settings.on_state_change:
            self._run_hooks(list(self.settings.on_state_change), bad, self.settings.hook_timeout)

    @work(thread=True, exit_on_error=False, group="alert-hook")
    def _run_hooks(self, argv: list[str], events: Iterable[Event], timeout: float) -> None:
        # One notification per batch: a hook that fails for every subject of an outage must not
        # bury the screen in identical toasts (the alerts themselves are summarised the same way).
        problems = [p for event in events if (p := run_hook(argv, event, timeout)) is not None]
        if problems:
            more = f" (and {len(problems) - 1} more failed runs)" if len(problems) > 1 else ""
            self.post_message(HookFailed(problems[0] + more))

    @on(HookFailed)
    def _hook_failed(self, message: HookFailed) -> None:
        self.notify(message.problem, severity="warning", timeout=10)
