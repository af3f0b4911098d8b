"""ssh:// engines: one multiplexed ssh connection per engine, through the operator's own ssh client.

Why: the docker SDK's ssh:// transport opens one ssh process (one TCP connection, one login) per
HTTP connection in its pool; a cycle that fans out per container ran into sshd's MaxStartups (10)
and MaxSessions (10) and lost containers to broken pipes. Here:
- A master connection per engine (`ssh -M -N`, started and ended by pid) carries everything else
  as channels: the SDK's `docker system dial-stdio` sessions (at most engine.SSH_POOL of them) and
  one remote command per cycle that prints every running container's cgroup counters.
- The SDK starts `ssh` from PATH; `install_wrapper` puts a small `ssh` script of ours first on
  PATH that adds the master's ControlPath (and BatchMode: never a prompt under the TUI), then runs
  the real ssh — the one that was on PATH, so the operator's config, agent, known_hosts,
  ProxyJump all apply. Without a master (e.g. an action with no source running) ssh connects
  directly, as it would without us.
- A master that cannot log in says why in one line with the fix (ssh-keyscan, ssh-add).
The counters command: sources/engine/cgroups.py names the files; one `grep -H ''` on the far side prints
them all, and the same parser reads them. A far side without those files (another cgroup
parent, no permission) yields nothing and the source falls back to the engine's stats API.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import shutil
import signal
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from sutazai_tui.sources.engine import cgroups

_WRAPPER_DIR: Path | None = None
_REAL_SSH: str | None = None
_MASTERS: set[int] = set()  # pids of the masters running now, ended at exit if nobody closed them


@atexit.register
def _end_masters() -> None:
    """A process leaving without close() (a crash, Ctrl-C) must not leave ssh masters behind."""
    for pid in list(_MASTERS):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


class SshFault(Exception):
    """The ssh connection failed; the message is one line naming the fix."""


def _target(engine: str) -> tuple[str, str | None, str | None]:
    """(host, user, port) of an ssh://[user@]host[:port] address."""
    parts = urlsplit(engine)
    return parts.hostname or "", parts.username, str(parts.port) if parts.port else None


def _mux_options(directory: Path) -> list[str]:
    # %C: a hash of local host, remote host, port and user — one socket per engine.
    return ["-o", f"ControlPath={directory}/%C", "-o", "BatchMode=yes"]


def install_wrapper() -> Path:
    """Put our `ssh` wrapper first on PATH (once per process); returns its directory.

    The wrapper runs the ssh that PATH holds besides ours, looked up again on every call, so a
    PATH changed later (another ssh wrapper of the operator's) is honoured.
    """
    global _WRAPPER_DIR, _REAL_SSH
    path = os.environ.get("PATH", "")
    others = os.pathsep.join(p for p in path.split(os.pathsep) if p and p != str(_WRAPPER_DIR))
    real = shutil.which("ssh", path=others)
    if real is None:
        raise SshFault("no ssh client on PATH — install openssh-client (ssh:// engines use it)")
    if _WRAPPER_DIR is None:
        _WRAPPER_DIR = Path(tempfile.mkdtemp(prefix="sutazai-ssh-"))  # short: socket paths max ~104
        atexit.register(shutil.rmtree, _WRAPPER_DIR, True)
    if real != _REAL_SSH:
        options = " ".join(f"'{o}'" for o in [*_mux_options(_WRAPPER_DIR), "-o", "ControlMaster=no"])
        script = _WRAPPER_DIR / "ssh"
        script.write_text(
            f"#!/bin/sh\n# sutazai-tui: share the master connection\nexec '{real}' {options} \"$@\"\n"
        )
        script.chmod(0o700)
        _REAL_SSH = real
    if path.split(os.pathsep)[0] != str(_WRAPPER_DIR):
        os.environ["PATH"] = f"{_WRAPPER_DIR}{os.pathsep}{others}"
    return _WRAPPER_DIR


def explain(stderr: str, engine: str) -> str:
    """ssh's complaint as one line with the fix."""
    host, user, port = _target(engine)
    where = f"{user + '@' if user else ''}{host}{':' + port if port else ''}"
    text = stderr.strip()
    if "IDENTIFICATION HAS CHANGED" in text:
        return f"ssh: the host key of {host} changed — if that is expected, `ssh-keygen -R {host}`"
    if "Host key verification failed" in text or "host key is known" in text:
        scan = f"ssh-keyscan {'-p ' + port + ' ' if port else ''}{host} >> ~/.ssh/known_hosts"
        return f"ssh: the host key of {host} is not known — check its fingerprint, then `{scan}`"
    if "Permission denied" in text:
        return f"ssh: {where} refused our key — `ssh-add` the key (or set IdentityFile in ~/.ssh/config)"
    if "Connection refused" in text:
        return f"ssh: connection refused by {where} — is sshd running there?"
    if "Could not resolve hostname" in text:
        return f"ssh: cannot resolve {host} — check --docker-host or ~/.ssh/config"
    if "timed out" in text:
        return f"ssh: no answer from {where} — check the address and the network"
    last = (text.splitlines() or ["exited without a reason"])[-1]
    return f"ssh to {where} failed: {last[:120]}"


