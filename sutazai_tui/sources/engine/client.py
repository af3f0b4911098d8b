"""Reaching a Docker engine: client arguments, one-line fault reasons, and what "gone" looks like.

Shared by the container source, the details views (logs, inspect) and the action backend, so
every engine call, local or remote, fails with the same one-line reason and fix, never with an
exception's raw text. ssh:// engines go through the system ssh client over one multiplexed
connection (sources/ssh/mux.py), so the operator's ssh config, agent and known hosts apply.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from typing import Any

DEFAULT_HOST = "unix:///var/run/docker.sock"
# API channels per client on an ssh:// engine: the source's 4, actions' and logs' usually 1 each
# (their calls rarely overlap) and the counters command: 7 sessions, below sshd's MaxSessions 10.
SSH_POOL = 4
_HIDDEN_FROM_SDK = ("paramiko", "charset_normalizer", "chardet")  # see import_docker


def import_docker() -> Any:
    """The docker SDK, imported without paramiko and without a character-set detector.

    Why: the SDK imports paramiko (and cryptography) whenever it is installed, for a transport we
    never use — ssh:// goes through the system ssh client (sources/ssh/transport.py). That import
    cost ~20 MiB RSS and ~0.5 s here. Its `requests` imports charset_normalizer (~2.5 MiB RSS),
    used only to guess the encoding of an answer that names none; the engine answers JSON, which
    requests reads as UTF-8, and without a detector requests falls back to UTF-8 anyway (it warns
    once at import that none was found: that warning is filtered). Both are hidden from the SDK's
    import only; anything else may still import them afterwards.
    """
    if "docker" not in sys.modules:
        hidden = [name for name in _HIDDEN_FROM_SDK if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
        warnings.filterwarnings("ignore", "Unable to find acceptable character detection", module="requests")
        try:
            import docker  # noqa: F401
        finally:
            for name in hidden:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]
    return sys.modules["docker"]


def engine_kwargs(docker_host: str | None) -> dict[str, Any]:
    """APIClient arguments: DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, an explicit host on top.

    The TLS settings from the environment are kept for an explicit tcp:// host too; unix:// and
    ssh:// clients ignore them. For ssh:// the multiplexing ssh wrapper is put on PATH first.
    """
    docker = import_docker()
    found: dict[str, Any] = docker.utils.kwargs_from_env()
    if docker_host:
        found["base_url"] = docker_host
    if str(found.get("base_url", "")).startswith("ssh://"):
        from sutazai_tui.sources.ssh.mux import install_wrapper

        install_wrapper()
    return found


def api_client(docker_host: str | None, timeout: float, pool: int = 10) -> Any:
    """The container source's connected client (it asks the engine's API version, so it raises if
    unreachable): on a local socket the SDK-free LocalEngine (sources/engine/local.py: the five
    calls a poll makes), else the SDK's (`sdk_client`). Actions and log reads use `sdk_client`.
    """
    path = socket_path(docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST)
    if path is None:
        return sdk_client(docker_host, timeout, pool)
    from sutazai_tui.sources.engine.local import LocalEngine

    return LocalEngine(path, timeout, pool)


def sdk_client(docker_host: str | None, timeout: float, pool: int = 10) -> Any:
    """A connected docker SDK APIClient (it asks the engine's API version, so it raises if unreachable).

    ssh:// uses the system ssh client (sources/ssh/transport.py), its connections bounded by SSH_POOL.
    """
    docker = import_docker()  # lazily: ~270 ms of import that the first frame must not wait for
    where = engine_kwargs(docker_host)
    engine = str(where.pop("base_url", ""))
    if not engine.startswith("ssh://"):
        return docker.APIClient(timeout=timeout, max_pool_size=pool, base_url=engine or None, **where)
    from sutazai_tui.sources.ssh import transport as sshtransport

    # Built on a placeholder (nothing connects to it) with a placeholder version, so the SDK's
    # own ssh transport is never made; ours is mounted and the version negotiated over it.
    client = docker.APIClient(base_url=DEFAULT_HOST, timeout=timeout, version="1.24")
    sshtransport.mount(client, engine, timeout, min(pool, SSH_POOL))
    client._version = client._retrieve_server_version()
    return client


def socket_path(address: str) -> str | None:
    """The socket file of a unix:// address; None for any other kind (tcp://, ssh://...)."""
    if not address.startswith("unix://"):
        return None
    path = address.removeprefix("unix://")
    return path if path.startswith("/") else None


def causes(exc: BaseException) -> Iterator[BaseException]:
    """An exception and all it wraps (cause, context, urllib3's `reason`, exception args)."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        err = stack.pop()
        if id(err) not in seen:
            seen.add(id(err))
            yield err
            linked = (err.__cause__, err.__context__, getattr(err, "reason", None), *err.args)
            stack.extend(x for x in linked if isinstance(x, BaseException))


def _status(exc: BaseException) -> int | None:
    return getattr(getattr(exc, "response", None), "status_code", None)


def fault_detail(exc: BaseException, timeout: float) -> str:
    """Why an engine call failed and what to do about it, in a few words (never a traceback)."""
    found = list(causes(exc))
    names = {type(c).__name__ for c in found}
    if any(isinstance(c, FileNotFoundError) for c in found):
        return "no engine socket — start dockerd or set DOCKER_HOST/--docker-host"
    if any(isinstance(c, PermissionError) for c in found):
        return "permission denied — add your user to the docker group or set DOCKER_HOST"
    if any(isinstance(c, ConnectionRefusedError) for c in found):
        return "connection refused — the engine is not running; start dockerd"
    if any(isinstance(c, TimeoutError) or "Timeout" in type(c).__name__ for c in found):
        return f"no answer within {timeout:g}s — the engine is hung or overloaded"
    for c in found:
        if type(c).__name__ == "SshFault":  # already one line with its fix
            return str(c)
    if any(isinstance(c, BrokenPipeError | ConnectionResetError) for c in found) or names & {
        "RemoteDisconnected",  # requests/urllib3 (the SDK)
        "ProtocolError",
        "IncompleteRead",
        "RemoteProtocolError",  # httpx (the local socket's client, local.py)
    }:
        return "the connection to the engine broke mid-answer — it retries next cycle"
    if "JSONDecodeError" in names:
        return "the engine answered empty — it retries next cycle"
    status = _status(exc)
    if status is not None:
        said = str(getattr(exc, "explanation", "") or "").splitlines()
        return f"the engine answered HTTP {status}" + (f": {said[0][:120]}" if said else "")
    return f"unexpected {type(exc).__name__} from the engine — it retries next cycle"


def where_advice(address: str) -> str:
    """What to check for an engine that does not answer, by the kind of its address."""
    if address.startswith("ssh://"):
        return f"check ssh access to it (`ssh {address.removeprefix('ssh://')} docker version`)"
    if address.startswith(("tcp://", "http://", "https://")):
        return (
            f"check that a daemon listens at {address} (dockerd `-H tcp://…`, a firewall or tunnel "
            f"between), or point --docker-host/DOCKER_HOST at the right engine"
        )
    return "start dockerd, or point --docker-host/DOCKER_HOST at the engine"


def describe_fault(exc: BaseException, address: str, timeout: float) -> str:
    """The one-line reason the engine part is UNKNOWN: which engine did not answer, why, the fix.

    The local-socket advice ("start dockerd") fits only a local socket: a refused tcp:// or ssh://
    engine gets advice for its own kind of address.
    """
    detail = fault_detail(exc, timeout)
    if not address.startswith("unix://") and detail.startswith(("connection refused", "no engine socket")):
        detail = f"{detail.split(' — ')[0]} — {where_advice(address)}"
    return f"Docker engine unreachable at {address}: {detail}"


def is_gone(result: object) -> bool:
    """Whether an answer says the container vanished while being read (churn, not a fault).

    404 (removed between list and read), 409 (being removed), or an empty body where JSON was
    due (the engine closes a removed container's stats answer without a document).
    """
    if not isinstance(result, BaseException):
        return False
    if _status(result) in (404, 409):
        return True
    return any(type(c).__name__ == "JSONDecodeError" for c in causes(result))
