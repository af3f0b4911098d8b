"""The Textual app: it owns the sessions, the default screen, the theme, the keymap and quit.

Everything on screen is a Dashboard (tui/screens/dashboard.py): LiveScreen polls the sessions,
ReplayScreen plays a recording. `app.query_one(...)` queries that default screen.

First frame first: this module imports only Textual. Started with `prepare` (the command line
does), the app paints a BootScreen, then reads the settings and imports the Dashboard's modules
(pydantic, httpx, the docker SDK, the screens) in a worker thread, and switches to the Dashboard.
A bad setting found then ends the app with exit 2 and the one line in `boot_error`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from sutazai_tui.config.errors import ConfigError
from sutazai_tui.config.uistate import picked_theme, remember
from sutazai_tui.tui.screens.boot import BootScreen

if TYPE_CHECKING:
    from sutazai_tui.actions.policy import Actions
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.core.monitor import Monitor
    from sutazai_tui.records.recording import Recording
    from sutazai_tui.session.session import Session, Severity
    from sutazai_tui.tui.screens.live import LiveScreen
    from sutazai_tui.tui.screens.replay import ReplayScreen


# Greys for the state variables under NO_COLOR: error (DOWN) brightest, success (OK) dimmest.
MONOCHROME_STATES = {"error": "#ffffff", "warning": "#d0d0d0", "secondary": "#b0b0b0", "success": "#8c8c8c"}


def utc_now() -> datetime:
    """The wall clock; tests and replay pass their own."""
    return datetime.now(UTC)


@dataclass
class Prepared:
    """What `prepare` hands the app from its worker thread: the live app's constructor arguments."""

    settings: Settings
    monitor: Monitor | None = None
    actions: Actions | None = None
    demo: bool = False
    config_path: Path | None = None
    # Run after the app ends (the demo's simulated backend stops here); the launcher calls them.
    cleanup: list[Callable[[], None]] = field(default_factory=list)


