"""What a sound store file is: what identifies one, SQLite's own page check, the rules for the meta rows, the
seals on derived tables, and the rules for every row a reader parses.

Pure functions, apart from the store: every open (corpus/store.py) and `storymatch check` (corpus/integrity.py)
apply the same rules, so a store that opens is one `check` calls sound, and a row `check` passes is one every
command can read.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import fields

import numpy as np

from storymatch.embedding.tiers import known_tier, tier_dim
from storymatch.features.lsh import LSHParams
from storymatch.inputs.publication_date import EARLIEST, LATEST, stored_date

# A store's tables and the columns storymatch reads from each: a SQLite file is a store only when it holds all of
# them (a foreign database with a meta table and schema_version = '2' was taken for one and written into).
STORE_TABLES: dict[str, frozenset[str]] = {
    "meta": frozenset({"key", "value"}),
    "articles": frozenset({"seq", "id", "title", "date", "language", "source", "url", "text", "meta", "origin"}),
    "features": frozenset({"seq", "n_words", "n_sentences", "lsh_sentences"}),
    "lsh": frozenset({"key", "seq"}),
    "vectors": frozenset({"tier", "seq", "row"}),
    "results": frozenset({"kind", "key", "value"}),
}


def identify(db: sqlite3.Connection) -> tuple[list[str], str | None]:
    """(the file's tables, why it is not a storymatch store or None). No tables at all is a new store."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    if not tables:
        return tables, None
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    missing = [t for t in STORE_TABLES if t not in tables]
    if missing or db.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone() is None:
        return tables, f"not a storymatch store (it holds other tables: {shown})"
    for table, columns in STORE_TABLES.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            return tables, f"not a storymatch store (its {table} table has other columns: {', '.join(sorted(have))})"
    return tables, None


# Seals: storymatch never deletes or changes a row of its derived tables but in `repair` (which lifts them while
# it rebuilds), so a trigger that records any other deletion finds, in one meta read at every open, the damage a
# count would need a scan of the table for: LSH rows deleted (search, trace and report answered differently from
# the intact store), features or vector rows deleted, a tier or dimension row deleted from meta (issue 28).
ALTERED = "altered:"
SEALS: dict[str, str] = {
    **{f"seal_{t}_{op.lower()}": f"AFTER {op} ON {t}" for t in ("lsh", "lsh_keys", "features", "vectors", "articles")
       for op in ("DELETE", "UPDATE") if not (t == "articles" and op == "UPDATE")},
    "seal_meta_delete": "AFTER DELETE ON meta WHEN old.key IN ('schema_version', 'tier', 'lsh') "
                        "OR old.key LIKE 'dim:%'",
}


def seal_sql(name: str) -> str:
    table = SEALS[name].split(" ON ")[1].split()[0]
    what = "rows changed" if "UPDATE" in SEALS[name] else "rows deleted"
    return (f"CREATE TRIGGER IF NOT EXISTS {name} {SEALS[name]} BEGIN INSERT OR REPLACE INTO meta(key, value) "
            f"VALUES ('{ALTERED}{table}', '{what}'); END;")


def altered_problems(meta: dict[str, str]) -> list[str]:
    """The seals' findings: tables whose rows were deleted or changed outside storymatch."""
    return [f"{value} in its {key[len(ALTERED):]} table outside storymatch (what is derived from the texts no "
            "longer agrees with them)" for key, value in sorted(meta.items()) if key.startswith(ALTERED)]


def check_lines(db: sqlite3.Connection, pragma: str = "integrity_check") -> list[str]:
    """SQLite's own check of every page (`integrity_check`, or the faster `quick_check`): its findings, one line
    each (empty when the file is sound)."""
    rows = [r[0] for r in db.execute(f"PRAGMA {pragma}(20)")]
    if rows == ["ok"]:
        return []
    return [line.strip() for r in rows for line in str(r).splitlines() if line.strip() and not line.startswith("***")]


def meta_problems(meta: dict[str, str]) -> list[str]:
    """What is wrong with a store's meta rows, one line each (empty when nothing is): the rules every open and
    `storymatch check` apply, so a store that opens has a version, tier, LSH parameters and dimension that the
    code can use as they are."""
    problems: list[str] = []
    version = meta.get("schema_version")
    if version is None:
        problems.append("meta has no schema_version")
    elif not version.strip().isdigit():
        problems.append(f"schema_version is {version[:40]!r}, not a number")
    tier = meta.get("tier")
    if tier is not None and not known_tier(tier):
        problems.append(f"tier is {tier[:40]!r}, not a tier storymatch knows (fast, quality, lead, hybrid, none)")
    raw = meta.get("lsh")
    if raw is not None:
        try:
            value = json.loads(raw)
        except ValueError:
            problems.append(f"lsh parameters are not JSON ({raw[:40]!r})")
        else:
            names = {f.name for f in fields(LSHParams)}
            if (not isinstance(value, dict) or set(value) - names
                    or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value.values())):
                problems.append(f"lsh parameters have the wrong shape ({raw[:60]!r}; expected positive whole "
                                f"numbers for {', '.join(sorted(names))})")
    problems.extend(altered_problems(meta))
    for key, value in meta.items():
        if not key.startswith("dim:"):
            continue
        name = key[4:]
        if not value.strip().isdigit() or int(value) <= 0:
            problems.append(f"{key} is {value[:40]!r}, not a positive number")
        elif name == tier and (expected := tier_dim(name)) is not None and expected != int(value):
            problems.append(f"{key} is {value}, but {name} vectors have {expected} dimensions")
    return problems


