"""The corpus store: one folder, one SQLite database (WAL), derived index files.

Layout of a store folder (schema version SCHEMA_VERSION):

    STORE/storymatch.sqlite        articles, features, LSH keys, vector rows, results (the truth)
    STORE/storymatch.sqlite-wal    SQLite's write-ahead log (present while open)
    STORE/vectors-<tier>.f16       the tier's unit vectors, float16 rows, appended in ingest order
    STORE/vectors-<tier>.usearch   approximate index for large stores (+ .json: what it holds);
                                   derived, rebuilt or extended from the above when stale
    STORE/ingest-report.txt        the bad records of the last ingest, one line each

Everything an ingest batch writes goes into the database in one transaction, so a
killed process leaves either the whole batch or none of it. Vectors live in a flat
file (a 2 KB blob per row in SQLite takes a whole 4 KB page); a batch appends its
rows before committing the transaction that records them, and rows past the last
committed one are never read and are cut off by the next append, so the file
agrees with the database whatever moment a kill comes.
Articles are keyed by their id (INSERT OR IGNORE), which makes ingest idempotent.
"""

from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from storymatch.corpus.lsh_rows import (
    by_article,
    copy_legacy_rows,
    key_rows_extent,
    key_rows_max_seq,
    pack_keys,
    read_key_rows,
)
from storymatch.corpus.store_rules import (
    SEALS,
    analysis_problem,
    article_row_problem,
    check_lines,
    digest_problem,
    identify,
    meta_problems,
    result_problem,
    row_problems,
    seal_sql,
    text_digest,
    tier_problems,
    vector_rows_problems,
)
from storymatch.embedding.tiers import NO_VECTORS
from storymatch.errors import StoreDamaged, StoreError, StoreUnusable
from storymatch.features.lsh import LSHParams
from storymatch.inputs.article import Article
from storymatch.inputs.files import shown_name
from storymatch.inputs.publication_date import stored_date

