"""The feature cache's fingerprint: it must change whenever code that decides an analysis or an alignment
changes, wherever that code sits in the package tree, or the scorer would be fitted on stale features."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

from storymatch.alignment.aligner import ALIGNMENT_CODE
from storymatch.disk_cache import code_files, code_fingerprint
from storymatch.features.analysis import ANALYSIS_CODE


def _storymatch_imports(module: str, skip: tuple[str, ...]) -> set[Path]:
    """The files of `module` and of every storymatch module it imports, transitively, outside `skip`."""
    seen: set[Path] = set()
    todo = [module]
    while todo:
        spec = importlib.util.find_spec(todo.pop())
        assert spec is not None and spec.origin is not None
        path = Path(spec.origin)
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("storymatch."):
                names = [f"{node.module}.{a.name}" for a in node.names]
                found = [n for n in names if importlib.util.find_spec(node.module) and _is_module(n)]
                todo += [m for m in found or [node.module] if not m.startswith(skip)]
    return seen


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def test_analysis_fingerprint_covers_every_module_analyse_runs():
    # embedding and config decide vectors and settings, which the analysis cache does not hold; disk_cache decides
    # where derived tables are kept, not what they hold (their own folder names carry the deriving code's hash)
    needed = _storymatch_imports("storymatch.features.analysis", skip=("storymatch.embedding", "storymatch.config",
                                                                       "storymatch.errors", "storymatch.disk_cache"))
    assert needed <= set(code_files(ANALYSIS_CODE))
    assert {p.name for p in needed} >= {"entities.py", "places.py", "dates.py", "numbers.py", "rarity.py"}


def test_alignment_fingerprint_covers_every_module_align_runs():
    needed = _storymatch_imports("storymatch.alignment.aligner", skip=("storymatch.embedding", "storymatch.inputs",
                                                                       "storymatch.config", "storymatch.errors",
                                                                       "storymatch.disk_cache"))
    assert needed <= set(code_files(ALIGNMENT_CODE))
    assert {p.name for p in needed} >= {"seeding.py", "tokens.py", "extension.py", "edits.py", "normalize.py"}


def test_fingerprint_changes_with_any_file_of_a_package(tmp_path, monkeypatch):
    pkg = tmp_path / "fakepkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "rule.py").write_text("THRESHOLD = 0.5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("fakepkg", None)
    before = code_fingerprint(["fakepkg"])
    assert code_fingerprint(["fakepkg"]) == before  # stable
    (pkg / "sub" / "rule.py").write_text("THRESHOLD = 0.6\n")
    edited = code_fingerprint(["fakepkg"])
    assert edited != before
    (pkg / "sub" / "new_rule.py").write_text("")  # a module added deep inside is covered too
    assert code_fingerprint(["fakepkg"]) != edited
