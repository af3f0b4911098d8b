"""The demo plugs in at one seam (demo/factory.py): outside demo/ no module names a demo class,
asks `isinstance` of a source, reader or backend type, or probes one with `getattr`/`hasattr`.

Read from the package's own source with `ast`, so a docstring or comment that names the demo
does not count, and a new probe anywhere fails here with its file and line.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import sutazai_tui

PACKAGE = Path(sutazai_tui.__file__).parent
DEMO_NAMES = frozenset(
    {"SimulatedFleet", "SimulatedBackend", "FleetBackend", "SimulatedEngine", "DemoSession", "FleetDetails"}
)
# Types a Session is built from: asking a value whether it is one of them is a capability probe.
SEAM_TYPES = re.compile(r"Source|Details|LogReader|Backend|Monitor|Session|Fleet|Engine|Follower")
# Values a Session is built from: `getattr(source, "log_reader")` and its kind.
SEAM_VALUES = re.compile(
    r"source|containers|backend|reader|details|monitor|session|fleet|engine|actions", re.I
)

# Where a demo name may appear outside demo/, and why.
NAMES_ALLOWED = {
    # The screenshot tool scripts the simulated backend's phases (`forced_phase`) picture by
    # picture; its Session still comes from demo/factory.py.
    "tui/screenshots.py": {"SimulatedBackend", "SimulatedFleet"},
}
# Probes that stay, and why.
PROBES_ALLOWED = {
    # The engine's factory pairs the engine's own source with the engine's log reader; any other
    # source (the demo's, a replay, a test double) brings its reader to the Monitor or has none.
    ("sources/engine/factory.py", "isinstance(source, DockerSource)"),
    # Not a probe: `stop` or `restart` by name, both in the ActionBackend protocol every backend has.
    ("actions/policy.py", "getattr(self.backend, action)"),
}


def demo_names(tree: ast.AST) -> set[str]:
    """Demo class names used as code (imported, called, annotated): not in strings or comments."""
    found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    found |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    return found & DEMO_NAMES


def probes(tree: ast.AST) -> list[str]:
    """Every isinstance of a seam type and every getattr/hasattr on a seam value, as source text."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2):
            continue
        name, (first, second) = node.func.id, node.args[:2]
        typed = name == "isinstance" and SEAM_TYPES.search(ast.unparse(second))
        probed = name in ("getattr", "hasattr") and SEAM_VALUES.search(ast.unparse(first))
        if typed or probed:
            found.append(ast.unparse(node))
    return found


@functools.cache  # parsed once for the four scans below (the trees are only read)
def modules_outside_demo() -> list[tuple[str, ast.AST]]:
    paths = sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] != "demo")
    return [(p.relative_to(PACKAGE).as_posix(), ast.parse(p.read_text(), str(p))) for p in paths]


def test_the_scan_finds_what_it_forbids() -> None:
    tree = ast.parse(
        "from sutazai_tui.demo.fleet import SimulatedFleet\n"
        "own = getattr(source, 'log_reader', None)\n"
        "ok = isinstance(source, DetailsSource)\n"
        "'a docstring naming DemoSession'\n"
        "kept = getattr(os, 'O_NOFOLLOW', 0) or isinstance(exc, OSError)\n"
    )
    assert demo_names(tree) == {"SimulatedFleet"}
    assert probes(tree) == ["getattr(source, 'log_reader', None)", "isinstance(source, DetailsSource)"]


def test_no_demo_class_outside_demo() -> None:
    named = {
        path: sorted(names - NAMES_ALLOWED.get(path, set()))
        for path, tree in modules_outside_demo()
        if (names := demo_names(tree)) - NAMES_ALLOWED.get(path, set())
    }
    assert named == {}, "build the demo's pieces in demo/factory.py, not here"


def test_no_capability_probe_outside_demo() -> None:
    found = [
        (path, text)
        for path, tree in modules_outside_demo()
        for text in probes(tree)
        if (path, text) not in PROBES_ALLOWED
    ]
    assert found == [], "give the Session what it needs (demo/factory.py) instead of asking the value"


def test_every_allowance_is_still_needed() -> None:
    trees = dict(modules_outside_demo())
    for path, text in PROBES_ALLOWED:
        assert text in probes(trees[path]), f"{path}: {text} is gone; drop it from PROBES_ALLOWED"
    for path, names in NAMES_ALLOWED.items():
        assert names <= demo_names(trees[path]), f"{path} no longer names {names}; drop the allowance"


def test_the_app_is_built_one_way_and_stays_small() -> None:
    """tui/factory.py builds the app (make_app, boot_app); the App module stays ≤ 150 lines."""
    built = [
        path
        for path, tree in modules_outside_demo()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "SutazaiApp"
    ]
    assert built == ["tui/factory.py", "tui/factory.py"]
    assert len((PACKAGE / "tui" / "app.py").read_text().splitlines()) <= 150
