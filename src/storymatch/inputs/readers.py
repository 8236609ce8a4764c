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
import os
import re
import zlib
from collections import deque
from pathlib import Path
from typing import IO, Iterable, Iterator, Union

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.files import FILE_KINDS, decode_text, file_kind, max_file_bytes, parse_article, shown_name
from storymatch.inputs.records import ESCAPED_SURROGATE, TEXT_KEYS, article_from_record, parse_json

Record = Union[Article, InputError]
Located = tuple[str, Record]  # (where it was read from, e.g. "news.jsonl:12"; the record)

LINE_KINDS = {".jsonl", ".ndjson"}
TABLE_KINDS = {".csv": ",", ".tsv": "\t"}

STORE_MARKER = "storymatch.sqlite"  # store.DB_NAME; not imported, so reading never depends on the store

_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, as surrogateescape keeps them

# What a damaged or hostile compressed file raises: gzip's own, zlib's (a corrupt stream), a cut-off file.
_READ_ERRORS = (OSError, EOFError, gzip.BadGzipFile, zlib.error)


def read_corpus(paths: Iterable[str | Path], max_chars: int | None = None) -> Iterator[Located]:
    """Every record under `paths` with where it came from: Articles, or InputErrors.

    Every record passes `records.article_from_record`'s rules with the text limit `max_chars` (default:
    the setting); a record with an unreadable date is kept without it, its `problems` saying so. Only regular
    files are read: a FIFO, a device or a socket, named or in a folder, is one error (reading one waited or
    read for ever). A loose file's source is its path relative to what was ingested, never the absolute one.
    """
    for path in paths:
        p = Path(path)
        try:
            kind = file_kind(p)
        except InputError as e:
            yield e.name, InputError(e.name, "no such file or folder" if e.problem == "no such file" else e.problem)
            continue
        if kind == "a directory":
            for f in _walk(p):
                label = "/".join([p.absolute().name or p.name, *f.relative_to(p).parts])
                special = _special(f)
                if special:
                    yield shown_name(f), not_a_file(f, special)
                    continue
                yield from read_file(f, id_prefix=_rel_stem(f, p), max_chars=max_chars, label=label)
        elif kind is not None:
            yield shown_name(p), not_a_file(p, kind)
        else:
            yield from read_file(p, id_prefix=_strip_suffixes(p.name), max_chars=max_chars, label=p.name)


# Bytes a record takes at most on average, for a low guess of an input's records from its files' sizes: a news
# article as a JSONL record with its fields took 2.7 KB in the ingest benchmark's corpus. A gzip file counts three
# times its size (news text compresses about so).
BYTES_PER_RECORD = 4000
GZIP_RATIO = 3


def expected_records(paths: Iterable[str | Path], enough: int) -> int:
    """A low guess of how many records `paths` hold, from their files' sizes, counted no further than `enough`
    (a folder is walked only that far); nothing for standard input or a path that is not there. Ingest starts its
    worker processes at once for a large input rather than after its first thousand records (corpus.ingestion)."""
    total = 0
    for path in paths:
        p = Path(path)
        try:
            for f in (p.rglob("*") if p.is_dir() else [p]):  # stat only: a FIFO or a device is never opened
                total += (f.stat().st_size if f.is_file() else 0) * (GZIP_RATIO if f.suffix == ".gz" else 1)
                if total // BYTES_PER_RECORD >= enough:
                    return total // BYTES_PER_RECORD
        except OSError:  # a guess: what cannot be walked or read counts nothing (read_corpus reports it)
            continue
    return total // BYTES_PER_RECORD


def _special(path: Path) -> str | None:
    """What a file found in a folder is when it is not a regular one (a FIFO, a device...), else None."""
    try:
        return file_kind(path)
    except InputError as e:
        return e.problem


def not_a_file(path: Path, kind: str) -> InputError:
    return InputError(shown_name(path), f"is {kind}, not a regular file; ingest reads files and folders of them")