def article_row_problem(article_id: object, date: object, meta: object, text: object = "") -> str | None:
    """What is wrong with one row of the articles table as every reader parses it (None: nothing): a date that
    is not an ISO day in the years ingest takes, a meta that is not a JSON object, an id or text that is not a
    string. Every read of a row (Store) and `check`'s scan of the table apply it, so a row `check` passes is one
    every command can read, and one that would fail a command is named by both."""
    who = f"article {str(article_id)[:60]!r}" if isinstance(article_id, str) else "an article row"
    if not isinstance(article_id, str) or not article_id:
        return f"{who}: its id is {type(article_id).__name__}, not text"
    if not isinstance(text, str):
        return f"{who}: its text is {type(text).__name__}, not text"
    if date is not None and stored_date(date) is None:
        return (f"{who}: its date {str(date)[:40]!r} is not a day from {EARLIEST.year} to {LATEST.year} "
                "(repair clears it)")
    if meta is not None:
        try:
            value = json.loads(meta) if isinstance(meta, (str, bytes)) else None
        except ValueError:
            value = None
        if not isinstance(value, dict):
            return f"{who}: its meta is not a JSON object (repair clears it)"
    return None


def tier_problems(db: sqlite3.Connection, meta: dict[str, str]) -> list[str]:
    """The vector rows against the meta rows (two index seeks): vectors recorded under a tier the meta does not name
    (its tier row deleted: search and trace answered as a store without vectors), or without their dimension."""
    tier = meta.get("tier")
    recorded: list[str] = []  # the tiers vectors are recorded under, by seeks on the (tier, seq) key: no scan
    row = db.execute("SELECT MIN(tier) FROM vectors").fetchone()
    while row and row[0] is not None and len(recorded) < 3:
        recorded.append(row[0])
        row = db.execute("SELECT MIN(tier) FROM vectors WHERE tier > ?", (row[0],)).fetchone()
    problems = []
    if recorded and tier is None:
        problems.append(f"meta has no tier, but vectors are recorded under {recorded[0]!r}")
    elif tier is not None and recorded and any(t != tier for t in recorded):
        problems.append(f"meta says tier {tier[:40]!r}, but vectors are recorded under "
                        f"{', '.join(repr(t) for t in recorded if t != tier)}")
    for name in recorded:
        if f"dim:{name}" not in meta:
            problems.append(f"meta has no dim:{name} for its {name} vectors")
    return problems


