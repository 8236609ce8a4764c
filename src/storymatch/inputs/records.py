"""One record (a JSON object, a CSV row, an API article) to an Article: the one schema every edge checks.

news-please, the SemEval-2022 scraper, passim and storymatch's own JSONL spell the same fields differently;
the first present field of each group is taken, and any other field is kept in `Article.meta`. Files, JSONL
and CSV readers, the HTTP API and Spark all come through `article_from_record`, so a record is good or bad by
the same rule everywhere: each known field has one type and a length cap, text has the process-wide size
limit (`config.settings().max_chars`), JSON is parsed with a nesting limit (`parse_json`), and a date is read
by `publication_date.require_date`. A problem is an `InputError` naming the record and the field, so a reader
can report that one record and go on (a bad record costs only itself).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Mapping

from storymatch.config import settings
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.inputs.publication_date import require_date

TEXT_KEYS = ("text", "maintext", "body", "content")
TITLE_KEYS = ("title", "headline")
DATE_KEYS = ("date", "date_publish", "published", "pubdate")
LANG_KEYS = ("language", "lang")
SOURCE_KEYS = ("source", "series", "source_domain", "outlet", "publisher")
KNOWN_KEYS = set(TEXT_KEYS + TITLE_KEYS + DATE_KEYS + LANG_KEYS + SOURCE_KEYS + ("id", "url"))

# Caps on the short fields (the API's request schema shows the same numbers; dates: publication_date's); text
# has `settings().max_chars`.
MAX_TITLE_CHARS = 2000
MAX_SOURCE_CHARS = 500
MAX_URL_CHARS = 4000
MAX_ID_CHARS = 200
# News records nest a few levels (news-please's authors, passim's pages); 64 is far past any real record and far
# below where Python's json recursion fails (a 200,000-deep list raised RecursionError in every reader).
MAX_JSON_DEPTH = 64

LANGUAGE_RULE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")

# A string literal, its closing quote optional: an unterminated one then runs to the end of the text in one match
# instead of failing and being retried from every later quote (a '"' and 100,000 '[\\"' took minutes, issue 28);
# the match cannot fail, so nothing backtracks and the scan is linear.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def json_depth_over(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether JSON text nests arrays/objects deeper than `limit`, found without parsing it.

    A cheap pre-scan: most texts have fewer brackets than the limit and are let through on a count; otherwise
    string literals are cut out (brackets inside them do not nest) and the running depth is summed in C.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0) > limit


def json_problem(e: json.JSONDecodeError, line_only: bool = False) -> str:
    """A JSON syntax error as a clean phrase: "invalid JSON (Expecting value: line 1 column 5)".

    `e.msg` may end in "at" ("Unterminated string starting at"), so the position follows a colon, as in
    Python's own message, never another "at".
    """
    where = f"column {e.colno}" if line_only else f"line {e.lineno} column {e.colno}"
    return f"invalid JSON ({e.msg}: {where})"


def parse_json(text: str | bytes, name: str, *, line: bool = False) -> Any:
    """JSON text to a value, with the nesting limit: every place storymatch reads JSON from a user comes here.

    `line` says the text is one JSONL line (positions are then given by column only).
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    if json_depth_over(text):
        raise InputError(name, f"JSON nested more than {MAX_JSON_DEPTH} levels deep; not a news record")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(name, json_problem(e, line_only=line)) from None
    except ValueError as e:  # Python's cap on int() of a long digit string: a 5,000-digit number in any field
        raise InputError(name, f"a number in it is too long to read ({one_phrase(e)})") from None
    except RecursionError:  # the pre-scan keeps this away; kept so it can never escape as a traceback
        raise InputError(name, f"JSON nested more than {MAX_JSON_DEPTH} levels deep; not a news record") from None


def one_phrase(e: Exception) -> str:
    """An exception's message up to its first colon or full stop: "Exceeds the limit (4300 digits) for integer
    string conversion"."""
    return str(e).split(":")[0].split(". ")[0].strip()[:120]


# A JSON escape of a surrogate (U+D800-DFFF): the only way a str read from UTF-8 text can hold one.
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def valid_unicode(value: Any) -> Any:
    """JSON may escape lone surrogates ("\\ud800") that no UTF-8 text can hold; replace them."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    if isinstance(value, Mapping):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    return value


def json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words, for messages ("a list", "a number")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def check_text(text: str, name: str, max_chars: int | None = None) -> str:
    """The size limit on an article's text, the same for files, records, the CLI and the API."""
    limit = max_chars or settings().max_chars
    if len(text) > limit:
        raise InputError(name, f"text is {len(text):,} characters, over the {limit:,}-character limit "
                               "(raise it with --max-chars or STORYMATCH_MAX_CHARS)")
    return text