def count_records(paths: Iterable[str | Path]) -> int:
    """A quick count of the records under `paths`, for a progress bar's total.

    Lines of JSONL and rows of CSV are counted without parsing, so the figure can be
    a little high (blank lines are not records); it is an estimate for an ETA. Lines are read with the same
    cap as records, so a compressed bomb (one line of gigabytes) costs no memory here either.
    """
    total = 0
    for path in paths:
        p = Path(path)
        try:
            kind_of = file_kind(p)
        except InputError:
            kind_of = "missing"
        files = _walk(p) if kind_of == "a directory" else [p] if kind_of is None else []
        total += 0 if files else 1
        cap = max_file_bytes()
        for f in files:
            kind, opener = _kind(f)
            if kind_of == "a directory" and _special(f):
                total += 1
                continue
            if kind in LINE_KINDS or kind in TABLE_KINDS:
                try:
                    with opener(f) as fh:
                        if kind in LINE_KINDS:
                            n = sum(1 for line in _lines(fh, cap) if line.strip())
                        else:  # rows, not lines: a quoted field may hold a whole multi-line article
                            n = sum(1 for _ in _Rows(fh, TABLE_KINDS[kind], cap)) - 1
                except _READ_ERRORS:
                    n = 1
                total += max(n, 1)
            else:
                total += 1
    return total


def _lines(fh: IO[bytes], cap: int) -> Iterator[bytes]:
    """The lines of a binary file, each cut at `cap` bytes (the rest of a longer one is read and dropped)."""
    while raw := fh.readline(cap + 1):
        yield raw
        while len(raw) > cap and not raw.endswith(b"\n"):
            raw = fh.readline(cap + 1)


def read_file(path: Path, id_prefix: str | None = None, max_chars: int | None = None,
              label: str | None = None) -> Iterator[Located]:
    """The records of one file, dispatched on its (de-gzipped) suffix; `label`: the source a loose article file
    is given (its path relative to what was ingested)."""
    name = shown_name(path)
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
            yield from _read_document(data, name, FILE_KINDS.get(kind), id_prefix, max_chars, label)
    except _READ_ERRORS as e:
        # a corrupt .gz raised zlib.error tracebacks that ended the ingest (issue 28): the file is one error,
        # the records read from it before the damage are kept
        what = "corrupt compressed data" if isinstance(e, (zlib.error, gzip.BadGzipFile, EOFError)) else \
            getattr(e, "strerror", None) or e
        yield name, InputError(name, f"cannot read ({what}); the rest of the file is skipped")


# A .json file may hold a list of records: it may be as large as this many articles at the limit.
MAX_LIST_ARTICLES = 64


def _document_bytes(kind: str, max_chars: int | None) -> int:
    """How much of an article file is read at most: one article's worth, or a list's for .json."""
    return max_file_bytes(max_chars) * (MAX_LIST_ARTICLES if kind == ".json" else 1)


def _read_document(data: bytes, name: str, kind: str | None, default_id: str | None,
                   max_chars: int | None = None, label: str | None = None) -> Iterator[Located]:
    """One article file; a .json holding a list is read as a list of records."""
    try:
        if kind == "json" or (kind is None and data.lstrip()[:1] == b"["):
            text = decode_text(data, name)
            if text.lstrip().startswith("["):
                yield from _records(_json_array(text, name), name, max_chars)
                return
        art = parse_article(data, name, kind, max_chars=max_chars, keep_bad_date=True, label=label)
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
    """CSV/TSV with a header naming a text column (text/body/content/maintext), read a row at a time.

    Nothing is read whole (a 256 KiB .csv.gz bomb reached 2.18 GB), a field is capped like a record, and a row
    costs only itself: one over the cap, or one whose unbalanced quote swallowed the lines after it (seen as a
    row spanning lines with another number of fields than the header), is reported and the lines after its
    first are read again as rows of their own (a broken quote cost its neighbour, a huge field the whole file).
    """
    cap = max_file_bytes(max_chars)
    with opener(path) as fh:
        head = fh.peek(8192)[:8192] if hasattr(fh, "peek") else b""
        if b"\x00" in head:
            yield name, InputError(name, "binary file, not text")
            return
        rows = _Rows(fh, delimiter, cap)
        first = next(rows, None)
        if first is None or not any(f.strip() for f in first[1]):
            yield name, InputError(name, "file is empty")
            return
        header = [h.strip().lower().lstrip("\ufeff") for h in first[1]]
        if not any(k in header for k in TEXT_KEYS):
            yield name, InputError(name, f"no text column in the header (expected one of: {', '.join(TEXT_KEYS)})")
            return
        for lineno, fields, problem in rows.with_problems(len(header)):
            where = f"{name}:{lineno}"
            if problem:
                yield where, InputError(where, problem)
                continue
            rec = {k: v for k, v in zip(header, fields) if v != ""}
            if any(_UNDECODED.search(v) for v in rec.values()):
                yield where, InputError(where, "not UTF-8 text; convert the file to UTF-8")
                continue
            yield _record(rec, where, max_chars)


