"""What a sound store file is: SQLite's own page check and the rules for the meta rows.

Pure functions, apart from the store: every open (corpus/store.py) and `storymatch check` (corpus/integrity.py)
apply the same rules, so a store that opens is one `check` calls sound.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import fields

from storymatch.embedding.tiers import known_tier, tier_dim
from storymatch.features.lsh import LSHParams
from storymatch.inputs.publication_date import EARLIEST, LATEST, stored_date


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
