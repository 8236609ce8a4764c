"""The sentence LSH index of a store: which stored articles hold a band key.

Ingest writes each article's distinct band keys as one row of the store (`lsh_keys`: seq, the keys as int64
bytes), in the batch's transaction. They were one SQLite row per (key, article) in a B-tree ordered by key: ~80
rows an article, each going to a random page of a table that grows with the store, which made the rows the
largest cost of a write and one that grew with the store: the 3,581 articles of benchmarks/ingest.py written three
times over, ~2.7 us a row, a batch of 256 from 37 ms at first to 70-117 ms at 10,000 articles, 3.13 s of CPU in
all, the main process's bottleneck with worker processes; one row an article: 10-24 ms a batch, 0.57 s in all.

Lookups read arrays sorted by key (numpy searchsorted): built from those rows, and kept beside the store for
large stores as a derived file (`lsh-index.npy`, with `lsh-index.json` saying which articles it covers), as the
usearch index is: written by ingest at the end of a run and by repair, extended in memory by the articles stored
after it (a killed ingest's), rebuilt when it does not agree with the rows. Reading commands never write it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storymatch.corpus.lsh_rows import key_rows_extent, read_key_rows
from storymatch.corpus.store import Store
from storymatch.features.lsh import MAX_BUCKET

INDEX_NAME = "lsh-index.npy"
STATE_NAME = "lsh-index.json"
# Below this many articles the index is built in memory by each process that asks (3,581 articles: ~30 ms;
# 20,000: 0.17-0.5 s); above it a file keeps a `search` from sorting every key again (100,000: ~1.8 s).
FILE_MIN = 5_000
# The file is written again when the articles stored after it reach this share of those it covers: the rest
# are sorted in memory (a small tail), so an ingest of a few articles does not rewrite a large file.
REWRITE_SHARE = 0.1


@dataclass
class KeyIndex:
    """Runs of (key, seq) pairs, each sorted by key, then seq, covering the articles up to `max_seq` that hold
    keys: the derived file's (or all rows'), and the articles stored after it."""

    runs: list[tuple[np.ndarray, np.ndarray]]
    max_seq: int
    articles: int

    @classmethod
    def build(cls, keys: np.ndarray, seqs: np.ndarray, max_seq: int, articles: int) -> "KeyIndex":
        order = np.lexsort((seqs, keys))
        return cls([(keys[order], seqs[order])], max_seq, articles)

    def extended(self, keys: np.ndarray, seqs: np.ndarray, max_seq: int, articles: int) -> "KeyIndex":
        """This index and the keys of articles stored after it: the first run as it is (a large file is neither
        copied nor sorted again), the later ones sorted together."""
        if len(self.runs) > 1:
            keys = np.concatenate([self.runs[1][0], keys])
            seqs = np.concatenate([self.runs[1][1], seqs])
        tail = KeyIndex.build(keys, seqs, max_seq, articles)
        return KeyIndex(self.runs[:1] + tail.runs, max_seq, self.articles + articles)

    @property
    def rows(self) -> int:
        return sum(len(k) for k, _ in self.runs)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """All (keys, seqs), sorted by key, then seq."""
        if len(self.runs) == 1:
            return self.runs[0]
        keys = np.concatenate([k for k, _ in self.runs])
        seqs = np.concatenate([s for _, s in self.runs])
        order = np.lexsort((seqs, keys))
        return keys[order], seqs[order]

    def hits(self, query: np.ndarray, max_bucket: int = MAX_BUCKET) -> list[tuple[int, int]]:
        """(seq, query sentence) for every article holding a band key of a query sentence (rows of `query`), in
        the order the SQLite table gave them (a sentence's keys as a set iterates, each key's articles by seq).

        A key held by more than `max_bucket` articles is boilerplate ("All rights reserved.") and skipped, which
        bounds a query's cost whatever the corpus size."""
        out: list[tuple[int, int]] = []
        for sentence, row in enumerate(np.asarray(query)):
            for key in {int(k) for k in row if k != 0}:
                found = []
                for keys, seqs in self.runs:
                    lo, hi = np.searchsorted(keys, key, "left"), np.searchsorted(keys, key, "right")
                    found.append(seqs[lo:hi])
                held = found[0] if len(found) == 1 else np.sort(np.concatenate(found))
                if len(held) <= max_bucket:
                    out.extend((int(s), sentence) for s in held.tolist())
        return out