class _Rows:
    """(first line number, fields) of each CSV row of a binary file, every line and field capped at `cap` bytes.

    The csv module reads from `_feed`, which hands it one physical line at a time and remembers the lines of the
    row being read; `with_problems` can then give back all but the first line of a bad row to be read again.
    """

    _OVERLONG = "\x00overlong\x00"  # stands for a line over the cap: no text line can hold a NUL

    def __init__(self, fh: IO[bytes], delimiter: str, cap: int):
        self.fh = fh
        self.cap = cap
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.lineno = 0
        csv.field_size_limit(max(cap, 131072))  # the module's default (128 KiB) is below one article at the limit
        self.reader = csv.reader(self._feed(), delimiter=delimiter)

    def _feed(self) -> Iterator[str]:
        while True:
            if self.pending:
                item = self.pending.popleft()
            else:
                raw = self.fh.readline(self.cap + 1)
                if not raw:
                    return
                self.lineno += 1
                text = raw.decode("utf-8-sig" if self.lineno == 1 else "utf-8", "surrogateescape")
                if len(raw) > self.cap and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):
                        raw = self.fh.readline(self.cap + 1)
                    text = self._OVERLONG + "\n"
                item = (self.lineno, text)
            self.taken.append(item)
            yield item[1]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return ((line, fields) for line, fields, _ in self.with_problems(None))

    def __next__(self) -> tuple[int, list[str]]:
        return next(iter(self))

    def with_problems(self, width: int | None) -> Iterator[tuple[int, list[str], str | None]]:
        while True:
            self.taken = []
            try:
                fields = next(self.reader)
            except StopIteration:
                return
            except csv.Error as e:
                if not self.taken:
                    return
                yield self.taken[0][0], [], f"malformed CSV ({e})"
                self._again()
                continue
            if not self.taken:
                return
            first = self.taken[0][0]
            if any(self._OVERLONG in f for f in fields):
                yield first, [], f"row is over the {self.cap:,}-byte limit for one record (raise it with --max-chars)"
                continue
            # a row's quotes pair up (an escaped one is doubled): an odd count is a quote left open, which read on
            # into the rows after it; so is a row over several lines with another number of fields than the header
            odd = sum(line.count('"') for _, line in self.taken) % 2
            if width is not None and (odd or len(self.taken) > 1 and len(fields) != width):
                again = "; the lines after its first are read again" if len(self.taken) > 1 else ""
                yield first, [], (f"malformed CSV row: an unbalanced quote ({len(fields)} fields where the header "
                                  f"has {width}, over {len(self.taken)} lines){again}")
                self._again()
                continue
            yield first, fields, None

    def _again(self) -> None:
        """Read every line of the last row but its first again, as rows of their own."""
        self.pending.extendleft(reversed(self.taken[1:]))
        self.taken = []


def _kind(path: Path):
    """The record kind of a file (suffix under any .gz) and how to open it as bytes."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        inner = suffixes[-2] if len(suffixes) > 1 else ""
        return inner, gzip.open
    return (suffixes[-1] if suffixes else ""), lambda p: open(p, "rb")


def _walk(root: Path) -> list[Path]:
    """Files under a folder in a stable order, skipping hidden files and folders and store folders. Special
    files (FIFOs, devices, sockets) are listed too, and read_corpus reports each without opening it."""
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
