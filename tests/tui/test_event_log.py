"""The event log draws only the lines on screen, each once, and lays the screen out again only when
its number of lines changes: a new event still reaches the screen at the top, also once the log
shows its SHOWN lines, and a theme change draws every line again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.selection import Selection

from sutazai_tui.models import Event, State
from sutazai_tui.tui.widgets.event_log import SHOWN, EventLines, EventLog

START = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _note(i: int, reason: str | None = None) -> Event:
    return Event(at=START + timedelta(seconds=i), kind="note", subject="web", reason=reason or f"r{i:03d}")


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield EventLog()


async def test_the_first_events_replace_the_placeholder_and_each_new_one_is_on_top() -> None:
    app = _Host()
    async with app.run_test(size=(80, 12)) as pilot:
        log, body = app.query_one(EventLog), app.query_one(EventLines)
        log.show([])
        await pilot.pause()
        assert "no&#160;state&#160;changes&#160;yet" in app.export_screenshot()
        events = [_note(0, "first-event")]
        log.show(events)
        await pilot.pause()
        screen = app.export_screenshot()
        assert "first-event" in screen and "no&#160;state" not in screen
        events = [
            *events,
            _note(1, "second-event"),
            Event(at=START, subject="db", old=State.OK, new=State.DOWN),
        ]
        log.show(events)
        await pilot.pause()
        assert body.size.height == 3  # the body grew: laid out again
        screen = app.export_screenshot()
        assert screen.index("DOWN") < screen.index("second-event") < screen.index("first-event")


async def test_a_new_event_in_a_full_log_reaches_the_screen_without_a_layout() -> None:
    app = _Host()
    async with app.run_test(size=(80, 12)) as pilot:
        log, body = app.query_one(EventLog), app.query_one(EventLines)
        events = [_note(i) for i in range(SHOWN + 3)]
        log.show(events)
        await pilot.pause()
        assert body.size.height == SHOWN
        layouts: list[bool] = []
        stock = body.refresh

        def counting(*regions: object, layout: bool = False, **kwargs: bool) -> EventLines:
            layouts.append(layout)
            return stock(*regions, layout=layout, **kwargs)  # type: ignore[arg-type]

        body.refresh = counting  # type: ignore[method-assign]
        log.show([*events, _note(SHOWN + 3, "newest-event")])
        await pilot.pause()
        assert layouts and not any(layouts)  # repainted, the screen not laid out again
        assert body.size.height == SHOWN
        screen = app.export_screenshot()
        assert "newest-event" in screen and screen.index("newest-event") < screen.index(f"r{SHOWN + 2:03d}")
        assert str(body.render()).splitlines()[0].endswith("newest-event")


async def test_a_theme_change_draws_every_line_again() -> None:
    app = _Host()
    async with app.run_test(size=(80, 12)) as pilot:
        log, body = app.query_one(EventLog), app.query_one(EventLines)
        log.show([_note(i) for i in range(5)])
        await pilot.pause()
        before = [held[3] for held in body._drawn.values()]  # held: no id is reused
        assert len(before) == 5
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = [held[3] for held in body._drawn.values()]
        assert len(after) == 5 and not {id(s) for s in after} & {id(s) for s in before}


async def test_a_mouse_selection_is_drawn_over_the_lines() -> None:
    app = _Host()
    async with app.run_test(size=(80, 12)) as pilot:
        log, body = app.query_one(EventLog), app.query_one(EventLines)
        log.show([_note(i) for i in range(3)])
        await pilot.pause()
        plain = body.render_line(0)
        app.screen.selections = {body: Selection(None, None)}  # everything selected
        await pilot.pause()
        selected = body.render_line(0)
        assert selected.text == plain.text and selected != plain  # the same words, drawn selected
        app.screen.selections = {}
        await pilot.pause()
        assert body.render_line(0) == plain
