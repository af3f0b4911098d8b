"""Launchers: the monitor in this terminal (live or `--demo`) and `sutazai-tui replay PATH`.

`run_tui` paints first: the app starts on its BootScreen and `_prepare` (settings, the demo's
simulated backend, the Dashboard's modules) runs in the app's worker thread.

The cyclic garbage collector is off from the command line's start until the Dashboard is drawn
(cli/monitor.py turns it off, `SutazaiApp._install` on again): what the start makes (modules,
classes, Textual's and our widgets) lives as long as the process, so its collections find nothing
to free, and they were 50-70 ms of a 0.4-0.6 s start, a full collection among them (a bare Textual
app spends 22-29 ms in them before its first frame). `run_tui` turns it on again whatever happens.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import boot_app, make_app, prepared
from sutazai_tui.tui.prepared import Prepared
from sutazai_tui.util.malloc import lean_malloc

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.records.recording import Recording

EXIT_ERROR = 2


def replay_app(recording: Recording, settings: Settings) -> SutazaiApp:
    """The app over a recording, showing its first frame once mounted."""
    from sutazai_tui.records.replayer import fixed_clock, replay_settings

    settings = replay_settings(settings, recording)
    return make_app(settings, recording=recording, clock=fixed_clock(recording.start))


def run_replay(path: Path) -> int:
    """`sutazai-tui replay PATH`: the TUI over a recording; a bad file is one line on stderr, exit 2."""
    from sutazai_tui.config.settings import load_settings
    from sutazai_tui.records.recording import RecordingError, read_recording

    try:
        recording = read_recording(path)
        app = replay_app(recording, load_settings())
    except RecordingError as exc:
        print(f"sutazai-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    app.run()
    return app.return_code or 0


def _prepare(
    load: Callable[[], Settings],
    demo: bool,
    config_path: Path | None,
    follow: Path | None,
    scenario: str = "incident",
) -> Prepared:
    """In the app's worker thread: the settings, what the mode needs, and the Dashboard's modules."""
    settings = load()
    import sutazai_tui.tui.screens.live  # noqa: F401 (imported here, off the event loop)

    if follow is not None:  # a `serve` tab: the snapshots another process records there
        from sutazai_tui.records.follow import RecordingFollower
        from sutazai_tui.session.session import Session

        # serve's one poller runs the on_state_change hook, once per event; a tab only rings.
        settings = settings.model_copy(update={"on_state_change": []})
        tab = Session(settings, RecordingFollower(settings, follow))
        return prepared(settings, tab, config_path=config_path)
    if not demo:
        return prepared(settings, config_path=config_path)
    from sutazai_tui.demo.session import start_demo

    session, stop = start_demo(settings, scenario)
    return prepared(session.settings, session, demo=True, config_path=config_path, cleanup=[stop])


def run_tui(
    load: Callable[[], Settings],
    *,
    target: str = "",
    demo: bool = False,
    scenario: str = "incident",
    config_path: Path | None = None,
    follow: Path | None = None,
) -> int:
    """Run the monitor in this terminal; `demo` plays the incident on a simulated backend and fleet.

    `load` reads the settings (after the first frame); `target` is what the first frame names.
    A bad setting is one line on stderr and exit 2, after the terminal is restored.
    """
    lean_malloc()  # before Textual's threads allocate (one arena: util/malloc.py); the session's call is late
    cleanup: list[Callable[[], None]] = []

    def prepare() -> Prepared:
        got = _prepare(load, demo, config_path, follow, scenario)
        cleanup.extend(got.cleanup)
        return got

    app = boot_app(prepare, target or ("demo" if demo else "loading"))
    try:
        app.run()
    finally:
        gc.enable()  # if the Dashboard was never drawn (a bad setting, quit while booting)
        for step in cleanup:
            step()
    if app.boot_error is not None:
        print(f"sutazai-tui: {app.boot_error}", file=sys.stderr)
        return EXIT_ERROR
    return app.return_code or 0
