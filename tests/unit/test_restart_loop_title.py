"""The restart-loop title counts only restarts it saw (issue 28 trial): a container caught
`restarting` after one restart is "failing as it starts", never "3 restarts in the last 0.0 s"
beside a restart count of 1 — the demo's first cycle said so at 80x24."""

from __future__ import annotations

from tests.builders import box, only, run, snapshot


def test_caught_restarting_after_one_restart_does_not_claim_three() -> None:
    found = only(
        run(snapshot(0, containers=(box(state="restarting", restart_count=1, exit_code=1),))), "restart-loop"
    )
    assert found.title == "sutazai-backend is in a restart loop: it fails as it starts"
    assert "restart count 1" in found.evidence


def test_three_restarts_seen_are_still_counted_in_the_title() -> None:
    cycles = [snapshot(i * 30, containers=(box(restart_count=n),)) for i, n in enumerate((0, 1, 2, 3))]
    found = only(run(*cycles), "restart-loop")
    assert "3 restarts in the last 60 s" in found.title
