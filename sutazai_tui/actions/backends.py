"""Where container actions happen: the backend protocol and the Docker engine.

`Actions` (policy.py) holds the policy — allow-list, read-only, locks, audit — and calls a
backend for the mechanics. `DockerBackend` uses the SDK's low-level APIClient, imported on
first use; the demo's fleet has its own backend (demo/actions.py), built by demo/factory.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from pydantic import Field

from sutazai_tui.config.settings import Settings, redactor_for
from sutazai_tui.models import ContainerRef, Frozen
from sutazai_tui.sources.engine.client import DEFAULT_HOST, describe_fault, sdk_client
from sutazai_tui.sources.engine.compose_labels import RecreatePlan
from sutazai_tui.sources.engine.inspected import parse_time
from sutazai_tui.util.redact import Redactor

OUTPUT_TAIL = 2000  # characters of compose output kept in the result and the audit line


class ContainerInfo(ContainerRef):
    """A container as a backend's `inspect` sees it right now: the part of `ContainerStats` an
    action reads, with the same names and defaults."""

    state: str = "unknown"
    started_at: datetime | None = None
    exit_code: int | None = None
    labels: dict[str, str] = Field(default_factory=dict)


class ContainerBrief(Frozen):
    """What the confirmation dialog shows, plus why the action would be refused (if it would)."""

    name: str
    id: str
    short_id: str
    image: str
    state: str
    started_at: datetime | None
    uptime_s: float | None  # None unless running
    protected: bool  # the operator must type the name to confirm
    refusal: str | None  # set when Actions would refuse: show it instead of asking to confirm
    command: str | None = None  # a recreate: the compose command that will run


class BackendError(Exception):
    """An engine call failed; the message is one line with the reason (and the fix if known)."""


class ContainerGone(BackendError):
    """The container does not exist (any more)."""


class Changed(BackendError):
    """The name no longer carries the confirmed id (renamed, swapped, recreated or gone)."""


class ActionTimeout(BackendError):
    """The engine did not confirm the action within the bounded call's time."""


