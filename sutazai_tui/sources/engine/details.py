"""One container's logs tail and inspect tree, from the engine (the demo's fleet: demo/details.py).

Core module (no textual). The readers block; the TUI calls them in worker threads.

Bounded by construction: logs are asked with `tail` (the engine sends at most that many lines) and
read as a stream into a byte buffer that keeps only the newest `MAX_LOG_BYTES`, so one endless line
cannot fill memory either. Follow mode asks again with `since` the last line's timestamp. Lines are
cleaned of escapes as they are split (util/clean.py); the viewer masks secrets (log_evidence.py).
Env: `inspect` keeps names only — each entry is split at its first '=' and the value dropped inside
the function that read it; the view shows `•••` in its place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sutazai_tui.sources.engine.client import fault_detail, sdk_client
from sutazai_tui.sources.engine.inspected import env_names
from sutazai_tui.util.clean import decode
from sutazai_tui.util.redact import Redactor, is_secret_name

LOG_TAIL = 200
MAX_LOG_BYTES = 512 * 1024
MAX_LINE_CHARS = 2000
HIDDEN = "•••"


class DetailsError(Exception):
    """Reading a container's details failed; the message is one line for the view."""


@dataclass(frozen=True, slots=True)
class LogLine:
    """One log line and its engine timestamp (nanoseconds since the epoch; 0 when unknown)."""

    ts_ns: int
    text: str


@dataclass(frozen=True, slots=True)
class InspectView:
    """A container's configuration as titled sections of display lines (env values never present)."""

    name: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]


class LogReader(Protocol):
    """Where log lines come from: the engine (DockerDetails) or the demo's fleet (demo/details.py)."""

    def logs(
        self,
        name: str,
        tail: int = ...,
        since_ns: int = 0,
        max_bytes: int = ...,
        until_ns: int = 0,
        head: bool = False,
    ) -> list[LogLine]:
        """The last (`head`: first) `tail` lines, ≤ `max_bytes`, in (`since_ns`, `until_ns`] when set."""
        ...

    def secret_values(self, name: str) -> tuple[str, ...]:
        """Values of the container's secret-named env vars, only to mask them in its log lines."""
        ...


class ContainerDetails(LogReader, Protocol):
    """Where the logs and inspect views read from (the engine, or the demo fleet)."""

    def inspect(self, name: str) -> InspectView:
        """The container's configuration, env values dropped."""
        ...


@dataclass(frozen=True, slots=True)
class LogWindow:
    """What one `logs` call asks for, as a reader gets it (see `LogReader.logs`)."""

    tail: int
    since_ns: int
    max_bytes: int
    until_ns: int
    head: bool


class WindowedLogs:
    """`logs` for both readers: they read a window's lines, this keeps the first or last `tail`."""

    def logs(
        self,
        name: str,
        tail: int = LOG_TAIL,
        since_ns: int = 0,
        max_bytes: int = MAX_LOG_BYTES,
        until_ns: int = 0,
        head: bool = False,
    ) -> list[LogLine]:
        """The last (`head`: first) `tail` lines, ≤ `max_bytes`, in (`since_ns`, `until_ns`] when set."""
        lines = self.read_window(name, LogWindow(tail, since_ns, max_bytes, until_ns, head))
        return lines[:tail] if head else lines[-tail:]

    def read_window(self, name: str, window: LogWindow) -> list[LogLine]:
        """The window's lines, oldest first; more than `tail` is fine (`logs` cuts them)."""
        raise NotImplementedError


def parse_ts(stamp: str) -> int:
    """An engine RFC 3339 nano timestamp as integer nanoseconds (0 when unparseable)."""
    head, _, frac = stamp.rstrip("Z").partition(".")
    try:
        seconds = datetime.fromisoformat(head).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0
    digits = (frac + "000000000")[:9]
    return int(seconds) * 1_000_000_000 + (int(digits) if digits.isdigit() else 0)