def text_digest(text: str, title: str | None, date: str | None) -> str:
    """What an article row's `digest` holds: a hash of what no derived table can rebuild (text, title, date), so a
    byte flipped inside a text (which SQLite's page check cannot see) is found, not "repaired"."""
    h = hashlib.blake2b(digest_size=8)
    for part in (text, title or "", date or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


CHANGED = "is not what was stored (a changed byte?)"  # a digest's finding: past repair, the text itself is wrong


def digest_problem(article_id: object, text: object, title: object, date: object, digest: object) -> str | None:
    if digest is None or not isinstance(text, str):  # rows stored before digests were kept: nothing to hold them to
        return None
    if digest != text_digest(text, title if isinstance(title, str) else None, date if isinstance(date, str) else None):
        return f"article {str(article_id)[:60]!r}: its text, title or date {CHANGED}"
    return None


# The shape each kind of cached result has when storymatch wrote it (corpus.stories, provenance, related).
RESULT_TYPES: dict[str, type] = {"story": str, "story-link": list, "align": dict, "compare/2": dict, "compare": dict}


def result_problem(kind: str, key: str, value: object) -> str | None:
    """What is wrong with a cached result as readers parse it (None: nothing): not JSON, or not its kind's shape."""
    try:
        parsed = json.loads(value) if isinstance(value, (str, bytes)) else None
    except ValueError:
        parsed = None
    want = RESULT_TYPES.get(kind)
    if parsed is None or (want is not None and not isinstance(parsed, want)):
        return f"cached {kind} result {key[:40]!r} is not what storymatch writes (repair drops the cache)"
    return None


def analysis_problem(kind: str, value: object) -> str | None:
    """What is wrong with a cached analysis row as corpus.analyses reads it (None: nothing)."""
    if not isinstance(value, bytes) or not value:
        return f"cached analysis {kind!r} is not bytes (repair drops it)"
    # "<what>:<backend>" kinds ("vectors:minilm", "lead60:minilm") hold float32 vectors; the others ("features",
    # "signals") a JSON object
    if ":" in kind:
        if len(value) % 4:
            return f"cached analysis {kind!r} is not a whole number of float32 values (repair drops it)"
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return f"cached analysis {kind!r} is not a JSON object (repair drops it)"
    return None


def vector_rows_problems(name: str, rows: np.ndarray) -> list[str]:
    """Vector rows no article can have: all zeros (an older storymatch filled a lost file with zeros) or NaN or
    infinite values (`check` missed them; every cosine with one is NaN). A pass over the file in 64k-row blocks:
    `check`, and every writer before it writes."""
    zero = nan = 0
    for i in range(0, len(rows), 65536):
        block = np.asarray(rows[i:i + 65536])
        zero += int((~block.any(axis=1)).sum())
        nan += int((~np.isfinite(block)).any(axis=1).sum())
    out = []
    if zero:
        out.append(f"vector file {name}: {zero:,} of {len(rows):,} rows are all zeros (no article's vector is; an "
                   "older storymatch filled a lost file with zeros)")
    if nan:
        out.append(f"vector file {name}: {nan:,} rows hold NaN or infinite values")
    return out


# Row problems of one kind past this many are summed up in one line ("... and 120 more like these").
SHOWN_PER_KIND = 3


def _shown(found, what: str) -> list[str]:
    problems = [p for p in found if p]
    more = [f"... and {len(problems) - SHOWN_PER_KIND:,} more {what} like these"] if len(problems) > SHOWN_PER_KIND \
        else []
    return problems[:SHOWN_PER_KIND] + more


def row_problems(db: sqlite3.Connection) -> tuple[list[str], bool]:
    """(every row problem, one line each or summed up per kind; whether one is past repair): the articles' dates,
    meta and digests, the cached results and analyses, as the readers parse them. A scan of the whole file, as
    SQLite's quick_check is: `check`, and every writer before it writes (ingest, the server at start-up)."""
    digest = "digest" if any(r[1] == "digest" for r in db.execute("PRAGMA table_info(articles)")) else "NULL"
    problems: list[str] = []
    rows, altered = [], []
    for i, d, m, t, ti, g in db.execute(f"SELECT id, date, meta, text, title, {digest} FROM articles ORDER BY seq"):
        bad = article_row_problem(i, d, m, t)
        rows.append(bad)
        altered.append(None if bad else digest_problem(i, t, ti, d, g))
    problems += _shown(rows, "article rows") + _shown(altered, "articles")
    problems += _shown((result_problem(k, key, v) for k, key, v in db.execute("SELECT kind, key, value FROM results")),
                       "cached results")
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'lsh_keys'").fetchone():
        problems += _shown((f"article seq {seq}: LSH keys of {length:,} bytes (not whole 8-byte keys)"
                            for seq, length in db.execute("SELECT seq, length(keys) FROM lsh_keys WHERE "
                                                          "typeof(keys) != 'blob' OR length(keys) % 8 != 0")),
                           "LSH key rows")
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'analyses'").fetchone():
        problems += _shown((f"article seq {seq}: {problem}" for seq, kind, v in
                            db.execute("SELECT seq, kind, value FROM analyses")
                            if (problem := analysis_problem(kind, v))), "cached analyses")
    return problems, any(altered)
