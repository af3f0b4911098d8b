"""Mutation score of the decision modules, per module (driven by scripts/mutation.sh).

Each module is mutated by mutmut 3 in a throw-away copy of the tree (mutmut writes a `mutants/`
folder and reads its settings from pyproject; a copy keeps both out of the worktree and lets each
module run against its own fast tests). The score is killed / (mutants - equivalent ones), where
the equivalent ones are listed in scripts/mutation-equivalent.txt; a timeout counts as killed
(the mutant made a test hang, which the suite notices), "no tests" counts as survived.

mutmut mutates function and method bodies only: module-level constants (frozensets, regexes,
tables) are not mutated, so those are pinned by tests written for them, not measured here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = Path(__file__).with_name("mutation-equivalent.txt")

# The decision modules and the fast, engine-free tests that pin their rules (only these: each
# mutant runs the tests that reach it, so a slow test here multiplies). A module not listed (a new
# truth rule) runs against every non-engine test file that names it.
TESTS: dict[str, list[str]] = {
    "util/clean": ["tests/unit/test_clean.py", "tests/unit/test_redact.py"],
    "util/redact": [
        "tests/unit/test_redact.py",
        "tests/unit/test_recorder.py",
        "tests/unit/test_log_evidence_and_probes.py",
    ],
    "actions/policy": [
        "tests/unit/test_actions_fake_backend.py",
        "tests/unit/test_actions_policy.py",
        "tests/unit/test_actions_recreate.py",
    ],
    "actions/allow": [
        "tests/unit/test_allow_list.py",
        "tests/unit/test_actions_fake_backend.py",
        "tests/unit/test_actions_policy.py",
    ],
    "core/verdict": [
        "tests/unit/test_verdict.py",
        "tests/integration/test_check_containers.py",
        "tests/unit/test_evidence_verdicts.py",
        "tests/integration/test_releases.py",
    ],
    "core/history": [
        "tests/unit/test_history.py",
        "tests/unit/test_history_compact.py",
        "tests/unit/test_diagnosis_detectors.py",
        "tests/integration/test_monitor.py",
    ],
    "sources/backend/classify": [
        "tests/unit/test_classify.py",
        "tests/unit/test_classify_rules.py",
        "tests/integration/test_backend_client.py",
    ],
    "diagnosis/*": [
        "tests/unit/test_diagnosis_detectors.py",
        "tests/unit/test_diagnosis_wording.py",
        "tests/unit/test_diagnosis_containers.py",
        "tests/unit/test_evidence_verdicts.py",
        "tests/unit/test_self_report_detectors.py",
    ],
    "core/evidence": [
        "tests/unit/test_join_evidence.py",
        "tests/unit/test_evidence_verdicts.py",
        "tests/unit/test_log_evidence_and_probes.py",
    ],
    "sources/backend/releases": ["tests/unit/test_releases_rules.py", "tests/integration/test_releases.py"],
}
# The truth rules (issue 13) are decision modules too: core/evidence joins the log into the
# endpoints' states, sources/backend/releases reads both backend lines.
DEFAULT = ["util/clean", "util/redact", "actions/policy", "actions/allow", "core/verdict", "core/history"]
DEFAULT += ["core/evidence", "sources/backend/classify", "sources/backend/releases", "diagnosis/*"]
# Tests that read the source text itself: mutmut's rewritten copy (trampolines, its imports)
# is not the source they check, so they cannot run there.
DESELECT = ["tests/unit/test_diagnosis_detectors.py::test_diagnostics_reads_env_names_only"]
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
_SLOW_TESTS = re.compile(r"engine|tmux|tui_|hygiene")


def module_files(spec: str) -> list[Path]:
    """`util/redact`, `sutazai_tui/util/redact.py` or `diagnosis/*` → the source files."""
    spec = spec.removeprefix("sutazai_tui/").removesuffix(".py")
    found = sorted((ROOT / "sutazai_tui").glob(spec + ".py"))
    return [p for p in found if p.name != "__init__.py"]


def tests_for(spec: str, files: list[Path]) -> list[str]:
    """The test files for a module: the table's, else every fast test file that imports it."""
    key = spec.removeprefix("sutazai_tui/").removesuffix(".py")
    listed = TESTS.get(key) or TESTS.get(key.rsplit("/", 1)[0] + "/*", [])
    found = [t for t in listed if (ROOT / t).exists()]
    if found:  # a listed module runs against its own tests only: the mutants x tests product is the cost
        return found
    for source in files:
        dotted = ".".join(source.relative_to(ROOT).with_suffix("").parts)
        for test in sorted((ROOT / "tests").glob("test_*.py")):
            name = str(test.relative_to(ROOT))
            if name not in found and not _SLOW_TESTS.search(test.name) and dotted in test.read_text():
                found.append(name)
    return found


def load_equivalent() -> dict[str, str]:
    """`key ## why` lines (see the file's header) → why."""
    if not EQUIVALENT_FILE.exists():
        return {}
    found: dict[str, str] = {}
    for line in EQUIVALENT_FILE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, why = line.partition(" ## ")
            found[key.strip()] = why.strip()
    return found


