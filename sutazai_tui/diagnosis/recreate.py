"""The recreate part of a fix: the exact command for this container, and why a restart will not do.

Used by the findings whose cause lives in the container's configuration or image (missing-env,
env-name-mismatch, stale-image): `docker restart` keeps both, so their fix must recreate it.
"""

from __future__ import annotations

from sutazai_tui.diagnosis.context import Context
from sutazai_tui.models import ContainerStats
from sutazai_tui.sources.engine.compose_labels import ONE_OFF, recreate_plan, shown_cli

# The finding ids whose fix needs a recreate (docs/operating.md's findings table marks them).
NEEDS_RECREATE = frozenset({"missing-env", "env-name-mismatch", "stale-image"})

_KEEPS = {"env": "it keeps the old environment", "image": "it keeps the old image"}


def env_place(c: ContainerStats) -> str:
    """Where its env vars are set: the compose project's `.env` when the labels say where that is."""
    if c.compose is not None and c.compose.working_dir:
        return f"its env file (`{c.compose.working_dir.rstrip('/')}/.env` or the service's `env_file`)"
    return "the container's environment"


def rebuild_command(ctx: Context, name: str) -> str:
    """The command that rebuilds `name`'s image and recreates it: from its compose labels when it
    has them (project, files, working dir), else the generic form, `--no-deps` either way."""
    c = ctx.latest.container(name)
    cli = shown_cli(ctx.settings.compose_cli)
    plan = recreate_plan(c.compose if c is not None else None, cli)
    if not isinstance(plan, str):
        return plan.rebuild_command
    compose, service = " ".join(cli), ctx.service(name)
    return f"{compose} build {service} && {compose} up -d --force-recreate --no-deps {service}"


def recreate_fix(ctx: Context, c: ContainerStats, why: str) -> str:
    """The recreate advice for this container's deployment; `why` is "env" or "image"."""
    plan = recreate_plan(c.compose, shown_cli(ctx.settings.compose_cli))
    head = f"recreate the container — a restart will not help, {_KEEPS[why]}"
    if not isinstance(plan, str):
        return f"{head}: `{plan.command}`"
    again = "with the variables set (`-e NAME=…` or `--env-file`)" if why == "env" else f"from {c.image}"
    if plan == ONE_OFF:
        return f"{head}; {c.name} is a one-off `compose run` container: remove it and run it again {again}"
    if c.compose is not None:  # labelled, but without a working dir for its relative files
        cli = " ".join(shown_cli(ctx.settings.compose_cli))
        up = f"{cli} up -d --force-recreate --no-deps {c.compose.service}"
        return f"{head}: from its project directory, `{up}`"
    rm = f"`docker rm -f {c.name}`"
    return f"{head}; {c.name} was not started by compose: {rm}, then `docker run` it again {again}"