class ComposeFailed(BackendError):
    """The compose CLI exited non-zero; `output` is what it said (redacted), for the result."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class ActionBackend(Protocol):
    """Where actions happen: the Docker engine, or the demo's simulated fleet.

    Each call blocks and must return or raise within its bound: `stop`/`restart` within
    `timeout` (the grace before the kill) plus the backend's own margin, raising ActionTimeout
    beyond it. `ref` is the `id` that `inspect` returned, so an action hits the container that
    was checked, not a new one that took its name meanwhile.
    """

    # True: a recreate runs the compose CLI here, on the project's files; False: the backend
    # plays it (the demo's fleet), so no files or CLI are needed.
    runs_on_host: bool

    @property
    def engine(self) -> str:
        """Where actions go, written in the audit line (e.g. unix:///var/run/docker.sock)."""
        ...

    def inspect(self, name: str) -> ContainerInfo:
        """The container now; ContainerGone if there is none, BackendError if unreachable."""
        ...

    def stop(self, ref: str, timeout: int) -> None:
        """SIGTERM, and SIGKILL after `timeout` seconds; returns once it has stopped."""
        ...

    def restart(self, ref: str, timeout: int) -> None:
        """Stop as `stop` does, then start again."""
        ...

    def start(self, ref: str, timeout: int) -> None:
        """Start a stopped container (`timeout` unused: a start does not wait on the process)."""
        ...

    def kill(self, ref: str) -> None:
        """SIGKILL now."""
        ...

    def recreate(self, plan: RecreatePlan, timeout: int) -> str:
        """Run the compose recreate within `timeout` seconds; its output (redacted), or BackendError."""
        ...

    def close(self) -> None:
        """Release the engine connection, if any."""
        ...


def run_compose(
    plan: RecreatePlan, timeout: int, docker_host: str | None, redactor: Redactor | None = None
) -> str:
    """Run `plan.argv` (no shell) in `plan.cwd`, bounded; return its output's tail, redacted.

    Its own session, so that on timeout the whole process group goes, not just the CLI's front
    process. stdin is closed: compose must never wait for an answer nobody will type.
    """
    env = dict(os.environ)
    if docker_host:  # the engine the monitor watches, not whatever DOCKER_HOST says
        env["DOCKER_HOST"] = docker_host
    try:
        proc = subprocess.Popen(
            plan.argv,
            cwd=plan.cwd or None,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise BackendError(f"cannot run {plan.argv[0]}: {exc.strerror or exc}") from None
    try:
        raw, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise ActionTimeout(
            f"compose did not finish within {timeout}s (recreate_timeout) and was stopped; the "
            "container may be half-replaced — check `docker ps -a`"
        ) from None
    # As a log: compose echoes interpolated values (URLs with passwords, KEY=value) in its errors.
    tail = raw.decode(errors="replace")[-OUTPUT_TAIL:]
    output = (redactor or Redactor()).clean_log(tail, limit=OUTPUT_TAIL)
    if proc.returncode != 0:
        last = output.splitlines()[-1] if output else "no output"
        raise ComposeFailed(f"compose exited {proc.returncode}: {last}", output)
    return output


class DockerBackend:
    """Actions on a Docker engine (Settings.docker_host, else DOCKER_HOST, else the local socket).

    Every call is bounded by the client's timeout (Settings.docker_timeout); the SDK adds the
    stop grace to it for stop and restart, so their bound is `grace + docker_timeout`: a stop
    that the engine has not confirmed by then is an ActionTimeout, not a hang.
    """

    runs_on_host = True  # a recreate runs the compose CLI here, on the project's files

    def __init__(self, settings: Settings, client_factory: Callable[[], Any] | None = None) -> None:
        self.docker_host, self.margin = settings.docker_host, settings.docker_timeout
        self._factory = client_factory or self._make_client
        self._client: Any = None
        self._lock = threading.Lock()
        self._redactor = redactor_for(settings)

    @property
    def engine(self) -> str:
        """The engine address actions go to."""
        return self.docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST

    def inspect(self, name: str) -> ContainerInfo:
        """The container now, from the engine's inspect."""
        raw = self._call(lambda api: api.inspect_container(name), name, None)
        state, config = raw.get("State") or {}, raw.get("Config") or {}
        status = state.get("Status", "unknown")
        return ContainerInfo(
            name=str(raw.get("Name", name)).lstrip("/"),
            id=raw["Id"],
            image=config.get("Image", ""),
            state=status,
            started_at=parse_time(state.get("StartedAt")),
            exit_code=None if status in ("running", "paused", "created") else state.get("ExitCode"),
            labels=dict(config.get("Labels") or {}),
        )

    def stop(self, ref: str, timeout: int) -> None:
        """`docker stop -t timeout`."""
        self._call(lambda api: api.stop(ref, timeout=timeout), ref, timeout)

    def restart(self, ref: str, timeout: int) -> None:
        """`docker restart -t timeout`."""
        self._call(lambda api: api.restart(ref, timeout=timeout), ref, timeout)

    def start(self, ref: str, timeout: int) -> None:
        """`docker start`."""
        self._call(lambda api: api.start(ref), ref, 0)

    def kill(self, ref: str) -> None:
        """`docker kill` (SIGKILL)."""
        self._call(lambda api: api.kill(ref), ref, 0)

    def recreate(self, plan: RecreatePlan, timeout: int) -> str:
        """`docker compose … up -d --force-recreate --no-deps S`, against this backend's engine."""
        return run_compose(plan, timeout, self.docker_host, self._redactor)

    def close(self) -> None:
        """Close the engine connection."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def _api(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def _call(self, call: Callable[[Any], Any], ref: str, grace: int | None) -> Any:
        """Run one engine call, turning every failure into a one-line BackendError."""
        from docker.errors import APIError, NotFound
        from requests.exceptions import ReadTimeout

        try:
            return call(self._api())
        except NotFound:
            raise ContainerGone(f"container {ref} no longer exists") from None
        except APIError as exc:
            raise BackendError(f"the engine refused: {exc.explanation or exc}") from None
        except ReadTimeout as exc:
            if grace is None:  # an inspect: the engine is hung, nothing was asked of it
                raise BackendError(describe_fault(exc, self.engine, self.margin)) from None
            # Connected and asked, but no answer in time: the engine may still be acting.
            bound = self.margin + (grace or 0)
            what = f"stop grace {grace}s + {self.margin:g}s margin" if grace else "engine timeout"
            raise ActionTimeout(
                f"the engine did not confirm within {bound:g}s ({what}); it may still be working "
                "on it — check `docker ps -a`"
            ) from None
        except Exception as exc:  # unreachable, refused, TLS...: reconnect next time
            with self._lock:
                self._client = None
            raise BackendError(describe_fault(exc, self.engine, self.margin)) from exc

    def _make_client(self) -> Any:
        """A connected APIClient (it asks the engine's API version, so it raises if unreachable)."""
        # ssh:// goes through the source's multiplexed ssh connection (sources/engine/client.py).
        return sdk_client(self.docker_host, self.margin)
