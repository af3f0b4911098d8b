"""The shared budget file's schema: what a file written by our processes can hold, strictly.

The file sits where another process of this user writes; `problem` says why a parsed file cannot be
used (numbers not finite, implausible pids, times in the future, a back-off beyond the limiter's
own hour), and core/budget.py rebuilds it with one line saying so.
"""

from __future__ import annotations

import math
from typing import Any

from sutazai_tui.sources.backend.gate import MAX_BACKOFF_S

MINUTE_S = 60.0
PID_MAX = 4_194_304  # the kernel's highest possible pid (2**22)
SKEW_S = 60.0  # how far in the future a time written by another process may be (clocks, rounding)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _pid(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= PID_MAX


def _when(value: Any, now: float, ahead: float = SKEW_S) -> bool:
    """A time another process wrote: finite and not further ahead than `ahead` (old is harmless)."""
    return is_number(value) and value <= now + ahead


def fresh(origin: str) -> dict[str, Any]:
    return {"v": 1, "origin": origin, "sent": [], "left": None, "not_before": 0.0, "procs": {}, "last": {}}


def problem(state: Any, origin: str, now: float) -> str | None:
    """Why a parsed budget file cannot be used as it is (None: it can): a strict schema."""
    if not isinstance(state, dict) or state.get("v") != 1 or state.get("origin") != origin:
        return "not this backend's budget file"
    sent, left, procs, last = state.get("sent"), state.get("left"), state.get("procs"), state.get("last")
    if not isinstance(sent, list) or not all(
        isinstance(s, list) and len(s) in (2, 3) and _when(s[0], now) and s[1] in ("h", "o") for s in sent
    ):
        return "request times not finite or in the future"
    if not all(_pid(s[2]) for s in sent if len(s) == 3):
        return "implausible process ids"
    if left is not None and not (
        isinstance(left, list)
        and len(left) == 2
        and is_number(left[0])
        and _when(left[1], now, MINUTE_S + SKEW_S)
    ):
        return "a rate-limit reset not finite or more than a minute ahead"
    if not _when(state.get("not_before"), now, MAX_BACKOFF_S + SKEW_S):
        return f"a back-off not finite or beyond {MAX_BACKOFF_S:.0f} s"
    if not isinstance(procs, dict) or not all(
        k.isdigit() and _pid(int(k)) and _when(v, now) for k, v in procs.items()
    ):
        return "implausible process ids"
    if not isinstance(last, dict) or not all(
        isinstance(v, list) and len(v) == 3 and _when(v[0], now) and _pid(v[1]) and isinstance(v[2], dict)
        for v in last.values()
    ):
        return "shared answers with implausible times or process ids"
    if not isinstance(state.get("why", ""), str):
        return "a reason that is not text"
    return None


def no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a budget file holds")
