"""No import cycle among kg's modules: each module builds only on the ones below it.

Every import counts, wherever it stands: at the top, inside a function (a lazy import still
makes one module depend on the other) and under ``if TYPE_CHECKING:``. Importing a package
(``from kg.extract import bodies``) depends on the submodule named, not on the package's
``__init__``; ``import_module`` calls with computed names are not seen.
"""

from __future__ import annotations

import ast
from pathlib import Path

KG = Path(__file__).resolve().parent.parent / "kg"


def _module_name(path: Path) -> str:
    parts = path.relative_to(KG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The kg modules ``path`` imports (a name imported from a package that is itself a module
    counts as that module)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{a.name}" for a in node.names} & modules
            found.update(submodules or ({base} & modules))
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    paths = sorted(KG.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names (first = last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt, path)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return None


def test_the_walk_sees_imports():
    graph = _graph()
    assert "kg.extract.names" in graph["kg.extract.bodies"]  # top-level
    assert "kg.store.sources" in graph["kg.store.base"]  # inside a function
    assert "kg.extract.bodies" in graph["kg.extract.people"]  # "from kg.extract import bodies"


def test_cycles_are_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_import_cycle_among_kg_modules():
    assert _cycle(_graph()) is None
