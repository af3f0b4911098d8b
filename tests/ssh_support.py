"""A real sshd on 127.0.0.1 for ssh:// engine tests, owned by the test from start to end.

Debian's openssh-server (scripts/test.sh installs it): its own host key, config and free port,
default MaxStartups/MaxSessions, key login for root with a key made here. The client side is an
`ssh` wrapper on PATH that adds `-F <our config>` (identity, known_hosts) — never the user's
~/.ssh. sshd is started by pid and ended by pid; its log counts the logins.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docker_support import no_engine, wait_for

SSHD = "/usr/sbin/sshd"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


class SshServer:
    """sshd on a free loopback port, plus a client config and `ssh` wrapper that use it."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sutazai-sshd-"))
        self.port = _free_port()
        self.url = f"ssh://root@127.0.0.1:{self.port}"
        self.log = self.root / "sshd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.bin = self.root / "bin"

    def start(self) -> None:
        r = self.root
        _keygen(r / "host_key")
        _keygen(r / "client_key")
        shutil.copy(r / "client_key.pub", r / "authorized_keys")
        (r / "authorized_keys").chmod(0o600)
        (r / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {r / 'host_key'}\n"
            f"AuthorizedKeysFile {r / 'authorized_keys'}\nPidFile {r / 'sshd.pid'}\n"
            "PermitRootLogin prohibit-password\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nLogLevel INFO\n"
            # The far side's docker must reach the engine this test's containers are on, which
            # is not the default socket when a developer runs a second engine.
            + (f"SetEnv DOCKER_HOST={os.environ['DOCKER_HOST']}\n" if os.environ.get("DOCKER_HOST") else "")
        )
        self.start_known_hosts()
        (r / "ssh_config").write_text(
            f"Host *\n  IdentityFile {r / 'client_key'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {r / 'known_hosts'}\n  StrictHostKeyChecking yes\n"
            "  GlobalKnownHostsFile /dev/null\n"
        )
        self.bin.mkdir()
        wrapper = self.bin / "ssh"
        wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {r / "ssh_config"} "$@"\n')
        wrapper.chmod(0o755)
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
        log = self.log.open("ab")
        cmd = [SSHD, "-D", "-e", "-f", str(r / "sshd_config")]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        wait_for(self._listening, 15, "sshd to listen")

    def _listening(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"sshd exited {self.proc.returncode}: {self.log.read_text()[-800:]}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def start_known_hosts(self) -> None:
        """The client's known_hosts holding this server's host key (as ssh-keyscan would give)."""
        host_pub = (self.root / "host_key.pub").read_text().split()
        self.known_hosts(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")

    def known_hosts(self, text: str) -> None:
        """Replace the client's known_hosts (empty: the host key is unknown)."""
        (self.root / "known_hosts").write_text(text)

    def env(self) -> dict[str, str]:
        """A subprocess environment whose `ssh` is our wrapper and that has no agent."""
        env = {k: v for k, v in os.environ.items() if k not in ("SSH_AUTH_SOCK", "DOCKER_HOST")}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def logins(self) -> int:
        """How many ssh connections logged in so far (sshd's "Accepted publickey" lines)."""
        return self.log.read_text(errors="replace").count("Accepted publickey")

    def stop(self) -> None:
        """End the sshd we started, by its pid."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def sshd() -> Iterator[SshServer]:
    """A running sshd of the test's own; skipped where openssh-server is not installed."""
    if not os.path.exists(SSHD) or shutil.which("ssh") is None or os.geteuid() != 0:
        no_engine("ssh:// tests need root, openssh-server and the ssh client (scripts/test.sh installs them)")
    server = SshServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()
