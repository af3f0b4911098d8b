"""A panel per endpoint: state word and colour, latency with its sparkline, reason, details."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from sutazai_tui.core.history import History
from sutazai_tui.models import EndpointKind, EndpointStatus, State
from sutazai_tui.tui.literal import content
from sutazai_tui.tui.widgets.state_style import state_word, word_style
from sutazai_tui.util import fmt

BARS = "▁▂▃▄▅▆▇█"
NO_ANSWER = "×"
_SERVICE_ORDER = {"$error": 0, "$warning": 1, "$text-muted": 2, "$success": 3}


def sparkline(latencies: list[float | None] | tuple[float | None, ...], width: int) -> Content:
    """The last `width` latencies as bars scaled to their maximum; a cycle without answer is ×."""
    shown = list(latencies)[-width:] if width > 0 else []
    answered = [v for v in shown if v is not None]
    top = max(answered, default=0.0) or 1.0
    parts: list[tuple[str, str]] = []
    for value in shown:
        if value is None:
            parts.append((NO_ANSWER, "$error"))
        else:
            parts.append((BARS[min(7, round(value / top * 7))], "$primary"))
    return Content.assemble(*parts)


@dataclass(frozen=True)
class PanelView:
    """What a panel shows; equal views mean nothing to repaint."""

    status: EndpointStatus | None
    state: State
    reason: str
    latencies: tuple[float | None, ...] = ()


def panel_view(
    status: EndpointStatus | None, history: History, latencies: tuple[float | None, ...], now: datetime
) -> PanelView:
    """What a panel shows now: the history decides whether the last answer has gone STALE."""
    if status is None:
        return PanelView(None, State.UNKNOWN, "not polled yet")
    state, reason = history.display_state(status, now)
    return PanelView(status, state, reason, latencies)


def detail_items(status: EndpointStatus) -> list[Content]:
    """The kind-specific facts, worst first: sub-services, MCP bridge fields, messages."""
    items: list[Content] = []
    if status.kind in (EndpointKind.HEALTH, EndpointKind.DETAILED, EndpointKind.PROMETHEUS):
        ranked = sorted(status.services.items(), key=lambda kv: _SERVICE_ORDER.get(word_style(kv[1]), 2))
        for name, word in ranked:
            items.append(Content.assemble(f"{name} ", (word, word_style(word))))
    elif status.kind is EndpointKind.MCP:
        d = status.details
        if "bridge" in d:
            ready = d.get("initialized")
            suffix = ("", "")
            if ready is True:
                suffix = (" ready", "$success")
            elif ready is False:
                suffix = (" not initialized", "$warning")
            items.append(Content.assemble(f"bridge {d['bridge']}", suffix))
        if "services" in d:
            items.append(Content(f"{d['services']} services"))
        if "dind" in d:
            items.append(Content.assemble("dind ", (str(d["dind"]), word_style(str(d["dind"])))))
    return items


def pack(items: list[Content], width: int) -> list[Content]:
    """Items joined with " · " into as few lines of `width` as they need."""
    lines: list[Content] = []
    current = Content("")
    for item in items:
        if current.cell_length and current.cell_length + 3 + item.cell_length > width:
            lines.append(current)
            current = Content("")
        current = current + Content.styled(" · ", "$text-muted") + item if current.cell_length else item
    if current.cell_length:
        lines.append(current)
    return lines


class EndpointPanel(Widget, can_focus=True):
    """One endpoint's panel; it lays its lines out for whatever size it is given.

    Focusable, first in the Tab order as it is first on screen: enter (or a click) opens the worst
    finding about the endpoint, where the reason a short panel cuts is read in full."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Open", tooltip="The finding about this endpoint", id="panel.open"),
    ]

    class Chosen(Message):
        """The operator asked for what lies behind this panel."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.endpoint_name = name

    def __init__(self, name: str) -> None:
        super().__init__(classes="endpoint")
        self.endpoint_name = name
        self.border_title = content(name)
        self._view = PanelView(None, State.UNKNOWN, "not polled yet")

    @property
    def view(self) -> PanelView:
        """What the panel shows now."""
        return self._view

    def action_choose(self) -> None:
        """enter: the Dashboard opens what is known about this endpoint."""
        self.post_message(self.Chosen(self.endpoint_name))

    def on_click(self) -> None:
        """A click does what enter does."""
        self.action_choose()

    def show(self, view: PanelView) -> None:
        """Repaint only when something visible changed."""
        if view == self._view:
            return
        self._view = view
        for state in State:
            self.set_class(state is view.state, f"-{state.value.lower()}")
        self.refresh()

    def render(self) -> Content:
        """State and latency, the sparkline, the reason (wrapped), then details in what room is left."""
        view = self._view
        width = max(8, self.content_size.width)
        height = max(3, self.content_size.height)
        status = view.status
        latency = fmt.millis(status.latency_ms if status is not None else None)
        code = f"  HTTP {status.http_code}" if status is not None and status.http_code else ""
        lines = [state_word(view.state) + Content(f"  {latency}") + Content.styled(code, "$text-muted")]
        spark = sparkline(view.latencies, width) if view.latencies else Content.styled("·", "$text-muted")
        lines.append(spark)
        text = view.reason
        if status is not None and status.kind is EndpointKind.EMERGENCY and status.message:
            text = status.message  # the state word already says "emergency build"
        details = pack(detail_items(status), width) if status is not None else []
        room = height - len(lines)
        reason_room = max(1, room - min(len(details), 1 if room <= 3 else len(details)))
        wrapped = textwrap.wrap(text, width) or [""]
        if len(wrapped) > reason_room:
            wrapped = wrapped[:reason_room]
            wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
        lines += [Content(line) for line in wrapped]
        lines += details[: height - len(lines)]
        return Content("\n").join(lines)
