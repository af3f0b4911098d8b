"""The confirmation before a container action: what will happen, to which container; Cancel first.

`y` confirms, `n` or `escape` cancels. A protected container is confirmed only once its name is
typed exactly: focus starts in the name field and enter confirms once it matches (the core checks
the typed name again: this screen only keeps a wrong one from being sent).
The screen holds no engine: the caller describes the container first and acts after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from sutazai_tui.actions.backends import ContainerBrief
from sutazai_tui.tui.screens.reading import SIDE_STEP
from sutazai_tui.util import fmt

_VERB = {"start": "Start", "stop": "Stop", "restart": "Restart", "kill": "Kill", "recreate": "Recreate"}


@dataclass(frozen=True)
class ConfirmView:
    """What the dialog asks: the action, its effect in words, and the container as it is now."""

    action: str  # "start", "stop", "restart", "kill", "recreate"
    brief: ContainerBrief
    grace_s: int  # Settings.stop_timeout: SIGTERM to SIGKILL
    emergency: bool = False  # the `!` key: the primary service, wherever the cursor is
    because: str | None = None  # why this container when it is not the one highlighted

    @property
    def title(self) -> str:
        """The box's title, e.g. `Stop container?` or `EMERGENCY STOP`."""
        return "EMERGENCY STOP" if self.emergency else f"{_VERB[self.action]} container?"

    @property
    def verb(self) -> str:
        """The confirm button's word."""
        return _VERB[self.action]

    def effect(self) -> str:
        """What will happen, in words an operator acts on."""
        name, grace = self.brief.name, self.grace_s
        term = f"SIGTERM, then SIGKILL if it still runs after {grace}s"
        if self.action == "start":
            return f"Start {name}: the engine starts the stopped container as it is (same config and image)."
        if self.action == "restart":
            return f"Restart {name}: stop it ({term}), then start it again."
        if self.action == "kill":
            return f"Kill {name}: SIGKILL now, no clean shutdown."
        if self.action == "recreate":
            return (
                f"Recreate {name} with its compose project: a new container from the current .env and "
                "image replaces it (the old one is stopped within its compose stop_grace_period and removed)."
            )
        if self.emergency:
            return f"Emergency stop of the primary service {name}: {term}. It stays down until started (R)."
        return f"Stop {name}: {term}. It stays stopped until started (R on it here)."

    def details(self) -> Content:
        """Name and short id, image, state and uptime, as aligned lines."""
        b = self.brief
        state = f"{b.state}, up {fmt.duration(b.uptime_s)}" if b.uptime_s is not None else b.state
        rows: tuple[tuple[str, str], ...] = (
            ("container", f"{b.name}  ({b.short_id})"),
            ("image", b.image or fmt.DASH),
            ("state", state),
        )
        if self.because:  # e.g. an endpoint finding: the primary container is the one acted on
            rows += (("why", self.because),)
        return Content("\n").join(Content.assemble((f"{k:<10}", "$text-muted"), (v, "bold")) for k, v in rows)

    def command(self) -> Content | None:
        """A recreate's exact command, as one line (never wrapped: the dialog scrolls it sideways)."""
        return Content.styled(f"$ {self.brief.command}", "bold") if self.brief.command else None


