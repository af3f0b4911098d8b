"""HTTP to an ssh:// engine over `ssh HOST docker system dial-stdio`, with connections kept.

Why not the SDK's own shell-out transport (`use_ssh_client=True`, docker 7.x): it hands
http.client the ssh process's stdout as the socket file, so the first response closes it; the SDK
copes by building a new pool (a new ssh process and remote dial-stdio, ~0.35 s) for every request.
Here each connection is one end of a socketpair whose other end is the ssh process's stdin and
stdout: a real socket, so responses close only their file, the connection is reused, and the
client's timeout applies to every read. The ssh started is `ssh` from PATH — the operator's
client, through our multiplexing wrapper (sources/ssh/mux.py), so all connections are channels of
one ssh connection; the pool is bounded (engine.SSH_POOL) below sshd's MaxSessions.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
from typing import Any
from urllib.parse import urlsplit


def dial_argv(engine: str) -> list[str]:
    """The ssh command that connects to the engine's API on the far side."""
    parts = urlsplit(engine)
    argv = ["ssh"]
    argv += ["-l", parts.username] if parts.username else []
    argv += ["-p", str(parts.port)] if parts.port else []
    return [*argv, "--", parts.hostname or "", "docker system dial-stdio"]


def mount(client: Any, engine: str, timeout: float, maxsize: int) -> None:
    """Send the client's requests to the engine behind `engine` (ssh://), over our adapter."""
    import requests.adapters
    import urllib3.connection
    import urllib3.connectionpool
    from docker.transport.basehttpadapter import BaseHTTPAdapter

    argv = dial_argv(engine)

    class DialStdioConnection(urllib3.connection.HTTPConnection):
        """One HTTP connection: a socketpair end, the ssh process on the other."""

        def __init__(self) -> None:
            super().__init__("localhost", timeout=timeout)
            self._proc: subprocess.Popen[bytes] | None = None

        def connect(self) -> None:
            ours, theirs = socket.socketpair()
            try:
                self._proc = subprocess.Popen(
                    argv,
                    stdin=theirs.fileno(),
                    stdout=theirs.fileno(),
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except BaseException:  # no ssh, out of fds: our end must not leak either
                ours.close()
                raise
            finally:
                theirs.close()
            ours.settimeout(timeout)
            self.sock = ours

        def close(self) -> None:
            super().close()  # the socket closes: ssh sees end of input and ends the session
            proc, self._proc = self._proc, None
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.terminate()
                    proc.wait(timeout=5)

    class DialStdioPool(urllib3.connectionpool.HTTPConnectionPool):
        def __init__(self) -> None:
            # block=True: never more than maxsize ssh sessions, whatever the callers' threads.
            super().__init__("localhost", timeout=timeout, maxsize=maxsize, block=True)

        def _new_conn(self) -> DialStdioConnection:
            return DialStdioConnection()

    class DialStdioAdapter(BaseHTTPAdapter):  # type: ignore[misc]
        def __init__(self) -> None:
            self.pools = {"ssh": DialStdioPool()}
            super().__init__()

        def get_connection(self, url: str, proxies: Any = None) -> DialStdioPool:
            return self.pools["ssh"]

        def request_url(self, request: Any, proxies: Any) -> str:
            return str(request.path_url)  # no host to proxy: the path goes down the pipe

        def close(self) -> None:
            requests.adapters.HTTPAdapter.close(self)
            self.pools["ssh"].close()

    adapter = DialStdioAdapter()
    client._custom_adapter = adapter
    # Not "http+docker://ssh": the SDK reads streams (logs, attach) of that one as its own ssh
    # socket's; ours is a plain socket, read as the unix one is. requests takes the longest prefix.
    client.mount("http+docker://remote", adapter)
    client.base_url = "http+docker://remote"
