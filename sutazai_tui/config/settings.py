"""Settings: command-line flags > env `SUTAZAI_TUI_*` > TOML file > defaults.

`load_settings` is the one entry point; it turns every mistake into a `ConfigError` whose
message is a single line naming the setting, where it came from, and the fix.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from sutazai_tui.config.env import deep_update, env_values
from sutazai_tui.config.errors import ConfigError as ConfigError  # re-exported: its old home
from sutazai_tui.config.heal import HealConfig
from sutazai_tui.config.targets import TargetConfig, target_update, unique_target_names
from sutazai_tui.config.targets import check_url as _check_url
from sutazai_tui.models import EndpointKind
from sutazai_tui.util.readfile import read_explained
from sutazai_tui.util.redact import Redactor, mask_url_credentials

ENV_PREFIX = "SUTAZAI_TUI_"


def _xdg(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def default_config_path() -> Path:
    """Where the config file lives unless `--config` says otherwise."""
    return _xdg("XDG_CONFIG_HOME", ".config") / "sutazai-tui" / "config.toml"


def default_state_dir() -> Path:
    """Where recordings, snapshots and the audit log go by default (created only when written)."""
    return _xdg("XDG_STATE_HOME", ".local/state") / "sutazai-tui"


class EndpointConfig(BaseModel):
    """One extra endpoint to poll, from `[[endpoints]]` in the config file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    """Panel title, unique among endpoints."""
    url: str
    """Absolute http(s) URL, or a path (starting with /) under `base_url`."""
    kind: EndpointKind = EndpointKind.GENERIC
    """How the answer is read: health, emergency, mcp, detailed, prometheus or generic (any 2xx is OK)."""
    token: SecretStr | None = None
    """Bearer token for this endpoint only; defaults to `token` for URLs under `base_url`."""


class FleetConfig(BaseModel):
    """`[fleet]`: where the fleet view reads the deployments the exporters report."""

    model_config = ConfigDict(extra="forbid")

    prometheus_url: str | None = None
    """Prometheus's base URL, e.g. http://127.0.0.1:9090 (`sutazai-tui fleet --prometheus URL` wins)."""

    @field_validator("prometheus_url")
    @classmethod
    def _url_is_http(cls, value: str | None) -> str | None:
        return _check_url(value) if value is not None else None


ProbeKind = Literal["redis", "postgres", "tcp", "http"]


class ProbeConfig(BaseModel):
    """A direct look at a dependency, from `[[probes]]`: evidence the backend's self-report cannot fake."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    """The dependency as the backend's /health names it (redis, database, postgres, …)."""
    kind: ProbeKind = "tcp"
    """redis: PING → +PONG; postgres: SSLRequest → S/N; tcp: connect; http: GET answers < 500."""
    host: str = "127.0.0.1"
    port: int = Field(ge=1, le=65535)
    deadline: float = Field(default=2.0, gt=0, le=60)
    """Seconds for the whole probe; it is also held within the cycle's `timeout`."""
    path: str = "/"
    """For http: the path asked."""


