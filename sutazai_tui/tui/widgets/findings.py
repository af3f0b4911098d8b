"""Diagnoses beside the panels: what is wrong, worst first, one line each; `enter` opens one in full.

The line is a headline (severity, subject, title): the evidence and the fix never fit one line at
80 columns, so they are read on the finding screen (tui/screens/finding.py), not cut here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.events import Resize
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from sutazai_tui.models import Finding
from sutazai_tui.tui.widgets.cursor_keys import cursor_keys

_ORDER = {"critical": 0, "warning": 1, "info": 2}
# Reverse, not only colour: with NO_COLOR a critical badge still stands out.
SEVERITY_STYLE = {
    "critical": "bold reverse $error",
    "warning": "bold $warning",
    "info": "$accent",
}


def headline(finding: Finding) -> str:
    """`subject: title`, the subject once: titles that already start with it keep only the title."""
    if finding.title.startswith(finding.subject):
        return finding.title
    return f"{finding.subject}: {finding.title}"


def severity_badge(finding: Finding) -> Content:
    """` CRITICAL `, styled so the worst stands out even without colour."""
    return Content.styled(f" {finding.severity.upper()} ", SEVERITY_STYLE.get(finding.severity, "bold"))


def finding_line(finding: Finding) -> Content:
    """`CRITICAL subject: title` (evidence and fix are on the finding screen)."""
    return Content.assemble(
        severity_badge(finding),
        " ",
        headline(finding),
    )


def worst_first(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """Critical first, then by subject and id (a stable order between cycles)."""
    return tuple(sorted(findings, key=lambda f: (_ORDER.get(f.severity, 3), f.subject, f.id)))


class FindingsPanel(OptionList):
    """A list of `Finding`s, worst first, focusable; hidden while there are none.

    Since when each one holds is the Dashboard's (`finding_times`), for the finding screen.
    """

    BINDINGS: ClassVar[list[BindingType]] = cursor_keys("findings", first="first", last="last")

    def __init__(self) -> None:
        super().__init__(id="findings")
        self.border_title = "findings"
        self._findings: tuple[Finding, ...] = ()
        self.display = False

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What the panel shows, worst first."""
        return self._findings

    @property
    def text(self) -> str:
        """The lines as plain text (what a test sees)."""
        return "\n".join(finding_line(f).plain for f in self._findings)

    def highlighted_finding(self) -> Finding | None:
        """The finding under the cursor."""
        at = self.highlighted
        return self._findings[at] if at is not None and 0 <= at < len(self._findings) else None

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show these findings (replacing the last ones); hide the panel when there are none."""
        ordered = worst_first(findings)
        if ordered == self._findings:
            return
        was = self.highlighted_finding()
        self._findings = ordered
        self.display = bool(ordered)
        self.set_options(Option(finding_line(f)) for f in ordered)
        if ordered:
            same = [i for i, f in enumerate(ordered) if was and (f.id, f.subject) == (was.id, was.subject)]
            self.highlighted = same[0] if same else 0
        self._title()

    def _title(self) -> None:
        count = len(self._findings)
        rows = self.scrollable_content_region.height
        more = count - rows if rows and count > rows else 0
        hidden = f" · +{more} more (shift+tab, ↓)" if more else ""
        self.border_title = f"findings ({count}){hidden} · enter: open"

    def on_resize(self, event: Resize) -> None:
        """The "+N more" depends on how many lines fit."""
        del event
        self.call_after_refresh(self._title)