def mutant_key(name: str, diff: str) -> str:
    """A key that survives renumbering: function, then the mutated line(s) as they read."""
    module, _, generated = re.sub(r"__mutmut_\d+$", "", name).rpartition(".")
    # mutmut names top-level functions x_<name> and methods xǁ<Class>ǁ<name>
    function = generated[2:].replace("ǁ", ".") if generated.startswith(("x_", "xǁ")) else generated
    function = f"{module}.{function}"
    lines = diff.splitlines()
    added = [ln[1:].strip() for ln in lines if ln.startswith("+") and not ln.startswith("+++")]
    key = f"{function} :: {' / '.join(added)}"
    if len(" ".join(added)) < 10:  # `break`, `)`: name the line above it too, to tell them apart
        first = next((i for i, ln in enumerate(lines) if ln.startswith("-") and not ln.startswith("---")), 0)
        above = next((ln.strip() for ln in reversed(lines[:first]) if ln.startswith(" ") and ln.strip()), "")
        key += f" (after: {above})"
    return key


def prepare(work: Path, files: list[Path], tests: list[str]) -> None:
    """A copy of the tree with a [tool.mutmut] table for this module."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for part in ("sutazai_tui", "tests"):
        shutil.copytree(
            ROOT / part, work / part, ignore=shutil.ignore_patterns("__pycache__", "__snapshots__")
        )
    # Other files tests read (deploy/ rules, README, docs/, bench/): copied here and into mutmut's copy.
    extra = [p for p in ("deploy", "bench", "docs", "README.md") if (ROOT / p).exists()]
    for part in extra:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, work / part)
        else:
            shutil.copy(ROOT / part, work / part)
    only = [str(f.relative_to(ROOT)) for f in files]
    table = {
        "source_paths": ["sutazai_tui"],
        "also_copy": extra,
        "only_mutate": only,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q", "-m", "not engine and not tmux"]
        + [arg for test in DESELECT for arg in ("--deselect", test)],
    }
    lines = [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    text = (ROOT / "pyproject.toml").read_text() + "\n[tool.mutmut]\n" + "\n".join(lines) + "\n"
    (work / "pyproject.toml").write_text(text)


def score(
    work: Path, files: list[Path], equivalent: dict[str, str]
) -> list[tuple[str, int, int, int, list[str]]]:
    """(file, killed, counted, equivalent, survivor keys) per mutated file, read from mutmut's data."""
    os.chdir(work)  # mutmut's own readers take paths relative to the copy
    sys.path.insert(0, str(work))
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    rows = []
    for source in files:
        rel = source.relative_to(ROOT)
        meta = work / "mutants" / (str(rel) + ".meta")
        codes: dict[str, int | None] = (
            json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        )
        killed = counted = skipped = 0
        survivors: list[str] = []
        for name, code in sorted(codes.items()):
            status = status_by_exit_code[code]
            if status in KILLED:
                killed += 1
                counted += 1
                continue
            key = mutant_key(name, get_diff_for_mutant(name, path=rel))
            if key in equivalent:
                skipped += 1
                continue
            counted += 1
            survivors.append(f"{key}    [{status}: mutmut show {name}]")
        rows.append((str(rel), killed, counted, skipped, survivors))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules", nargs="*", help="e.g. util/redact core/verdict 'diagnosis/*' (default: all)"
    )
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATION_JOBS", "1")))
    parser.add_argument("--keep", action="store_true", help="keep the work copy (to run `mutmut show` in it)")
    args = parser.parse_args(argv)
    equivalent = load_equivalent()
    table: list[tuple[str, int, int, int, list[str]]] = []
    base = (
        Path(os.environ.get("MUTATION_WORKDIR") or tempfile.gettempdir()) / f"sutazai-mutation-{os.getuid()}"
    )
    for spec in args.modules or DEFAULT:
        files = module_files(spec)
        if not files:
            print(
                f"mutation: no module matches {spec!r} under sutazai_tui/ (e.g. util/redact)", file=sys.stderr
            )
            return 2
        tests = tests_for(spec, files)
        work = base / re.sub(r"[^A-Za-z0-9]+", "-", spec).strip("-")
        prepare(work, files, tests)
        print(f"== {spec}: {len(files)} file(s), tests: {' '.join(tests)}", flush=True)
        env = dict(os.environ, PYTHONPATH=str(work))
        run = subprocess.run(
            ["mutmut", "run", "--max-children", str(args.jobs)],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if run.returncode != 0:
            # Usually a test that fails unmutated: mutmut refuses to score a red suite.
            said = re.sub(r"\x1b\[[0-9;]*[A-Za-z]|[^\n]*\r", "", run.stdout).strip()[-3000:]
            print(f"mutation: mutmut failed on {spec} (are its tests green?):\n{said}", file=sys.stderr)
            return 1
        here = Path.cwd()
        table += score(work, files, equivalent)
        os.chdir(here)
        sys.path.remove(str(work))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        "\n| module | killed | non-equivalent mutants | equivalent excluded | score |\n|---|---|---|---|---|"
    )
    for rel, killed, counted, skipped, _ in table:
        pct = 100.0 * killed / counted if counted else 100.0
        print(f"| {rel} | {killed} | {counted} | {skipped} | {pct:.1f}% |")
    for rel, *_, survivors in table:
        for line in survivors:
            print(f"survived {rel}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
