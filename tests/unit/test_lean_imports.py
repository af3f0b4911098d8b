"""What a process of ours loads, pinned (bench/tui_weight.py measures what it saves): the
Dashboard's modules load neither the HTTP client nor the engine SDK (the session builds its
Monitor after the first frame, in a thread), nor a screen that only a key opens (imported when
opened; a keymap check imports them all); httpx comes without its command-line client; the
docker SDK without a character-set detector or paramiko; a missing sniffio is answered at once; a
second cycle freezes what lives long, once. The demo's boot: tests/tui/test_demo_no_sdk.py.
Each check runs in a fresh interpreter: sys.modules here is the suite's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

CLI_OF_HTTPX = ["click", "pygments", "rich.syntax", "rich.progress"]
ENGINE_SDK = ["docker", "requests", "urllib3", "charset_normalizer", "paramiko"]
# Opened by a key (or the replay command), never on the first frame's path; with what only they use.
SCREENS = ["confirm", "container", "finding", "help", "inspect", "logs", "replay", "time_prompt"]
KEYS_OPEN = [f"sutazai_tui.tui.screens.{name}" for name in SCREENS]
KEYS_OPEN += ["sutazai_tui.actions.backends", "sutazai_tui.sources.engine.details"]
WATCH = [
    "httpx",
    "sutazai_tui.core.monitor",
    "sutazai_tui.sources.engine.source",
    *CLI_OF_HTTPX,
    *ENGINE_SDK,
    *KEYS_OPEN,
]

# One fresh interpreter, in stages; each stage reports what is loaded so far (one subprocess, not five).
STAGES = f"""
import importlib.util, json, sys
def stage(name):
    print(json.dumps([name, sorted(m for m in {WATCH!r} if sys.modules.get(m))]), flush=True)
sniffio_missing = importlib.util.find_spec("sniffio") is None
import sutazai_tui.tui.launch, sutazai_tui.config.settings, sutazai_tui.tui.screens.live
from sutazai_tui.tui.app import SutazaiApp
# What SutazaiApp._build imports as it builds the Dashboard:
import sutazai_tui.tui.controllers.alerts, sutazai_tui.tui.keymap, sutazai_tui.session.session
stage("dashboard")
import asyncio, httpx
from httpcore._synchronization import current_async_library
async def which():
    return current_async_library()
assert asyncio.run(which()) == "asyncio" and callable(httpx.main)
stage("httpx")
print(json.dumps(["sniffio", [sniffio_missing, sys.modules.get("sniffio", 0) is None]]), flush=True)
from sutazai_tui.sources.engine.client import import_docker
assert import_docker().APIClient is not None
stage("docker")
if importlib.util.find_spec("charset_normalizer") is not None:
    import charset_normalizer
stage("afterwards")
from sutazai_tui.tui.keymap import binding_ids
print(json.dumps(["binding ids", binding_ids(SutazaiApp)]), flush=True)
"""


@pytest.fixture(scope="module")
def stages() -> dict[str, Any]:
    """Per stage, the watched modules loaded by then; "stderr": what the interpreter said."""
    done = subprocess.run([sys.executable, "-c", STAGES], capture_output=True, text=True, check=True)
    found: dict[str, Any] = dict(json.loads(line) for line in done.stdout.splitlines())
    found["stderr"] = done.stderr
    return found


def test_the_dashboards_modules_load_no_http_client_no_monitor_and_no_engine_sdk(
    stages: dict[str, Any],
) -> None:
    assert stages["dashboard"] == []  # nor a screen a key opens (KEYS_OPEN)


def test_a_keymap_check_imports_every_screen_with_keys_so_their_ids_are_known(stages: dict[str, Any]) -> None:
    ids = stages["binding ids"]  # the Dashboard imported none of these screens before the check
    for screen in SCREENS:
        assert any(i.startswith(f"{screen}.") for i in ids), screen


def test_httpx_loads_without_its_command_line_client(stages: dict[str, Any]) -> None:
    assert stages["httpx"] == ["httpx"]


def test_a_missing_sniffio_is_answered_without_searching_the_path_again(stages: dict[str, Any]) -> None:
    missing, cached = stages["sniffio"]
    assert cached is missing  # installed: imported normally; missing: a None entry, found at once


def test_the_docker_sdk_loads_without_charset_detector_or_paramiko_and_says_nothing(
    stages: dict[str, Any],
) -> None:
    assert stages["docker"] == ["docker", "httpx", "requests", "urllib3"]
    assert stages["stderr"] == ""  # requests' "no character detection" warning is filtered


def test_what_the_sdk_import_hid_can_still_be_imported_afterwards(stages: dict[str, Any]) -> None:
    pytest.importorskip("charset_normalizer")
    assert "charset_normalizer" in stages["afterwards"]


def loaded_after(code: str, watch: list[str]) -> dict[str, Any]:
    """Run `code` in a fresh interpreter: which of `watch` it left in sys.modules, what it printed."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {watch!r} if sys.modules.get(m))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    return {"loaded": json.loads(lines[-1]), "said": lines[:-1], "stderr": done.stderr}


