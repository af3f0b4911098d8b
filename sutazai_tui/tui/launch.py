"""Launchers: the monitor in this terminal (live or `--demo`) and `sutazai-tui replay PATH`."""

from __future__ import annotations

import sys
from pathlib import Path

from sutazai_tui.config.settings import Settings, load_settings
from sutazai_tui.records.recording import Recording, RecordingError, read_recording
from sutazai_tui.records.replayer import fixed_clock, replay_settings
from sutazai_tui.tui.app import SutazaiApp

EXIT_ERROR = 2


def replay_app(recording: Recording, settings: Settings) -> SutazaiApp:
    """The app over a recording, showing its first frame once mounted."""
    settings = replay_settings(settings, recording)
    return SutazaiApp(settings, recording=recording, clock=fixed_clock(recording.start))


def run_replay(path: Path) -> int:
    """`sutazai-tui replay PATH`: the TUI over a recording; a bad file is one line on stderr, exit 2."""
    try:
        recording = read_recording(path)
        app = replay_app(recording, load_settings())
    except RecordingError as exc:
        print(f"sutazai-tui: {exc}", file=sys.stderr)
        return EXIT_ERROR
    app.run()
    return app.return_code or 0


def run_tui(
    settings: Settings, demo: bool = False, config_path: Path | None = None, follow: Path | None = None
) -> int:
    """Run the monitor in this terminal; `demo` plays the incident on a simulated backend and fleet.

    `follow` (a `serve` tab): the snapshots another process records there, instead of polling.
    """
    if follow is not None:
        from sutazai_tui.records.follow import RecordingFollower

        app = SutazaiApp(settings, RecordingFollower(settings, follow), config_path=config_path)
        app.run()
        return app.return_code or 0
    if not demo:
        app = SutazaiApp(settings, config_path=config_path)
        app.run()
        return app.return_code or 0
    from sutazai_tui.demo.session import DemoSession

    session = DemoSession(settings)
    try:
        settings = session.start()
        app = SutazaiApp(
            settings, session.monitor(), demo=True, config_path=config_path, actions=session.actions()
        )
        app.run()
        return app.return_code or 0
    finally:
        session.stop()
