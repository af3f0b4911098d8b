"""Compose awareness: the exact `up --force-recreate` command that replaces one container.

A restart keeps a container's environment and image; only a recreate picks up a fixed `.env` or a
rebuilt image. Compose writes on each container which project, service and files made it
(`models.ComposeLabels`), so the command can name *that* deployment:

    cd WORKING_DIR && docker compose -p PROJECT -f FILE [-f FILE…] up -d --force-recreate --no-deps SERVICE

It runs from the working dir because compose v1 records the files as given (often relative) and
resolves `env_file: .env` against the project directory. `--no-deps` so that only this container
is replaced, not the database it depends on. `docker-compose` (v1) is used only when the v2 plugin
is missing. A one-off container (`compose run`) is refused: `up` would create the service's own
container next to it, not replace it.
"""

from __future__ import annotations

import functools
import os
import shlex
import shutil
from dataclasses import dataclass

from sutazai_tui.models import ComposeLabels

V2: tuple[str, ...] = ("docker", "compose")
V1: tuple[str, ...] = ("docker-compose",)
NO_LABELS = "it has no compose labels (not started by compose)"
ONE_OFF = "it is a one-off container (`compose run`): `up` would start another one next to it, not replace it"
NO_FILES = "its compose labels name relative files but no working dir"


@dataclass(frozen=True, slots=True)
class RecreatePlan:
    """How to recreate one compose service's container: argv (no shell) run in `cwd`."""

    argv: tuple[str, ...]
    cwd: str  # "" when the files are absolute and no working dir is known
    files: tuple[str, ...]  # the compose files as paths on this host (joined with cwd)

    @property
    def command(self) -> str:
        """The line an operator can paste: `cd DIR && docker compose … up -d --force-recreate …`."""
        line = shlex.join(self.argv)
        return f"cd {shlex.quote(self.cwd)} && {line}" if self.cwd else line

    @property
    def rebuild_command(self) -> str:
        """Build the service's image, then recreate its container, for the same deployment:
        `cd DIR && docker compose -p P -f F build S && docker compose -p P -f F up -d … S`."""
        *base, _up, _d, _force, _no_deps, service = self.argv
        build = shlex.join([*base, "build", service])
        line = f"{build} && {shlex.join(self.argv)}"
        return f"cd {shlex.quote(self.cwd)} && {line}" if self.cwd else line


def recreate_plan(compose: ComposeLabels | None, cli: tuple[str, ...]) -> RecreatePlan | str:
    """The plan for a container with these labels, or why there is none (one line)."""
    if compose is None:
        return NO_LABELS
    if compose.oneoff:
        return ONE_OFF
    cwd = compose.working_dir
    if not cwd and any(not os.path.isabs(f) for f in compose.config_files):
        return NO_FILES
    argv = [*cli, "-p", compose.project]
    for path in compose.config_files:
        argv += ["-f", path]
    argv += ["up", "-d", "--force-recreate", "--no-deps", compose.service]
    files = tuple(os.path.join(cwd, f) for f in compose.config_files)
    return RecreatePlan(argv=tuple(argv), cwd=cwd, files=files)


def missing_on_host(plan: RecreatePlan) -> str | None:
    """Why the plan cannot run here (its working dir or a compose file is absent), else None."""
    if plan.cwd and not os.path.isdir(plan.cwd):
        return f"its compose working dir {plan.cwd} is not on this host"
    for path in plan.files:
        if not os.path.isfile(path):
            return f"its compose file {path} is not on this host"
    return None


def cli_from(setting: str) -> tuple[str, ...] | None:
    """The compose CLI to use: the `compose_cli` setting when given, else the one installed here.

    None when neither the v2 plugin (`docker compose`) nor v1 (`docker-compose`) is installed.
    """
    if setting.strip():
        return tuple(shlex.split(setting))
    return detect_cli()


# Where the docker CLI looks for plugins (docs.docker.com, "CLI plugins"), user dir first.
PLUGIN_DIRS = (
    "/usr/local/lib/docker/cli-plugins",
    "/usr/local/libexec/docker/cli-plugins",
    "/usr/lib/docker/cli-plugins",
    "/usr/libexec/docker/cli-plugins",
)


@functools.cache
def detect_cli() -> tuple[str, ...] | None:
    """`docker compose` when the v2 plugin is installed, else `docker-compose` when on PATH, else None.

    Looked up once per process, by file: diagnosis uses it to word a command, so it must not
    run one (`docker compose version` would cost a process start on the first cycle).
    """
    if shutil.which("docker") is not None:
        config = os.environ.get("DOCKER_CONFIG") or os.path.expanduser("~/.docker")
        for folder in (os.path.join(config, "cli-plugins"), *PLUGIN_DIRS):
            if os.access(os.path.join(folder, "docker-compose"), os.X_OK):
                return V2
    return V1 if shutil.which("docker-compose") else None


def shown_cli(setting: str) -> tuple[str, ...]:
    """The CLI a printed command names: the installed one, `docker compose` when there is none."""
    return cli_from(setting) or V2
