"""The machine the monitor runs on: CPU, load, memory, disk — one line when short on room."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from sutazai_tui.models import HostStats
from sutazai_tui.tui.widgets.state_style import level_style
from sutazai_tui.util import fmt


def host_items(host: HostStats, sizes: bool = True) -> list[Content]:
    """One fact per item, usage coloured by level; `sizes` adds core counts and byte figures."""
    cores = f" of {host.cpu_count} cores" if host.cpu_count and sizes else ""
    load = " ".join(f"{x:.2f}" for x in host.load) if host.load else fmt.DASH
    mem = f" {fmt.size(host.mem_used)}/{fmt.size(host.mem_total)}" if sizes else ""
    disk = f" {fmt.size(host.disk_used)}/{fmt.size(host.disk_total)}" if sizes else ""
    return [
        Content.assemble("cpu ", (fmt.percent(host.cpu_percent), level_style(host.cpu_percent)), cores),
        Content(f"load {load}"),
        Content.assemble("mem ", (fmt.percent(host.mem_percent), level_style(host.mem_percent)), mem),
        Content.assemble("disk / ", (fmt.percent(host.disk_percent), level_style(host.disk_percent)), disk),
        Content(f"up {fmt.duration(host.uptime_s)}"),
    ]


class HostPanel(Widget):
    """Host figures from the snapshot; a line per figure when the panel is tall, else one line."""

    def __init__(self) -> None:
        super().__init__(id="host")
        self._host: HostStats | None = None
        self._error: str | None = None

    def show(self, host: HostStats | None, error: str | None = None) -> None:
        """Repaint only when a figure changed."""
        if (host, error) != (self._host, self._error):
            self._host, self._error = host, error
            self.refresh()

    def render(self) -> Content:
        """Title and items, laid out for the height the layout gave."""
        host = self._host
        title = Content.styled(f"host {host.hostname}" if host and host.hostname else "host", "bold")
        if host is None:
            return title + Content.styled(f"  {self._error or 'waiting for the first poll'}", "$text-muted")
        if self.content_size.height > 1:
            return Content("\n").join([title, *host_items(host)])
        return Content("  ").join([title, *host_items(host, sizes=False)])
