"""The request budget every sutazai-tui process on this host shares, one per backend.

Why: docs/backend.md "The rate limiter and the host budget".

The backend limits per client IP, and every process of ours on a host shares that IP: TUIs,
`check` runs, the exporter and `serve`. So the count lives in a small JSON file per backend origin
under the runtime dir (XDG_RUNTIME_DIR, else the state dir; 0700/0600): the recent request times,
what the backend said is left (X-RateLimit-Remaining/-Reset), a 429's back-off, the processes seen,
and the last answer per URL, for processes that may not ask.

Every change is made under an exclusive fcntl lock on a sibling `.lock` file and written by rename,
so a reader never sees half a file; the changes this process asks for at once share one (a cycle's
request starts, then its ends: core/budget_gather.py). The lock is advisory and every wait is
bounded: a crashed holder released it with its descriptor, and one that hangs holding it is passed
over after LOCK_WAIT_S (the change is then made unlocked: a lost update beats a stuck monitor). A
file that does not parse, or holds what no process of ours writes (numbers not finite, implausible
pids, times in the future, a back-off beyond the limiter's own hour), is rebuilt empty with one line
saying so (`notices`, shown as a cycle error): a poisoned file must not blind every monitor on the
host. A `Retry-After` or block is capped at MAX_BACKOFF_S (an hour), the cap said in the reason. A
folder we cannot write, or one that is not the user's alone (`safefile.unsafe`), falls back to
counting in this process, and is never written into.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from sutazai_tui.config.private import runtime_dir
from sutazai_tui.config.settings import Settings
from sutazai_tui.core.budget_file import fresh, is_number, no_constant, problem
from sutazai_tui.core.budget_gather import Gathering
from sutazai_tui.models import EndpointStatus
from sutazai_tui.sources.backend.gate import (
    BUDGET_WINDOW_S,
    Heard,
    Refusal,
    SharedAnswer,
    capped_wait,
    origin_of,
)
from sutazai_tui.util.clean import clean_tree
from sutazai_tui.util.safefile import FILE_MODE, ensure_dir, unsafe

LOCK_WAIT_S = 0.5
DONE_GATHER_S = 0.05  # request ends within this of the first share a write (or until the last ends)
MINUTE_S = 60.0
SEEN_S = 120.0  # a process that spent nothing for this long no longer counts as sharing
BLOCK_BACKOFF_S = 300.0  # a 403 "IP blocked": nobody on this host asks for this long (as http.py)
_FLAGS = os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """The budget: `burst` requests per `window` s (all paths), and per minute by path class."""

    burst: int = 8
    window: float = BUDGET_WINDOW_S
    health_per_minute: int = 120
    other_per_minute: int = 60


def budget_dir(settings: Settings) -> Path:
    """Where the shared budget files live: $XDG_RUNTIME_DIR/sutazai-tui/budget, else the state dir."""
    return runtime_dir(settings) / "budget"


def _path_class(url: str) -> str:
    # The backend counts /health, /health-emergency, /health/... apart from every other path.
    path = url.split("://", 1)[-1].partition("/")[2]
    return "h" if path.startswith("health") else "o"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None


class HostBudget:
    """The shared budget; `HttpSource(budget=HostBudget.for_settings(settings))`."""

    def __init__(
        self,
        directory: Path,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.time,
        pid: int | None = None,
    ) -> None:
        self.directory = directory
        self.limits = limits or Limits()
        self._clock = clock
        self.pid = pid if pid is not None else os.getpid()
        self.problem: str | None = None  # set when the folder is unusable and we count alone
        self._memory: dict[str, dict[str, Any]] = {}
        self._answers: dict[Path, tuple[tuple[int, int, int], dict[str, Any]]] = {}  # see last_answer
        self.unlocked_writes = 0  # changes made after a bounded lock wait gave up
        self._gathering = Gathering(self._locked_change)
        self._flying: dict[str, int] = {}  # per origin: requests taken, not yet done
        self.notices: list[str] = []  # files rebuilt since last asked (`take_notices`), one line each

    @classmethod
    def for_settings(cls, settings: Settings) -> HostBudget:
        """The budget for this configuration, in the host's shared folder.

        The per-minute caps are the 2025-08 line's (docs/backend.md) unless `request_budget` says the
        backend allows more than 10 per 10 s: then they grow with it (6 bursts a minute).
        """
        burst = settings.request_budget
        limits = Limits(burst, BUDGET_WINDOW_S, max(120, burst * 6), max(60, burst * 6))
        return cls(budget_dir(settings), limits)

    def path_for(self, url: str) -> Path:
        """The state file of `url`'s backend."""
        origin = origin_of(url)
        return self.directory / f"{hashlib.sha256(origin.encode()).hexdigest()[:16]}.json"

    # --- the file ---------------------------------------------------------------------------

    def take_notices(self) -> list[str]:
        """The lines about budget files rebuilt (or unusable) since the last call, once each."""
        notices, self.notices = self.notices, []
        return notices

    def _read(self, path: Path, origin: str) -> dict[str, Any]:
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except FileNotFoundError:
            return fresh(origin)
        except OSError as exc:
            return self._rebuilt(path, origin, (exc.strerror or str(exc)).lower())
        try:
            with os.fdopen(fd, "rb") as handle:
                raw = json.loads(handle.read(4 * 1024 * 1024), parse_constant=no_constant)
                state = clean_tree(raw, multiline=True)  # outside text
        except (OSError, ValueError, RecursionError):
            return self._rebuilt(path, origin, "not valid JSON")
        why = problem(state, origin, self._clock())
        return state if why is None else self._rebuilt(path, origin, why)

    def _unchanged_or_read(self, path: Path, origin: str) -> dict[str, Any]:
        """The file as `last_answer` last read it while it has not changed (every change is a new
        file renamed in: a new inode), else read again. A paced cycle asks it once per endpoint on
        the event loop, and each read parses and cleans the whole file (~0.7 ms)."""
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            return self._read(path, origin)
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        held = self._answers.get(path)
        if held is None or held[0] != key:
            held = self._answers[path] = (key, self._read(path, origin))
        return held[1]

    def _rebuilt(self, path: Path, origin: str, why: str) -> dict[str, Any]:
        """A fresh state for a file that cannot be used (written over on the next change), said once."""
        line = f"shared request budget {path} rebuilt: {why}"
        if line not in self.notices:
            self.notices.append(line)
        return fresh(origin)

    def _write(self, path: Path, state: dict[str, Any]) -> None:
        temp = path.with_name(f"{path.name}.{self.pid}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_TRUNC | _FLAGS, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(state, separators=(",", ":")).encode())
        os.replace(temp, path)

    def _open_lock(self, path: Path) -> int:
        lock = path.with_suffix(".lock")
        try:
            return os.open(lock, os.O_RDWR | _FLAGS, FILE_MODE)
        except FileNotFoundError:  # the folder is made (checked) only when missing, not every change
            ensure_dir(self.directory)
            return os.open(lock, os.O_RDWR | _FLAGS, FILE_MODE)

    async def _change(
        self, url: str, change: Callable[[dict[str, Any]], T], gather: float = 0.0, last: bool = False
    ) -> T:
        """Change `url`'s state in the next locked read and write of its file, with the other
        changes asked for until then (`gather` s from the first, or now if `last`: no request of
        this process is in flight any more; 0: this turn of the event loop)."""
        origin = origin_of(url)
        if self.problem is not None:
            return change(self._memory.setdefault(origin, fresh(origin)))
        return await self._gathering.change(self.path_for(url), origin, change, gather, last)

    async def _locked_change(self, path: Path, origin: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Read, change and write one file's state under the lock (waiting at most LOCK_WAIT_S)."""
        unsafe_line = unsafe(self.directory, "budget folder") or unsafe(path, "budget file")
        if unsafe_line is not None:  # not ours alone: never written into, count in this process
            self.problem = unsafe_line
            self.notices.append(unsafe_line)
            return change(self._memory.setdefault(origin, fresh(origin)))
        try:
            fd = self._open_lock(path)
        except OSError as exc:
            self.problem = f"shared request budget unusable ({exc.strerror}: {self.directory})"
            self.notices.append(self.problem)
            return change(self._memory.setdefault(origin, fresh(origin)))
        locked = False
        try:
            deadline = time.monotonic() + LOCK_WAIT_S
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    locked = True
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        self.unlocked_writes += 1  # a holder that hangs must not stop us
                        break
                    await asyncio.sleep(0.005)
            state = self._read(path, origin)
            change(state)
            with contextlib.suppress(OSError):
                self._write(path, state)
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    # --- the rules --------------------------------------------------------------------------

    def _prune(self, state: dict[str, Any], now: float) -> int:
        """Forget what no longer counts; register this process; the number of others sharing."""
        state["sent"] = [s for s in state["sent"] if 0 <= now - s[0] < MINUTE_S]
        # A request still in flight counts whatever its age: the backend may not have seen it yet.
        state["sent"] = [s for s in state["sent"] if len(s) == 2 or _alive(int(s[2]))]
        procs: dict[str, float] = state["procs"]
        procs[str(self.pid)] = now
        for key in list(procs):
            seen = procs[key]
            gone = not key.isdigit() or not isinstance(seen, int | float) or now - seen > SEEN_S
            if gone or (key != str(self.pid) and not _alive(int(key))):
                del procs[key]
        return len(procs) - 1

    def _refusal(self, state: dict[str, Any], url: str, now: float) -> Refusal | None:
        sharing = self._prune(state, now)
        if state["not_before"] > now:
            why = state.get("why") or "the backend rate-limited this host"
            return Refusal(str(why), state["not_before"] - now, sharing)
        left = state["left"]
        if left is not None and now < left[1] and left[0] <= 0:
            until = datetime.fromtimestamp(left[1], UTC).strftime("%H:%M:%S")
            asked = state.get("reset_asked")
            capped = ""
            if isinstance(asked, int | float) and is_number(asked):  # a number only, never text from the file
                said = f"{asked:.0f} s" if 0 < float(asked) < 1e9 else "later"
                capped = f" (it said {said}: capped at {MINUTE_S:.0f} s)"
            return Refusal(
                f"the backend says no request is left until {until} UTC{capped}", left[1] - now, sharing
            )
        limits = self.limits
        recent = sorted(s[0] for s in state["sent"] if now - s[0] < limits.window or len(s) == 3)
        spent = "this host's request budget is spent"
        if len(recent) >= limits.burst:
            return Refusal(spent, max(0.0, limits.window - (now - recent[0])), sharing)
        kind = _path_class(url)
        cap = limits.health_per_minute if kind == "h" else limits.other_per_minute
        minute = sorted(s[0] for s in state["sent"] if s[1] == kind)
        if len(minute) >= cap:
            why = f"this host's per-minute budget for {'/health' if kind == 'h' else 'these'} paths is spent"
            return Refusal(why, max(0.0, MINUTE_S - (now - minute[0])), sharing)
        return None

    async def take(self, url: str) -> Refusal | None:
        """Spend one request on `url` for the whole host, or say why not."""

        def change(state: dict[str, Any]) -> Refusal | None:
            now = self._clock()
            refusal = self._refusal(state, url, now)
            if refusal is None:
                state["sent"].append([now, _path_class(url), self.pid])  # in flight until done()
                left = state["left"]
                if left is not None and now < left[1]:
                    left[0] -= 1
            return refusal

        refusal = await self._change(url, change)
        if refusal is None:
            self._flying[origin_of(url)] = self._flying.get(origin_of(url), 0) + 1
        return refusal

    async def done(self, url: str, heard: Sequence[Heard] = (), answer: EndpointStatus | None = None) -> None:
        """A request to `url` ended: it counts from now, the latest the backend may have seen it.

        The backend counts a request when it arrives, which under load is well after `take`;
        counting in-flight requests always and finished ones from their end keeps every window
        the backend can see within the budget. What its answers said (`heard`) and the judged
        `answer` go into the same change: one locked read and write of the file per request end.
        """
        kind = _path_class(url)
        hearings = [h for code, headers in heard if (h := self._hearing(code, headers)) is not None]
        shared = self._shared(answer)

        def change(state: dict[str, Any]) -> None:
            for entry in state["sent"]:
                if len(entry) == 3 and entry[1] == kind and entry[2] == self.pid:
                    entry[:] = [self._clock(), kind]
                    break
            for hearing in hearings:
                hearing(state)
            if shared is not None:
                state["last"][shared[0]] = shared[1]

        origin = origin_of(url)
        self._flying[origin] = flying = max(0, self._flying.get(origin, 0) - 1)
        await self._change(url, change, DONE_GATHER_S, last=flying == 0)

    def _hearing(self, code: int, headers: Mapping[str, str]) -> Callable[[dict[str, Any]], None] | None:
        """What an answer's remaining/reset, 429 or blocked IP changes in the state, if anything."""
        remaining = _number(headers.get("x-ratelimit-remaining"))
        reset = _number(headers.get("x-ratelimit-reset"))
        retry = _number(headers.get("retry-after"))
        blocked = code == 403 and "x-block-reason" in headers
        if remaining is None and code != 429 and not blocked:
            return None

        def change(state: dict[str, Any]) -> None:
            now = self._clock()
            if remaining is not None and reset is not None:
                asked = reset if reset > 1e9 else now + reset  # epoch seconds, or seconds from now
                until = min(asked, now + MINUTE_S)  # never trust a reset further than a minute away
                # What it asked, kept as a number only: the refusal says the cap (see _refusal).
                state["reset_asked"] = round(asked - now) if asked > until else None
                left = state["left"]
                if left is not None and now < left[1] and abs(left[1] - until) < 1:
                    left[0] = min(left[0], remaining)  # answers arrive out of order: the lowest wins
                else:
                    state["left"] = [remaining, until]
            if code == 429:
                wait, capped = capped_wait(retry if retry is not None else BUDGET_WINDOW_S)
                state["not_before"] = max(state["not_before"], now + wait)
                state["why"] = f"the backend rate-limited this host (429, retry after {wait:.0f} s{capped})"
            elif blocked:
                wait, capped = capped_wait(max(retry or 0.0, BLOCK_BACKOFF_S))
                state["not_before"] = max(state["not_before"], now + wait)
                state["why"] = (
                    f"the backend blocked this host's IP (403, repeated rate-limit violations{capped})"
                )

        return change

    def _shared(self, status: EndpointStatus | None) -> tuple[str, list[Any]] | None:
        """A judged answer as the file keeps it; none for a carried or rate-limited one."""
        if status is None or status.carried or status.failure == "rate-limited":
            return None
        return status.url, [self._clock(), self.pid, status.model_dump(mode="json")]

    def last_answer(self, url: str, max_age: float) -> SharedAnswer | None:
        """The last answer heard on this host for `url`, if younger than `max_age` s (read unlocked)."""
        origin = origin_of(url)
        if self.problem is not None:
            state = self._memory.get(origin, fresh(origin))
        else:
            state = self._unchanged_or_read(self.path_for(url), origin)
        entry = state["last"].get(url)
        if not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[0], int | float):
            return None
        age = self._clock() - entry[0]
        if not 0 <= age < max_age:
            return None
        try:
            status = EndpointStatus.model_validate(entry[2])
        except ValidationError:
            return None
        return SharedAnswer(status, age, mine=entry[1] == self.pid)
