"""The errors storymatch raises on purpose: each one is a problem a user can act on, and `str()` is that one line.

Anything else that escapes the library is a bug: the CLI lets it show as a traceback and the server logs it and
answers 500, so a bug is never passed off as a fault of the user's input.

    StorymatchError
    ├── InputError         an article, a record or a request storymatch cannot read (CLI: exit 2; HTTP: 422)
    ├── StoreError         a store folder that cannot be used as asked (CLI: exit 2; HTTP: 409)
    │   └── StoreUnusable  a file in a store's place that storymatch cannot use and leaves as it is (HTTP: 503)
    │       └── StoreDamaged   a store whose files disagree with what it records (CLI: exit 2; HTTP: 503)
    └── ModelUnavailable   a model or scorer that is not installed or cannot load (CLI: exit 2; HTTP: 503)
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1): a newline in a file name split an error into two lines, and an escape sequence
# in one was sent raw to the terminal (issue 28). Names are shown with these escaped, as Python writes them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """`text` on one line with every control character escaped ("\\n", "\\x1b"): how a name a user or a file
    gave is shown in an error line, a report line or a JSON error."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))


class StorymatchError(Exception):
    """Base of the errors meant for users; `str()` is the one line to show them."""


class InputError(StorymatchError):
    """An input storymatch cannot read, named with the problem: "seed-a.json: invalid JSON (...)"."""

    def __init__(self, name: str, problem: str):
        self.name = printable(name)
        self.problem = problem
        super().__init__(f"{self.name}: {problem}")


class StoreError(StorymatchError):
    """A store folder that cannot be opened, read or written as asked."""


class StoreUnusable(StoreError):
    """A file where a store should be that storymatch will not use and never writes to: a SQLite file holding
    someone else's tables, an empty file. `problem` names it without a path (the server shows it to clients)."""

    def __init__(self, store: str, problem: str):
        self.store = store
        self.problem = problem
        super().__init__(f"{store}: {problem}; {self.advice(store)}")

    def advice(self, store: str | None = None) -> str:
        return "storymatch leaves it as it is: give another --store folder, or move the file away"


class StoreDamaged(StoreUnusable):
    """A store storymatch made whose files no longer agree with what it records: a garbled SQLite page, a meta row
    it cannot read, a vector file missing or shorter than its rows. Nothing is written into such a store.

    `problem` names what is wrong without any path (the server shows it to clients); `str()` is the CLI's line:
    the store, the problem and what to run. `repairable` is False when the SQLite file itself is damaged: the
    texts are what `storymatch repair` rebuilds from, so a store whose texts cannot be read must be ingested again.
    On the server it is a 503: the request is fine, the service cannot answer it until the operator acts.
    """

    def __init__(self, store: str, problem: str, *, repairable: bool = True):
        self.repairable = repairable
        super().__init__(store, f"damaged store: {problem}")
        self.problem = problem

    def advice(self, store: str | None = None) -> str:
        """What to run about it (with the store's folder when given, for the command line)."""
        where = f" --store {store}" if store else ""
        if not self.repairable:
            return ("it cannot be repaired from itself: ingest the source files into a new store "
                    f"(`storymatch check{where}` lists what is wrong)")
        return f"`storymatch check{where}` lists every problem, `storymatch repair{where}` rebuilds what is derived"


class ModelUnavailable(StorymatchError):
    """A model (embedder, spaCy pipeline, scorer file) that is not installed or cannot be loaded."""

    def __init__(self, name: str, problem: str):
        self.name = name
        self.problem = problem
        super().__init__(f"{name}: {problem}")
