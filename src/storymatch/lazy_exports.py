"""A package's public names, imported on first use (PEP 562) rather than with the package.

Every module of storymatch imports its packages first; when a package's __init__ imported all its public names,
an ingest worker, which needs the text and LSH modules only, also imported the aligner, the comparison pipeline,
the store and the article features. Measured with `python -X importtime -c "import storymatch.corpus.ingest_analysis"`
(what an ingest's fork server imports before its workers can start): 0.49 -> 0.2 s.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


def lazy_exports(package: str, where: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, whose public names live in the modules `where` names."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        namespace[name] = value  # found in the package's namespace from now on, without this call
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *where})

    return __getattr__, __dir__
