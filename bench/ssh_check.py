"""`check` through an ssh:// engine beside the same `check` on the local socket, 30 containers.

    python bench/ssh_check.py [--containers 30] [--rounds 5]

Starts a real sshd on a free loopback port (tests/ssh_support.py: its own host key, a key made
here, default MaxStartups/MaxSessions) in front of the local engine, creates N busybox `sleep`
containers (`--network none`), then runs `sutazai-tui check --json` alternately on
`ssh://root@127.0.0.1:PORT` and on the local socket and prints median wall times, the ratio
(issue 20's target: ssh <= 2x local), how many containers each read, and sshd's login count.
Everything it made (containers, sshd, keys) is removed at the end. Needs root and openssh-server.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHECKOUT = str(Path(__file__).resolve().parents[1])
sys.path.insert(0, CHECKOUT)

from bench.poll_cycle import create, remove  # noqa: E402
from tests.ssh_support import SshServer  # noqa: E402


def one_check(server: SshServer, prefix: str, host: str | None) -> tuple[float, int, str]:
    """Wall seconds, containers fully read, and the container part's state of one `check`."""
    argv = [sys.executable, "-m", "sutazai_tui", "check", "--json", "--base-url", "http://127.0.0.1:9"]
    argv += ["--container-prefix", prefix] + (["--docker-host", host] if host else [])
    env = dict(server.env(), PYTHONPATH=CHECKOUT)
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
    wall = time.perf_counter() - started
    part = json.loads(proc.stdout)["snapshot"]["containers"]
    read = sum(c["mem_used"] is not None and c["cpu_percent"] is not None for c in part["containers"])
    return wall, read, part["state"]


def main() -> None:
    """Parse, set up, measure alternately, print, clean up."""
    from sutazai_tui.sources.engine.client import import_docker

    docker = import_docker()  # as the tool imports it (without paramiko): RSS is measured

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--containers", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    client = docker.from_env(timeout=60)
    prefix = f"sutazai-bench{secrets.token_hex(3)}-"
    server = SshServer()
    try:
        server.start()
        create(client, [f"{prefix}{i:03d}" for i in range(args.containers)])
        runs: dict[str, list[tuple[float, int, str]]] = {"ssh": [], "local": []}
        for r in range(args.rounds):
            for name in ("ssh", "local") if r % 2 == 0 else ("local", "ssh"):
                runs[name].append(one_check(server, prefix, server.url if name == "ssh" else None))
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        n = args.containers
        print(f"\n{n} containers, medians of {args.rounds}, {os.cpu_count()} cores, load {load}")
        walls = {name: statistics.median(w for w, _, _ in got) for name, got in runs.items()}
        for name, got in runs.items():
            print(f"{name:>6}: {walls[name]:.2f} s wall, read {min(k for _, k, _ in got)}/{n}, {got[-1][2]}")
        print(f"ssh / local: {walls['ssh'] / walls['local']:.2f} (target <= 2)")
        print(f"sshd logins over {args.rounds} ssh checks: {server.logins()} (one connection per check)")
    finally:
        try:
            remove(client, prefix)
        finally:
            server.stop()  # by its pid, even when the cleanup of containers failed


if __name__ == "__main__":
    main()
