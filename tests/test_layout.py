"""The package's shape, held to what docs/ARCHITECTURE.md promises: no import cycles, layers that only
look down, a public API that fits one screen, and each subpackage documenting its area."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import storymatch

SRC = Path(storymatch.__file__).resolve().parent
# Subpackages from the bottom up: a module may import its own layer and the layers below it, never above.
LAYERS = [
    {"errors", "config", "disk_cache", "lazy_exports"},
    {"text", "inputs"},
    {"embedding"},
    {"features", "alignment"},
    {"scoring"},
    {"comparison"},
    {"corpus"},
    {"evaluation"},
    {"serving", "spark"},
    {"cli"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _module_name(path: Path) -> str:
    parts = ["storymatch", *path.relative_to(SRC).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module's imports of storymatch modules, anywhere in the file (TYPE_CHECKING blocks included)."""
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        name = _module_name(path)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        pkg = pkg.rpartition(".")[0]
                    base = f"{pkg}.{base}" if base else pkg
                found.add(base)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        graph[name] = {m for m in found if m == "storymatch" or m.startswith("storymatch.")}
    return graph


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every back edge of a depth-first walk, as the cycle it closes."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    return cycles


def test_cycle_finder_finds_cycles_and_only_those():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles():
    graph = _imports()
    nodes = set(graph)

    def resolve(target: str) -> str | None:  # "storymatch.x.y.Name" -> the module it names
        while target and target not in nodes:
            target = target.rpartition(".")[0]
        return target or None

    edges = {m: {t for t in map(resolve, targets) if t and t != m and not m.startswith(t + ".")}
             for m, targets in graph.items()}
    assert find_cycles(edges) == []


def test_layers_only_look_down():
    upward = []
    for module, targets in _imports().items():
        here = _area(module)
        if here is None or here == "__main__":
            continue
        for target in targets:
            there = _area(target)
            if there is not None and there != here and RANK[there] > RANK[here]:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_every_subpackage_is_placed_in_a_layer_and_documents_its_area():
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    modules = {p.stem for p in SRC.glob("*.py")} - {"__init__", "__main__"}
    assert packages | modules == set(RANK)
    for name in packages:
        doc = importlib.import_module(f"storymatch.{name}").__doc__
        assert doc and len(doc.split()) >= 10, name


def test_public_api():
    assert set(storymatch.__all__) == {"AlignParams", "Alignment", "Article", "Comparison", "InputError", "Passage",
                                       "StorymatchError", "align", "compare", "load_article"}
    from storymatch import corpus

    assert {"Store", "ingest", "search", "trace", "cluster", "report"} <= set(corpus.__all__)


@pytest.mark.parametrize("module", sorted(m.name for m in pkgutil.walk_packages(storymatch.__path__, "storymatch.")
                                          if not m.name.endswith("__main__")))
def test_every_module_imports_and_says_why_it_exists(module):
    mod = importlib.import_module(module)
    assert mod.__doc__ and mod.__doc__.strip(), f"{module} has no docstring"
