"""A container row's cells: what the row says (`Shown`, words and numbers) and the cells made from
it in the theme's colours. The table makes a row's cells again only when its `Shown` (or the
theme's colours, `PALETTE`) changed, so the cells are made from `Shown` alone. A row `reading`
(the first cycle's list, before its inspects) says READING where a verdict or a figure is not
known yet, never OK or 0."""

from __future__ import annotations

import functools
from typing import NamedTuple

from rich.style import Style as RichStyle
from rich.text import Text

from sutazai_tui.models import ContainerStats, State
from sutazai_tui.tui.literal import rich_text
from sutazai_tui.tui.widgets.state_style import STATE_VARIABLE, rich_style
from sutazai_tui.util import fmt

_HEALTH_VARIABLE = {"healthy": "success", "starting": "warning", "unhealthy": "error"}
PALETTE = (  # the theme variables the cells are coloured with
    *STATE_VARIABLE.values(),
    *_HEALTH_VARIABLE.values(),
    "warning",
    "foreground-muted",
)
READING = "…"  # a column of a listed container not read yet (its inspect or counters)


@functools.lru_cache(maxsize=64)
def _style(value: str | None, bold: bool = False) -> RichStyle:
    """rich_style of one theme value, parsed once (not three times a row every cycle)."""
    return rich_style({} if value is None else {"v": value}, "v", bold)


def pair(a: int | None, b: int | None) -> str:
    """Two sizes as `used/limit` (or rx/tx, read/write); a dash when neither is known."""
    return fmt.DASH if a is None and b is None else f"{fmt.size(a)}/{fmt.size(b)}"


class Shown(NamedTuple):
    """A row's words and numbers: equal ones make the same cells."""

    name: str
    state: State
    finding: str | None
    docker: str
    health: str
    restarts: int
    cpu: str
    mem: str
    up: str
    net: str
    block: str
    reading: bool = False  # from the engine's list only: STATE and RST not known yet


def reading_shown(c: ContainerStats, docker: str) -> Shown:
    """What the row of a container listed but not yet read says: its list's words, READING for
    every figure the cycle has not read yet."""
    return Shown(
        name=c.name,
        state=State.UNKNOWN,
        finding=None,
        docker=docker,
        health=c.health or fmt.DASH,
        restarts=0,
        cpu=READING if c.cpu_percent is None else fmt.percent(c.cpu_percent),
        mem=READING if c.mem_used is None else pair(c.mem_used, c.mem_limit),
        up=READING,
        net=READING if c.net_rx is None else pair(c.net_rx, c.net_tx),
        block=READING if c.blk_read is None else pair(c.blk_read, c.blk_write),
        reading=True,
    )


def make_cells(row: Shown, variables: dict[str, str]) -> list[Text | str]:
    """The row's cells in the theme's colours (`variables`)."""
    if row.reading:
        word = Text(READING, style=_style(variables.get("foreground-muted")))
    else:
        word = Text(row.state.value, style=_style(variables.get(STATE_VARIABLE[row.state]), bold=True))
    if row.finding is not None:  # which finding: its short id, read in full with enter
        word.append(f" {row.finding}")
    warn = _style(variables.get("warning")) if row.restarts else ""
    health_style = _style(variables.get(_HEALTH_VARIABLE.get(row.health, "foreground-muted")))
    return [
        rich_text(row.name),
        word,
        rich_text(row.docker),
        rich_text(row.health, style=health_style),
        Text(READING if row.reading else str(row.restarts), style=warn, justify="right"),
        Text(row.cpu, justify="right"),
        Text(row.mem, justify="right"),
        Text(row.up, justify="right"),
        Text(row.net, justify="right"),
        Text(row.block, justify="right"),
    ]
