"""Reading one article from a file, stdin or uploaded bytes: the input edge of storymatch.

Every problem with an input becomes an `InputError` naming the input and the
problem in one line; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import parse_date
from storymatch.inputs.records import article_from_record

MIN_HTML_WORDS = 8


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


def article_from_html(html: str, name: str) -> Article:
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
    return Article(
        text=text,
        title=data.get("title"),
        date=parse_date(data.get("date")),
        language=data.get("language"),
        source=data.get("sitename") or data.get("hostname") or name,
        url=data.get("url"),
    )


def parse_article(data: bytes, name: str, kind: str | None = None) -> Article:
    """Bytes of one article file to an Article; `kind` is txt/json/html or None to sniff."""
    text = decode_text(data, name)
    if kind is None:
        head = text.lstrip()[:1]
        kind = "json" if head in "{[" and head else "html" if head == "<" else "txt"
    if kind == "json":
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(name, f"invalid JSON ({e.msg} at line {e.lineno})") from None
        return article_from_record(rec, name, default_source=name)
    if kind == "html":
        return article_from_html(text, name)
    if not text.strip():
        raise InputError(name, "file is empty")
    return Article(text=text, source=name)


# The suffixes an article file may have, and how each is read; a folder walk reads the same.
FILE_KINDS = {".txt": "txt", ".text": "txt", ".md": "txt", ".json": "json", ".html": "html", ".htm": "html"}


def load_article(path: str | Path, *, title: str | None = None, date: str | None = None) -> Article:
    """Read one article from a .txt, .json or .html file, or stdin for '-'.

    `title` and `date` override what the file says (a .txt has neither).
    """
    name = str(path)
    if name == "-":
        data = sys.stdin.buffer.read()
        art = parse_article(data, "<stdin>")
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(name, "no such file")
        if p.is_dir():
            raise InputError(name, "is a directory, not an article file")
        try:
            data = p.read_bytes()
        except OSError as e:
            raise InputError(name, f"cannot read ({e.strerror})") from None
        art = parse_article(data, name, FILE_KINDS.get(p.suffix.lower()))
    if title:
        art.title = title
    if date:
        parsed = parse_date(date)
        if parsed is None:
            raise InputError(name, f"cannot read the date {date!r}")
        art.date = parsed
    return art
