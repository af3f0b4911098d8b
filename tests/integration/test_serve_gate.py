"""`serve` lets in only whoever holds the URL it printed, from the page's own origin.

A real `serve` process on loopback; raw websocket handshakes for the refusals (no screen byte may
follow a 403), aiohttp's client with a cookie jar for the way in, a headless chromium if one is
installed, and a tab without --allow-actions refusing an action, audited `via: serve`.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_serve_tabs import Serve
from tests.serve_support import handshake, printed_url

pytest.importorskip("textual_serve")
pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path)
    yield server
    server.stop()


def rest(sock: socket.socket) -> bytes:
    """Whatever the server still sends until it closes (a refused tab: nothing)."""
    sock.settimeout(3)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        pass
    finally:
        sock.close()
    return data


def test_no_key_and_another_origin_get_403_and_no_screen(served: Serve) -> None:
    sock, head = handshake(served.port, origin=served.origin)  # no cookie: never logged in
    assert head.startswith(b"HTTP/1.1 403"), head[:80]
    body = head.split(b"\r\n\r\n", 1)[1] + rest(sock)
    assert body.startswith(b"403: open the URL") and b"\x1b" not in body
    sock, head = handshake(served.port, cookie=served.cookie, origin="http://evil.example")
    assert head.startswith(b"HTTP/1.1 403"), head[:80]
    assert b"\x1b" not in rest(sock)
    sock, head = handshake(served.port, cookie=served.cookie)  # no Origin at all
    assert head.startswith(b"HTTP/1.1 403")
    rest(sock)
    assert served.tabs() == []  # no app process was started for any of them
    log = served.log_path.read_text()
    assert "refused GET /ws from 127.0.0.1: no session cookie" in log
    assert "refused GET /ws from 127.0.0.1: Origin 'http://evil.example' is not " + served.origin in log


def test_a_wrong_key_is_refused_and_the_printed_one_is_not_logged(served: Serve) -> None:
    import httpx

    url = printed_url(served.log_path)
    wrong = httpx.get(url[:-4] + "AAAA", follow_redirects=False, timeout=5)
    assert wrong.status_code == 403 and "set-cookie" not in wrong.headers
    page = httpx.get(served.origin + "/", timeout=5)
    assert page.status_code == 403
    key = url.split("key=", 1)[1]
    assert len(key) >= 43  # 256 bits, url-safe base64
    assert served.log_path.read_text().count(key) == 1  # printed once, never logged again


async def test_the_printed_url_works_in_an_aiohttp_client_that_keeps_cookies(served: Serve) -> None:
    import aiohttp

    url = printed_url(served.log_path)
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address, as a browser keeps them
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        async with client.get(url) as page:
            assert page.status == 200 and "<html" in (await page.text()).lower()
            assert str(page.url) == served.origin + "/"  # the key does not stay in the address
        async with client.ws_connect(served.origin + "/ws?width=80&height=24", origin=served.origin) as ws:
            screen = b""
            while len(screen) < 64:
                message = await asyncio.wait_for(ws.receive(), 60)
                assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                screen += message.data if isinstance(message.data, bytes) else message.data.encode()
            assert screen


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sutazai_tui",
                "serve",
                "--port",
                str(port),
                "--base-url",
                "http://127.0.0.1:9",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert proc.returncode == 2
    assert (
        proc.stderr
        == f"sutazai-tui: cannot serve on 127.0.0.1:{port}: port in use — pick another with --port\n"
    )


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="no chromium installed (apt-get install chromium)")
def test_the_printed_url_works_in_headless_chromium(served: Serve, tmp_path: Path) -> None:
    from tests.docker_support import wait_for

    browser = chromium()
    assert browser is not None
    url = printed_url(served.log_path)
    argv = [
        browser,
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={tmp_path / 'chrome'}",
    ]
    proc = subprocess.Popen(
        [*argv, "--remote-debugging-port=0", url], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        # The page's own script opens the websocket: an app process starts only for a tab let in.
        wait_for(lambda: served.tabs() or None, 60, "the browser's tab to start its app")
    finally:
        proc.kill()  # the browser this test started
        proc.wait(10)
    assert "refused" not in served.log_path.read_text()


async def test_a_tab_without_allow_actions_refuses_and_is_audited_via_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiohttp

    from sutazai_tui.actions.audit import read_audit
    from sutazai_tui.tui.controllers.actions import SERVE_OFF

    monkeypatch.setenv("SUTAZAI_TUI_STATE_DIR", str(tmp_path / "state"))  # serve and its tabs inherit it
    audit_log = tmp_path / "state" / "audit.jsonl"
    server = Serve(tmp_path)
    try:
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            async with client.get(printed_url(server.log_path)) as page:
                assert page.status == 200
            async with client.ws_connect(
                server.origin + "/ws?width=100&height=30", origin=server.origin
            ) as ws:
                local = ws.get_extra_info("sockname")
                await asyncio.wait_for(ws.receive(), 60)  # the app is starting
                deadline = asyncio.get_running_loop().time() + 60
                while not (audit_log.exists() and read_audit(audit_log)):
                    assert asyncio.get_running_loop().time() < deadline, "no audit line within 60 s"
                    # The emergency stop needs no selected container; until the app has mounted,
                    # a key may fall on nothing, so press again until one is heard.
                    await ws.send_json(["stdin", "!"])
                    heard_until = asyncio.get_running_loop().time() + 1  # read what it shows for 1 s
                    with contextlib.suppress(TimeoutError):
                        while (left := heard_until - asyncio.get_running_loop().time()) > 0:
                            await asyncio.wait_for(ws.receive(), left)
    finally:
        server.stop()
    line, *more = read_audit(audit_log)
    assert all((m["result"], m["tab"]) == ("refused", line["tab"]) for m in more)
    assert (line["action"], line["result"], line["via"], line["message"]) == (
        "emergency-stop",
        "refused",
        "serve",
        SERVE_OFF,
    )
    assert line["peer"] == f"{local[0]}:{local[1]}" and len(line["tab"]) == 8
