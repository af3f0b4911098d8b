#!/usr/bin/env bash
# Install everything the test suite needs and run all of it: lint, types, unit, real HTTP,
# the real Docker engine (started here if none answers) and tmux end-to-end tests.
# Usage: bash scripts/test.sh [pytest args...]     (as root, or with sudo for apt and dockerd)
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
missing=()
command -v tmux >/dev/null || missing+=(tmux)
command -v dockerd >/dev/null || missing+=(docker.io)
[ -x /bin/busybox ] || missing+=(busybox-static)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v promtool >/dev/null || missing+=(prometheus)
# The manual page is rendered with `man -l`; the systemd units are checked with systemd-analyze;
# the completion scripts are loaded into zsh and fish (bash is there).
command -v man >/dev/null || missing+=(man-db)
command -v groff >/dev/null || missing+=(groff-base)
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing ${missing[*]}"
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # The prometheus package starts its service on :9090 where systemd runs: the tests start their own.
  if command -v systemctl >/dev/null; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi

venv=${SUTAZAI_TUI_VENV:-.venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
# shellcheck disable=SC1091
. "$venv/bin/activate"
echo "== installing sutazai-tui with its test extra into $venv"
python -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== Docker engine"
started_engine=0
if ! docker info >/dev/null 2>&1; then
  bash scripts/docker-engine.sh start
  started_engine=1
fi
cleanup() {
  # Test containers are named sutazai-t<hex>-*: remove any an interrupted test left behind.
  leftovers=$(docker ps -aq --filter 'name=^/sutazai-t[0-9a-f]+-' 2>/dev/null || true)
  [ -z "$leftovers" ] || docker rm -f $leftovers >/dev/null 2>&1 || true
  if [ "$started_engine" = 1 ]; then bash scripts/docker-engine.sh stop || true; fi
}
trap cleanup EXIT
bash scripts/docker-engine.sh image
export SUTAZAI_TUI_REQUIRE_ENGINE=1

echo "== ruff, mypy, import layers"
ruff check .
ruff format --check .
mypy sutazai_tui tests scripts/mutation.py scripts/manpage.py
lint-imports
vulture sutazai_tui scripts/vulture_whitelist.py
promtool check rules deploy/prometheus/sutazai.rules.yml
promtool test rules deploy/prometheus/sutazai.rules.test.yml

# Two runs: what shares nothing runs on 4 workers (pytest-xdist: most of a test's time is waiting
# for a server, a subprocess or a cycle); the Docker engine and tmux tests share the engine and the
# terminal server, so they run one at a time. pytest exits 5 when it ran no test: that is fine for
# one part (arguments may select tests of one kind only), a failure when both ran nothing.
part() {
  local rc=0
  python -m pytest "$@" || rc=$?
  if [ "$rc" = 5 ]; then ran_none=$((ran_none + 1)); elif [ "$rc" != 0 ]; then exit "$rc"; fi
}
ran_none=0
echo "== pytest: everything but the engine and tmux tests, 4 workers"
part -n 4 -m "not engine and not tmux" "$@"
echo "== pytest: the engine and tmux tests, one at a time"
part -m "engine or tmux" "$@"
if [ "$ran_none" = 2 ]; then echo "pytest ran no test" >&2; exit 5; fi
