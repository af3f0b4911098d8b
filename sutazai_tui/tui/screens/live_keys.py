"""The live Dashboard's keys: its bindings in footer order, the `[[targets]]` keys, and the two
ways its footer changes with what is on screen (acting keys hidden when read-only; the restart
key says Start on a stopped container). LiveScreen (live.py) binds them; keymap.py remaps them.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingType

from sutazai_tui.tui.screens.dashboard import FILTER, HELP, SNAPSHOT, TABLE

TARGET_KEYS = 9
ACTING_KEYS = frozenset({"stop", "restart", "recreate", "emergency_stop"})  # binding ids
STOPPED = frozenset({"exited", "created", "dead"})  # the restart key starts these

# What a screen's binding map is (Textual's `BindingsMap.key_to_bindings`): changed in place.
KeyMap = dict[str, list[Binding]]


def _target_binding(key: int) -> Binding:
    # Hidden from the footer (it has no room for nine), listed in help.
    tip = f"Show target {key} ([[targets]] order)"
    return Binding(
        str(key), f"switch_target({key})", f"Target {key}", show=False, tooltip=tip, id=f"target.{key}"
    )


# Bound per screen, one per configured target: without [[targets]] the keys do not exist at all.
TARGET_BINDINGS = [_target_binding(k) for k in range(1, TARGET_KEYS + 1)]

RESTART_TIP = "Restart the selected container (a stopped one: start it)"
START_TIP = "Start the selected (stopped) container"

LIVE_BINDINGS: list[BindingType] = [
    # Footer order is binding order: what an operator reaches for first comes first.
    Binding("r", "poll_now", "Poll", tooltip="Poll now (joins a cycle already running)", id="poll_now"),
    Binding("p", "toggle_pause", "Pause", tooltip="Pause / resume polling", id="pause"),
    # The tooltip is the long form the help screen shows; the description fits the footer.
    Binding("x", "stop_container", "Stop", tooltip="Stop the selected container (kill: palette)", id="stop"),
    Binding("R", "restart_container", "Restart", tooltip=RESTART_TIP, id="restart"),
    Binding(
        "C",
        "recreate_container",
        "Recreate",
        show=False,
        tooltip="Recreate the selected container (compose)",
        id="recreate",
    ),
    Binding(
        "exclamation_mark",
        "emergency_stop",
        "E-stop",
        key_display="!",
        tooltip="Emergency stop of the primary service",
        id="emergency_stop",
    ),
    SNAPSHOT,
    Binding("l", "logs", "Logs", tooltip="Logs of the selected container", id="logs"),
    Binding("i", "inspect", "Inspect", show=False, tooltip="Inspect the selected container", id="inspect"),
    *TABLE,
    FILTER,
    HELP,
]


def hide_acting_keys(bindings: KeyMap) -> None:
    """Read-only: the footer shows only keys that work. The keys stay bound, so pressing one
    still says why (read-only) and the refusal is audited."""
    for key, found in bindings.items():
        bindings[key] = [replace(b, show=False) if b.id in ACTING_KEYS else b for b in found]


def label_restart_key(bindings: KeyMap, start: bool) -> bool:
    """The restart key's footer word: `Start` on a stopped container; whether anything changed."""
    word, tip = ("Start", START_TIP) if start else ("Restart", RESTART_TIP)
    changed = False
    for key, found in bindings.items():
        fixed = [replace(b, description=word, tooltip=tip) if b.id == "restart" else b for b in found]
        if fixed != found:
            bindings[key], changed = fixed, True
    return changed
