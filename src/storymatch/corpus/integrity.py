"""A store's health: `check` says what is wrong with it, `repair` rebuilds what is derived from its texts.

The articles table (texts, titles, dates, ids) is the truth; everything else is derived from it and can be made
again: the vector file, the vector rows, the LSH keys and counts, the usearch index, the cached results and
analyses. So a store whose SQLite file is sound can always be repaired, whatever happened to the rest; a store
whose SQLite file is damaged (a garbled page) cannot be repaired from itself, and the way back is to ingest the
source files into a new store. A SQLite file that is not storymatch's is never touched.

`check` opens the database read-only (mode=ro) and writes nothing. `repair` writes the new vector file beside the
old one and swaps it in (os.replace) just before the one transaction that records the new rows, LSH keys and meta
commits, as ingest does: a repair killed at any moment leaves the store as it was, or repaired.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable

import numpy as np

from storymatch.corpus.ingestion import prepare_many, refresh_indexes
from storymatch.corpus.lsh_index import drop_lsh_index, refresh_lsh_index
from storymatch.corpus.lsh_index import file_problems as lsh_file_problems
from storymatch.corpus.lsh_rows import pack_keys
from storymatch.corpus.store import (
    DB_NAME,
    SCHEMA_VERSION,
    UPGRADABLE_VERSIONS,
    VECTOR_DTYPE,
    Store,
    open_db,
    vector_file,
)
from storymatch.corpus.store_rules import (
    ALTERED,
    CHANGED,
    SEALS,
    analysis_problem,
    article_row_problem,
    check_lines,
    identify,
    meta_problems,
    row_problems,
    seal_sql,
    text_digest,
    tier_problems,
    vector_rows_problems,
)
from storymatch.embedding.tiers import NO_VECTORS, get_tier, known_tier
from storymatch.errors import StoreDamaged, StoreError
from storymatch.features.lsh import LSHParams

BATCH = 512  # articles re-made per step of a repair


@dataclass
class StoreCheck:
    """What `check` found: `problems` make the store damaged (one line each), `notes` do not."""

    store: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    articles: int | None = None
    repairable: bool = True  # False: the SQLite file itself cannot be read (or is not storymatch's)
    foreign: bool = False  # no store at all: no database, an empty file, someone else's tables

    @property
    def sound(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {**asdict(self), "sound": self.sound}


@dataclass
class RepairResult:
    store: str
    articles: int
    tier: str | None
    vectors: int
    lsh_keys: int
    fixed: list[str]  # the problems check found before
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def check_store(folder: str | Path) -> StoreCheck:
    """Every problem of the store in `folder`, one line each: the SQLite file (PRAGMA integrity_check), what
    identifies a store, the meta rows and seals, every article row (dates, meta, digests), the cached results and
    analyses, the vector rows and file (NaN rows too), the LSH index, the usearch index. Reads only, through
    the same rules every open and every read applies (store_rules), so what check passes every command reads."""
    folder = Path(folder)
    out = StoreCheck(str(folder))
    db_path = folder / DB_NAME
    if not db_path.exists():
        out.problems.append(f"no {DB_NAME}: not a storymatch store")
        out.repairable, out.foreign = False, True
        return out
    if db_path.stat().st_size == 0:
        out.problems.append(f"{DB_NAME} is an empty file (0 bytes), not a storymatch store")
        out.repairable, out.foreign = False, True
        return out
    try:
        db = open_db(db_path, write=False)
    except sqlite3.Error as e:
        out.problems.append(f"{DB_NAME} cannot be opened ({e})")
        out.repairable = False
        return out
    try:
        _check_db(db, folder, out)
    except sqlite3.Error as e:
        out.problems.append(f"its SQLite file is damaged ({e})")
        out.repairable = False
    finally:
        db.close()
    return out


def _check_db(db: sqlite3.Connection, folder: Path, out: StoreCheck) -> None:
    tables, foreign = identify(db)
    if foreign or not tables:
        out.problems.append(f"{DB_NAME} is {foreign or 'an empty SQLite file, not a storymatch store'}; "
                            "storymatch leaves it as it is")
        out.repairable, out.foreign = False, True
        return
    damage = check_lines(db)
    if damage:
        out.problems.extend(f"SQLite integrity check: {line}" for line in damage[:5])
        if len(damage) > 5:
            out.problems.append(f"SQLite integrity check: ... {len(damage) - 5} more")
        out.repairable = False
        return
    meta = dict(db.execute("SELECT key, value FROM meta"))
    out.problems.extend(meta_problems(meta))
    out.problems.extend(tier_problems(db, meta))
    version = meta.get("schema_version", "")
    if version.strip().isdigit() and int(version) not in (SCHEMA_VERSION, *UPGRADABLE_VERSIONS):
        out.problems.append(f"schema version {version}, this storymatch reads {SCHEMA_VERSION}: ingest the source "
                            "files into a new store")
        out.repairable = False
    articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    out.articles = articles
    found, past_repair = row_problems(db)
    out.problems.extend(found)
    out.repairable = out.repairable and not past_repair
    features = db.execute("SELECT COUNT(*) FROM features").fetchone()[0]
    if features != articles:
        out.problems.append(f"features: {features:,} rows for {articles:,} articles")
    indexed = db.execute("SELECT COUNT(*) FROM features WHERE lsh_sentences > 0").fetchone()[0]
    in_lsh = db.execute("SELECT COUNT(DISTINCT seq) FROM lsh").fetchone()[0]
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'lsh_keys'").fetchone():
        in_lsh += db.execute("SELECT COUNT(*) FROM lsh_keys").fetchone()[0]
    if in_lsh < indexed:
        out.problems.append(f"LSH index: keys for {in_lsh:,} of the {indexed:,} articles with indexed sentences")
    out.problems.extend(lsh_file_problems(folder, db))
    tier = meta.get("tier") or next((t for (t,) in db.execute("SELECT DISTINCT tier FROM vectors LIMIT 1")), None)
    if tier and known_tier(tier) and tier != NO_VECTORS:
        _check_vectors(db, folder, tier, meta, articles, out)


def _check_vectors(db: sqlite3.Connection, folder: Path, tier: str, meta: dict[str, str], articles: int,
                   out: StoreCheck) -> None:
    count, top = db.execute("SELECT COUNT(*), COALESCE(MAX(row) + 1, 0) FROM vectors WHERE tier = ?",
                            (tier,)).fetchone()
    if count != articles:
        out.problems.append(f"vectors: {count:,} rows recorded for {articles:,} articles")
    if top != count:
        out.problems.append(f"vectors: rows numbered up to {top:,} for {count:,} vectors")
    dim_raw = meta.get(f"dim:{tier}", "")
    if not count or not dim_raw.strip().isdigit() or int(dim_raw) <= 0:
        return
    dim = int(dim_raw)
    path = vector_file(folder, tier)
    row_bytes = dim * VECTOR_DTYPE().itemsize
    if not path.exists():
        out.problems.append(f"vector file {path.name} is missing ({top:,} rows recorded)")
        return
    if not path.is_file():
        out.problems.append(f"vector file {path.name} is not a file (a folder?): move it away, then repair")
        return
    size = path.stat().st_size
    if size < top * row_bytes:
        out.problems.append(f"vector file {path.name} is short: {size:,} bytes, {top * row_bytes:,} expected "
                            f"({top:,} rows of {dim:,} dimensions)")
        return
    if size > top * row_bytes:
        out.notes.append(f"vector file {path.name} has {size - top * row_bytes:,} bytes past the last recorded row "
                         "(left by an interrupted ingest; cut off by the next one)")
    mm = np.memmap(path, dtype=VECTOR_DTYPE, mode="r", shape=(top, dim))
    out.problems.extend(vector_rows_problems(path.name, mm))
    ann = path.with_suffix(".usearch")
    side = ann.with_name(ann.name + ".json")
    if ann.exists():
        try:
            state = json.loads(side.read_text())
            if not isinstance(state, dict) or not isinstance(state.get("count"), int) or state["count"] > count:
                raise ValueError(state)
        except (OSError, ValueError):
            out.problems.append(f"vector index {ann.name}: its record {side.name} is missing or does not match "
                                "the vectors")


def repair_store(folder: str | Path, *, tier: str | None = None,
                 progress: Callable[[int], None] | None = None) -> RepairResult:
    """Rebuild everything derived in the store in `folder` from its stored texts: the vector file and rows (the
    store's tier, or `tier` when its meta no longer says), the LSH keys and counts, the meta rows, the usearch
    index; cached results (story assignments, comparisons, alignments: made from the vectors and candidates) are
    dropped and made again on first need. The analyses table is kept: each row is made from one article's text
    by the analysis code and read only under that code's hash, and SQLite's integrity check has just passed, so
    nothing a repair fixes can have made it wrong; dropping it would cost a full re-analysis (the headline model
    over every article) for nothing.

    Refused with one line (StoreError) when the store cannot be repaired from itself: no store, a file that is
    not storymatch's, a SQLite file that is damaged, another schema version, a read-only store.
    """
    start = time.perf_counter()
    folder = Path(folder)
    found = check_store(folder)
    if not found.repairable:
        problem = next((p for p in found.problems if CHANGED in p), found.problems[0])
        if problem.startswith(("its SQLite file", "SQLite integrity")) or CHANGED in problem:
            raise StoreDamaged(str(folder), problem, repairable=False)
        raise StoreError(f"{folder}: cannot repair: {problem}")
    if blocked := next((p for p in found.problems if "is not a file" in p), None):
        raise StoreError(f"{folder}: cannot repair: {blocked}")
    with Store(folder, verify=False) as st:
        if st.read_only:
            raise StoreError(f"{folder}: the store is read-only here; repair needs write access")
        name = _repair_tier(st, tier)
        lsh = _lsh_params(st.get_meta("lsh"))
        enc = get_tier(name) if name and name != NO_VECTORS else None
        path = st.vector_path(enc.name) if enc else None
        tmp = path.with_name(path.name + ".repair") if path else None
        made = keys = 0
        st.db.execute("BEGIN IMMEDIATE")
        try:
            for seal in SEALS:  # lifted while the derived tables are rebuilt, set again before the commit
                st.db.execute(f"DROP TRIGGER IF EXISTS {seal}")
            st.db.execute("DELETE FROM meta WHERE key LIKE ?", (f"{ALTERED}%",))
            _mend_rows(st)
            st.db.execute("CREATE TABLE IF NOT EXISTS lsh_keys (seq INTEGER PRIMARY KEY, keys BLOB NOT NULL)")
            for table in ("lsh", "lsh_keys", "vectors", "results"):
                st.db.execute(f"DELETE FROM {table}")
            st.db.execute("DELETE FROM meta WHERE key LIKE 'dim:%'")
            fh = open(tmp, "wb") if tmp else None
            try:
                articles = st.iter_articles()
                while batch := list(islice(articles, BATCH)):
                    keys += _rebuild_batch(st, batch, lsh, enc, fh, made)
                    made += len(batch)
                    if progress:
                        progress(len(batch))
                if fh:
                    fh.flush()
                    os.fsync(fh.fileno())
            finally:
                if fh:
                    fh.close()
            st.set_meta("schema_version", str(SCHEMA_VERSION))
            st.set_meta("lsh", json.dumps(asdict(lsh)))
            for seal in SEALS:
                st.db.execute(seal_sql(seal))
            if name:
                st.set_meta("tier", name)
            if enc and path and tmp:
                st.set_meta(f"dim:{enc.name}", str(enc.dim))
                os.replace(tmp, path)  # the new rows, just before the transaction that records them commits
                for stale in (path.with_suffix(".usearch"), path.with_suffix(".usearch").with_name(
                        path.with_suffix(".usearch").name + ".json")):
                    stale.unlink(missing_ok=True)
            drop_lsh_index(st)  # derived from the rows rebuilt here: made again below
            st.db.execute("COMMIT")
        except BaseException:
            st.db.execute("ROLLBACK")
            if tmp:
                tmp.unlink(missing_ok=True)
            raise
        st._vector_maps.clear()
        refresh_indexes(st)
        refresh_lsh_index(st)
        vectors = st.vector_count(enc.name) if enc else 0
        count = st.count()
    return RepairResult(str(folder), count, name, vectors, keys, found.problems,
                        round(time.perf_counter() - start, 3))


def _mend_rows(st: Store) -> None:
    """What a repair can mend in the rows it keeps: a date no reader takes (written by hand, or 0001-01-01 by an
    older storymatch) or a meta that is not a JSON object is cleared (the article keeps its text; `fixed` names it),
    every digest is made again from the row as it now is, and cached analyses no reader can parse are dropped."""
    digest = st.db.execute("SELECT COUNT(*) FROM pragma_table_info('articles') WHERE name = 'digest'").fetchone()[0]
    for seq, id_, date, meta, text, title in st.db.execute(
            "SELECT seq, id, date, meta, text, title FROM articles").fetchall():
        if article_row_problem(id_, date, None, text):
            date = None
            st.db.execute("UPDATE articles SET date = NULL WHERE seq = ?", (seq,))
        if article_row_problem(id_, None, meta, text):
            st.db.execute("UPDATE articles SET meta = '{}' WHERE seq = ?", (seq,))
        if digest and isinstance(text, str):
            st.db.execute("UPDATE articles SET digest = ? WHERE seq = ?", (text_digest(text, title, date), seq))
    bad = [(seq, kind) for seq, kind, value in st.db.execute("SELECT seq, kind, value FROM analyses").fetchall()
           if analysis_problem(kind, value)]
    st.db.executemany("DELETE FROM analyses WHERE seq = ? AND kind = ?", bad)


def _rebuild_batch(st: Store, batch, lsh: LSHParams, enc, fh, first_row: int) -> int:
    """One batch's features, LSH keys and vectors, as ingest made them; returns the LSH rows written."""
    items = prepare_many([(s.origin, s.article) for s in batch], lsh)
    keys = 0
    for s, it in zip(batch, items):
        st.db.execute("INSERT OR REPLACE INTO features(seq, n_words, n_sentences, lsh_sentences) VALUES (?, ?, ?, ?)",
                      (s.seq, it.n_words, it.n_sentences, len(it.lsh_keys)))
        if packed := pack_keys(it.lsh_keys):
            st.db.execute("INSERT INTO lsh_keys(seq, keys) VALUES (?, ?)", (s.seq, packed))
            keys += len(packed) // 8
    if enc is not None and fh is not None:
        mat = np.asarray(enc.encode_articles([s.article for s in batch]), dtype=np.float32).astype(VECTOR_DTYPE)
        fh.write(mat.tobytes())
        st.db.executemany("INSERT INTO vectors(tier, seq, row) VALUES (?, ?, ?)",
                          [(enc.name, s.seq, first_row + i) for i, s in enumerate(batch)])
    return keys


def _repair_tier(st: Store, requested: str | None) -> str | None:
    """The tier to rebuild: the store's own when its meta names a known one; else the one its vector rows were
    recorded under; else `requested` (`repair --tier`)."""
    stored = st.get_meta("tier")
    if stored and known_tier(stored):
        if requested and requested != stored and not stored.startswith(requested + ":"):
            raise StoreError(f"{st.folder}: this store's vectors are tier {stored!r}, not {requested!r}")
        return stored
    if requested:
        return get_tier(requested).name if requested != NO_VECTORS else NO_VECTORS
    recorded = [t for (t,) in st.db.execute("SELECT DISTINCT tier FROM vectors") if known_tier(t)]
    if len(recorded) == 1:
        return recorded[0]
    if stored is None and not st.count():
        return None
    raise StoreError(f"{st.folder}: cannot tell this store's tier (meta says {stored!r}); "
                     "give it: `storymatch repair --tier fast` (or quality, lead, hybrid, none)")


def _lsh_params(raw: str | None) -> LSHParams:
    """The store's LSH parameters when its meta row is readable, else the defaults (the keys are made anew)."""
    if raw is not None and not meta_problems({"schema_version": "0", "lsh": raw}):
        return LSHParams(**json.loads(raw))
    return LSHParams()