def _script(cids: Sequence[str], pids: Mapping[str, int]) -> str:
    """A POSIX sh script printing `path:line` for every counter file of these containers."""
    v1 = " ".join(f"{ctl}/$d/{name}" for ctl, name in cgroups.V1_FILES)
    v2 = " ".join(f"$d/{name}" for name in cgroups.V2_FILES)
    ids = " ".join(c for c in cids if c.isalnum())  # engine ids are hex; nothing else reaches sh
    procs = " ".join(f"/proc/{int(pid)}/net/dev" for cid, pid in pids.items() if cid in cids)
    return (
        f"cd {cgroups.CGROUP_ROOT} 2>/dev/null || exit 0\nset --\n"
        f"for id in {ids}; do for d in docker/$id system.slice/docker-$id.scope; do\n"
        f'  set -- "$@" {v1} {v2}\ndone; done\n'
        f"grep -s -H '' /proc/stat /proc/meminfo {procs} \"$@\"\nexit 0\n"
    )


def parse_dump(text: str) -> dict[str, str]:
    """`path:line` lines back into path -> file text."""
    files: dict[str, list[str]] = {}
    for line in text.splitlines():
        path, sep, rest = line.partition(":")
        if sep:
            files.setdefault(path, []).append(rest)
    return {path: "\n".join(lines) + "\n" for path, lines in files.items()}


class RemoteCounters:
    """The master connection to one ssh:// engine and the per-cycle counters command over it."""

    def __init__(self, engine: str, timeout: float) -> None:
        self.engine, self.timeout = engine, timeout
        self._master: asyncio.subprocess.Process | None = None

    def _base(self, *extra: str) -> list[str]:
        directory = install_wrapper()
        host, user, port = _target(self.engine)
        args = [_REAL_SSH or "ssh", *_mux_options(directory), *extra]
        args += ["-l", user] if user else []
        args += ["-p", port] if port else []
        return [*args, "--", host]

    async def connect(self) -> None:
        """Start the master if none runs; raises SshFault with ssh's reason when it cannot log in."""
        if self._master is not None and self._master.returncode is None:
            return
        opts = ["-o", "ControlMaster=yes", "-o", "ControlPersist=no", "-o", "ServerAliveInterval=15"]
        opts += ["-o", f"ConnectTimeout={self.timeout:g}", "-N"]
        self._master = master = await asyncio.create_subprocess_exec(
            *self._base(*opts),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _MASTERS.add(master.pid)
        deadline = asyncio.get_running_loop().time() + self.timeout + 1
        while master.returncode is None and not await self._check():
            if asyncio.get_running_loop().time() > deadline:
                await self.close()
                raise SshFault(explain("timed out", self.engine))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(master.wait(), 0.05)  # an exit ends the wait at once
        if master.returncode is not None:
            assert master.stderr is not None
            err = (await master.stderr.read()).decode(errors="replace")
            self._master = None
            _MASTERS.discard(master.pid)
            raise SshFault(explain(err, self.engine))

    async def _check(self) -> bool:
        """Whether the master's socket answers (`ssh -O check`)."""
        proc = await asyncio.create_subprocess_exec(
            *self._base("-O", "check"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return await proc.wait() == 0

    async def stats(self, cids: Sequence[str], pids: Mapping[str, int]) -> dict[str, dict[str, object]]:
        """Engine-shaped stats of these containers, read on the far side in one command; {} if none."""
        proc = await asyncio.create_subprocess_exec(
            *self._base("-o", "ControlMaster=no"),
            "sh",
            "-s",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(_script(cids, pids).encode()), self.timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return {}  # the API fallback reads them this cycle
        files = parse_dump(out.decode(errors="replace"))
        stat = files.get("/proc/stat")
        clock = cgroups.host_clock(stat, files.get("/proc/meminfo")) if stat else None
        return cgroups.collect(files.get, cids, pids, clock)

    async def close(self) -> None:
        """End the master we started (by its pid); its channels end with it."""
        master, self._master = self._master, None
        if master is not None and master.returncode is None:
            master.terminate()
            try:
                await asyncio.wait_for(master.wait(), 5)
            except TimeoutError:
                master.kill()
                await master.wait()
        if master is not None:
            _MASTERS.discard(master.pid)
