"""Corpus input: every article in a set of files, folders, JSONL, CSV and gzip.

`read_corpus(paths)` yields (where, record) for each record, the record being an
`Article` or an `InputError`, in a stable order (sorted folder walk, file order, line order), so a re-run sees the
same records in the same order and an interrupted ingest can resume. A bad
record is yielded as an error and reading goes on: a broken line never costs its
neighbours. Parsing of single records is `loading`'s job; this module only finds
records and names where each came from ("file.jsonl:12").
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from pathlib import Path
from typing import Iterable, Iterator, Union

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import FILE_KINDS, decode_text, max_file_bytes, parse_article
from storymatch.inputs.records import ESCAPED_SURROGATE, TEXT_KEYS, article_from_record, parse_json

Record = Union[Article, InputError]
Located = tuple[str, Record]  # (where it was read from, e.g. "news.jsonl:12"; the record)

LINE_KINDS = {".jsonl", ".ndjson"}
TABLE_KINDS = {".csv": ",", ".tsv": "\t"}

STORE_MARKER = "storymatch.sqlite"  # store.DB_NAME; not imported, so reading never depends on the store

_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, as surrogateescape keeps them

# CSV fields can hold whole articles; the csv module's default limit (128 KiB) is too small.
csv.field_size_limit(64 * 1024 * 1024)


def read_corpus(paths: Iterable[str | Path], max_chars: int | None = None) -> Iterator[Located]:
    """Every record under `paths` with where it came from: Articles, or InputErrors.

    Every record passes `records.article_from_record`'s rules with the text limit `max_chars` (default:
    the setting); a record with an unreadable date is kept without it, its `problems` saying so.
    """
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for f in _walk(p):
                yield from read_file(f, id_prefix=_rel_stem(f, p), max_chars=max_chars)
        elif p.exists():
            yield from read_file(p, id_prefix=_strip_suffixes(p.name), max_chars=max_chars)
        else:
            yield str(path), InputError(str(path), "no such file or folder")


def count_records(paths: Iterable[str | Path]) -> int:
    """A quick count of the records under `paths`, for a progress bar's total.

    Lines of JSONL and rows of CSV are counted without parsing, so the figure can be
    a little high (blank lines are not records); it is an estimate for an ETA.
    """
    total = 0
    for path in paths:
        p = Path(path)
        files = _walk(p) if p.is_dir() else [p] if p.exists() else []
        for f in files:
            kind, opener = _kind(f)
            if kind in LINE_KINDS or kind in TABLE_KINDS:
                try:
                    with opener(f) as fh:
                        if kind in LINE_KINDS:
                            n = sum(1 for line in fh if line.strip())
                        else:  # rows, not lines: a quoted field may hold a whole multi-line article
                            rows = csv.reader(io.TextIOWrapper(fh, encoding="utf-8", errors="replace", newline=""),
                                              delimiter=TABLE_KINDS[kind])
                            n = sum(1 for _ in rows) - 1
                except (OSError, EOFError, gzip.BadGzipFile, csv.Error):
                    n = 1
                total += max(n, 1)
            else:
                total += 1
    return total


def read_file(path: Path, id_prefix: str | None = None, max_chars: int | None = None) -> Iterator[Located]:
    """The records of one file, dispatched on its (de-gzipped) suffix."""
    name = str(path)
    kind, opener = _kind(path)
    try:
        if kind in LINE_KINDS:
            yield from _read_lines(path, opener, name, max_chars)
        elif kind in TABLE_KINDS:
            yield from _read_table(path, opener, name, TABLE_KINDS[kind], max_chars)
        else:
            cap = _document_bytes(kind, max_chars)
            with opener(path) as fh:
                data = fh.read(cap + 1)  # never more than the cap into memory, even from a gzip bomb
            if len(data) > cap:
                yield name, InputError(name, f"file is over the {cap:,}-byte limit for an article file "
                                             "(raise it with --max-chars)")
                return
            yield from _read_document(data, name, FILE_KINDS.get(kind), id_prefix, max_chars)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield name, InputError(name, f"cannot read ({getattr(e, 'strerror', None) or e})")


# A .json file may hold a list of records: it may be as large as this many articles at the limit.
MAX_LIST_ARTICLES = 64


def _document_bytes(kind: str, max_chars: int | None) -> int:
    """How much of an article file is read at most: one article's worth, or a list's for .json."""
    return max_file_bytes(max_chars) * (MAX_LIST_ARTICLES if kind == ".json" else 1)


def _read_document(data: bytes, name: str, kind: str | None, default_id: str | None,
                   max_chars: int | None = None) -> Iterator[Located]:
    """One article file; a .json holding a list is read as a list of records."""
    try:
        if kind == "json" or (kind is None and data.lstrip()[:1] == b"["):
            text = decode_text(data, name)
            if text.lstrip().startswith("["):
                yield from _records(_json_array(text, name), name, max_chars)
                return
        art = parse_article(data, name, kind, max_chars=max_chars, keep_bad_date=True)
    except InputError as e:
        yield name, e
        return
    if art.id is not None and default_id and not _has_own_id(data, kind):
        # A loose file (.txt, .html, a JSON record without "id") is named by its path, so the
        # user can refer to "seed-a" and re-ingesting the same file is recognised.
        art.id = default_id
    yield name, art


def _has_own_id(data: bytes, kind: str | None) -> bool:
    if kind not in ("json", None):
        return False
    try:
        rec = parse_json(data, "")
    except (InputError, UnicodeDecodeError):
        return False
    return isinstance(rec, dict) and rec.get("id") not in (None, "")


def _json_array(text: str, name: str) -> list:
    value = parse_json(text, name)
    return value if isinstance(value, list) else [value]


def _records(items: Iterable, name: str, max_chars: int | None = None) -> Iterator[Located]:
    for i, rec in enumerate(items, 1):
        yield _record(rec, f"{name}#{i}", max_chars)


def _record(rec, where: str, max_chars: int | None = None) -> Located:
    try:
        return where, article_from_record(rec, where, max_chars=max_chars, keep_bad_date=True)
    except InputError as e:
        return where, e


def _read_lines(path: Path, opener, name: str, max_chars: int | None = None) -> Iterator[Located]:
    """JSONL, one record a line (passim, news-please, our own); bad lines are errors."""
    cap = max_file_bytes(max_chars)
    with opener(path) as fh:
        lineno = 0
        while True:
            raw = fh.readline(cap + 1)
            if not raw:
                break
            lineno += 1
            where = f"{name}:{lineno}"
            if len(raw) > cap and not raw.endswith(b"\n"):
                # the rest of an over-long line is skipped unread into memory: the next line is a record again
                while raw and not raw.endswith(b"\n"):
                    raw = fh.readline(cap + 1)
                yield where, InputError(where, f"line is over the {cap:,}-byte limit for one record "
                                               "(raise it with --max-chars)")
                continue
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig") if lineno == 1 else raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield where, InputError(where, f"not UTF-8 text (bad byte at offset {e.start})")
                continue
            try:
                yield where, line_article(line, where, max_chars)
            except InputError as e:
                yield where, e


def line_article(line: str, where: str, max_chars: int | None = None) -> Article:
    """One JSONL line (a JSON record) to an Article; InputError if it is not one (a bad date is kept, noted)."""
    if "\x00" in line:
        raise InputError(where, "binary data, not a JSON record")
    rec = parse_json(line.rstrip("\r\n"), where, line=True)
    return article_from_record(rec, where, max_chars=max_chars, keep_bad_date=True,
                               surrogates=ESCAPED_SURROGATE.search(line) is not None)


def _read_table(path: Path, opener, name: str, delimiter: str, max_chars: int | None = None
                ) -> Iterator[Located]:
    """CSV/TSV with a header naming a text column (text/body/content/maintext)."""
    with opener(path) as fh:
        data = fh.read()
    try:
        text = decode_text(data, name)
    except InputError as e:
        if not e.problem.startswith("not UTF-8"):
            yield name, e
            return
        # a row with a stray byte costs only itself: its bytes are kept as surrogates and the row reported
        text = data.decode("utf-8-sig", "surrogateescape")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not any(k in header for k in TEXT_KEYS):
        yield name, InputError(name, f"no text column in the header (expected one of: {', '.join(TEXT_KEYS)})")
        return
    reader.fieldnames = header
    try:
        for row in reader:
            where = f"{name}:{reader.line_num}"
            rec = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            if any(isinstance(v, str) and _UNDECODED.search(v) for v in rec.values()):
                yield where, InputError(where, "not UTF-8 text; convert the file to UTF-8")
                continue
            yield _record(rec, where, max_chars)
    except csv.Error as e:
        where = f"{name}:{reader.line_num}"
        yield where, InputError(where, f"malformed CSV ({e}); the rest of the file is skipped")


def _kind(path: Path):
    """The record kind of a file (suffix under any .gz) and how to open it as bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        return inner, gzip.open
    return (suffixes[-1] if suffixes else ""), lambda p: open(p, "rb")


def _walk(root: Path) -> list[Path]:
    """Files under a folder in a stable order, skipping hidden files and folders and store folders."""
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        if STORE_MARKER in filenames:  # a storymatch store inside the input: its files are not articles
            dirnames[:] = []
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return out


def _strip_suffixes(name: str) -> str:
    for _ in range(2):
        stem, dot, ext = name.rpartition(".")
        if dot and stem and ("." + ext.lower() in FILE_KINDS or ext.lower() == "gz"):
            name = stem
    return name


def _rel_stem(f: Path, root: Path) -> str:
    rel = f.relative_to(root)
    return "/".join([*rel.parts[:-1], _strip_suffixes(rel.name)])
