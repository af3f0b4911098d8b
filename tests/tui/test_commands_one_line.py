"""Commands never wrap (issue 28 item 7): the recreate dialog and the container screen show each
compose command on one line at 80 columns, scrolled sideways (← →), as the finding screen does —
a mouse copy of a screen line is a whole command, never the half that recreates every service."""

from __future__ import annotations

from pathlib import Path

from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.fleet import DEMO_COMPOSE_DIR
from sutazai_tui.tui.screens.container import ContainerScreen
from tests.tui.test_action_keys import BACKEND, build, open_confirm, start
from tests.tui.test_notifications import screen_rows
from tests.tui_support import wait_until


def rows_with(app: object, needle: str) -> list[str]:
    return [row for row in screen_rows(app) if needle in row]  # type: ignore[arg-type]


async def test_the_recreate_dialog_shows_its_command_on_one_line(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, _ = build(backend, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=BACKEND)
        screen = await open_confirm(app, pilot, "C")
        command = screen.view.brief.command
        assert command is not None and len(command) > 80 and command.endswith("--no-deps backend")
        assert len(rows_with(app, f"$ {command[:60]}")) == 1  # the command's start is one row
        # and no row carries a wrapped tail of it
        assert not rows_with(app, "--no-deps backend") and not rows_with(app, "up -d --force-recreate")
        for _ in range(12):
            await pilot.press("right")  # ← → scroll it: its end comes into view on the same row
        await pilot.pause()
        assert len(rows_with(app, "--force-recreate --no-deps backend")) == 1
        assert not rows_with(app, f"$ cd {DEMO_COMPOSE_DIR}")  # scrolled: the start is off to the left
        await pilot.press("n")


async def test_the_container_screen_shows_each_command_on_one_line(
    backend: SimulatedBackend, tmp_path: Path
) -> None:
    app, _, _ = build(backend, tmp_path)
    backend.forced_phase = answers.HANG  # missing env: its fix is the container's own recreate line
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, select=BACKEND)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerScreen))
        screen = app.screen
        assert isinstance(screen, ContainerScreen)
        lines = [line.strip() for line in screen.body.plain.splitlines() if "--force-recreate" in line]
        assert lines and all(line.startswith(f"$ cd {DEMO_COMPOSE_DIR} && ") for line in lines)
        assert min(len(line) for line in lines) > 80  # wider than the screen: one line all the same
        assert "(command 2 below)" in screen.body.plain  # the prose points at it, never wraps it
        await pilot.press("G")
        await wait_until(pilot, lambda: bool(rows_with(app, f"$ cd {DEMO_COMPOSE_DIR} && ")))
        assert not rows_with(app, "--no-deps backend") and not rows_with(app, "up -d --force-recreate")
        for _ in range(12):
            await pilot.press("right")  # ← → scroll the screen: the command's end, on one row
        await wait_until(pilot, lambda: bool(rows_with(app, "--force-recreate --no-deps backend")))
        assert rows_with(app, "--force-recreate --no-deps backend")  # each on one row, its end in view