def lsh_index_for(store: Store) -> KeyIndex:
    """The store's key index, up to date with its rows, kept on the open store (a server or a report builds it
    once, and extends it by the articles ingested since)."""
    index: KeyIndex | None = store.__dict__.get("_lsh_index")
    if index is not None and index.max_seq == store.lsh_max_seq():  # rows are only added: an index seek tells
        return index
    max_seq, articles = store.lsh_extent()
    if index is None or not _covers_prefix(store, index):
        index = _from_file(store)
    if index is None:
        keys, seqs = store.key_rows()
        index = KeyIndex.build(keys, seqs, max_seq, articles)
    elif index.max_seq < max_seq:
        keys, seqs = store.key_rows(after_seq=index.max_seq)
        index = index.extended(keys, seqs, max_seq, articles - index.articles)
    store.__dict__["_lsh_index"] = index
    return index


def _covers_prefix(store: Store, index: KeyIndex) -> bool:
    """Does `index` hold exactly the store's articles with keys up to its max_seq (rows are only ever added)?"""
    return store.lsh_extent(upto=index.max_seq) == (index.max_seq, index.articles)


def refresh_lsh_index(store: Store, *, file_min: int = FILE_MIN) -> None:
    """Bring the derived file up to date (ingest's end, repair): written for a store of `file_min` articles with
    keys or more, when it is missing, does not agree with the rows, or covers too few of them (REWRITE_SHARE)."""
    if store.read_only or store.lsh_extent()[1] < file_min:
        return
    index = lsh_index_for(store)
    covered = _from_file(store)
    if covered is not None and index.articles - covered.articles <= REWRITE_SHARE * covered.articles:
        return
    path, state = store.folder / INDEX_NAME, store.folder / STATE_NAME
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, np.stack(index.pairs()))
        fh.flush()
        os.fsync(fh.fileno())
    state.unlink(missing_ok=True)  # no state, no file: a crash between the two renames leaves no stale pair
    os.replace(tmp, path)
    state_tmp = state.with_name(state.name + ".tmp")
    state_tmp.write_text(json.dumps({"max_seq": index.max_seq, "articles": index.articles,
                                     "rows": index.rows}))
    os.replace(state_tmp, state)


def drop_lsh_index(store: Store) -> None:
    """Remove the derived file (repair rebuilds the rows it was made from)."""
    for name in (STATE_NAME, INDEX_NAME):
        (store.folder / name).unlink(missing_ok=True)
    store.__dict__.pop("_lsh_index", None)


def _load_file(folder: Path) -> tuple[dict, np.ndarray] | None:
    """(the file's record, its (2, rows) pairs, memory-mapped) when both are there and of the recorded shape."""
    try:
        state = json.loads((folder / STATE_NAME).read_text())
        pairs = np.load(folder / INDEX_NAME, mmap_mode="r")
    except (OSError, ValueError):
        return None
    if not (isinstance(state, dict) and all(isinstance(state.get(k), int) for k in ("max_seq", "articles", "rows"))):
        return None
    if pairs.dtype != np.int64 or pairs.shape != (2, state["rows"]):
        return None
    return state, pairs


def _from_file(store: Store) -> KeyIndex | None:
    """The derived file, when it holds exactly the store's articles with keys up to its max_seq; else None (the
    index is built from the rows instead)."""
    loaded = _load_file(store.folder)
    if loaded is None:
        return None
    state, pairs = loaded
    index = KeyIndex([(pairs[0], pairs[1])], state["max_seq"], state["articles"])
    return index if _covers_prefix(store, index) else None


def file_problems(folder: Path, db: sqlite3.Connection) -> list[str]:
    """`check`'s finding on the derived file: one that passes for the rows' (its record matches their counts, so
    readers use it) but holds other pairs than they give (a changed byte). One that does not pass is never read
    (the index is built from the rows), and the next ingest or repair writes it again."""
    loaded = _load_file(folder)
    if loaded is None:
        return []
    state, pairs = loaded
    if key_rows_extent(db, upto=state["max_seq"]) != (state["max_seq"], state["articles"]):
        return []
    keys, seqs = read_key_rows(db)
    inside = seqs <= state["max_seq"]
    expected = KeyIndex.build(keys[inside], seqs[inside], state["max_seq"], state["articles"]).runs[0]
    if np.array_equal(pairs[0], expected[0]) and np.array_equal(pairs[1], expected[1]):
        return []
    return [f"LSH index file {INDEX_NAME} differs from the keys it was made from (derived: repair makes it again)"]