class Settings(BaseModel):
    """Every knob of sutazai-tui. Each field is also `SUTAZAI_TUI_<NAME>` and a TOML key.

    Built as it is given; `load_settings` gathers flags, env and the file (config/env.py).
    """

    model_config = ConfigDict(extra="forbid", validate_default=True)

    base_url: str = "http://localhost:10010"
    """The backend, as the host sees it (compose maps 10010 -> 8000)."""
    interval: float = Field(default=30.0, gt=0, le=86400)
    """Seconds between poll cycles."""
    timeout: float = Field(default=5.0, gt=0, le=300)
    """Hard deadline in seconds for one endpoint: connect, headers and body together."""
    latency_threshold: float = Field(default=1.0, gt=0)
    """Seconds; an answer slower than this makes the panel DEGRADED."""
    default_endpoints: bool = True
    """Poll /health, /health-emergency and /api/v1/mcp/status under `base_url`."""
    endpoints: list[EndpointConfig] = Field(default_factory=list)
    """Extra endpoints (`[[endpoints]]` tables: name, url, kind, token)."""
    token: SecretStr | None = None
    """Bearer token sent to URLs under `base_url` (SUTAZAI_TUI_TOKEN). Never shown or written."""
    verify_tls: bool = True
    """Check the backend's TLS certificate."""
    ca_bundle: Path | None = None
    """A CA bundle file to check the certificate against instead of the system's."""
    request_budget: int = Field(default=8, ge=1, le=1000)
    """At most this many requests per 10 s to the backend (its limit is 10, and 5 breaches block)."""
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    """Answers larger than this are cut off and reported, never read whole."""
    containers: bool = True
    """Watch containers on the Docker engine (`--no-containers` turns this off)."""
    container_prefix: str = "sutazai-"
    """Monitored containers are those whose name starts with this..."""
    container_labels: list[str] = Field(default_factory=list)
    """...or that carry one of these labels (`key` or `key=value`)."""
    docker_host: str | None = None
    """Engine address (unix://, tcp://, ssh://); default: DOCKER_HOST or the local socket."""
    docker_timeout: float = Field(default=10.0, gt=0, le=300)
    """Seconds before a call to the engine is given up."""
    primary_service: str = "sutazai-backend"
    """The container the `!` emergency stop acts on."""
    protected: list[str] = Field(default_factory=lambda: ["sutazai-postgres"])
    """Containers whose name must be typed to confirm an action on them."""
    read_only: bool = False
    """Refuse every action (stop, restart, kill), whatever the keys."""
    stop_timeout: int = Field(default=10, ge=0, le=600)
    """Seconds a container gets to stop before the engine kills it."""
    recreate_timeout: int = Field(default=120, ge=5, le=3600)
    """Seconds a compose recreate (`C`, `act recreate`) may take before it is stopped and failed."""
    compose_cli: str = ""
    """The compose command, e.g. `docker compose` or `docker-compose`; empty: the one installed here."""
    state_dir: Path = Field(default_factory=default_state_dir)
    """Default home of recordings, snapshots and the audit log."""
    record: Path | None = None
    """Append every snapshot and event to this JSONL file."""
    record_max_mb: float = Field(default=100.0, gt=0)
    """Rotate the recording when it grows past this many MB."""
    snapshot_dir: Path | None = None
    """Where `s` writes snapshot bundles; default `<state_dir>/snapshots`."""
    audit_log: Path | None = None
    """The audit log of actions; default `<state_dir>/audit.jsonl`."""
    history_size: int = Field(default=240, ge=2, le=100_000)
    """Snapshots kept in memory for sparklines and diagnosis."""
    required_env: dict[str, list[str]] = Field(default_factory=dict)
    """Per container, env var names it cannot start without (the primary's: `primary_required_env`)."""
    primary_required_env: list[str] = Field(
        default_factory=lambda: ["SECRET_KEY", "JWT_SECRET", "JWT_SECRET_KEY"]
    )
    """What the primary service needs, whatever it is called (the 2025-08 builds need all three)."""
    secret_min_length: dict[str, int] = Field(
        default_factory=lambda: {"SECRET_KEY": 32, "JWT_SECRET": 32, "JWT_SECRET_KEY": 32}
    )
    """A required variable shorter than this counts as missing (the builds' validators say so);
    an empty one always does. Only value lengths are read, never values."""
    env_alias_groups: list[list[str]] = Field(default_factory=lambda: [["JWT_SECRET", "JWT_SECRET_KEY"]])
    """Names that must be set together; one without its sibling is a finding."""
    probes: list[ProbeConfig] = Field(default_factory=list)
    """Dependency probes (`[[probes]]`: name, kind, host, port, deadline); redis and postgres are
    added from the `<prefix>redis` / `<prefix>postgres` containers' published ports when not given."""
    log_evidence: bool = True
    """Read the primary's (and troubled containers') logs since their start for evidence lines."""
    startup_grace: float = Field(default=60.0, ge=0)
    """Seconds after a container starts before a silent /health counts as a hang."""
    stuck_initializing: float = Field(default=300.0, gt=0)
    """Seconds a /health sub-service may stay `initializing` before it is a finding."""
    cpu_saturated_percent: float = Field(default=90.0, gt=0)
    """CPU % (100 = one core) at or above which a container counts as saturating a core."""
    cpu_saturated_cycles: int = Field(default=3, ge=1)
    """Consecutive cycles at `cpu_saturated_percent` or more before `cpu-saturated` is a finding."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """`[keymap]` table: binding id -> key(s), comma-separated (e.g. `stop = "X"`); checked at start."""
    theme: str | None = None
    """A Textual theme name (e.g. `nord`, `gruvbox`); default: Textual's own."""
    bell: bool = True
    """Ring the terminal bell when something goes DOWN or EMERGENCY."""
    on_state_change: list[str] = Field(default_factory=list)
    """A command (argv list, no shell) run on each DOWN/EMERGENCY transition, the event as JSON on stdin."""
    hook_timeout: float = Field(default=5.0, gt=0, le=300)
    """Seconds the `on_state_change` command may run before it is killed."""
    targets: list[TargetConfig] = Field(default_factory=list)
    """Several deployments (`[[targets]]` tables); each gets its own monitor, recording and audit log."""
    fleet: FleetConfig = Field(default_factory=FleetConfig)
    """`[fleet]` table: the fleet view's Prometheus (`prometheus_url`)."""
    heal: HealConfig = Field(default_factory=HealConfig)
    """`[heal]` table: `sutazai-tui heal`'s guards (cycles, per-hour limits, grace) and policy overrides."""

    @field_validator("base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        return _check_url(value)

    @field_validator("endpoints")
    @classmethod
    def _endpoint_names_unique(cls, value: list[EndpointConfig]) -> list[EndpointConfig]:
        names = [e.name for e in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"endpoint names must be unique; repeated: {', '.join(dupes)}")
        for e in value:
            if not e.url.startswith("/"):
                _check_url(e.url)
        return value

    @field_validator("targets")
    @classmethod
    def _target_names_unique(cls, value: list[TargetConfig]) -> list[TargetConfig]:
        return unique_target_names(value)

    # Derived paths: nothing is created here, only when something is written.
    @property
    def snapshot_path(self) -> Path:
        """The folder snapshot bundles go into."""
        return self.snapshot_dir or self.state_dir / "snapshots"

    @property
    def audit_path(self) -> Path:
        """The audit log file."""
        return self.audit_log or self.state_dir / "audit.jsonl"

    @property
    def heal_dir(self) -> Path:
        """Where `heal` keeps its lock and status file (and where the TUI and exporter read them)."""
        return self.heal.state_dir or self.state_dir / "heal"

    @property
    def demo_audit_path(self) -> Path:
        """The demo's own audit log: simulated actions never mix with production's."""
        return self.state_dir / "demo" / "audit.jsonl"

    @property
    def demo_snapshot_path(self) -> Path:
        """The demo's snapshot bundles: apart from the real ones, under the demo's own folder."""
        return self.state_dir / "demo" / "snapshots"

    def for_target(self, target: TargetConfig) -> Settings:
        """A copy watching `target`: its URL, engine, prefix and token, its own recording and audit log."""
        return self.model_copy(update=target_update(target, self.record, self.audit_path))

    def required_for(self, container: str) -> list[str]:
        """The env vars this container cannot start without: its `required_env` entry, else for
        the primary service (whatever it is called) `primary_required_env`."""
        if container in self.required_env:
            return list(self.required_env[container])
        return list(self.primary_required_env) if container == self.primary_service else []

    def required_env_names(self) -> list[str]:
        """Every name whose value length the container source keeps (required, or in an alias group)."""
        names = [*self.primary_required_env, *(n for ns in self.required_env.values() for n in ns)]
        return sorted({*names, *(n for group in self.env_alias_groups for n in group)})

    def all_endpoints(self) -> list[EndpointConfig]:
        """The endpoints to poll: the three defaults (unless turned off) plus the extras."""
        found: list[EndpointConfig] = []
        if self.default_endpoints:
            found += [
                EndpointConfig(name="health", url="/health", kind=EndpointKind.HEALTH),
                EndpointConfig(name="emergency", url="/health-emergency", kind=EndpointKind.EMERGENCY),
                EndpointConfig(name="mcp", url="/api/v1/mcp/status", kind=EndpointKind.MCP),
            ]
        taken = {e.name for e in found}
        found += [e for e in self.endpoints if e.name not in taken]
        return found

    def endpoint_url(self, endpoint: EndpointConfig) -> str:
        """The absolute URL of an endpoint."""
        return self.base_url + endpoint.url if endpoint.url.startswith("/") else endpoint.url


_CONFIG_UNREADABLE: dict[type[Exception], str] = {
    PermissionError: "cannot read config {path}: permission denied — fix its mode (chmod 600)",
    IsADirectoryError: "config {path} is a directory — point --config at a TOML file",
    UnicodeDecodeError: "config {path} is not UTF-8 text — save it as UTF-8 TOML",
    OSError: "cannot read config {path}: {reason} — check the path",
}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a config file, or raise ConfigError with the file, line and fix."""
    text = read_explained(path, lambda p: p.read_text(encoding="utf-8"), ConfigError, _CONFIG_UNREADABLE)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc} — fix that line") from None


def _where(field: str, path: Path | None, flags: dict[str, Any], toml: dict[str, Any]) -> str:
    flag = "--" + field.replace("_", "-")
    env = ENV_PREFIX + field.upper()
    if field in flags:
        return f"flag {flag}"
    if env in os.environ:
        return f"env {env}"
    if field in toml and path is not None:
        return f"'{field}' in {path}"
    return f"{flag}, {env} or '{field}' in the config file"


def describe_validation_error(
    exc: ValidationError, path: Path | None, flags: dict[str, Any], toml: dict[str, Any]
) -> str:
    """The first problem of a ValidationError as one actionable line."""
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    field = loc[0] if loc else "?"
    dotted = ".".join(loc) or "?"
    if err["type"] == "extra_forbidden":
        origin = f"in {path}" if path is not None else "in the settings"
        return f"unknown setting '{dotted}' {origin} — remove it or check its spelling"
    msg = err["msg"].removeprefix("Value error, ")
    shown = err.get("input")
    value = (
        ""
        if isinstance(shown, dict | list) or shown is None
        else f" = {mask_url_credentials(str(shown))[:60]!r}"
    )
    if "token" in loc:
        value = ""  # never echo a secret
    return f"invalid setting '{dotted}'{value}: {msg} — fix {_where(field, path, flags, toml)}"


def config_path_for(config: Path | None) -> Path | None:
    """The file the settings are read from: `--config`, else the default one if it exists, else none."""
    if config is None:
        return default_config_path() if default_config_path().is_file() else None
    if not config.exists():
        raise ConfigError(f"config file {config} does not exist — create it or drop --config")
    return config


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Settings from flags (given here, None meaning 'not given'), env, the file and defaults."""
    given = {k: v for k, v in flags.items() if v is not None}
    path = config_path_for(config)
    toml = read_toml(path) if path is not None else {}
    env = env_values(Settings, ENV_PREFIX, os.environ)
    try:
        return Settings.model_validate(deep_update(toml, env, given))
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, path, given, toml)) from None


def redactor_for(settings: Settings) -> Redactor:
    """A redactor that knows every configured token (top level and each endpoint's)."""
    tokens = [settings.token, *(e.token for e in settings.all_endpoints())]
    return Redactor(t.get_secret_value() for t in tokens if t is not None)
