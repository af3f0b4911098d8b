"""The widgets' pure parts: sparkline, packing, ordering, header badges."""

from __future__ import annotations

from sutazai_tui.models import ContainerStats, EndpointKind, EndpointStatus
from sutazai_tui.tui.widgets.container_order import worst_first
from sutazai_tui.tui.widgets.endpoint_panel import NO_ANSWER, detail_items, pack, sparkline
from sutazai_tui.tui.widgets.header import HeaderBar, HeaderView, short_engine, shown_countdown


def test_sparkline_scales_to_the_maximum_and_marks_missing_answers() -> None:
    line = sparkline([10.0, None, 80.0, 40.0], 10).plain
    assert line == f"▂{NO_ANSWER}█▅"
    assert len(sparkline([1.0] * 50, 20).plain) == 20  # only the newest that fit


def test_pack_fills_lines_up_to_the_width() -> None:
    status = EndpointStatus(
        name="health",
        url="u",
        kind=EndpointKind.HEALTH,
        services={"redis": "healthy", "database": "initializing", "ollama": "unhealthy"},
    )
    items = detail_items(status)
    assert [i.plain for i in items][:2] == ["ollama unhealthy", "database initializing"]  # worst first
    lines = pack(items, 24)
    assert all(line.cell_length <= 24 for line in lines) and len(lines) == 3
    assert len(pack(items, 200)) == 1


def test_containers_sort_worst_first() -> None:
    ok = ContainerStats(name="a", id="1", state="running")
    down = ContainerStats(name="z", id="2", state="restarting")
    sick = ContainerStats(name="m", id="3", state="running", health="unhealthy")
    assert [c.name for c in worst_first([ok, sick, down])] == ["z", "m", "a"]


def test_header_badges_lead_and_survive_without_colour() -> None:
    view = HeaderView(target="http://x", engine="unix:///var/run/docker.sock", paused=True, read_only=True)
    view = HeaderView(**{**view.__dict__, "stale_reason": "last poll 70 s ago", "replay": True})
    header = HeaderBar()
    header.show(view)
    plain = header.plain
    assert plain.index("REPLAY") < plain.index("STALE") < plain.index("http://x")
    for word in ("PAUSED", "READ-ONLY", "last poll 70 s ago", "unix:docker.sock"):
        assert word in plain
    assert short_engine("tcp://10.0.0.2:2375") == "tcp://10.0.0.2:2375"


def test_countdown_is_exact_near_the_poll_and_coarse_before() -> None:
    assert [shown_countdown(s) for s in (0.2, 1.0, 9.5, 10.0)] == [1, 1, 10, 10]
    assert [shown_countdown(s) for s in (10.2, 14.0, 15.0, 29.1)] == [15, 15, 15, 30]
