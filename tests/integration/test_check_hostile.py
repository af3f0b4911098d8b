"""Hostile backends through the real `check --json` process: bounded, one verdict, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.hostile import HostileServer
from tests.integration.test_backend_client import CASES

TIMEOUT = 1.0


def check_json(hostile: HostileServer, path: str, *extra: str) -> tuple[int, dict[str, object], str, float]:
    config = f'default_endpoints = false\n[[endpoints]]\nname = "t"\nurl = "{path}"\nkind = "health"\n'
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sutazai_tui",
            "check",
            "--json",
            "--no-containers",
            "--config",
            "/dev/stdin",
            "--base-url",
            hostile.url,
            "--timeout",
            str(TIMEOUT),
            *extra,
        ],
        input=config,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize(("path", "state", "failure", "words"), CASES, ids=[c[0] for c in CASES])
def test_check_survives_every_misbehaviour(
    hostile: HostileServer, path: str, state: str, failure: str, words: str
) -> None:
    code, doc, err, elapsed = check_json(hostile, path)
    endpoint = doc["snapshot"]["endpoints"][0]  # type: ignore[index]
    assert endpoint["state"] == state and endpoint["failure"] == failure
    assert words in endpoint["reason"]
    # Could not ask (429, IP block): UNKNOWN, never better; DEGRADED warns; everything else is down.
    assert code == {"DEGRADED": 1, "UNKNOWN": 3}.get(state, 2)
    assert err == "" and "Traceback" not in json.dumps(doc)
    # The deadline binds the cycle (a server that never ends its answer would hold an unbound one
    # forever); a loaded machine stretches it (scripts/test.sh runs this on 4 workers), and the
    # process adds interpreter start-up (~0.35 s idle), so both bounds are loose.
    assert doc["snapshot"]["duration_ms"] < (2 * TIMEOUT + 1) * 1000  # type: ignore[index]
    assert elapsed < TIMEOUT + 5.0


def test_an_echoed_token_never_reaches_the_output(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "tok-SECRET-9f8e7d6c5b4a"
    monkeypatch.setenv("SUTAZAI_TUI_TOKEN", secret)
    seen = len(hostile.auth_seen)
    _code, doc, err, _ = check_json(hostile, "/echo-auth")
    # The server is the session's: count only what came in during this test.
    assert f"Bearer {secret}" in hostile.auth_seen[seen:]
    assert secret not in json.dumps(doc) and secret not in err
