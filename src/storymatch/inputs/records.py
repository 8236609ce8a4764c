"""One record (a JSON object, a CSV row) to an Article: the field names news tools use, and what they mean.

news-please, the SemEval-2022 scraper, passim and storymatch's own JSONL spell the same fields differently;
the first non-empty field of each group is taken, and any other field is kept in `Article.meta`.
"""

from __future__ import annotations

from typing import Any, Mapping

from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import parse_date

TEXT_KEYS = ("text", "maintext", "body", "content")
TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("date", "date_publish", "published", "pubdate")
LANG_KEYS = ("language", "lang")
SOURCE_KEYS = ("source", "series", "source_domain", "outlet", "publisher")
KNOWN_KEYS = set(TEXT_KEYS + TITLE_KEYS + DATE_KEYS + LANG_KEYS + SOURCE_KEYS + ("id", "url"))


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



