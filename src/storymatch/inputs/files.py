"""Reading articles from files, stdin and records: the input edge of storymatch.

Every problem with an input becomes an `InputError` naming the input and the
problem in one line; the CLI prints that line and exits with status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Mapping

from storymatch.errors import InputError
from storymatch.inputs.article import Article, parse_date

TEXT_KEYS = ("text", "maintext", "body", "content")
TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("date", "date_publish", "published", "pubdate")
LANG_KEYS = ("language", "lang")
SOURCE_KEYS = ("source", "series", "source_domain", "outlet", "publisher")
MIN_HTML_WORDS = 8
KNOWN_KEYS = set(TEXT_KEYS + TITLE_KEYS + DATE_KEYS + LANG_KEYS + SOURCE_KEYS + ("id", "url"))


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


def valid_unicode(value: Any) -> Any:
    """JSON may escape lone surrogates ("\\ud800") that no UTF-8 text can hold; replace them."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    if isinstance(value, Mapping):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    return value


def article_from_record(rec: Mapping[str, Any], name: str, default_source: str | None = None) -> Article:
    """One JSON record (news-please, SemEval scraper, passim, our own) to an Article."""
    if not isinstance(rec, Mapping):
        raise InputError(name, "JSON value is not an object")
    rec = valid_unicode(rec)
    text = next((rec[k] for k in TEXT_KEYS if isinstance(rec.get(k), str) and rec[k].strip()), None)
    if text is None:
        raise InputError(name, f"no text field (expected one of: {', '.join(TEXT_KEYS)})")

    def first(keys: tuple[str, ...]) -> Any:
        return next((rec[k] for k in keys if rec.get(k) not in (None, "")), None)

    raw_date = first(DATE_KEYS)
    meta = {k: v for k, v in rec.items() if k not in KNOWN_KEYS}
    return Article(
        text=text,
        title=first(TITLE_KEYS),
        date=parse_date(str(raw_date)) if raw_date is not None else None,
        language=first(LANG_KEYS),
        source=first(SOURCE_KEYS) or default_source,
        url=rec.get("url"),
        id=str(rec["id"]) if rec.get("id") not in (None, "") else None,
        meta=meta,
    )


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


_KINDS = {".txt": "txt", ".text": "txt", ".md": "txt", ".json": "json", ".html": "html", ".htm": "html"}


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
        art = parse_article(data, name, _KINDS.get(p.suffix.lower()))
    if title:
        art.title = title
    if date:
        parsed = parse_date(date)
        if parsed is None:
            raise InputError(name, f"cannot read the date {date!r}")
        art.date = parsed
    return art