class SutazaiApp(App[int]):
    """The monitor.

    `monitor=None` builds the live Monitor after the first frame; `[[targets]]` make one session
    each. `replay=True` (with a `recording`, or fed by tests) or `poll=False` start no poll loop.
    `prepare` (instead of `settings`): paint the BootScreen first, then build from what it returns.
    """

    CSS_PATH = "app.tcss"
    TITLE = "sutazai-tui"
    # Routine notifications (Textual's default 5 s) go sooner: the event log keeps every one of them.
    NOTIFICATION_TIMEOUT = 4.0
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]  # noqa: RUF012 (Textual's own ClassVar)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        # After the screen's keys in the footer: quit comes last.
        Binding("q", "quit", "Quit", id="quit"),
        # ctrl+c quits only from the main screen: in a sub-screen it closes that (see action_interrupt).
        Binding(
            "ctrl+c",
            "interrupt",
            "Quit",
            show=False,
            priority=True,
            tooltip="Quit (in logs, a dialog or a sub-screen: close it)",
            id="quit_ctrl_c",
        ),
    ]

    def __init__(
        self,
        settings: Settings | None = None,
        monitor: Monitor | None = None,
        *,
        replay: bool = False,
        poll: bool = True,
        demo: bool = False,
        clock: Callable[[], datetime] = utc_now,
        config_path: Path | None = None,
        actions: Actions | None = None,
        recording: Recording | None = None,
        prepare: Callable[[], Prepared] | None = None,
        target: str = "",
    ) -> None:
        super().__init__()
        self.sessions: tuple[Session, ...] = ()
        self.dashboard: LiveScreen | ReplayScreen
        self.clock = clock
        self.boot_error: str | None = None
        self._kept_theme: tuple[Path, str] | None = None  # (state folder, theme kept there)
        self._prepare = prepare
        self._target = target
        if settings is not None:  # built now: a bad theme or keymap is a ConfigError before any frame
            self._build(Prepared(settings, monitor, actions, demo, config_path), replay, poll, recording)
        elif prepare is None:
            raise TypeError("SutazaiApp needs settings or prepare")

    def _build(self, got: Prepared, replay: bool, poll: bool, recording: Recording | None) -> None:
        from sutazai_tui.session.session import sessions_for
        from sutazai_tui.tui.screens.live import LiveScreen
        from sutazai_tui.tui.screens.replay import ReplayScreen

        replay = replay or recording is not None
        live = poll and not replay and not got.demo
        sessions = sessions_for(got.settings, got.monitor, got.actions, self._problem, live=live)
        clock, path = self.clock, got.config_path
        self.dashboard = (
            ReplayScreen(sessions[0], recording, clock=clock, config_path=path)
            if replay
            else LiveScreen(sessions, clock=clock, config_path=path, demo=got.demo, poll=poll)
        )
        self.sessions = sessions
        self._apply_theme_and_keymap(got.settings)

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
            got = self._prepare()
        except ConfigError as exc:
            self.call_from_thread(self._boot_failed, str(exc))
            return
        self.call_from_thread(self._install, got)

    def _install(self, got: Prepared) -> None:
        try:
            self._build(got, replay=False, poll=True, recording=None)
        except ConfigError as exc:
            self._boot_failed(str(exc))
            return
        # Pushed over the BootScreen, not switched: Textual 8 cannot switch away from a default
        # screen (it pops a result callback the default screen never had).
        self.push_screen(self.dashboard)

    def _boot_failed(self, message: str) -> None:
        self.boot_error = message
        self.exit(return_code=2)

    def _apply_theme_and_keymap(self, settings: Settings) -> None:
        from sutazai_tui.tui.keymap import check_keymap

        theme = settings.theme
        if theme is not None and theme not in self.available_themes:
            names = ", ".join(sorted(self.available_themes))
            raise ConfigError(
                f"invalid setting 'theme' = {theme!r}: not a Textual theme — use one of: {names}"
            )
        if settings.keymap:
            self.set_keymap(check_keymap(settings.keymap, type(self)))
        # A theme picked in the palette at an earlier run wins over the file (config/uistate.py);
        # a name Textual no longer has is passed over, never fatal: the user did not type it here.
        picked = picked_theme(settings.state_dir, os.environ)
        if picked is not None and picked in self.available_themes:
            theme = picked
        if theme is not None:
            self.theme = theme
        self._kept_theme = (settings.state_dir, self.theme)

    def watch_theme(self, theme: str) -> None:
        """A theme picked now (the palette's "Theme" entry) is kept for the next start."""
        kept = getattr(self, "_kept_theme", None)
        if kept is None or kept[1] == theme:
            return  # still starting, or the theme applied at start
        state_dir = kept[0]
        try:
            remember(state_dir, "theme", theme)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            self.notify(f"theme not kept for the next start: {reason} in {state_dir}", markup=False)
            return
        self._kept_theme = (state_dir, theme)

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables; under NO_COLOR the state colours ranked by severity.

        Textual's monochrome filter greys colours by luminance, which would make red (DOWN, critical)
        the dimmest word on screen: here the worst is the brightest, OK the dimmest.
        """
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
            return
        interrupt = getattr(screen, "action_interrupt", None)
        if callable(interrupt):
            interrupt()
        else:  # help, the command palette, …: what escape would do
            screen.dismiss(None)

    def _problem(self, session: Session, text: str, severity: Severity) -> None:
        # A session's trouble outside a cycle (containers off, recording stopped): one notification.
        prefix = f"{session.name}: " if session.key else ""
        if self.is_running:
            self.notify(prefix + text, severity=severity, timeout=30 if severity == "error" else 10)
        else:
            self.log.error(prefix + text)

    async def on_unmount(self) -> None:
        """Release every session's connections, recordings and action backends."""
        for session in self.sessions:
            await session.close()
