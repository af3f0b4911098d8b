"""When each finding was first seen, when it cleared, and whether it came back.

Diagnosis is stateless: every cycle it says what holds now. The screens that are read for a while
(the finding and container screens) and the report need the finding's story over the cycles: this
keeps it, fed one cycle's findings at a time with that cycle's time. A finding is known by its id
and subject; the last version seen is kept, so a cleared finding can still be read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sutazai_tui.models import Finding

Key = tuple[str, str]  # (id, subject)
# Cleared findings a monitor keeps telling the story of (its finding and container screens): far
# more than a screen lists; ~1 KiB each, so ~0.5 MiB at most however long it runs.
CLEARED_KEPT = 500


def key_of(finding: Finding) -> Key:
    """What names a finding across cycles: its id and its subject."""
    return (finding.id, finding.subject)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """One finding's story: the latest version, since when, cleared when, how often it returned."""

    finding: Finding
    first_seen: datetime  # the first cycle that had it
    since: datetime  # the start of its current (or last) stretch
    last_seen: datetime
    cleared_at: datetime | None = None  # the first cycle without it; None while it holds
    returns: int = 0  # how many times it came back after clearing
    cleared_before: datetime | None = None  # when it last cleared, before it came back

    @property
    def active(self) -> bool:
        """Whether the latest cycle still had it."""
        return self.cleared_at is None

    def lasted_s(self) -> float:
        """How long its last stretch held (up to the clearing, or to the last cycle that had it)."""
        end = self.cleared_at or self.last_seen
        return max(0.0, (end - self.since).total_seconds())


def lasted(seconds: float) -> str:
    """A stretch in words for "resolved … after N min": 40 s, 3 min, 2.5 h."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class FindingTimes:
    """Every finding seen since the start (or since time went back, as in a replay jumped back).

    `cleared_kept` bounds the cleared ones a long-running monitor holds (findings about containers
    that came and went would otherwise pile up for as long as it runs): past it, the ones cleared
    longest ago are forgotten. Active findings are always kept; None keeps every one (a report).
    """

    def __init__(self, cleared_kept: int | None = None) -> None:
        self._lives: dict[Key, Lifetime] = {}
        self._last: datetime | None = None
        self.cleared_kept = cleared_kept

    def observe(self, findings: Iterable[Finding], at: datetime) -> None:
        """One cycle's findings, diagnosed at `at`."""
        if self._last is not None and at < self._last:
            self._lives.clear()  # a replay went back: the story restarts there
        self._last = at
        now = {key_of(f): f for f in findings}
        for key, held in list(self._lives.items()):
            if key not in now and held.active:
                self._lives[key] = replace(held, cleared_at=at)
        for key, finding in now.items():
            life = self._lives.get(key)
            if life is None:
                self._lives[key] = Lifetime(finding, at, at, at)
            elif life.active:
                self._lives[key] = replace(life, finding=finding, last_seen=at)
            else:  # back after clearing
                self._lives[key] = Lifetime(
                    finding, life.first_seen, at, at, None, life.returns + 1, life.cleared_at
                )
        self._forget_old_cleared(len(self._lives) - len(now))

    def _forget_old_cleared(self, cleared: int) -> None:
        """Past `cleared_kept` cleared findings (with a quarter's slack, so not every cycle), keep
        the ones cleared most recently."""
        kept = self.cleared_kept
        if kept is None or cleared <= kept + kept // 4:
            return
        gone = sorted((life.cleared_at, key) for key, life in self._lives.items() if life.cleared_at)
        for _, key in gone[: cleared - kept]:
            del self._lives[key]

    def get(self, key: Key) -> Lifetime | None:
        """The story of the finding with this (id, subject), if it was ever seen."""
        return self._lives.get(key)

    def about(self, subjects: Sequence[str]) -> list[Lifetime]:
        """Every finding about these subjects, active or cleared, in the order first seen."""
        return [life for (_, subject), life in self._lives.items() if subject in subjects]

    def all(self) -> list[Lifetime]:
        """Every finding seen, in the order first seen."""
        return list(self._lives.values())


def is_about(subject: str, container: str, primary: str, listed: Iterable[str]) -> bool:
    """Whether a finding with this subject is about `container`.

    Its own name, or — for the primary service's container — an endpoint's name: the endpoints
    are the primary backend's, so their findings (emergency mode, start-up hang) are about it.
    """
    if subject == container:
        return True
    return container == primary and subject not in set(listed)
