"""Writes the README's screenshots: the demo incident at fixed moments and sizes, as SVG files.

    python -m sutazai_tui.tui.screenshots [--out screenshots]

Each size runs the demo headless against the simulated backend and fleet, steps the incident
with `forced_phase` (hang, emergency, recovered) and saves `demo-<phase>-<W>x<H>.svg`; at 80x24
also the finding and container screens of the hang (`demo-finding-80x24.svg`, `demo-container-…`).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from textual.pilot import Pilot

from sutazai_tui.config.settings import Settings
from sutazai_tui.demo import answers
from sutazai_tui.demo.backend import SimulatedBackend
from sutazai_tui.demo.factory import demo_session
from sutazai_tui.demo.fleet import SimulatedFleet
from sutazai_tui.tui.app import SutazaiApp
from sutazai_tui.tui.factory import make_app

SIZES = ((80, 24), (120, 40), (200, 60))
# (phase, cycles to run in it, whether to save a picture at its end)
SCRIPT = (
    (answers.HANG, 4, True),
    (answers.EMERGENCY, 3, True),
    (answers.INITIALIZING, 2, False),
    (answers.RECOVERED, 4, True),
)


async def run_cycle(app: SutazaiApp, pilot: Pilot[int], deadline_s: float = 10.0) -> None:
    """Start one poll cycle now and wait until the app has rendered its snapshot."""
    deadline = time.monotonic() + deadline_s
    while app.shown.scheduler is None or app.shown.scheduler.in_flight:
        if time.monotonic() > deadline:
            raise TimeoutError("the poll loop did not become idle")
        await pilot.pause(0.02)
    before = app.shown.scheduler.cycles
    app.shown.scheduler.poll_now()
    while app.dashboard.snapshot is None or app.dashboard.snapshot.cycle <= before:
        if time.monotonic() > deadline:
            raise TimeoutError("no snapshot arrived")
        await pilot.pause(0.02)
    await pilot.pause()


async def drill_in(app: SutazaiApp, pilot: Pilot[int], size: str) -> dict[str, str]:
    """`enter` on the worst finding and on the worst container: the "why" screens."""
    pictures: dict[str, str] = {}
    findings = app.dashboard.session.findings
    if findings:
        app.dashboard.open_finding(sorted(findings, key=lambda f: f.severity != "critical")[0])
        await pilot.pause()
        pictures[f"demo-finding-{size}.svg"] = app.export_screenshot(title="sutazai-tui — a finding")
        app.pop_screen()
    app.dashboard.open_container()
    screen = app.screen
    deadline = time.monotonic() + 10.0
    while getattr(screen, "probe", "") == "(reading)" and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await pilot.pause()
    pictures[f"demo-container-{size}.svg"] = app.export_screenshot(title="sutazai-tui — a container")
    app.pop_screen()
    await pilot.pause()
    return pictures


async def shoot(size: tuple[int, int]) -> dict[str, str]:
    """Play the incident once at this size; its pictures by file name."""
    backend = SimulatedBackend("incident", rate_limit=False)
    backend.forced_phase = answers.HANG
    await backend.start()
    settings = Settings(
        base_url=backend.url, interval=4.5, timeout=0.3, request_budget=1000, default_endpoints=True
    )
    app = make_app(settings, demo_session(settings, SimulatedFleet(backend)), demo=True)
    pictures: dict[str, str] = {}
    try:
        async with app.run_test(size=size) as pilot:
            for phase, cycles, picture in SCRIPT:
                backend.forced_phase = phase
                for _ in range(cycles):
                    await run_cycle(app, pilot)
                if picture:
                    name = f"demo-{phase}-{size[0]}x{size[1]}.svg"
                    pictures[name] = app.export_screenshot(title=f"sutazai-tui — {phase}")
                if phase == answers.HANG and size == SIZES[0]:
                    pictures.update(await drill_in(app, pilot, f"{size[0]}x{size[1]}"))
    finally:
        await backend.stop()
    return pictures


async def shoot_all() -> dict[str, str]:
    """Every size, one after another."""
    pictures: dict[str, str] = {}
    for size in SIZES:
        pictures.update(await shoot(size))
    return pictures


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m sutazai_tui.tui.screenshots`."""
    parser = argparse.ArgumentParser(prog="python -m sutazai_tui.tui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="folder for the SVG files")
    args = parser.parse_args(argv)
    pictures = asyncio.run(shoot_all())
    args.out.mkdir(parents=True, exist_ok=True)
    for name, svg in pictures.items():
        (args.out / name).write_text(svg, encoding="utf-8")
        print(args.out / name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
