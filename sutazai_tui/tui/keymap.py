"""The `[keymap]` setting: which binding ids exist, in which key spaces, and which remaps clash.

Checked in `SutazaiApp.__init__`: an unknown id or a clash is a `ConfigError` (one line, exit 2)
before anything is drawn. Each main screen (live, replay) shares its key space with the App's own
keys (quit); every other screen or widget with bindings is a key space of its own. The screens are
imported when a keymap is checked, not with this module: the Dashboard's first frame needs none of
those its keys open (tests/unit/test_lean_imports.py).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from sutazai_tui.config.errors import ConfigError
from sutazai_tui.tui.screens.dashboard import Dashboard
from sutazai_tui.tui.screens.live import LiveScreen
from sutazai_tui.tui.screens.live_keys import TARGET_BINDINGS


def keymap_scopes_first() -> list[type[DOMNode]]:
    """Screens and widgets whose bindings the keymap may remap, each its own key space; any other
    sutazai_tui widget with bindings of its own is found among the classes imported, so every
    screen a key opens is imported here (the Dashboard imports them only when opened)."""
    from sutazai_tui.tui.screens import confirm, container, finding, time_prompt  # noqa: F401
    from sutazai_tui.tui.screens.help import HelpScreen
    from sutazai_tui.tui.screens.inspect import InspectScreen
    from sutazai_tui.tui.screens.logs import LogsScreen
    from sutazai_tui.tui.widgets.filter_bar import FilterBar

    return [LogsScreen, InspectScreen, HelpScreen, FilterBar]


def main_screens() -> dict[str, type[Dashboard]]:
    """The two main screens, each sharing its key space with the App's keys."""
    from sutazai_tui.tui.screens.replay import ReplayScreen

    return {"main screen": LiveScreen, "replay screen": ReplayScreen}


def _our_widgets() -> list[type[DOMNode]]:
    found, stack = keymap_scopes_first(), list(DOMNode.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        ours = cls.__module__.startswith("sutazai_tui.tui.") and cls.__dict__.get("BINDINGS")
        if ours and cls not in found and not issubclass(cls, Dashboard):
            found.append(cls)
    return found


def keymap_scopes(app_class: type[App[int]]) -> dict[str, dict[str, list[Binding]]]:
    """Each key space (each main screen with the app's keys, then each other screen) as key -> bindings."""
    app_keys = app_class._merge_bindings().key_to_bindings
    spaces: dict[str, dict[str, list[Binding]]] = {}
    for name, screen in main_screens().items():
        merged = {k: list(v) for k, v in screen._merge_bindings().key_to_bindings.items()}
        if screen is LiveScreen:  # bound per screen, as many as there are targets: all may be
            for binding in TARGET_BINDINGS:
                merged.setdefault(binding.key, []).append(binding)
        for key, bindings in app_keys.items():
            merged.setdefault(key, []).extend(bindings)
        spaces[name] = merged
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
                    f"[keymap] '{remapped[0]}' = {key!r} clashes with {others} on the same key ({space})"
                    " — pick another key"
                )
    return normal
