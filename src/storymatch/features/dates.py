"""Date mentions in article text, resolved against the publication date when it is known.

Explicit forms (18 May 2017, May 18, 2017-05-18, 18.05.2017, years) are found
with patterns built from dateparser's own per-language month and weekday
names; relative words ("yesterday", "gestern", "last night") and weekdays are
resolved by dateparser relative to the publication date. With no publication
date, a relative word is kept as an offset from it ("D-1"), so two undated
reports that both say "yesterday" still agree.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from functools import lru_cache

from storymatch.inputs.publication_date import in_range
from storymatch.text.scripts import has_dense
from storymatch.text.stopwords import frequent_words

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_RELATIVE = {"1 day ago": -1, "0 day ago": 0, "in 1 day": 1}
_EXTRA_RELATIVE = {"en": {"last night": -1, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0}}


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    value: str  # "2017-05-18", "2017-05", "2017", "--05-18" (no year), "D-1" (relative, no base), "weekday:thursday"


@dataclass(frozen=True)
class _Lexicon:
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]
    pattern: re.Pattern


@lru_cache(maxsize=32)
def _lexicon(lang: str) -> _Lexicon:
    from dateparser.languages.loader import default_loader

    try:
        info = default_loader.get_locale(lang).info
    except Exception:  # a language dateparser does not know: English names, digits still work
        info = default_loader.get_locale("en").info
    months = {m.lower(): i + 1 for i, key in enumerate(MONTHS) for m in info.get(key, []) if len(m) >= 3}
    # A weekday stands alone in the pattern, so its short forms must not be everyday words: dateparser lists
    # abbreviations such as German "die" (Dienstag), French "mar" (mardi) and English "sun", and every German
    # article named a Tuesday. Only names of five letters or more are kept, and four-letter ones that are not
    # among the language's 1,000 commonest words (Turkish "salı").
    common = frequent_words(lang, 1000)
    weekdays = {w.lower(): i for i, key in enumerate(WEEKDAYS) for w in info.get(key, [])
                if len(w) >= 5 or (len(w) == 4 and w.lower() not in common)}
    relative = {w.lower(): off for key, off in _RELATIVE.items() for w in info.get("relative-type", {}).get(key, [])}
    relative.update(_EXTRA_RELATIVE.get(lang, {}))

    def alt(words):
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) or "(?!)"

    m, wd, rel = alt(months), alt(weekdays), alt(relative)
    pattern = re.compile(
        rf"(?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}\b)"
        rf"|(?P<num>\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}\b)"
        rf"|(?P<dmy>\b\d{{1,2}}(?:\.|st|nd|rd|th|er)?(?:\s+(?:of|de))?\s+(?P<m1>{m})\.?"
        rf"(?:,?\s+(?:de\s+|del\s+)?(?P<y1>\d{{4}}))?\b)"
        rf"|(?P<mdy>\b(?P<m2>{m})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y2>\d{{4}}))?)"
        rf"|(?P<my>\b(?P<m3>{m})\s+(?:de\s+|del\s+)?(?P<y3>\d{{4}})\b)"
        rf"|(?P<rel>\b(?:{rel})\b)"
        rf"|(?P<wd>\b(?:{wd})\b)"
        rf"|(?P<year>\b(?:19[5-9]\d|20\d\d)\b)",
        re.IGNORECASE,
    )
    return _Lexicon(months, weekdays, relative, pattern)


def extract_dates(text: str, lang: str | None = None, published: _dt.date | None = None) -> list[DateMention]:
    """Date mentions with offsets and a normalised value."""
    lex = _lexicon((lang or "en").lower())
    if published is not None and not in_range(published):  # the one date rule: arithmetic near year 1 overflowed
        published = None
    out = []
    for mt in lex.pattern.finditer(text):
        value = _value(mt, lex, published, lang or "en")
        if value:
            out.append(DateMention(mt.group(0), mt.start(), mt.end(), value))
    if has_dense(text):
        out = sorted(out + _dense_dates(text, published), key=lambda d: d.start)
    return out


@lru_cache(maxsize=32)
def calendar_words(lang: str | None) -> frozenset[str]:
    """Month and weekday names (and their short forms) of the language and of English, lower-cased: words a
    capitalisation rule takes for names ("Sep", "Thursday")."""
    words: set[str] = set()
    for code in {(lang or "en").lower(), "en"}:
        lex = _lexicon(code)
        words |= set(lex.months) | set(lex.weekdays)
    return frozenset(words)


# Dates in Chinese and Japanese (2022年9月22日, 9月22日, 星期四/周四, 木曜日, 昨天) and Korean (9월 22일, 목요일, 어제):
# dateparser's month names are of no use where a month is a number and a character, and `\b` never falls between
# a Han character and a digit.
_DENSE_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*[年년]\s*)?(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日号號일]"
    r"|(?:星期|礼拜|禮拜|周|週)(?P<zw>[一二三四五六日天])"
    r"|(?P<jw>[月火水木金土日])曜日"
    r"|(?P<kw>[월화수목금토일])요일"
    r"|(?P<rel>昨天|昨日|前天|今天|今日|明天|明日|어제|오늘|내일)")
_DENSE_WEEKDAY = {**{c: i for i, c in enumerate("一二三四五六")}, "日": 6, "天": 6}
_JA_WEEKDAY = {c: i for i, c in enumerate("月火水木金土日")}
_KO_WEEKDAY = {c: i for i, c in enumerate("월화수목금토일")}
_DENSE_RELATIVE = {"昨天": -1, "昨日": -1, "前天": -2, "今天": 0, "今日": 0, "明天": 1, "明日": 1,
                   "어제": -1, "오늘": 0, "내일": 1}


def _dense_dates(text: str, published: _dt.date | None) -> list[DateMention]:
    out = []
    for mt in _DENSE_DATE.finditer(text):
        value: str | None
        if mt.group("m"):
            month, day = int(mt.group("m")), int(mt.group("d"))
            if mt.group("y"):
                value = _ymd(int(mt.group("y")), month, day)
            elif not (1 <= month <= 12 and 1 <= day <= 31):
                value = None
            elif published:
                year = published.year if (month, day) <= (published.month, published.day) else published.year - 1
                value = _ymd(year, month, day)
            else:
                value = f"--{month:02d}-{day:02d}"
        elif mt.group("rel"):
            off = _DENSE_RELATIVE[mt.group("rel")]
            value = (published + _dt.timedelta(days=off)).isoformat() if published else f"D{off:+d}".replace("+0", "0")
        else:
            index = (_DENSE_WEEKDAY.get(mt.group("zw") or "") if mt.group("zw") else
                     _JA_WEEKDAY.get(mt.group("jw") or "") if mt.group("jw") else _KO_WEEKDAY.get(mt.group("kw") or ""))
            if index is None:
                continue
            value = _weekday(index, published) if published else f"weekday:{WEEKDAYS[index]}"
        if value:
            out.append(DateMention(mt.group(0), mt.start(), mt.end(), value))
    return out


def _value(mt: re.Match, lex: _Lexicon, published: _dt.date | None, lang: str) -> str | None:
    g = mt.groupdict()
    month: int | None
    if g["iso"]:  # a real day only: "2017-13-45" in a text is no date (readers of the value parse it)
        year, mon, mday = (int(x) for x in g["iso"].split("-"))
        return _ymd(year, mon, mday)
    if g["num"]:
        a, b, y = re.split(r"[./]", g["num"])
        day, month = (int(a), int(b)) if int(b) <= 12 else (int(b), int(a))
        return _ymd(int(y), month, day)
    if g["dmy"] or g["mdy"]:
        month = lex.months.get((g["m1"] or g["m2"]).lower().rstrip("."))
        if g["dmy"]:
            digits = re.match(r"\d+", g["dmy"])
            assert digits is not None  # the dmy pattern opens with the day's digits
            day = int(digits.group())
        else:
            day = int(g["d2"])
        year = g["y1"] or g["y2"]
        if month is None or not 1 <= day <= 31:
            return None
        if year:
            return _ymd(int(year), month, day)
        if published:
            # the most recent such day not after publication
            y = published.year if (month, day) <= (published.month, published.day) else published.year - 1
            return _ymd(y, month, day)
        return f"--{month:02d}-{day:02d}"
    if g["my"]:
        month = lex.months.get(g["m3"].lower())
        return f"{int(g['y3']):04d}-{month:02d}" if month else None
    if g["rel"]:
        off = lex.relative.get(g["rel"].lower())
        if off is None:
            return None
        return (published + _dt.timedelta(days=off)).isoformat() if published else f"D{off:+d}".replace("+0", "0")
    if g["wd"]:
        idx = lex.weekdays.get(g["wd"].lower())
        if idx is None:
            return None
        if published:
            return _weekday(idx, published)
        return f"weekday:{WEEKDAYS[idx]}"
    if g["year"]:
        return g["year"]
    return None


def _ymd(y: int, m: int, d: int) -> str | None:
    try:
        return _dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def _weekday(index: int, published: _dt.date) -> str:
    """The day a weekday names in an article published on `published`: the most recent such day, the day of
    publication itself included. News says "on Thursday" of the day it reports on, in a Thursday article too;
    dateparser's "past" reading took that for the Thursday before (seven days off), so two reports of one strike
    published on its day seemed to name different days."""
    return (published - _dt.timedelta(days=(published.weekday() - index) % 7)).isoformat()


def date_overlap(a: list[DateMention], b: list[DateMention]) -> list[str]:
    """Values both articles mention, most specific first."""
    shared = {d.value for d in a} & {d.value for d in b}
    return sorted(shared, key=lambda v: (-len(v), v))
