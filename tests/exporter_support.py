"""Start `sutazai-tui exporter` as a real process on a free loopback port, and read its metrics."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client.parser import text_string_to_metric_families

from tests.docker_support import wait_for


@contextmanager
def exporter_process(*args: str, timeout: float = 20) -> Iterator[str]:
    """Run the exporter with `args` on 127.0.0.1:<free>; yield its base URL; stop it by its pid."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sutazai_tui", "exporter", "--listen", "127.0.0.1:0", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert proc.stderr is not None
    found: list[str] = []
    # The start-up line names the bound port; read it without blocking the test past its deadline.
    reader = threading.Thread(target=lambda: found.append(proc.stderr.readline() if proc.stderr else ""))
    reader.start()
    reader.join(timeout)
    try:
        match = re.search(r"http://(127\.0\.0\.1:\d+)/metrics", found[0] if found else "")
        assert match, f"exporter did not start: {found}"
        yield f"http://{match.group(1)}"
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


def get(url: str) -> tuple[int, str]:
    """(status, body) of a GET; an HTTP error status is returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def samples(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of /metrics, parsed by prometheus_client's own parser: (name, labels) -> value."""
    status, body = get(f"{base}/metrics")
    assert status == 200, body
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float | None:
    """The sample of `name` whose labels include `labels`, if exactly one matches."""
    hits = [v for (n, ls), v in found.items() if n == name and set(labels.items()) <= ls]
    assert len(hits) <= 1, f"{name}{labels} is ambiguous"
    return hits[0] if hits else None


def wait_for_cycles(
    base: str, count: int, timeout: float = 20
) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """The samples once the exporter has finished `count` cycles."""

    def ready() -> dict[tuple[str, frozenset[tuple[str, str]]], float] | None:
        found = samples(base)
        return found if (value(found, "sutazai_cycles_total") or 0) >= count else None

    return wait_for(ready, timeout, f"{count} exporter cycles")