# 2: sentence MinHash signatures computed with rensa (word hashes and permutations), so the LSH keys of a version-1
#    store no longer meet those of new queries.
# 3: each article's LSH keys in one row (lsh_keys) instead of one row per (key, article) in lsh: a version-2 store
#    is upgraded when first opened for writing (its rows become lsh_keys rows), and read as it is until then.
SCHEMA_VERSION = 3
UPGRADABLE_VERSIONS = (2,)
# Vectors are kept as float16: half the size, and cosines change by < 1e-3, far below any threshold.
VECTOR_DTYPE = np.float16
DB_NAME = "storymatch.sqlite"
REPORT_NAME = "ingest-report.txt"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY,            -- ingest order: "earlier" when dates are unknown
    id TEXT NOT NULL UNIQUE,
    title TEXT, date TEXT, language TEXT, source TEXT, url TEXT,
    text TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',    -- the record's other fields, as JSON
    origin TEXT,                        -- where it was read from: file, file:line
    digest TEXT                         -- store_rules.text_digest of text, title, date: a changed byte is found
);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE TABLE IF NOT EXISTS features (
    seq INTEGER PRIMARY KEY REFERENCES articles(seq),
    n_words INTEGER NOT NULL, n_sentences INTEGER NOT NULL,
    lsh_sentences INTEGER NOT NULL      -- sentences long enough to be in the LSH index
);
CREATE TABLE IF NOT EXISTS lsh (        -- schema 2's one row per (band key, article); empty from schema 3 on
    key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lsh_keys (   -- an article's distinct sentence MinHash band keys (corpus/lsh_index.py)
    seq INTEGER PRIMARY KEY, keys BLOB NOT NULL  -- int64, little-endian, sorted, none 0
);
CREATE TABLE IF NOT EXISTS vectors (    -- row of each article's vector in STORE/vectors-<tier>.f16
    tier TEXT NOT NULL, seq INTEGER NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (tier, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS vectors_row ON vectors(tier, row);
CREATE TABLE IF NOT EXISTS results (    -- cached pair alignments, traces, story assignments
    kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analyses (   -- an article's analysis ("features", JSON) and vectors ("vectors:<backend>")
    seq INTEGER NOT NULL, kind TEXT NOT NULL, value BLOB NOT NULL, PRIMARY KEY (seq, kind)
) WITHOUT ROWID;
"""


# What a disk says when it cannot take a write: full, over quota, read-only, failing.
DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.EFBIG)


def vector_file(folder: Path, tier: str) -> Path:
    """The flat file of a tier's vectors in a store folder."""
    return folder / f"vectors-{tier.replace('/', '_').replace(':', '_')}.f16"


def open_db(db_path: Path, *, write: bool) -> sqlite3.Connection:
    """A connection to a store's database: read-write, or read-only (every open of a file not yet known to be a
    store, `check`, read-only stores). A read-only connection to a WAL database needs its -shm file, which SQLite
    cannot make on a read-only file system ("unable to open database file" on a read-only bind mount, where the
    README said reads work, issue 28): there, a database whose writers have all closed (no WAL left) is opened as
    immutable, which needs no -shm and takes no lock."""
    uri = db_path.absolute().as_uri()
    wal = db_path.with_name(db_path.name + "-wal")
    immutable = not write and not os.access(db_path.parent, os.W_OK) and not _nonempty(wal)
    mode = "rwc" if write else "ro&immutable=1" if immutable else "ro"
    return sqlite3.connect(f"{uri}?mode={mode}", uri=True, timeout=30, isolation_level=None)


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def store_writable(folder: Path) -> bool:
    """Whether this process may write the store in `folder` (its folder, database and WAL files).

    One function so the tests can stand in for a read-only file system: they run as root, whom permissions
    do not stop."""
    files = [folder / DB_NAME, folder / f"{DB_NAME}-wal", folder / f"{DB_NAME}-shm"]
    return os.access(folder, os.W_OK) and all(os.access(f, os.W_OK) for f in files if f.exists())


@dataclass
class Stored:
    """An article as stored: its ingest order `seq` next to the Article itself."""

    seq: int
    article: Article
    origin: str | None = None

    def earlier_than(self, other: "Stored") -> bool:
        """Publication dates decide when both are known and differ; else ingest order."""
        return published_before(self.article.date, self.seq, other.article.date, other.seq)


def published_before(date_a: _dt.date | None, order_a: int, date_b: _dt.date | None, order_b: int) -> bool:
    """The one rule for "earlier" (trace, report, search and Spark alike): publication dates when both
    are known and differ, else the order the articles came in (ingest or input order)."""
    if date_a and date_b and date_a != date_b:
        return date_a < date_b
    return order_a < order_b


@dataclass
class NewArticle:
    """One article ready to write, with what ingest computed for it."""

    article: Article
    origin: str | None
    lsh_keys: np.ndarray  # (n_lsh_sentences, bands) int64
    n_words: int
    n_sentences: int
    vector: np.ndarray | None = None


class Store:
    """An open store folder. Use as a context manager, or call close()."""

    def __init__(self, folder: str | Path, *, create: bool = False, read_only: bool | None = None,
                 verify: bool = True):
        """Open the store in `folder` (`create`: make a new one when there is none).

        The file is identified before anything is written to it: a SQLite file holding other tables (not
        storymatch's) or a 0-byte file is refused and left as it is. `verify` (always, except for `repair`)
        checks what every command reads (the meta rows and the vector file's length) and raises StoreDamaged
        on the first problem, so no command reads nonsense or writes into a damaged store. `read_only` (by
        default: when the folder or the file is not writable) opens SQLite with mode=ro and turns the caches
        off, so reads still answer.
        """
        self.folder = Path(folder)
        self._languages: tuple[int, frozenset[str | None]] | None = None  # (max_seq, languages): languages()
        self._vector_maps: dict[str, np.ndarray] = {}
        db_path = self.folder / DB_NAME
        try:
            size = db_path.stat().st_size
        except FileNotFoundError:
            size = None
        except OSError as e:  # a name too long for the file system, a file in a folder's place, no access
            raise StoreError(f"{shown_name(self.folder)}: cannot use this folder as a store ({e.strerror})") from None
        new = size is None
        if new:
            if not create:
                raise StoreError(f"{self.folder}: not a storymatch store (no {DB_NAME}); run `storymatch ingest` first")
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{self.folder}: cannot create the store folder ({e.strerror})") from None
        elif size == 0:
            raise StoreUnusable(str(self.folder), f"{DB_NAME} is an empty file (0 bytes), not a storymatch store")
        self.read_only = bool(read_only) if read_only is not None else not new and not store_writable(self.folder)
        # A file not yet known to be a store is opened read-only: nothing is written, checkpointed or deleted in
        # a foreign database (its WAL was checkpointed and deleted by every command that refused it, issue 28).
        self.db = self._connect(db_path, write=new)
        try:
            tables = self._identify(db_path, create)
            if verify and tables:
                for problem in self.open_problems():
                    raise StoreDamaged(str(self.folder), problem)
            if not self.read_only and not new:  # a sound storymatch store: now open it for writing
                self.db.close()
                self.db = self._connect(db_path, write=True)
            if not self.read_only:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: consistent after a crash
                if not tables:  # one transaction: a killed first ingest leaves no tables, or all and the version
                    self.db.executescript(f"BEGIN IMMEDIATE;{SCHEMA}{''.join(seal_sql(n) for n in SEALS)}"
                                          f"INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', "
                                          f"'{SCHEMA_VERSION}');COMMIT;")
                else:
                    self._upgrade(tables)
            self._cols = self._COLS + (", digest" if self._has_digest() else ", NULL")
        except sqlite3.Error as e:
            self.db.close()
            raise self.sqlite_problem(e) from None
        except StoreError:
            self.db.close()
            raise

    def _connect(self, db_path: Path, *, write: bool) -> sqlite3.Connection:
        try:
            return open_db(db_path, write=write)
        except sqlite3.Error as e:
            raise StoreError(f"{db_path}: cannot open the store ({e})") from None

    def _upgrade(self, tables: list[str]) -> None:
        """What stores made by an older storymatch lack: the analyses table, the articles' digests, the seals, and
        (schema 2) the LSH keys as one row an article."""
        if "analyses" not in tables:
            self.db.executescript(SCHEMA)
        if not self._has_digest():
            self.db.execute("ALTER TABLE articles ADD COLUMN digest TEXT")
        if "lsh_keys" not in tables:
            self._upgrade_lsh()
        have = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = [name for name in SEALS if name not in have]
        if missing:
            self.db.executescript("BEGIN IMMEDIATE;" + "".join(seal_sql(n) for n in missing) + "COMMIT;")

    def _upgrade_lsh(self) -> None:
        """Schema 2 -> 3 in one transaction: each article's (key, seq) rows become its lsh_keys row, the old rows
        go (their seal lifted for it, as repair does), and the version says 3."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            copy_legacy_rows(self.db)
            self.db.execute("DROP TRIGGER IF EXISTS seal_lsh_delete")
            self.db.execute("DELETE FROM lsh")
            self.db.execute(seal_sql("seal_lsh_delete"))
            self.set_meta("schema_version", str(SCHEMA_VERSION))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _has_digest(self) -> bool:
        return any(r[1] == "digest" for r in self.db.execute("PRAGMA table_info(articles)"))

    def open_problems(self) -> list[str]:
        """What every open checks (an index seek or two each, so every command can afford it): the meta rows,
        the seals, the vector rows against the meta, and the vector file's length."""
        meta = self._meta()
        problems = meta_problems(meta)
        if problems:
            return problems
        return tier_problems(self.db, meta) or self.vector_file_problems()

    def _identify(self, db_path: Path, create: bool) -> list[str]:
        """The tables of a storymatch store (none for a new one); a file that is not one is refused before a
        byte of it is written."""
        tables, foreign = identify(self.db)
        if foreign:
            raise StoreUnusable(str(self.folder), f"{DB_NAME} is {foreign}")
        if not tables and not create:
            raise StoreUnusable(str(self.folder), f"{DB_NAME} is an empty SQLite file, not a storymatch store")
        if not tables and self.read_only:
            raise StoreError(f"{self.folder}: cannot create a store in a read-only folder")
        if not tables:
            self.read_only = False
            return tables
        version = self.get_meta("schema_version") or ""
        if version.strip().isdigit() and int(version) not in (SCHEMA_VERSION, *UPGRADABLE_VERSIONS):
            raise StoreError(f"{self.folder}: store schema version {version}, this storymatch reads {SCHEMA_VERSION}; "
                             "ingest the same sources into a new store (its indexes are built differently now)")
        return tables

    def verify_pages(self) -> None:
        """SQLite's quick_check over the whole file (0.12 s for a 60 MB store), the rows as readers parse them and
        the vector file's values: a writer runs it first, so damage it would not happen to read (a garbled page,
        a cached row, a NaN vector) still stops it before it writes into a store `check` calls damaged."""
        found = check_lines(self.db, "quick_check")
        if found:
            raise StoreDamaged(str(self.folder), f"its SQLite file is damaged ({found[0]})", repairable=False)
        # and every row as the readers parse it: a writer never adds to a store `check` calls damaged
        rows, past_repair = row_problems(self.db)
        if rows:
            raise StoreDamaged(str(self.folder), rows[0], repairable=not past_repair)
        tier = self.get_meta("tier")
        if tier and tier != NO_VECTORS and self._committed_rows(tier):
            values = vector_rows_problems(self.vector_path(tier).name, self._vector_map(tier))
            if values:
                raise StoreDamaged(str(self.folder), values[0])

    def _meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def vector_file_problems(self, tier: str | None = None) -> list[str]:
        """What is wrong with the store's vector file: missing, or shorter than the rows the database records
        (O(1): one index seek and a stat, so every open can afford it). Rows past the last committed one are
        not a problem: a killed ingest leaves them, and the next append cuts them off."""
        tier = tier or self.get_meta("tier")
        if not tier or tier == NO_VECTORS:
            return []
        rows = self._committed_rows(tier)
        if not rows:
            return []
        dim = self.get_meta(f"dim:{tier}")
        if dim is None or not dim.strip().isdigit():
            return [] if dim is not None else [f"meta has no dim:{tier} for its {rows:,} vectors"]
        path = self.vector_path(tier)
        need = rows * int(dim) * VECTOR_DTYPE().itemsize
        if not path.exists():
            return [f"vector file {path.name} is missing ({rows:,} rows recorded)"]
        if not path.is_file():
            return [f"vector file {path.name} is not a file (a folder?): move it away, then repair"]
        size = path.stat().st_size
        if size < need:
            return [f"vector file {path.name} is short: {size:,} bytes, {need:,} expected "
                    f"({rows:,} rows of {int(dim):,} dimensions)"]
        return []

    def disk_problem(self, e: OSError | sqlite3.Error) -> StoreError:
        """A write the disk refused (full, over quota, read-only, failing), as one line that says what the store
        is left as: every write is one transaction, so the batch being written is not in it and all before are."""
        what = getattr(e, "strerror", None) or str(e)
        return StoreError(f"{self.folder}: could not write the store ({what}); it is as it was before this write, "
                          "every stored batch whole: free some space (or fix the disk) and run the same command "
                          "again to resume")

    def sqlite_problem(self, e: sqlite3.Error) -> StoreError:
        """A SQLite error as the one line a user sees: damage (garbled pages, not a database) or another failure."""
        name = getattr(e, "sqlite_errorname", "")
        if name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
            return self.disk_problem(e)
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return StoreDamaged(str(self.folder), f"its SQLite file is damaged ({e})", repairable=False)
        if name.startswith("SQLITE_READONLY"):
            return StoreError(f"{self.folder}: the store is read-only here ({e}); this command needs to write")
        return StoreError(f"{self.folder}: the store's database failed ({e})")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):  # damage found while reading: one line naming the store, not a traceback
            raise self.sqlite_problem(exc) from None
        if isinstance(exc, OSError) and exc.errno in DISK_ERRORS:
            raise self.disk_problem(exc) from None

    def close(self) -> None:
        self.db.close()

    @property
    def report_path(self) -> Path:
        return self.folder / REPORT_NAME

    # -- meta ------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- writing ---------------------------------------------------------------------------
    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = list(ids[i:i + 500])
            q = f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})"
            found.update(r[0] for r in self.db.execute(q, chunk))
        return found

    def add_batch(self, batch: Sequence[NewArticle], tier: str | None = None) -> int:
        """Write a batch in one transaction; articles whose id is stored already (or earlier in the batch) are
        skipped. Returns how many were added.

        New articles get the seqs SQLite would give them one INSERT at a time (the next after the largest), so
        the rows of a batch go in with one executemany per table instead of two statements per article; an
        article's LSH keys are one row (corpus/lsh_index.py says why).
        """
        if self.read_only:
            raise StoreError(f"{self.folder}: the store is read-only here; adding articles needs write access")
        try:
            return self._add_batch(batch, tier)
        except OSError as e:
            raise self.disk_problem(e) from None
        except sqlite3.Error as e:
            raise self.sqlite_problem(e) from None

    def _add_batch(self, batch: Sequence[NewArticle], tier: str | None) -> int:
        with self._transaction():
            ids: list[str] = []
            for item in batch:
                assert item.article.id is not None  # Article.__post_init__ always sets an id
                ids.append(item.article.id)
            stored = self.existing_ids(ids)
            new: list[NewArticle] = []
            for id_, item in zip(ids, batch):
                if id_ not in stored:
                    stored.add(id_)
                    new.append(item)
            if not new:
                return 0
            first = self.max_seq() + 1
            seqs = range(first, first + len(new))
            self.db.executemany(
                "INSERT INTO articles(seq, id, title, date, language, source, url, text, meta, origin, digest)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(seq, a.id, a.title, date, a.language, a.source, a.url, a.text,
                  json.dumps(a.meta, ensure_ascii=False, default=str), item.origin, text_digest(a.text, a.title, date))
                 for seq, item in zip(seqs, new) for a in (item.article,)
                 for date in (a.date.isoformat() if a.date else None,)])
            self.db.executemany("INSERT INTO features(seq, n_words, n_sentences, lsh_sentences) VALUES (?, ?, ?, ?)",
                                [(seq, item.n_words, item.n_sentences, len(item.lsh_keys))
                                 for seq, item in zip(seqs, new)])
            self.db.executemany("INSERT INTO lsh_keys(seq, keys) VALUES (?, ?)",
                                [(seq, packed) for seq, item in zip(seqs, new)
                                 if (packed := pack_keys(item.lsh_keys))])
            vectors = [(seq, item.vector) for seq, item in zip(seqs, new) if item.vector is not None]
            if tier and vectors:
                self._append_vectors(tier, vectors)
        return len(new)

    def vector_path(self, tier: str) -> Path:
        return vector_file(self.folder, tier)

    def _committed_rows(self, tier: str) -> int:
        return self.db.execute("SELECT COALESCE(MAX(row) + 1, 0) FROM vectors WHERE tier = ?", (tier,)).fetchone()[0]

    def _append_vectors(self, tier: str, vectors: list[tuple[int, np.ndarray]]) -> None:
        """Inside the batch's transaction: write the rows, then record them (see the module doc)."""
        mat = np.vstack([np.asarray(v, dtype=VECTOR_DTYPE).ravel() for _, v in vectors])
        dim = int(self.get_meta(f"dim:{tier}") or mat.shape[1])
        if mat.shape[1] != dim:
            raise StoreError(f"{self.folder}: tier {tier} vectors have {dim} dimensions, got {mat.shape[1]}")
        self.set_meta(f"dim:{tier}", str(dim))
        start = self._committed_rows(tier)
        path = self.vector_path(tier)
        # never fill a missing or short file with zeros: the rows it lost would read as zero vectors for good
        if start and (problems := self.vector_file_problems(tier)):
            raise StoreDamaged(str(self.folder), problems[0])
        with open(path, "r+b" if path.exists() else "w+b") as fh:
            fh.truncate(start * dim * VECTOR_DTYPE().itemsize)  # drop rows a killed batch left behind
            fh.seek(0, 2)
            fh.write(mat.tobytes())
        self.db.executemany("INSERT INTO vectors(tier, seq, row) VALUES (?, ?, ?)",
                            [(tier, seq, start + i) for i, (seq, _) in enumerate(vectors)])
        self._vector_maps.pop(tier, None)

    @contextmanager
    def _transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------
    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def max_seq(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    _COLS = "seq, id, title, date, language, source, url, text, meta, origin"

    def _row(self, row: tuple) -> Stored:
        seq, id_, title, date, language, source, url, text, meta, origin, digest = row
        problem = article_row_problem(id_, date, meta, text) or digest_problem(id_, text, title, date, digest)
        if problem:
            raise StoreDamaged(str(self.folder), problem)
        art = Article(text=text, title=title, date=stored_date(date), language=language, source=source, url=url,
                      id=id_, meta=json.loads(meta or "{}"))
        return Stored(seq, art, origin)

    def get(self, ref: str | int) -> Stored | None:
        """An article by id, or by seq when given an int."""
        col = "seq" if isinstance(ref, int) else "id"
        row = self.db.execute(f"SELECT {self._cols} FROM articles WHERE {col} = ?", (ref,)).fetchone()
        return self._row(row) if row else None

    def holds(self, s: Stored) -> bool:
        """Whether `s` is this store's own copy of the article (not a file read for a query)."""
        row = self.db.execute("SELECT seq FROM articles WHERE id = ?", (s.article.id,)).fetchone()
        return row is not None and row[0] == s.seq

    def as_query(self, article: Article, *other_ids: str) -> Stored:
        """The stored copy of `article` when the store holds its text under its id (or one of
        `other_ids`), else the article as a query ranked after everything stored (never stored)."""
        assert article.id is not None  # Article.__post_init__ always sets an id
        for ref in (article.id, *other_ids):
            found = self.get(ref)
            if found is not None and found.article.text == article.text:
                return found
        return Stored(seq=self.max_seq() + 1, article=article)

    def get_many(self, seqs: Iterable[int]) -> dict[int, Stored]:
        seqs = list(dict.fromkeys(int(s) for s in seqs))
        out: dict[int, Stored] = {}
        for i in range(0, len(seqs), 500):
            chunk = seqs[i:i + 500]
            q = f"SELECT {self._cols} FROM articles WHERE seq IN ({','.join('?' * len(chunk))})"
            out.update((r[0], self._row(r)) for r in self.db.execute(q, chunk))
        return out

    def iter_articles(self, *, chronological: bool = False, batch: int = 1000) -> Iterator[Stored]:
        """All articles in ingest order, or by date (undated ones by ingest order, after)."""
        order = "date IS NULL, date, seq" if chronological else "seq"
        cur = self.db.execute(f"SELECT {self._cols} FROM articles ORDER BY {order}")
        while rows := cur.fetchmany(batch):
            yield from (self._row(r) for r in rows)

    def indexed_sentences(self, seq: int) -> int | None:
        """How many of a stored article's sentences are in the LSH index (None if not stored)."""
        row = self.db.execute("SELECT lsh_sentences FROM features WHERE seq = ?", (seq,)).fetchone()
        return row[0] if row else None

    def languages(self) -> set[str | None]:
        """The languages of the stored articles (None for an article whose language is unknown).

        Remembered until an article is added (the highest seq moves): every search asks, and reading the column of
        10,000 articles took 12 ms, a third of a search."""
        top = self.max_seq()
        if self._languages is None or self._languages[0] != top:
            rows = self.db.execute("SELECT DISTINCT language FROM articles")
            self._languages = (top, frozenset(row[0] for row in rows))
        return set(self._languages[1])

    def lsh_params(self) -> LSHParams:
        """The LSH settings this store was built with (queries must hash the same way); fixed on first use."""
        raw = self.get_meta("lsh")
        if raw is None:
            params = LSHParams()
            if not self.read_only:
                self.set_meta("lsh", json.dumps(asdict(params)))
            return params
        return LSHParams(**json.loads(raw))

    def lsh_keys(self) -> dict[int, frozenset[int]]:
        """Every stored article's sentence LSH keys, by seq (what the clusterer compares as shared text)."""
        return {seq: frozenset(keys.tolist()) for seq, keys in by_article(*self.key_rows())}

    def key_rows(self, after_seq: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(keys, seqs) of the LSH keys of the articles after `after_seq`, in seq order (int64 arrays)."""
        return read_key_rows(self.db, after_seq)

    def lsh_max_seq(self) -> int:
        """The newest article with LSH keys (0 for none): an index seek."""
        return key_rows_max_seq(self.db)

    def lsh_extent(self, upto: int | None = None) -> tuple[int, int]:
        """(the newest article with LSH keys, how many articles have keys), up to seq `upto` when given."""
        return key_rows_extent(self.db, upto)

    def _vector_map(self, tier: str) -> np.ndarray:
        """The committed rows of a tier's vector file, memory-mapped (re-mapped when it grew)."""
        rows = self._committed_rows(tier)
        cached = self._vector_maps.get(tier)
        if cached is not None and len(cached) == rows:
            return cached
        dim = int(self.get_meta(f"dim:{tier}") or 0)
        path = self.vector_path(tier)
        if rows == 0 or not dim:
            return np.zeros((0, dim), dtype=VECTOR_DTYPE)
        if not path.is_file() or path.stat().st_size < rows * dim * VECTOR_DTYPE().itemsize:
            problems = self.vector_file_problems(tier) or [f"vector file {path.name} is short"]
            raise StoreDamaged(str(self.folder), problems[0])
        mm = np.memmap(path, dtype=VECTOR_DTYPE, mode="r", shape=(rows, dim))
        self._vector_maps[tier] = mm
        return mm

    def vector_rows(self, tier: str, after_seq: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """(seqs, float16 matrix) of a tier's vectors with seq > after_seq, in seq order."""
        rows = self.db.execute("SELECT seq, row FROM vectors WHERE tier = ? AND seq > ? ORDER BY seq",
                               (tier, after_seq)).fetchall()
        mm = self._vector_map(tier)
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros((0, mm.shape[1]), dtype=VECTOR_DTYPE)
        seqs = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        idx = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        return seqs, np.asarray(mm[idx])

    def vector_of(self, tier: str, seq: int) -> np.ndarray | None:
        row = self.db.execute("SELECT row FROM vectors WHERE tier = ? AND seq = ?", (tier, seq)).fetchone()
        return self._vector_map(tier)[row[0]].astype(np.float32) if row else None

    def vector_max_seq(self, tier: str) -> int:
        """The newest vector's seq: an index seek, so a cheap staleness check for derived indexes."""
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM vectors WHERE tier = ?", (tier,)).fetchone()[0]

    def vector_count(self, tier: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM vectors WHERE tier = ?", (tier,)).fetchone()[0]

    # -- results ---------------------------------------------------------------------------
    def get_analysis(self, seq: int, kind: str, code: str) -> bytes | None:
        """A stored article's cached analysis part, if it was made by the analysis code `code` (else None)."""
        if self.get_meta("analysis_code") != code:
            return None
        row = self.db.execute("SELECT value FROM analyses WHERE seq = ? AND kind = ?", (seq, kind)).fetchone()
        if row is None:
            return None
        if problem := analysis_problem(kind, row[0]):  # garbled: JSONDecodeError in search and cluster (issue 28)
            raise StoreDamaged(str(self.folder), f"article seq {seq}: {problem}")
        return bytes(row[0])

    def put_analysis(self, seq: int, parts: dict[str, bytes], code: str) -> None:
        """Cache parts of a stored article's analysis; analyses made by other code are dropped first."""
        self.put_analyses([(seq, kind, value) for kind, value in parts.items()], code)

    def put_analyses(self, rows: Sequence[tuple[int, str, bytes]], code: str) -> None:
        """Cache (seq, kind, value) analysis parts of many articles in one transaction (not in a read-only store)."""
        if self.read_only:
            return
        with self._transaction():
            if self.get_meta("analysis_code") != code:
                self.db.execute("DELETE FROM analyses")
                self.set_meta("analysis_code", code)
            self.db.executemany("INSERT OR REPLACE INTO analyses(seq, kind, value) VALUES (?, ?, ?)", rows)

    def get_result(self, kind: str, key: str) -> Any:
        row = self.db.execute("SELECT value FROM results WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        return self._result(kind, key, row[0]) if row else None

    def _result(self, kind: str, key: str, value: Any) -> Any:
        """A cached result, parsed by the store's rule: one that is not what storymatch writes (garbled, another
        type) is damage, named, never a traceback in search, trace or report (issue 28)."""
        if problem := result_problem(kind, str(key), value):
            raise StoreDamaged(str(self.folder), problem)
        return json.loads(value)

    def put_results(self, kind: str, items: Iterable[tuple[str, Any]], *, replace_all: bool = False) -> None:
        """Several results of one kind in one transaction; `replace_all` drops the kind's old ones first
        (a story assignment is all or nothing). A read-only store keeps nothing: its caches are off."""
        self.put_result_kinds({kind: items}, replace_all=replace_all)

    def put_result_kinds(self, kinds: dict[str, Iterable[tuple[str, Any]]], *, replace_all: bool = False) -> None:
        """Results of several kinds in one transaction (stories and the links that made them: both or neither)."""
        if self.read_only:
            return
        with self._transaction():
            for kind, items in kinds.items():
                if replace_all:
                    self.db.execute("DELETE FROM results WHERE kind = ?", (kind,))
                self.db.executemany("INSERT OR REPLACE INTO results(kind, key, value) VALUES (?, ?, ?)",
                                    [(kind, k, json.dumps(v, ensure_ascii=False, default=str)) for k, v in items])

    def results(self, kind: str) -> dict[str, Any]:
        return {k: self._result(kind, k, v)
                for k, v in self.db.execute("SELECT key, value FROM results WHERE kind = ?", (kind,))}

    def result_count(self, kind: str) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM results WHERE kind = ?", (kind,)).fetchone()[0])

    def keys_with_result(self, kind: str, value: Any) -> list[str]:
        """The keys of `kind` whose result is `value` (e.g. the articles of one story), in key order."""
        return [k for (k,) in self.db.execute("SELECT key FROM results WHERE kind = ? AND value = ? ORDER BY key",
                                              (kind, json.dumps(value, ensure_ascii=False, default=str)))]