def split_lines(raw: bytes, since_ns: int = 0) -> list[LogLine]:
    """Timestamped log bytes as lines, dropping those not newer than `since_ns`."""
    found: list[LogLine] = []  # each line cleaned of escapes where it enters (util/clean.py)
    for line in decode(raw, multiline=True).splitlines():
        stamp, _, text = line.partition(" ")
        ts = parse_ts(stamp)
        if ts and since_ns and ts <= since_ns:
            continue
        found.append(LogLine(ts, (text if ts else line)[:MAX_LINE_CHARS]))
    return found


@contextmanager
def _closing(chunks: Any) -> Iterator[Iterator[bytes]]:
    """Iterate a stream of chunks and close it after, read to its end or not."""
    try:
        yield iter(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def read_bounded(chunks: Any, limit: int = MAX_LOG_BYTES) -> bytes:
    """Join a stream of byte chunks, keeping only the newest `limit` bytes; closes the stream."""
    buf = bytearray()
    with _closing(chunks) as stream:
        for chunk in stream:
            buf += chunk
            if len(buf) > limit:
                del buf[: len(buf) - limit]
    return bytes(buf)


def read_head(chunks: Any, limit: int = MAX_LOG_BYTES) -> bytes:
    """The first `limit` bytes of a stream of chunks, up to the last whole line; closes the stream."""
    buf = bytearray()
    with _closing(chunks) as stream:
        for chunk in stream:
            buf += chunk
            if len(buf) >= limit:
                cut = buf.rfind(b"\n", 0, limit)
                del buf[cut + 1 if cut >= 0 else limit :]
                break
    return bytes(buf)


def _host_port(bind: Mapping[str, Any]) -> str:
    return f"{bind.get('HostIp') or '*'}:{bind.get('HostPort')}"


def _duration(ns: object) -> str:
    return f"{int(ns) / 1e9:g}s" if isinstance(ns, int) and ns else "default"


def sections(
    name: str,
    *,
    image: Sequence[str],
    command: Sequence[str],
    ports: Sequence[str],
    mounts: Sequence[str],
    restart: Sequence[str],
    health: Sequence[str],
    labels: Sequence[str],
    env: Sequence[str],
) -> InspectView:
    """The view's sections, titled and ordered the same for every reader; an empty one says "none"."""
    parts = {
        "image": image,
        "command": command,
        "ports": ports,
        "mounts": mounts,
        "restart policy": restart,
        "health check": health,
        "labels": labels,
        "env": env,
    }
    return InspectView(name, tuple((title, tuple(lines) or ("none",)) for title, lines in parts.items()))


def env_secrets(env: Sequence[Any] | None) -> tuple[str, ...]:
    """Values of secret-named env vars (and credentials in URLs), for masking only: never stored."""
    pairs = (str(entry).partition("=") for entry in env or ())
    return tuple(v for k, _, v in pairs if (is_secret_name(k) or "://" in v) and len(v) >= 4)


def inspect_view(raw: Mapping[str, Any]) -> InspectView:
    """The view of an engine inspect answer. Env values are dropped here and never kept; the command,
    health check, probe output and labels are masked with them (compose fills `${VAR}` in)."""
    config, host = raw.get("Config") or {}, raw.get("HostConfig") or {}
    mask = Redactor(env_secrets(config.get("Env"))).clean_log
    ports = (raw.get("NetworkSettings") or {}).get("Ports") or host.get("PortBindings") or {}
    port_lines = [
        f"{port} → {', '.join(_host_port(b) for b in binds)}" if binds else f"{port} (not published)"
        for port, binds in sorted(ports.items())
    ]
    mounts = [
        f"{m.get('Type', '?')} {m.get('Source') or m.get('Name', '')} → {m.get('Destination')}"
        f" ({'rw' if m.get('RW') else 'ro'})"
        for m in raw.get("Mounts") or ()
    ]
    policy = host.get("RestartPolicy") or {}
    restart = str(policy.get("Name") or "no")
    if policy.get("MaximumRetryCount"):
        restart += f" (max {policy['MaximumRetryCount']} retries)"
    check = config.get("Healthcheck") or {}
    health = (
        [
            mask(f"test: {' '.join(check.get('Test') or ())}", limit=2000),
            f"interval {_duration(check.get('Interval'))}, timeout {_duration(check.get('Timeout'))}",
            f"retries {check.get('Retries') or 'default'},"
            f" start period {_duration(check.get('StartPeriod'))}",
        ]
        if check.get("Test")
        else ["none"]
    )
    probe = (raw.get("State") or {}).get("Health") or {}
    if probe.get("Status"):
        health.append(f"status: {probe['Status']}")
    if probe.get("Log"):  # the engine keeps the last few probes; the newest says why it fails
        last = probe["Log"][-1]
        said = mask(" ".join(str(last.get("Output") or "").split())) or "(no output)"
        health.append(f"last probe: exit {last.get('ExitCode')} at {str(last.get('End', ''))[:19]}: {said}")
    labels = config.get("Labels") or {}
    return sections(
        str(raw.get("Name", "")).lstrip("/"),
        image=(str(config.get("Image", "")), str(raw.get("Image", ""))[:19]),
        command=(
            mask(" ".join([*(config.get("Entrypoint") or ()), *(config.get("Cmd") or ())]), limit=2000),
        ),
        ports=port_lines,
        mounts=mounts,
        restart=(restart,),
        health=health,
        labels=[mask(f"{k}={v}", limit=2000) for k, v in sorted(labels.items())],
        env=[f"{n}={HIDDEN}" for n in env_names(config.get("Env"))],
    )


class DockerDetails(WindowedLogs):
    """Logs and inspect through the docker SDK (imported on first use, in the calling thread)."""

    def __init__(self, docker_host: str | None = None, timeout: float = 10.0) -> None:
        self.docker_host, self.timeout = docker_host, timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def _api(self) -> Any:
        with self._lock:
            if self._client is None:
                # Lazily, in a worker thread: the first frame never waits for the SDK's import.
                self._client = sdk_client(self.docker_host, self.timeout)
            return self._client

    def _fail(self, what: str, name: str, exc: Exception) -> DetailsError:
        return DetailsError(f"{what} of {name}: {fault_detail(exc, self.timeout)}")

    def read_window(self, name: str, window: LogWindow) -> list[LogLine]:
        """The window's lines as the engine sends them.

        The engine applies `tail` to the whole log before `since`/`until` (measured: a window at the
        start of a 3,000-line log came back empty with tail 2000), so the head of a range is read
        with no tail, from its start, and the stream is closed once `max_bytes` have come.
        """
        since_ns, until_ns = window.since_ns, window.until_ns
        try:
            since = {"since": max(since_ns / 1e9 - 0.001, 0.001)} if since_ns else {}
            if until_ns:
                since["until"] = until_ns / 1e9
            api = self._api()  # follow=False: docker-py would otherwise follow every stream
            asked: int | str = "all" if window.head else window.tail
            chunks = api.logs(name, stream=True, follow=False, timestamps=True, tail=asked, **since)
            read = read_head if window.head else read_bounded
            return split_lines(read(chunks, window.max_bytes), since_ns)
        except Exception as exc:  # every engine fault becomes one line in the view
            raise self._fail("logs", name, exc) from None

    def secret_values(self, name: str) -> tuple[str, ...]:
        """Values of secret-named env vars (and credentials in URLs), for masking only: never stored."""
        try:
            return env_secrets((self._api().inspect_container(name).get("Config") or {}).get("Env"))
        except Exception as exc:
            raise self._fail("inspect", name, exc) from None

    def inspect(self, name: str) -> InspectView:
        """The inspect tree of one container."""
        try:
            return inspect_view(self._api().inspect_container(name))
        except Exception as exc:
            raise self._fail("inspect", name, exc) from None

    def close(self) -> None:
        """Close the engine connection."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