@pytest.mark.slow
def test_the_session_builds_its_monitor_with_the_http_client_when_it_starts() -> None:
    # The other side of the lazy import: building the Monitor (in `cycles`' thread) brings them.
    code = (
        "from sutazai_tui.config.settings import Settings\n"
        "from sutazai_tui.session.session import build_monitor\n"
        "build_monitor(Settings(base_url='http://127.0.0.1:9', containers=False))"
    )
    assert loaded_after(code, ["httpx", "sutazai_tui.core.monitor"])["loaded"] == [
        "httpx",
        "sutazai_tui.core.monitor",
    ]


FREEZE = """
import asyncio, gc, sys
from sutazai_tui.config.settings import Settings
from sutazai_tui.session.session import Session

async def main():
    session = Session(Settings(base_url=sys.argv[1], containers=False, interval=0.2, timeout=1))
    cycles = session.cycles()
    await cycles.__anext__()
    one = gc.get_freeze_count()  # `check` stops here
    await cycles.__anext__()
    two = gc.get_freeze_count()
    later = [[i] for i in range(5000)]  # made after: left to the collector
    await cycles.__anext__()
    print(one, two, gc.get_freeze_count() - two, len(later))
    await cycles.aclose()
    await session.close()

asyncio.run(main())
"""


def test_a_second_cycle_freezes_what_lives_long_once_and_one_cycle_never() -> None:
    argv = [sys.executable, "-c", FREEZE, "http://127.0.0.1:9"]  # refused at once: cycles of DOWN
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    one, two, added, _ = (int(x) for x in done.stdout.split())
    assert one == 0  # a single cycle (`check`) pays no full collection for a freeze it never uses
    assert two > 20_000  # modules, classes, the Monitor: out of the full collections' sight
    assert added <= 0  # once per process: nothing made later is frozen (frozen ones may still be freed)


def test_polling_a_local_engine_socket_loads_no_engine_sdk() -> None:
    # The source's client for unix:// is sources/engine/local.py over httpx; the SDK (and requests,
    # urllib3) load only for tcp://, ssh://, an action or a log read. The engine's answers:
    # tests/integration/test_local_engine.py::test_a_session_polling_the_local_engine_loads_no_sdk.
    code = (
        "import asyncio\n"
        "from sutazai_tui.sources.engine.source import DockerSource\n"
        "async def main():\n"
        "    source = DockerSource(docker_host='unix:///nonexistent-h31.sock', timeout=2)\n"
        "    status = await source.poll()\n"
        "    await source.close()\n"
        "    print(status.reason)\n"
        "asyncio.run(main())"
    )
    found = loaded_after(code, ENGINE_SDK)
    assert found["said"] == [
        "Docker engine unreachable at unix:///nonexistent-h31.sock: no engine socket — "
        "start dockerd or set DOCKER_HOST/--docker-host"
    ]
    assert found["loaded"] == []


def test_asking_the_engine_for_its_list_at_start_loads_nothing_but_the_standard_library() -> None:
    # cli/monitor.py asks before Textual is imported: that ask must cost no import of weight.
    code = (
        "import argparse\n"
        "from sutazai_tui.cli.monitor import ask_engine_early\n"
        "ask_engine_early(argparse.Namespace(docker_host='unix:///nonexistent/docker.sock'))"
    )
    heavy = ["textual", "pydantic", "httpx", "sutazai_tui.models", "sutazai_tui.config.settings", *ENGINE_SDK]
    assert loaded_after(code, heavy)["loaded"] == []


def test_the_drawn_dashboard_never_loads_richs_emoji_table() -> None:
    # A str column label is parsed as markup, which loads rich's emoji table on the event loop
    # while the Dashboard draws: the container table's labels are Text.
    code = (
        "import asyncio\n"
        "from sutazai_tui.config.settings import Settings\n"
        "from sutazai_tui.tui.factory import make_app\n"
        "async def main():\n"
        "    app = make_app(Settings(base_url='http://127.0.0.1:9', containers=False), poll=False)\n"
        "    async with app.run_test(size=(160, 48)) as pilot:\n"
        "        await pilot.pause()\n"
        "        assert app.query('ContainerTable').first().columns\n"
        "asyncio.run(main())"
    )
    assert loaded_after(code, ["rich._emoji_codes"])["loaded"] == []
