"""TLS of the backend client loaded when needed (sources/tls.py): a plain http:// backend never
loads the CA bundle, and an https:// one is verified exactly as before (the operator's CA bundle
accepted, an unknown certificate refused, verification off only when turned off).

A real https server on 127.0.0.1 with a certificate made for the test by the openssl command.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.backend.client import HttpSource
from sutazai_tui.sources.tls import NO_TLS, lazy_tls_mounts


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status": "healthy"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(tls: ssl.SSLContext | None) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "https" if tls is not None else "http"
    return server, f"{scheme}://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def https_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An https server with a self-signed certificate for 127.0.0.1; its URL and that certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    made = [
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        str(key),
        "-out",
        str(cert),
    ]
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", *made]
    subprocess.run(openssl, check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server, url = _serve(tls)
    yield url, cert
    server.shutdown()
    server.server_close()


async def _get(url: str, **client: Any) -> int | str:
    """The status of one GET, or the name of what it raised."""
    async with httpx.AsyncClient(**client) as http:
        try:
            return (await http.get(url)).status_code
        except httpx.HTTPError as exc:
            return type(exc).__name__


def test_https_is_verified_as_the_client_says_when_its_first_request_needs_it(
    https_backend: tuple[str, Path],
) -> None:
    url, cert = https_backend
    ours = ssl.create_default_context(cafile=str(cert))
    mounts = lazy_tls_mounts(ours)
    assert not mounts["mounts"]["https://"].made  # nothing loaded yet
    assert asyncio.run(_get(url, **mounts)) == 200  # the operator's CA: accepted
    assert mounts["mounts"]["https://"].made
    assert asyncio.run(_get(url, **lazy_tls_mounts(True))) == "ConnectError"  # unknown CA: refused
    assert asyncio.run(_get(url, **lazy_tls_mounts(False))) == 200  # only when verification is off
    # What plain http:// uses fails closed if it is ever asked for TLS: it trusts no authority.
    assert asyncio.run(_get(url, transport=httpx.AsyncHTTPTransport(verify=NO_TLS))) == "ConnectError"


def test_the_backend_client_on_https_checks_the_certificate(https_backend: tuple[str, Path]) -> None:
    url, cert = https_backend

    async def codes(settings: Settings) -> set[int | None]:
        source = HttpSource(settings)
        try:
            return {e.http_code for e in await source.poll()}
        finally:
            await source.close()

    assert 200 in asyncio.run(codes(Settings(base_url=url, ca_bundle=cert, timeout=5)))
    refused = asyncio.run(codes(Settings(base_url=url, timeout=5)))
    assert refused == {None}  # certifi's authorities do not know the test's certificate


PLAIN = """
import asyncio, json, ssl, sys
made = []  # every verifying context made: httpx makes one, loading certifi's bundle, per client
default = ssl.create_default_context
ssl.create_default_context = lambda *a, **k: made.append(k.get("cafile")) or default(*a, **k)
from sutazai_tui.config.settings import Settings
from sutazai_tui.sources.backend.client import HttpSource

async def main():
    source = HttpSource(Settings(base_url=sys.argv[1], timeout=5))
    codes = sorted({e.http_code for e in await source.poll()} - {None})
    await source.close()
    print(json.dumps([codes, made]))

asyncio.run(main())
"""


def test_a_plain_http_backend_never_loads_the_ca_bundle() -> None:
    server, url = _serve(None)
    try:
        done = subprocess.run(
            [sys.executable, "-c", PLAIN, url], capture_output=True, text=True, check=True, timeout=60
        )
    finally:
        server.shutdown()
        server.server_close()
    codes, made = json.loads(done.stdout.splitlines()[-1])
    assert 200 in codes
    assert made == []  # no CA bundle loaded for a backend that never speaks TLS
