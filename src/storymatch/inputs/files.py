"""Reading one article from a file, stdin or uploaded bytes: the input edge of storymatch.

Every problem with an input becomes an `InputError` naming the input and the
problem in one line; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import errno
import os
import select
import stat
import sys
import time
from pathlib import Path

from storymatch.config import settings
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import parse_date, require_date
from storymatch.inputs.records import LANGUAGE_RULE, article_from_record, check_text, parse_json

MIN_HTML_WORDS = 8
# A page's markup (scripts, styles, menus) can be many times its article text; past this many bytes per
# character of the text limit a file is refused before it is decoded or parsed (a 50 MB one-line file took
# `compare` 237 s and 7.6 GB).
BYTES_PER_CHAR = 16


MIN_FILE_BYTES = 1 << 20
# A pipe, FIFO or device named as an input gets this long to send its bytes: a FIFO with no writer hung compare,
# search and ingest for ever, and /dev/zero grew compare to 23 GB in 43 s (issue 28).
INPUT_WAIT_S = 10.0


def max_file_bytes(max_chars: int | None = None) -> int:
    """The largest article file read, from the text limit: room for markup, never an unbounded read."""
    return max(MIN_FILE_BYTES, BYTES_PER_CHAR * (max_chars or settings().max_chars))


def check_size(size: int, name: str, max_chars: int | None = None) -> None:
    """Refuse a file too large to hold an article under the text limit, before reading it whole."""
    limit = max_file_bytes(max_chars)
    if size > limit:
        # a bounded read stops one byte past the limit: its true size is unknown (/dev/zero has none)
        shown = f"over {limit:,} bytes" if size == limit + 1 else f"{size:,} bytes"
        raise InputError(name, f"file is {shown}, too large for one article under the "
                               f"{max_chars or settings().max_chars:,}-character limit (raise it with --max-chars)")


def file_kind(path: str | Path) -> str | None:
    """What is at `path` when it is not a regular file ("a directory", "a FIFO", ...), None for a regular file;
    an InputError when it cannot be looked at (no such file, a name too long for the file system, no access)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        if e.errno in (errno.ENOENT, errno.ENOTDIR):
            raise InputError(shown_name(path), "no such file") from None
        raise InputError(shown_name(path), f"cannot read ({e.strerror})") from None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def shown_name(path: str | Path, limit: int = 200) -> str:
    """A path as an error line names it: at most `limit` characters (a name too long for the file system was
    printed whole, 4,000 characters, in every command's traceback)."""
    name = str(path)
    return name if len(name) <= limit else name[: limit // 2] + "…" + name[-(limit // 2):]


def read_bounded(path: str | Path, limit: int, *, wait: float | None = None) -> bytes:
    """At most `limit` + 1 bytes of the file at `path` (one more than allowed, so the caller can tell "over").

    A regular file is read as it is. A pipe, FIFO or device (`<(cmd)`, /dev/stdin, /dev/zero) is read without
    blocking, and refused when nothing arrives for `wait` seconds (default INPUT_WAIT_S): no input can make
    storymatch read without end or wait for ever."""
    name = shown_name(path)
    kind = file_kind(path)
    if kind == "a directory":
        raise InputError(name, "is a directory, not an article file")
    try:
        if kind is None:
            with open(path, "rb") as fh:
                return fh.read(limit + 1)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise InputError(name, f"cannot read ({e.strerror})") from None
    try:
        return _read_stream(fd, name, limit, INPUT_WAIT_S if wait is None else wait, fifo=kind.startswith("a FIFO"))
    finally:
        os.close(fd)


def _read_stream(fd: int, name: str, limit: int, wait: float, fifo: bool) -> bytes:
    chunks: list[bytes] = []
    size = 0
    idle_since = time.monotonic()
    while size <= limit:
        ready, _, _ = select.select([fd], [], [], 0.05)
        try:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size)) if ready else None
        except BlockingIOError:
            chunk = None
        except OSError as e:
            raise InputError(name, f"cannot read ({e.strerror})") from None
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
            idle_since = time.monotonic()
            continue
        if chunk == b"" and (size or not fifo):  # the end of a stream (a FIFO's before its writer came: not yet)
            break
        # nothing yet: a FIFO whose writer has not opened it (reads say end-of-file) or a quiet one
        if time.monotonic() - idle_since > wait:
            if size:
                break
            raise InputError(name, f"nothing arrived within {wait:g} s (a FIFO or pipe with no writer?)")
        if chunk == b"":
            time.sleep(0.05)
    return b"".join(chunks)


