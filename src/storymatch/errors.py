"""The errors storymatch raises on purpose: each one is a problem a user can act on, and `str()` is that one line.

Anything else that escapes the library is a bug: the CLI lets it show as a traceback and the server logs it and
answers 500, so a bug is never passed off as a fault of the user's input.

    StorymatchError
    ├── InputError         an article, a record or a request storymatch cannot read (CLI: exit 2; HTTP: 422)
    ├── StoreError         a store folder that cannot be used as asked (CLI: exit 2; HTTP: 409)
    └── ModelUnavailable   a model or scorer that is not installed or cannot load (CLI: exit 2; HTTP: 503)
"""

from __future__ import annotations


class StorymatchError(Exception):
    """Base of the errors meant for users; `str()` is the one line to show them."""


class InputError(StorymatchError):
    """An input storymatch cannot read, named with the problem: "seed-a.json: invalid JSON (...)"."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")


class StoreError(StorymatchError):
    """A store folder that cannot be opened, read or written as asked."""


class ModelUnavailable(StorymatchError):
    """A model (embedder, spaCy pipeline, scorer file) that is not installed or cannot be loaded."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")
