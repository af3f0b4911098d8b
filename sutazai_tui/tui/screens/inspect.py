"""The `i` screen: the selected container's configuration as a tree (env names only, values •••)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static, Tree

from sutazai_tui.sources.engine.details import ContainerDetails, DetailsError, InspectView
from sutazai_tui.tui.literal import content, rich_text


class InspectFetched(Message):
    """The inspect view, or the one-line reason it could not be read."""

    def __init__(self, view: InspectView | None, error: str | None) -> None:
        super().__init__()
        self.view, self.error = view, error


class InspectScreen(Screen[None]):
    """Image, command, ports, mounts, restart policy, health check, labels, env names."""

    DEFAULT_CSS = """
    InspectScreen #inspect-status { height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; }
    InspectScreen #inspect-tree { height: 1fr; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="inspect.close"),
        Binding("q", "close", "Back", show=False, id="inspect.close_q"),
    ]

    def __init__(
        self, container: str, details: ContainerDetails, state: Sequence[tuple[str, str]] = ()
    ) -> None:
        super().__init__(id="inspect")
        self.container, self.details = container, details
        self.state = tuple(state)  # the state block (exit code, restarts, OOM…) from the last cycle
        self.view: InspectView | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        """Status line, tree, footer."""
        yield Static(content(f"inspect {self.container}: reading…"), id="inspect-status")
        yield Tree(rich_text(self.container), id="inspect-tree")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """Read in a thread; the tree fills when the answer comes."""
        self.query_one(Tree).focus()
        self._read()

    @work(thread=True, exit_on_error=False, group="inspect")
    def _read(self) -> None:
        try:
            self.post_message(InspectFetched(self.details.inspect(self.container), None))
        except DetailsError as exc:
            self.post_message(InspectFetched(None, str(exc)))
        except Exception as exc:  # still one line in the view, not a crash
            self.post_message(InspectFetched(None, f"inspect {self.container}: {type(exc).__name__}: {exc}"))

    @on(InspectFetched)
    def _fetched(self, message: InspectFetched) -> None:
        self.view, self.error = message.view, message.error
        status = self.query_one("#inspect-status", Static)
        tree: Tree[None] = self.query_one(Tree)
        tree.clear()
        if message.view is None:
            status.update(content(message.error or "no answer"))
            tree.root.add_leaf(rich_text(message.error or "no answer"))
        else:
            status.update(content(f"inspect {message.view.name} (env values are never read: •••)"))
            if self.state:
                node = tree.root.add("state", expand=True)
                for key, value in self.state:
                    node.add_leaf(rich_text(f"{key}: {value}"))
            for title, lines in message.view.sections:
                node = tree.root.add(rich_text(title), expand=True)
                for line in lines:
                    node.add_leaf(rich_text(line))
        tree.root.expand()

    def labels(self) -> list[str]:
        """Every label in the tree, depth first (what the screen can show)."""
        found: list[str] = []
        stack = [self.query_one(Tree).root]
        while stack:
            node = stack.pop()
            found.append(str(node.label))
            stack.extend(reversed(node.children))
        return found

    def action_close(self) -> None:
        """Back to the monitor."""
        self.dismiss(None)

    def action_interrupt(self) -> None:
        """ctrl+c closes this screen; it quits only from the main screen."""
        self.dismiss(None)
