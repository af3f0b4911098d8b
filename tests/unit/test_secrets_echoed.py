"""Secrets that compose and the engine echo back: masked before they reach a result or the screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from sutazai_tui.actions.backends import ComposeFailed, run_compose
from sutazai_tui.sources.engine.compose_labels import RecreatePlan
from sutazai_tui.sources.engine.details import inspect_view
from sutazai_tui.util.redact import Redactor

PASSWORD = "s3cr3t-Redis-pass"


def test_inspect_masks_env_secrets_in_command_health_probe_and_labels() -> None:
    raw = {
        "Name": "/sutazai-redis",
        "Config": {
            "Env": [f"REDIS_PASSWORD={PASSWORD}", "TZ=UTC"],
            "Cmd": ["redis-server", "--requirepass", PASSWORD],
            "Healthcheck": {"Test": ["CMD", "redis-cli", "-a", PASSWORD, "ping"]},
            "Labels": {"note": f"pass {PASSWORD}"},
        },
        "State": {"Health": {"Status": "unhealthy", "Log": [{"ExitCode": 1, "Output": f"auth {PASSWORD}"}]}},
    }
    view = inspect_view(raw)
    text = repr(view)
    assert PASSWORD not in text
    assert "redis-server --requirepass" in text  # the command is still shown, its secret is not


def test_compose_output_is_masked_as_a_log(tmp_path: Path) -> None:
    script = "echo 'DATABASE_URL=postgres://app:hunter22@db/app'; echo 'Bearer tok-123456'; exit 3"
    plan = RecreatePlan(argv=("sh", "-c", script), cwd=str(tmp_path), files=())
    with pytest.raises(ComposeFailed) as failed:
        run_compose(plan, 10, None, Redactor(["tok-123456"]))
    assert "hunter22" not in failed.value.output and "tok-123456" not in failed.value.output
    assert "DATABASE_URL" in failed.value.output and "exited 3" in str(failed.value)
