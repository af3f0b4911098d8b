"""The one way the app is built (posting's `make_posting()` is the model): `make_app` for the
command line's direct paths, the screenshots, the benches and the tests; `boot_app` for the
command line's live start, whose worker returns `prepared(...)`. Both take already-built
sessions — the demo's come from demo/factory.py — or build one per target.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from sutazai_tui.tui.app import SutazaiApp, utc_now
from sutazai_tui.tui.prepared import Prepared

if TYPE_CHECKING:
    from sutazai_tui.config.settings import Settings
    from sutazai_tui.records.recording import Recording
    from sutazai_tui.session.session import Session


def prepared(
    settings: Settings,
    session: Session | None = None,
    *,
    recording: Recording | None = None,
    replay: bool = False,
    poll: bool = True,
    demo: bool = False,
    config_path: Path | None = None,
    cleanup: Iterable[Callable[[], None]] = (),
) -> Prepared:
    """`session` (the demo's, a serve tab's, a test's), else one per `[[targets]]` entry when live."""
    from sutazai_tui.session.session import sessions_for

    replay = replay or recording is not None
    sessions = (session,) if session is not None else sessions_for(settings, live=poll and not replay)
    return Prepared(settings, sessions, recording, replay, poll, demo, config_path, list(cleanup))


class Build(TypedDict, total=False):
    """How `prepared` builds, as `make_app` passes it on (the defaults are `prepared`'s)."""

    recording: Recording | None
    replay: bool
    poll: bool
    demo: bool
    config_path: Path | None


def make_app(
    settings: Settings,
    session: Session | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    **build: Unpack[Build],
) -> SutazaiApp:
    """The app, built now: a bad theme or keymap is a ConfigError before any frame."""
    return SutazaiApp(prepared(settings, session, **build), clock=clock)


def boot_app(prepare: Callable[[], Prepared], target: str) -> SutazaiApp:
    """The app that paints its BootScreen (naming `target`) first, then builds from `prepare`,
    run in a worker thread; a ConfigError there ends it with exit 2 and `boot_error`."""
    return SutazaiApp(prepare, target=target)
