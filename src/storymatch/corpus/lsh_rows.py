"""A store's LSH key rows as the database holds them: one row an article (`lsh_keys`, schema 3), or schema 2's
(key, seq) rows of a store read as it is (read-only, not upgraded). What the store writes and what every reader of
the keys (the store, its index in corpus/lsh_index.py, `check`) reads, in one place."""

from __future__ import annotations

import sqlite3
from typing import Iterator

import numpy as np


def pack_keys(keys: np.ndarray) -> bytes:
    """An article's lsh_keys row: its distinct non-zero band keys, sorted, as int64 little-endian bytes.

    A sort and a mask rather than np.unique, whose overhead on an article's ~100 keys was most of its cost (the
    ingest's writing process: 0.096 -> 0.038 s for 3,581 articles; the same bytes)."""
    flat = np.asarray(keys, dtype=np.int64).ravel()
    kept = np.sort(flat[flat != 0])
    if len(kept) > 1:
        kept = kept[np.concatenate(([True], kept[1:] != kept[:-1]))]
    return kept.astype("<i8", copy=False).tobytes()


def is_legacy(db: sqlite3.Connection) -> bool:
    """Is this a schema-2 store read as it is (read-only, not upgraded): its keys in the lsh table?"""
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'lsh_keys'").fetchone() is None


def legacy_rows(db: sqlite3.Connection, after_seq: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """read_key_rows of schema 2's lsh table."""
    rows = db.execute("SELECT key, seq FROM lsh WHERE seq > ? ORDER BY seq, key", (after_seq,))
    pairs = np.array(rows.fetchall(), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def read_key_rows(db: sqlite3.Connection, after_seq: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(keys, seqs) of the LSH keys of a store's articles after `after_seq`, in seq order (int64 arrays)."""
    if is_legacy(db):
        return legacy_rows(db, after_seq)
    rows = db.execute("SELECT seq, keys FROM lsh_keys WHERE seq > ? ORDER BY seq", (after_seq,)).fetchall()
    lengths = np.fromiter((len(blob) // 8 for _, blob in rows), dtype=np.int64, count=len(rows))
    keys = np.frombuffer(b"".join(blob for _, blob in rows), dtype="<i8").astype(np.int64)
    seqs = np.repeat(np.fromiter((seq for seq, _ in rows), dtype=np.int64, count=len(rows)), lengths)
    return keys, seqs


def key_rows_max_seq(db: sqlite3.Connection) -> int:
    """The newest article with LSH keys (0 for none): an index seek (a scan of schema 2's table)."""
    table = "lsh" if is_legacy(db) else "lsh_keys"
    return db.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {table}").fetchone()[0]


def key_rows_extent(db: sqlite3.Connection, upto: int | None = None) -> tuple[int, int]:
    """(the newest article with LSH keys, how many articles have keys), up to seq `upto` when given."""
    upto = upto if upto is not None else 2 ** 62
    if is_legacy(db):
        return db.execute("SELECT COALESCE(MAX(seq), 0), COUNT(DISTINCT seq) FROM lsh WHERE seq <= ?",
                          (upto,)).fetchone()
    return db.execute("SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM lsh_keys WHERE seq <= ?", (upto,)).fetchone()


def by_article(keys: np.ndarray, seqs: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(seq, its keys) of each article in (keys, seqs) arrays in seq order, as read_key_rows gives them."""
    cuts = np.flatnonzero(np.diff(seqs)) + 1
    for k, s in zip(np.split(keys, cuts), np.split(seqs, cuts)):
        if len(s):
            yield int(s[0]), k


UPGRADE_CHUNK = 1_000_000  # (key, seq) rows of a schema-2 store read at a time while it is upgraded


def copy_legacy_rows(db: sqlite3.Connection) -> None:
    """Schema 2's (key, seq) rows written as lsh_keys rows, read UPGRADE_CHUNK at a time (a large store's rows are
    never all in memory at once). In the caller's transaction, which removes the old rows."""
    db.execute("CREATE TABLE IF NOT EXISTS lsh_keys (seq INTEGER PRIMARY KEY, keys BLOB NOT NULL)")
    rows = db.execute("SELECT key, seq FROM lsh ORDER BY seq")
    carry = np.zeros((0, 2), dtype=np.int64)  # the last article of a chunk may go on in the next one
    while chunk := rows.fetchmany(UPGRADE_CHUNK):
        pairs = np.concatenate([carry, np.array(chunk, dtype=np.int64)])
        last = np.searchsorted(pairs[:, 1], pairs[-1, 1])  # where the chunk's last article starts
        carry, done = pairs[last:], pairs[:last]
        _insert_key_rows(db, done)
    _insert_key_rows(db, carry)


def _insert_key_rows(db: sqlite3.Connection, pairs: np.ndarray) -> None:
    db.executemany("INSERT INTO lsh_keys(seq, keys) VALUES (?, ?)",
                   [(seq, pack_keys(keys)) for seq, keys in by_article(pairs[:, 0], pairs[:, 1])])