class ConfirmScreen(ModalScreen[bool]):
    """Asks before a container action; dismisses with True to act, False to cancel."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    #confirm-box {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 1; border: thick $error; border-title-color: $error; border-title-style: bold;
        background: $surface;
    }
    #confirm-effect { margin-bottom: 1; }
    #confirm-runs { color: $text-muted; margin-top: 1; }
    #confirm-command { height: auto; overflow-x: auto; overflow-y: hidden; }
    #confirm-command Static { width: auto; text-wrap: nowrap; }
    #confirm-hint { color: $warning; }
    #confirm-hint.-wrong { color: $error; text-style: bold; }
    #confirm-typed { margin-bottom: 0; }
    #confirm-buttons { height: auto; align-horizontal: right; margin-top: 1; }
    #confirm-buttons Button { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Confirm", id="confirm.yes"),
        Binding("n", "cancel", "Cancel", id="confirm.no"),
        Binding("escape", "cancel", "Cancel", id="confirm.cancel"),
        # A recreate's command is one line, wider than the dialog at 80 columns: ← → scroll it.
        Binding("left", f"scroll_command({-SIDE_STEP})", "Scroll left", show=False, id="confirm.left"),
        Binding("right", f"scroll_command({SIDE_STEP})", "Scroll right", show=False, id="confirm.right"),
    ]

    def __init__(self, view: ConfirmView) -> None:
        super().__init__(id="confirm")
        self.view = view

    @property
    def typed(self) -> str | None:
        """The name typed for a protected container (None when none was asked for)."""
        return self.query_one("#confirm-typed", Input).value if self.view.brief.protected else None

    def compose(self) -> ComposeResult:
        """Effect, container, the typed name if protected, then Cancel and the action."""
        view = self.view
        with Vertical(id="confirm-box") as box:
            box.border_title = view.title
            protected = view.brief.protected
            box.border_subtitle = (
                "type the name + enter · esc cancel" if protected else "y confirm · n/esc cancel"
            )
            yield Static(view.effect(), id="confirm-effect")
            yield Static(view.details(), id="confirm-details")
            command = view.command()
            if command is not None:  # a recreate: exactly what will run, one line
                yield Static("runs (one line: ← → scroll it)", id="confirm-runs")
                with ScrollableContainer(id="confirm-command", can_focus=False):
                    yield Static(command)
            if view.brief.protected:
                yield Static(self._hint(), id="confirm-hint")
                yield Input(placeholder="the container's name", id="confirm-typed")
            with Horizontal(id="confirm-buttons"):
                yield Button("Cancel (n)", id="confirm-cancel", variant="primary")
                yield Button(
                    f"{view.verb} (y)", id="confirm-ok", variant="error", disabled=view.brief.protected
                )

    def _hint(self) -> str:
        verb = self.view.verb.lower()
        return f"{self.view.brief.name} is protected: type its name, then enter to {verb} (escape cancels)"

    def on_mount(self) -> None:
        """Cancel first: a stray Enter must not act. A protected container: the name field first,
        where letters are the name (y and n there are typed, never answers) and enter confirms
        only once the name matches."""
        if self.view.brief.protected:
            self.query_one("#confirm-typed", Input).focus()
        else:
            self.query_one("#confirm-cancel", Button).focus()

    def _name_typed(self) -> bool:
        return not self.view.brief.protected or self.typed == self.view.brief.name

    def action_confirm(self) -> None:
        """Act, unless a protected container's name is not (exactly) typed yet."""
        if self._name_typed():
            self.dismiss(True)
            return
        hint = self.query_one("#confirm-hint", Static)
        hint.update(f"not yet: type {self.view.brief.name} exactly, then enter (escape cancels)")
        hint.add_class("-wrong")
        self.query_one("#confirm-typed", Input).focus()

    def action_scroll_command(self, columns: int) -> None:
        """Scroll the recreate's command sideways (nothing to scroll in other dialogs)."""
        box = next(self.query("#confirm-command").results(ScrollableContainer), None)
        if box is not None:
            box.scroll_to(x=box.scroll_x + columns, animate=False, immediate=True)

    def action_cancel(self) -> None:
        """Do nothing."""
        self.dismiss(False)

    def action_interrupt(self) -> None:
        """ctrl+c cancels (never quits the monitor from a dialog)."""
        self.action_cancel()

    @on(Input.Changed, "#confirm-typed")
    def _typed_changed(self) -> None:
        self.query_one("#confirm-ok", Button).disabled = not self._name_typed()

    @on(Input.Submitted, "#confirm-typed")
    def _typed_submitted(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-ok")
    def _ok_pressed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#confirm-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
