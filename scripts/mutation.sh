#!/usr/bin/env bash
# Mutation score of the decision modules (mutmut 3), one module at a time, at low priority.
# Usage: bash scripts/mutation.sh [module...]   e.g. util/redact core/verdict 'diagnosis/*'
#        (no module: all of them; MUTATION_JOBS=N for N parallel mutants, default 1)
# Slow and CPU-heavy: not part of .ci/run. Equivalent mutants: scripts/mutation-equivalent.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${SUTAZAI_TUI_VENV:-.venv}
# shellcheck disable=SC1091
[ -z "${VIRTUAL_ENV:-}" ] && [ -x "$venv/bin/python" ] && . "$venv/bin/activate"
if ! python -c 'import mutmut' 2>/dev/null; then
  echo "mutation: mutmut is not installed; run: python -m pip install -e '.[mutation]'" >&2
  exit 2
fi
exec nice -n 10 python scripts/mutation.py "$@"
