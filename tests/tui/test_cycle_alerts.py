"""Every cycle alerts, even one the screen never renders: only the render is coalesced."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import aclosing
from pathlib import Path

from sutazai_tui.core.alerts import alert_message
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.models import Event, Snapshot
from sutazai_tui.tui.factory import make_app
from sutazai_tui.tui.messages import SnapshotReady
from tests.conftest import ANSWER_TIMEOUT, settings_for
from tests.tui_support import wait_until

# One file per event the hook heard, named by subject and new state.
HOOK = (
    "import json, pathlib, sys; e = json.load(sys.stdin); "
    "name = e['subject'].replace(':', '_').replace('/', '_') + '-' + e['new']; "
    "pathlib.Path(sys.argv[1], name).write_text('heard')"
)


def heard_name(event: Event) -> str:
    subject = event.subject.replace(":", "_").replace("/", "_")
    return f"{subject}-{event.new}"


async def test_two_cycles_before_a_render_both_ring_notify_and_run_hooks(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    heard = tmp_path / "heard"
    heard.mkdir()
    hook = [sys.executable, "-c", HOOK, str(heard)]
    settings = settings_for(
        backend.url, containers=True, timeout=ANSWER_TIMEOUT, interval=60.0, on_state_change=hook
    )
    # poll=False: the test takes the cycles from the session itself, as the screen's worker would.
    app = make_app(settings, demo_session(settings, SimulatedFleet(backend)), poll=False)
    bells: list[None] = []
    app.bell = lambda: bells.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        session, screen = app.shown, app.dashboard
        rendered: list[Snapshot] = []
        show = screen.show_snapshot

        def counted(snapshot: Snapshot, events: Sequence[Event] = ()) -> None:
            rendered.append(snapshot)
            show(snapshot, events)

        screen.show_snapshot = counted  # type: ignore[method-assign]
        async with aclosing(session.cycles()) as cycles:
            backend.forced_phase = answers.HANG
            first = await anext(cycles)
            backend.forced_phase = answers.EMERGENCY
            assert session.poll_now() is True
            second = await anext(cycles)
        assert first.alerts and second.alerts  # both cycles brought something into DOWN/EMERGENCY
        # Both land before the screen handles either: the older one must not be dropped.
        screen.post_message(SnapshotReady(first))
        screen.post_message(SnapshotReady(second))
        await wait_until(pilot, lambda: len(bells) == 2)
        await pilot.pause()
        assert len(bells) == 2  # one bell per cycle
        messages = [n.message for n in app._notifications]
        assert any(m.startswith(f"{len(first.alerts)} went DOWN/EMERGENCY") for m in messages)
        assert all(alert_message(e) in messages for e in second.alerts)
        # Only the latest was rendered: the render is what coalesces.
        assert rendered == [second.snapshot] and screen.snapshot is second.snapshot
        # The hook heard every alert of both cycles.
        await wait_until(pilot, lambda: not session.hooks_running)
        expected = {heard_name(e) for e in (*first.alerts, *second.alerts)}
        assert {p.name for p in heard.iterdir()} == expected
        await session.close()