def decode_text(data: bytes, name: str) -> str:
    """Bytes to text, refusing binary and non-UTF-8 data with a clear message."""
    if not data.strip():
        raise InputError(name, "file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(name, "binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(name, f"not UTF-8 text (bad byte at offset {e.start}); convert it to UTF-8") from None
    control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if control > 0.05 * min(len(text), 8192):
        raise InputError(name, "binary file, not text")
    return text


def article_from_html(html: str, name: str, max_chars: int | None = None, *, label: str | None = None,
                      keep_bad_date: bool = False) -> Article:
    """Main text and metadata of a web page, through trafilatura, then the one record rule
    (`records.article_from_record`): a page's title, site name and URL have the caps a record's have (a
    10,000-character <title> was stored whole, issue 28)."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None:
        raise InputError(name, "HTML has no extractable article text")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    # trafilatura falls back to any text it finds (a menu, a cookie notice); a few words are not an article
    if len(text.split()) < MIN_HTML_WORDS:
        raise InputError(name, "HTML has no extractable article text")
    date = data.get("date")
    rec = {"text": text, "title": data.get("title"), "date": date if parse_date(date) else None,
           "language": _language(data.get("language")), "source": data.get("sitename") or data.get("hostname"),
           "url": data.get("url")}
    return article_from_record({k: v for k, v in rec.items() if v}, name, default_source=label or name,
                               max_chars=max_chars, keep_bad_date=keep_bad_date)


def _language(value: object) -> str | None:
    """A page's declared language when it is a language code (pages declare odd things; not the reader's fault)."""
    return value if isinstance(value, str) and LANGUAGE_RULE.fullmatch(value.strip()) else None


def parse_article(data: bytes, name: str, kind: str | None = None, *, max_chars: int | None = None,
                  keep_bad_date: bool = False, label: str | None = None) -> Article:
    """Bytes of one article file to an Article; `kind` is txt/json/html or None to sniff.

    The record rules (`records.article_from_record`) and the text limit apply whatever the kind; a bad date
    in a JSON file is an error unless `keep_bad_date` (corpus readers report it and keep the article). `label`
    is the source an article gets when it names none (default: `name`); ingest gives the path relative to what
    was ingested, so a store never shows where its server keeps files.
    """
    check_size(len(data), name, max_chars)
    text = decode_text(data, name)
    if kind is None:
        head = text.lstrip()[:1]
        kind = "json" if head in "{[" and head else "html" if head == "<" else "txt"
    if kind == "json":
        rec = parse_json(text, name)
        return article_from_record(rec, name, default_source=label or name, max_chars=max_chars,
                                   keep_bad_date=keep_bad_date)
    if kind == "html":
        return article_from_html(text, name, max_chars, label=label, keep_bad_date=keep_bad_date)
    if not text.strip():
        raise InputError(name, "file is empty")
    return Article(text=check_text(text, name, max_chars), source=label or name)


# The suffixes an article file may have, and how each is read; a folder walk reads the same.
FILE_KINDS = {".txt": "txt", ".text": "txt", ".md": "txt", ".json": "json", ".html": "html", ".htm": "html"}


def load_article(path: str | Path, *, title: str | None = None, date: str | None = None,
                 max_chars: int | None = None) -> Article:
    """Read one article from a .txt, .json or .html file, or stdin for '-'.

    `title` and `date` override what the file says (a .txt has neither); `max_chars` raises the text limit.
    """
    name = shown_name(path)
    limit = max_file_bytes(max_chars)
    if str(path) == "-":
        data = sys.stdin.buffer.read(limit + 1)
        check_size(len(data), "<stdin>", max_chars)
        art = parse_article(data, "<stdin>", max_chars=max_chars)
    else:
        data = read_bounded(path, limit)  # never more than the limit, whatever the file is (/dev/zero, a FIFO)
        check_size(len(data), name, max_chars)
        art = parse_article(data, name, FILE_KINDS.get(Path(path).suffix.lower()), max_chars=max_chars)
    if title:
        art.title = title
    if date:
        art.date = require_date(date, name)
    return art
