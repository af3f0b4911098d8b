"""The `s` snapshot bundle, `--record` in the live TUI, and the palette's incident report.

Live tests run the app over the simulated backend on 127.0.0.1 (tests/tui_support.make_app).
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.models import Event, Snapshot, State
from sutazai_tui.records.recording import read_recording
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.launch import replay_app
from sutazai_tui.tui.widgets.findings import FindingsPanel
from sutazai_tui.tui.widgets.header import HeaderBar
from sutazai_tui.util import fmt
from tests.conftest import settings_for
from tests.tui_support import make_app, run_cycle, wait_until

SECRET = "tok-3f9a1c77e2b04d"


def notes(app: SutazaiApp) -> list[str]:
    return [n.message for n in app._notifications]


def written(app: SutazaiApp, prefix: str) -> Path | None:
    found = [n.removeprefix(prefix) for n in notes(app) if n.startswith(prefix)]
    return Path(found[-1]) if found else None


async def test_s_writes_a_bundle_of_the_screen_and_the_state(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    audit.write_text("".join(json.dumps({"n": n, "action": "stop"}) + "\n" for n in range(60)))
    backend.forced_phase = answers.EMERGENCY
    app = make_app(backend, snapshot_dir=tmp_path / "snaps", audit_log=audit, token=SECRET)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_cycle(app, pilot)
        app.dashboard.add_event(
            Event(at=app.dashboard.clock(), kind="note", subject="monitor", reason=f"pasted {SECRET}")
        )
        await pilot.press("s")
        await wait_until(pilot, lambda: written(app, "snapshot written to\n") is not None)
        folder = written(app, "snapshot written to\n")
        assert folder is not None and folder.parent == tmp_path / "snaps"
        svg = (folder / "screen.svg").read_text()
        assert "<svg" in svg and "EMERGENCY" in svg
        doc = json.loads((folder / "state.json").read_text())
        assert Snapshot.model_validate(doc["snapshot"]) == app.dashboard.snapshot
        assert [f["id"] for f in doc["findings"]] == [f.id for f in app.query_one(FindingsPanel).findings]
        assert doc["findings"], "the emergency phase has findings"
        assert [a["n"] for a in doc["audit"]] == list(range(10, 60))
        assert any(e["subject"] == "mcp" and e["new"] == State.DOWN for e in doc["events"])
        assert SECRET not in (folder / "state.json").read_text() + svg
        assert stat.S_IMODE((folder / "state.json").stat().st_mode) == 0o600


async def test_unwritable_snapshot_dir_is_one_error_and_the_app_goes_on(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    backend.forced_phase = answers.HANG  # the first cycle cannot end before `s` is pressed
    app = make_app(backend, snapshot_dir=blocker / "snaps")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert any("nothing to snapshot yet" in n for n in notes(app))
        backend.forced_phase = None
        await run_cycle(app, pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: any(n.startswith("cannot write snapshot in") for n in notes(app)))
        error = next(n for n in notes(app) if n.startswith("cannot write snapshot in"))
        assert "\n" not in error and str(blocker) in error
        before = app.dashboard.snapshot.cycle if app.dashboard.snapshot else 0
        await run_cycle(app, pilot)  # still monitoring
        assert (
            app.is_running
            and app.dashboard.snapshot is not None
            and app.dashboard.snapshot.cycle == before + 1
        )


async def test_live_recording_writes_cycles_and_events_and_shows_rec(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    path = tmp_path / "rec.jsonl"
    app = make_app(backend, record=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        backend.forced_phase = answers.EMERGENCY
        await run_cycle(app, pilot)
        assert path.is_file() and app.shown.recorder is not None
        size = path.stat().st_size
        assert app.shown.recorder.size == size
        await wait_until(pilot, lambda: f"REC {fmt.size(size)}" in app.query_one(HeaderBar).plain)
        app.dashboard.add_event(
            Event(
                at=app.dashboard.clock(), kind="action", subject="container:sutazai-backend", reason="restart"
            )
        )
        await wait_until(pilot, lambda: b'"reason":"restart"' in path.read_bytes())
        recording = read_recording(path)
        assert app.dashboard.snapshot is not None and len(recording) == app.dashboard.snapshot.cycle >= 2
        assert [f.cycle for f in recording] == list(range(1, len(recording) + 1))
        assert recording.snapshot(len(recording) - 1) == app.dashboard.snapshot
        assert any(e.kind == "action" and e.reason == "restart" for e in recording.events)
        assert any(e.subject == "mcp" for e in recording.events)  # the state change the cycle caused
        assert recording[len(recording) - 1].findings  # emergency: diagnosed and recorded
    assert app.shown.recorder is None  # closed on quit


async def test_a_failing_recording_stops_once_and_monitoring_goes_on(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app = make_app(backend, record=tmp_path)  # a folder: every write fails
    async with app.run_test(size=(80, 24)) as pilot:
        await run_cycle(app, pilot)
        before = app.dashboard.snapshot.cycle if app.dashboard.snapshot else 0
        await run_cycle(app, pilot)
        failures = [n for n in notes(app) if "recording stopped" in n]
        assert len(failures) == 1 and str(tmp_path) in failures[0] and "\n" not in failures[0]
        await wait_until(pilot, lambda: "REC failed" in app.query_one(HeaderBar).plain)
        assert app.dashboard.snapshot is not None and app.dashboard.snapshot.cycle == before + 1


async def run_palette(app: SutazaiApp, pilot: Pilot[Any], text: str) -> None:
    """Open the command palette, type `text`, check it is the top command and run it."""
    app.action_command_palette()
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*text)
    commands = app.screen.query_one(CommandList)
    await wait_until(pilot, lambda: commands.option_count > 0 and commands.highlighted == 0)
    top = commands.get_option_at_index(0).prompt
    assert text in str(getattr(top, "plain", top))
    await pilot.press("enter")


async def test_palette_writes_the_incident_report_next_to_the_recording(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    path = tmp_path / "rec.jsonl"
    app = make_app(backend, record=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await run_cycle(app, pilot)
        backend.forced_phase = answers.HANG
        await run_cycle(app, pilot)
        await run_palette(app, pilot, "Write incident report")
        await wait_until(pilot, lambda: written(app, "report written to\n") is not None)
        report = written(app, "report written to\n")
        assert report == tmp_path / "rec.jsonl.report.md"
        text = report.read_text()
        assert text.startswith("# Incident report") and "ONGOING" in text
        assert stat.S_IMODE(report.stat().st_mode) == 0o600


async def test_without_a_recording_the_report_entry_says_how_to_get_one(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app = make_app(backend)
    async with app.run_test(size=(80, 24)) as pilot:
        (command,) = [c for c in app.dashboard.commands() if c.title == "Write incident report"]
        assert "--record PATH" in command.help
        command.callback()
        await wait_until(pilot, lambda: any("start with --record PATH" in n for n in notes(app)))


async def test_replay_snapshot_and_report_use_the_recording(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    path = tmp_path / "rec.jsonl"
    live = make_app(backend, record=path)
    async with live.run_test(size=(80, 24)) as pilot:
        await run_cycle(live, pilot)
    settings = settings_for("http://127.0.0.1:9", tmp_path, snapshot_dir=tmp_path / "snaps")
    app = replay_app(read_recording(path), settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.dashboard.snapshot is not None)
        await pilot.press("s")
        await wait_until(pilot, lambda: written(app, "snapshot written to\n") is not None)
        folder = written(app, "snapshot written to\n")
        assert folder is not None
        doc = json.loads((folder / "state.json").read_text())
        assert Snapshot.model_validate(doc["snapshot"]).taken_at == app.dashboard.snapshot.taken_at  # type: ignore[union-attr]
        app.dashboard.action_write_report()
        await wait_until(pilot, lambda: written(app, "report written to\n") is not None)
        assert (tmp_path / "rec.jsonl.report.md").is_file()
        assert (
            not path.with_name("rec.jsonl.1").exists() and app.shown.recorder is None
        )  # replay records nothing
