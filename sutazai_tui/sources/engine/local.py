"""The container source's client for a local engine socket (unix://): the few API calls a poll
makes, over httpx (which the backend client has loaded already), without the docker SDK.

Why: the SDK brings requests and urllib3 with it, ~140 modules and ~5 MiB RSS in every process
that polls, for five GET requests (docs/architecture.md, "What a process loads"). This class
answers those calls with the SDK's names and return shapes, so the source does not know which it
was given (sources/engine/client.py chooses), and fails the way the SDK does where the fault
helpers look: an HTTP error carries `.response.status_code` and `.explanation`, a body that is not
JSON raises json's JSONDecodeError, and a socket fault keeps its OSError (FileNotFoundError,
PermissionError, ConnectionRefusedError) among the exception's causes. tcp:// (with TLS), ssh://
and every action and log read still go through the SDK.

Thread-safe as the source uses it: one httpx.Client, its pool bounded by `pool` connections (the
source's lanes), each call bounded by `timeout` (connecting, waiting for a free connection,
reading). The API version is the engine's own, asked once when the client is made (as the SDK
does), so a client that could not be made raises at once.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from sutazai_tui import __version__
from sutazai_tui.sources.tls import NO_TLS


class EngineAPIError(Exception):
    """The engine answered an HTTP error (the SDK's APIError for the fault helpers: status, message)."""

    def __init__(self, response: httpx.Response, explanation: str) -> None:
        super().__init__(f"{response.status_code} {response.reason_phrase}: {explanation}")
        self.response, self.explanation = response, explanation


class LocalEngine:
    """The docker SDK's APIClient calls the source makes, on a local socket (module docstring)."""

    def __init__(self, path: str, timeout: float, pool: int = 10) -> None:
        transport = httpx.HTTPTransport(
            uds=path, verify=NO_TLS, limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
        )
        self._http = httpx.Client(
            transport=transport,
            base_url="http://docker",  # the host name is not looked up: every request goes to `path`
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": f"sutazai-tui/{__version__}"},
            trust_env=False,
        )
        try:
            self._prefix = f"/v{quote(str(self._get('/version')['ApiVersion']), safe='')}"
        except Exception:
            self._http.close()
            raise

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        answer = self._http.get(path, params=params)
        if answer.is_error:
            try:
                said = str(answer.json()["message"])
            except (ValueError, KeyError, TypeError):
                said = answer.text.strip()
            raise EngineAPIError(answer, said)
        return json.loads(answer.content)  # an empty answer raises JSONDecodeError: see client.is_gone

    def _api(self, path: str, *ids: str, params: dict[str, Any] | None = None) -> Any:
        return self._get(self._prefix + path.format(*(quote(i, safe="") for i in ids)), params)

    def containers(self, all: bool = False) -> list[dict[str, Any]]:  # the SDK's name
        """Every container (stopped ones too with `all`), as the list endpoint gives them."""
        return list(self._api("/containers/json", params={"all": int(all)}))

    def inspect_container(self, container: str) -> dict[str, Any]:
        """One container's inspect document."""
        return dict(self._api("/containers/{}/json", container))

    def images(self) -> list[dict[str, Any]]:
        """Every tagged image (the list endpoint's rows)."""
        return list(self._api("/images/json"))

    def stats(self, container: str, stream: bool = False, one_shot: bool = True) -> dict[str, Any]:
        """One stats document, not a stream; `one_shot`: the latest sample, without waiting a tick."""
        if stream:
            raise ValueError("LocalEngine reads one stats document, not a stream")
        params = {"stream": 0, "one-shot": int(one_shot)}
        return dict(self._api("/containers/{}/stats", container, params=params))

    def close(self) -> None:
        """Close the connections."""
        self._http.close()
