"""The first frame: one line saying what is being watched, drawn before settings and heavy modules load.

`SutazaiApp` shows it while a worker thread reads the settings and imports the Dashboard's modules
(pydantic, httpx, the docker SDK, the screens); the Dashboard replaces it when they are ready.
Only Textual's own modules are imported here.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static


class BootScreen(Screen[None]):
    """`sutazai-tui · <target> · loading settings…` until the Dashboard is ready."""

    DEFAULT_CSS = """
    BootScreen #boot { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        """The header's place, with the target the command line named (if it named one)."""
        yield Static(f"sutazai-tui · {self.target} · loading settings…", id="boot", markup=False)
