"""The Textual app: it owns the sessions, the default screen (a Dashboard: LiveScreen polls the
sessions, ReplayScreen plays a recording; `app.query_one` queries it), the keymap and quit.

First frame first: this module imports Textual, no heavy module. Given a `prepare` callable (the
command line does), the app paints a BootScreen, runs it in a worker thread (settings, the heavy
modules), then shows the Dashboard; a bad setting ends it with exit 2 and one line in `boot_error`.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from sutazai_tui.config.errors import ConfigError
from sutazai_tui.tui.controllers.notices import NoticesApp
from sutazai_tui.tui.controllers.theme import MONOCHROME_STATES, KeptTheme
from sutazai_tui.tui.screens.boot import BootScreen

if TYPE_CHECKING:
    from sutazai_tui.session.session import Session
    from sutazai_tui.tui.prepared import Prepared
    from sutazai_tui.tui.screens.live import LiveScreen
    from sutazai_tui.tui.screens.replay import ReplayScreen

    Prepare: TypeAlias = Prepared | Callable[[], Prepared]  # built, or how to build off the loop
Clock = Callable[[], datetime]
CTRL_C = "Quit (in logs, a dialog or a sub-screen: close it)"


def utc_now() -> datetime:
    """The wall clock; tests and replay pass their own."""
    return datetime.now(UTC)


class SutazaiApp(NoticesApp):
    """The monitor, built one way (tui/factory.py): from `Prepared` sessions, or a `prepare` callable."""

    _theme: KeptTheme | None = None  # a class default: Textual may watch the theme during __init__
    CSS_PATH = "app.tcss"
    TITLE = "sutazai-tui"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # noqa: RUF012 (Textual's own ClassVar)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        # After the screen's keys in the footer: quit comes last.
        Binding("q", "quit", "Quit", id="quit"),
        # ctrl+c quits only from the main screen: in a sub-screen it closes that (see action_interrupt).
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True, id="quit_ctrl_c", tooltip=CTRL_C),
    ]

    def __init__(self, prepare: Prepare, *, clock: Clock = utc_now, target: str = "") -> None:
        super().__init__()
        self.sessions: tuple[Session, ...] = ()
        self.dashboard: LiveScreen | ReplayScreen
        self.clock = clock
        self.boot_error: str | None = None
        self._target = target
        self._prepare = prepare if callable(prepare) else None
        if not callable(prepare):  # built now: a bad theme or keymap is a ConfigError before any frame
            self._build(prepare)

    def _build(self, got: Prepared) -> None:
        from sutazai_tui.tui.controllers.alerts import notify_problem
        from sutazai_tui.tui.keymap import check_keymap

        for session in got.sessions:  # trouble outside a cycle: one notification
            session.on_problem = partial(notify_problem, self)
        self.dashboard, self.sessions = got.dashboard(self.clock), got.sessions
        self._theme = KeptTheme(self, got.settings)
        if got.settings.keymap:
            self.set_keymap(check_keymap(got.settings.keymap, type(self)))

    @property
    def built(self) -> bool:
        """Whether the Dashboard exists (false only while the BootScreen waits for settings)."""
        return bool(self.sessions)

    @property
    def shown(self) -> Session:
        """The session on screen (the others, if any, poll in the background)."""
        return self.dashboard.session

    def get_default_screen(self) -> Screen[None]:
        """The Dashboard, live or replayed; the BootScreen until it is built."""
        return self.dashboard if self.built else BootScreen(self._target)

    def on_mount(self) -> None:
        """Booting: once the first frame is out, prepare the rest off the event loop."""
        if not self.built and self._prepare is not None:
            self.call_after_refresh(self.run_worker, self._prepare_off_loop, thread=True)

    def _prepare_off_loop(self) -> None:
        assert self._prepare is not None
        try:
            self.call_from_thread(self._install, self._prepare())
        except ConfigError as exc:
            self.call_from_thread(self._boot_failed, str(exc))

    def _install(self, got: Prepared) -> None:
        try:
            self._build(got)
        except ConfigError as exc:
            return self._boot_failed(str(exc))
        # Over the BootScreen: Textual 8 cannot switch from a default screen (it has no result callback).
        self.push_screen(self.dashboard)
        self.call_after_refresh(gc.enable)  # the collector, off while starting (tui/launch.py)

    def _boot_failed(self, message: str) -> None:
        self.boot_error = message
        self.exit(return_code=2)

    def watch_theme(self, theme: str) -> None:
        """A theme picked now (the palette's "Theme" entry) is kept for the next start."""
        if self._theme is not None:
            self._theme.picked(theme)

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables; under NO_COLOR the state colours ranked by severity (MONOCHROME_STATES)."""
        variables = super().get_css_variables()
        if self.no_color:
            variables.update(MONOCHROME_STATES)
            self.theme_variables = variables
        return variables

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own palette entries plus the Dashboard's."""
        yield from super().get_system_commands(screen)
        if self.built:
            yield from self.dashboard.commands()

    def action_interrupt(self) -> None:
        """ctrl+c: quit from the main screen; elsewhere close the sub-screen (logs: stop following first)."""
        screen = self.screen
        if not self.built or screen is self.dashboard or len(self.screen_stack) <= 1:
            self.exit()
        elif callable(interrupt := getattr(screen, "action_interrupt", None)):
            interrupt()
        else:  # help, the command palette, …: what escape would do
            screen.dismiss(None)

    async def on_unmount(self) -> None:
        """Release every session's connections, recordings and action backends."""
        for session in self.sessions:
            await session.close()
