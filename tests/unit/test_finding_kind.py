"""`Kind` (diagnosis/context.py): a finding's id and usual severity, named once; `about` makes one."""

from __future__ import annotations

from sutazai_tui.diagnosis import containers, endpoints, evidence, load
from sutazai_tui.diagnosis.context import Kind
from sutazai_tui.diagnosis.run import FINDINGS
from sutazai_tui.models import Finding


def test_about_makes_the_finding_with_the_kinds_id_and_severity() -> None:
    made = Kind("oom-killed", "critical").about("sutazai-redis", title="t", evidence="e", fix="f")
    assert made == Finding(
        id="oom-killed", severity="critical", subject="sutazai-redis", title="t", evidence="e", fix="f"
    )


def test_a_severity_given_wins_over_the_kinds_usual_one() -> None:
    crashed = Kind("crashed", "critical")
    assert crashed.about("x", title="t", evidence="e", fix="f", severity="warning").severity == "warning"
    assert crashed.about("x", title="t", evidence="e", fix="f").severity == "critical"


def test_every_kind_the_detectors_name_is_a_documented_finding_and_each_id_has_one() -> None:
    kinds = [
        value
        for module in (containers, endpoints, evidence, load)
        for value in vars(module).values()
        if isinstance(value, Kind)
    ]
    assert sorted(k.id for k in kinds) == sorted(FINDINGS)
