"""Diagnoses beside the panels: what is wrong, the evidence and the fix, worst first."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from sutazai_tui.models import Finding

_ORDER = {"critical": 0, "warning": 1, "info": 2}
_STYLE = {"critical": "bold $text on $error", "warning": "bold $text on $warning", "info": "bold $accent"}


def finding_line(finding: Finding) -> Content:
    """`CRITICAL subject: title — fix` with the evidence after it."""
    return Content.assemble(
        (f" {finding.severity.upper()} ", _STYLE[finding.severity]),
        (f" {finding.subject}: ", "bold"),
        finding.title,
        (f" — {finding.fix}", "$accent"),
        (f" ({finding.evidence})", "$text-muted"),
    )


class FindingsPanel(Static):
    """A list of `Finding`s, worst first; hidden while there are none."""

    def __init__(self) -> None:
        super().__init__(id="findings")
        self.border_title = "findings"
        self._findings: tuple[Finding, ...] = ()
        self.display = False

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What the panel shows, worst first."""
        return self._findings

    def show_findings(self, findings: Sequence[Finding]) -> None:
        """Show these findings (replacing the last ones); hide the panel when there are none."""
        ordered = tuple(sorted(findings, key=lambda f: (_ORDER.get(f.severity, 3), f.subject, f.id)))
        if ordered == self._findings:
            return
        self._findings = ordered
        self.display = bool(ordered)
        self.border_title = f"findings ({len(ordered)})"
        self.update(Content("\n").join(finding_line(f) for f in ordered))
