"""The fleet view over a Prometheus that sends what nobody expects: labels with markup and escapes,
malformed results. Shown literally or said in the status line; never a crash that exits 0."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, Static

from sutazai_tui.integrations.fleet import CURRENT, LAST_CYCLE, FleetRow, PrometheusReader
from sutazai_tui.tui.fleet_app import FleetApp
from sutazai_tui.tui.screens.fleet import FleetScreen
from sutazai_tui.tui.screens.fleet_feed import FleetFeed
from tests.prometheus_support import RecordedPrometheus
from tests.tui_support import wait_until

AT = 1_763_000_000.0
HOSTILE_TARGETS = ["[/]prod", "[@click=app.quit]ok[/]", "\x1b]0;pwned\x07edge", "abc\u202edef"]


def _sample(name: str, value: float, **labels: str) -> dict[str, Any]:
    return {"metric": {"__name__": name, **labels}, "value": [AT, str(value)]}


def status_of(screen: FleetScreen) -> str:
    return str(screen.query_one("#fleet-status", Static).render())


async def test_labels_with_markup_and_escapes_are_shown_literally() -> None:
    answers = {
        CURRENT: [_sample("sutazai_verdict", 1, target=t, level="[b]OK") for t in HOSTILE_TARGETS],
        LAST_CYCLE: [_sample(LAST_CYCLE, AT - 4, target=t) for t in HOSTILE_TARGETS],
    }
    with RecordedPrometheus(answers) as prom:
        app = FleetApp(FleetFeed(PrometheusReader(prom.url), interval=3600))
        async with app.run_test(size=(120, 20)) as pilot:
            screen = app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)
            await pilot.pause()
            table = screen.query_one(DataTable)
            shown = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
            picture = app.export_screenshot()
            assert app.is_running and screen.error is None
    assert shown == {"[/]prod", "[@click=app.quit]ok[/]", "␛]0;pwned␇edge", "abc\\u202edef"}
    assert "[/]prod" in picture and "\x1b]0" not in picture and "\u202e" not in picture


async def test_a_malformed_result_is_one_line_saying_what_prometheus_sent() -> None:
    broken = [{"metric": {"__name__": "sutazai_verdict", "target": "prod"}, "value": [AT]}]
    with RecordedPrometheus({CURRENT: broken, LAST_CYCLE: []}) as prom:
        app = FleetApp(FleetFeed(PrometheusReader(prom.url), interval=3600))
        async with app.run_test(size=(160, 20)) as pilot:
            screen = app.screen
            assert isinstance(screen, FleetScreen)
            await wait_until(pilot, lambda: screen.refreshes >= 1)
            status = status_of(screen)
            assert app.is_running
    assert "Prometheus sent a result the fleet cannot read (IndexError)" in status
    assert "'value': [1763000000.0]" in status


async def test_a_result_that_is_not_a_list_of_samples_is_said_too() -> None:
    with RecordedPrometheus({CURRENT: "nope", LAST_CYCLE: [{"metric": 3}]}) as prom:  # type: ignore[dict-item]
        reader = PrometheusReader(prom.url)
        try:
            for query in (CURRENT, LAST_CYCLE):
                try:
                    await reader.query(query)
                except Exception as exc:
                    assert type(exc).__name__ == "PrometheusError", exc
                    assert "cannot read" in str(exc)
                else:
                    raise AssertionError(f"{query}: no error")
        finally:
            await reader.close()


class _Surprising(PrometheusReader):
    """A reader whose answer breaks in a way nobody foresaw (not a PrometheusError)."""

    async def rows(self) -> list[FleetRow]:
        await self.query(CURRENT)
        raise ZeroDivisionError("the \x1b[2J answer [/]divided by nothing")


async def test_an_unforeseen_failure_ends_the_view_non_zero_with_one_line() -> None:
    with RecordedPrometheus({CURRENT: []}) as prom:
        app = FleetApp(FleetFeed(_Surprising(prom.url), interval=3600))
        said: list[str] = []
        exit_app = app.exit

        def exit_saying(result: Any = None, return_code: int = 0, message: Any = None) -> None:
            said.append(str(message))
            exit_app(result, return_code, message)

        app.exit = exit_saying  # type: ignore[method-assign]
        async with app.run_test(size=(120, 20)) as pilot:
            await wait_until(pilot, lambda: bool(said))
    assert app.return_code == 1
    [message] = said
    assert message.startswith(f"sutazai-tui fleet: {prom.url} sent an answer this view cannot show")
    assert "ZeroDivisionError: the ␛[2J answer [/]divided by nothing" in message and "\n" not in message
