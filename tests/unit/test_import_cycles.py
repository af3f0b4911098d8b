"""No module of the package imports, however indirectly, a module that imports it back.

grimp reads every import statement, the lazy ones inside functions included, so a cycle that only
closes at run time is found too. (cli/entry <-> cli/serve was the last one: cli/args.py broke it.)
"""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest


def test_the_package_has_no_import_cycle() -> None:
    graph = grimp.build_graph("sutazai_tui", cache_dir=None)
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.append(" -> ".join((module, *back)))
    assert cycles == []


def test_the_check_sees_a_cycle_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from cyclic import b\n")
    (package / "b.py").write_text("from cyclic import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic", cache_dir=None)
    assert graph.find_shortest_chain(importer="cyclic.b", imported="cyclic.a") == ("cyclic.b", "cyclic.a")
    assert graph.find_shortest_chain(importer="cyclic.a", imported="cyclic.b") == ("cyclic.a", "cyclic.b")
