"""The header's parts keep the lines they drew: the countdown comes back to the same few texts, and
each is drawn once; a new text, the same text in another style, or a theme change still reach the
screen."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

import sutazai_tui.tui
from sutazai_tui.tui.widgets.header import HeaderBar, HeaderView


class _Host(App[None]):
    CSS_PATH = Path(sutazai_tui.tui.__file__).parent / "app.tcss"  # the header's widths

    def compose(self) -> ComposeResult:
        yield HeaderBar()


def _text(app: _Host) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_the_countdown_draws_each_text_once_and_shows_every_change() -> None:
    app = _Host()
    async with app.run_test(size=(100, 3)) as pilot:
        header = app.query_one(HeaderBar)
        clock = header._clock
        base = HeaderView(target="http://backend", engine="unix:///run/docker.sock")
        drawn_once: set[int] = set()  # ids of strips the widget still holds: never reused
        for round_ in range(2):
            for left in (5, 4, 3, 2, 1):
                header.show(HeaderView(**{**base.__dict__, "countdown": left}))
                await pilot.pause()
                assert f"next {left}s" in _text(app)
            if round_ == 0:
                drawn_once = {id(strip) for strip in clock._drawn.values()}
        # The second round drew nothing new: each text came back drawn.
        assert len(drawn_once) >= 5 and {id(strip) for strip in clock._drawn.values()} == drawn_once
        header.show(HeaderView(**{**base.__dict__, "polling": True}))  # a new text: drawn
        await pilot.pause()
        assert "polling…" in _text(app) and "next 1s" not in _text(app)


async def test_a_theme_change_draws_the_header_again() -> None:
    app = _Host()
    async with app.run_test(size=(100, 3)) as pilot:
        header = app.query_one(HeaderBar)
        header.show(HeaderView(target="http://backend", engine="x", countdown=3))
        await pilot.pause()
        before = list(header._clock._drawn.values())  # held: no id is reused
        assert before
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = list(header._clock._drawn.values())
        assert after and not {id(s) for s in after} & {id(s) for s in before}
        assert "next 3s" in _text(app)
