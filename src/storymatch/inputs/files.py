"""Reading one article from a file, stdin or uploaded bytes: the input edge of storymatch.

Every problem with an input becomes an `InputError` naming the input and the
problem in one line; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from storymatch.config import settings
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import parse_date, require_date
from storymatch.inputs.records import article_from_record, check_text, parse_json

MIN_HTML_WORDS = 8
# A page's markup (scripts, styles, menus) can be many times its article text; past this many bytes per
# character of the text limit a file is refused before it is decoded or parsed (a 50 MB one-line file took
# `compare` 237 s and 7.6 GB).
BYTES_PER_CHAR = 16


MIN_FILE_BYTES = 1 << 20


def max_file_bytes(max_chars: int | None = None) -> int:
    """The largest article file read, from the text limit: room for markup, never an unbounded read."""
    return max(MIN_FILE_BYTES, BYTES_PER_CHAR * (max_chars or settings().max_chars))


def check_size(size: int, name: str, max_chars: int | None = None) -> None:
    """Refuse a file too large to hold an article under the text limit, before reading it whole."""
    if size > max_file_bytes(max_chars):
        raise InputError(name, f"file is {size:,} bytes, too large for one article under the "
                               f"{max_chars or settings().max_chars:,}-character limit (raise it with --max-chars)")


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


def article_from_html(html: str, name: str, max_chars: int | None = None) -> Article:
    """Main text and metadata of a web page, through trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, favor_precision=True)
    if doc is None:
        raise InputError(name, "HTML has no extractable article text")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = (data.get("text") or "").strip()
    # trafilatura falls back to any text it finds (a menu, a cookie notice); a few words are not an article
    if len(text.split()) < MIN_HTML_WORDS:
        raise InputError(name, "HTML has no extractable article text")
    check_text(text, name, max_chars)
    return Article(
        text=text,
        title=data.get("title"),
        date=parse_date(data.get("date")),
        language=data.get("language"),
        source=data.get("sitename") or data.get("hostname") or name,
        url=data.get("url"),
    )


def parse_article(data: bytes, name: str, kind: str | None = None, *, max_chars: int | None = None,
                  keep_bad_date: bool = False) -> Article:
    """Bytes of one article file to an Article; `kind` is txt/json/html or None to sniff.

    The record rules (`records.article_from_record`) and the text limit apply whatever the kind; a bad date
    in a JSON file is an error unless `keep_bad_date` (corpus readers report it and keep the article).
    """
    check_size(len(data), name, max_chars)
    text = decode_text(data, name)
    if kind is None:
        head = text.lstrip()[:1]
        kind = "json" if head in "{[" and head else "html" if head == "<" else "txt"
    if kind == "json":
        rec = parse_json(text, name)
        return article_from_record(rec, name, default_source=name, max_chars=max_chars, keep_bad_date=keep_bad_date)
    if kind == "html":
        return article_from_html(text, name, max_chars)
    if not text.strip():
        raise InputError(name, "file is empty")
    return Article(text=check_text(text, name, max_chars), source=name)


# The suffixes an article file may have, and how each is read; a folder walk reads the same.
FILE_KINDS = {".txt": "txt", ".text": "txt", ".md": "txt", ".json": "json", ".html": "html", ".htm": "html"}


def load_article(path: str | Path, *, title: str | None = None, date: str | None = None,
                 max_chars: int | None = None) -> Article:
    """Read one article from a .txt, .json or .html file, or stdin for '-'.

    `title` and `date` override what the file says (a .txt has neither); `max_chars` raises the text limit.
    """
    name = str(path)
    if name == "-":
        limit = max_file_bytes(max_chars)
        data = sys.stdin.buffer.read(limit + 1)
        check_size(len(data), "<stdin>", max_chars)
        art = parse_article(data, "<stdin>", max_chars=max_chars)
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(name, "no such file")
        if p.is_dir():
            raise InputError(name, "is a directory, not an article file")
        try:
            check_size(p.stat().st_size, name, max_chars)
            data = p.read_bytes()
        except OSError as e:
            raise InputError(name, f"cannot read ({e.strerror})") from None
        art = parse_article(data, name, FILE_KINDS.get(p.suffix.lower()), max_chars=max_chars)
    if title:
        art.title = title
    if date:
        art.date = require_date(date, name)
    return art