def check_language(value: Any, name: str, key: str = "language") -> str | None:
    """A language code as records give it ("en", "EN", "en-US") to its lower-case primary subtag ("en")."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not LANGUAGE_RULE.fullmatch(value.strip()):
        shown = repr(value[:20]) if isinstance(value, str) else json_kind(value)
        raise InputError(name, f"'{key}' is {shown}, not a language code such as 'en'")
    return re.split(r"[-_]", value.strip())[0].lower()


def _string(rec: Mapping[str, Any], keys: tuple[str, ...], name: str, cap: int) -> tuple[str | None, str | None]:
    """(key, value) of the first present field of a group; a field of another type or over its cap is an error."""
    for k in keys:
        v = rec.get(k)
        if v is None or v == "":
            continue
        if not isinstance(v, str):
            raise InputError(name, f"'{k}' is {json_kind(v)}, not a string")
        if len(v) > cap:
            raise InputError(name, f"'{k}' is {len(v):,} characters, over the {cap:,}-character limit")
        return k, v
    return None, None


def _text(rec: Mapping[str, Any], name: str) -> str:
    present = [(k, rec[k]) for k in TEXT_KEYS if rec.get(k) is not None]
    for k, v in present:
        if not isinstance(v, str):
            raise InputError(name, f"'{k}' is {json_kind(v)}, not a string")
    text = next((v for _, v in present if v.strip()), None)
    if text is None:
        if present:
            raise InputError(name, f"empty text ('{present[0][0]}' is blank)")
        raise InputError(name, f"no text field (expected one of: {', '.join(TEXT_KEYS)})")
    return text


def _id(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(name, f"'id' is {json_kind(value)}, not a string or a whole number")
    s = str(value)
    if not s.strip():
        raise InputError(name, "'id' is blank")
    if len(s) > MAX_ID_CHARS:
        raise InputError(name, f"'id' is {len(s):,} characters, over the {MAX_ID_CHARS}-character limit")
    return s


def article_from_record(rec: Any, name: str, default_source: str | None = None, *,
                        max_chars: int | None = None, keep_bad_date: bool = False,
                        surrogates: bool = True) -> Article:
    """One record (news-please, SemEval scraper, passim, our own, an API article) to an Article.

    A field of the wrong type, an over-long field, a text over the size limit or a bad language is an
    InputError: the record is skipped. An unreadable date is an InputError too, unless `keep_bad_date`:
    corpus readers keep such a record without its date and note the problem in `Article.problems`, which
    ingest writes to its report (a record's body is worth more than its date; the user still hears of it).
    `surrogates=False` says the record was parsed from JSON text with no escaped surrogate (ESCAPED_SURROGATE),
    so no string of it needs `valid_unicode` (which took 0.08 s of every 3,581 articles read).
    """
    if not isinstance(rec, Mapping):
        raise InputError(name, f"record is {json_kind(rec)}, not a JSON object")
    if surrogates:
        rec = valid_unicode(rec)
    text = check_text(_text(rec, name), name, max_chars)
    _, title = _string(rec, TITLE_KEYS, name, MAX_TITLE_CHARS)
    _, source = _string(rec, SOURCE_KEYS, name, MAX_SOURCE_CHARS)
    _, url = _string(rec, ("url",), name, MAX_URL_CHARS)
    lang_key = next((k for k in LANG_KEYS if rec.get(k) not in (None, "")), LANG_KEYS[0])
    language = check_language(rec.get(lang_key), name, lang_key)
    article_id = _id(rec.get("id"), name)
    date_key = next((k for k in DATE_KEYS if rec.get(k) not in (None, "")), None)
    problems: list[str] = []
    date = None
    if date_key is not None:
        try:
            date = require_date(rec[date_key], name, date_key)
        except InputError as e:
            if not keep_bad_date:
                raise
            problems.append(f"{e}; kept without a date")
    meta = {k: v for k, v in rec.items() if k not in KNOWN_KEYS}
    return Article(text=text, title=title, date=date, language=language, source=source or default_source,
                   url=url, id=article_id, meta=meta, problems=problems)
