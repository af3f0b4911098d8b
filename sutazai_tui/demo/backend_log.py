"""The simulated backend container's log, phase by phase, in the real builds' own words.

The demo fleet writes these lines (docs/backend.md "How start-up fails"), so the monitor's log
evidence tells the same story on `--demo` as on a real engine: the import failure of the 08-16
build, the emergency start, a normal start of the emergency-fix build, Redis refused, the deadlock.
"""

from __future__ import annotations

from sutazai_tui.demo import answers

# The backend's log by phase, in the real builds' words (docs/backend.md "How start-up fails"):
# (lines written once at start-up, lines repeated while it runs; none: it exited).
_MAIN = "app.main - INFO - "
_IMPORT_FAILURE = (
    _MAIN + "Starting SutazAI backend",
    "Traceback (most recent call last):",
    '  File "/app/app/core/config.py", line 212, in <module>',
    "    settings = Settings()",
    "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings",
    "SECRET_KEY",
    "  Field required [type=missing, input_value={'database_url': 'postgresql://sutazai:dem0pass@"
    "sutazai-postgres:5432/sutazai'}, input_type=dict]",
)
# 08-16 with JWT_SECRET empty (compose's `${JWT_SECRET}`, the variable unset): its validator says why.
_EMPTY_SECRET = (
    _MAIN + "Starting SutazAI backend",
    "Traceback (most recent call last):",
    '  File "/app/app/core/config.py", line 212, in <module>',
    "    settings = Settings()",
    "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings",
    "JWT_SECRET",
    "  Value error, JWT_SECRET must be at least 32 characters [type=value_error, input_value='', "
    "input_type=str]",
)
# 08-16 with Postgres stopped: the lifespan raises, uvicorn gives up, exit 3 (~12 s a start).
_STARTUP_FAILED = (
    "uvicorn.error - INFO - Waiting for application startup.",
    "app.core.database - ERROR - Database connection failed: connection to server at "
    '"sutazai-postgres" (172.20.0.3), port 5432 failed: Connection refused',
    "uvicorn.error - ERROR - Application startup failed. Exiting.",
)
_EMERGENCY_START = (
    _MAIN + "Starting SutazAI backend",
    "app.core.connection_pool - INFO - Connection pools initialized",
    "app.main - WARNING - ⚠️ Initialization timeout - running in emergency mode",
    _MAIN + "Backend started in emergency mode",
)
_NORMAL_START = (
    _MAIN + "Starting SutazAI backend",
    "app.core.connection_pool - INFO - Connection pools initialized",
    _MAIN + "Backend started in normal mode",
)
_NOVEMBER_START = (
    "uvicorn.error - INFO - Started server process [1]",
    "uvicorn.error - INFO - Application startup complete.",
)
# The start-up deadlock: the lifespan never finishes, so uvicorn never binds and nothing more is written.
_DEADLOCK = (
    _MAIN + "Starting SutazAI backend",
    "app.core.connection_pool - INFO - Connection pools initialized",
)
_SERVING = ("uvicorn.access - INFO - GET /health 200", _MAIN + "cache hit ratio 0.97")
_REDIS_DOWN = (
    "app.core.cache - ERROR - ❌ Failed to connect to Redis: Error 111 connecting to 127.0.0.1:6379. "
    "Connection refused."
)
BACKEND_LOG: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    answers.HANG: (_IMPORT_FAILURE, ()),
    answers.EMERGENCY: (_EMERGENCY_START, ("uvicorn.access - INFO - GET /health-emergency 200", *_SERVING)),
    answers.INITIALIZING: (_EMERGENCY_START, ("app.mcp - INFO - MCP bridge initializing", *_SERVING)),
    answers.RECOVERED: (_NORMAL_START, _SERVING),
    answers.DEGRADED: (_NORMAL_START, (_REDIS_DOWN, *_SERVING)),
    # The real builds: a normal start of 08-18 (mode line and all), the same with Redis down, the
    # November line, and the deadlock whose last line is the step it hangs after.
    answers.BUILD_0818: (_NORMAL_START, _SERVING),
    answers.REDIS_DOWN_0818: ((*_NORMAL_START, _REDIS_DOWN), _SERVING),
    answers.NOVEMBER_DOWN: (
        _NOVEMBER_START,
        (
            "app.core.cache - ERROR - Redis connection failed: Error 111 connecting to sutazai-redis:6379. "
            "Connection refused.",
            *_SERVING,
        ),
    ),
    answers.NOVEMBER_UP: (_NOVEMBER_START, _SERVING),
    answers.REFUSED: (_DEADLOCK, ()),
    answers.RESET: (_DEADLOCK, ()),
    answers.ENV_EMPTY_0816: (_EMPTY_SECRET, ()),
    answers.POSTGRES_DOWN_0816: (_STARTUP_FAILED, ()),
}
# Phases that are a new deployment of the backend: its container starts afresh.
REDEPLOYED = {answers.RECOVERED, answers.DEGRADED}
# A dependency the scenario stopped: its last words, then nothing.
STOPPED = ("Received SIGTERM scheduling shutdown...", "Ready to exit, bye bye...")
