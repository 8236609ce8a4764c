"""What survives translation: the numbers, times, dates, names and places of a text, in forms two languages share.

A translator rewrites every word of a sentence but keeps its particulars: "22 million" stays 22, "10 pm" becomes
"22 Uhr", "Dec. 20" becomes "20. Dezember", "Mattis" becomes "Мэттис", "Syria" becomes "Сирии". Each is turned
into a key that does not depend on the language or script:

- numbers: the digits of the value without its scale or unit ("22 Millionen", "22 millions", "22 миллионами",
  "22 million" are all 22, since the scale word is language's own and the Russian one is not read), and a clock
  time also as its hour of a 24-hour day ("10 pm" is 10 and 22; "22 Uhr", "22:00", "22.00 horas" are 22);
- dates: year and month-day as separate keys (`features.dates`, each language's month names from dateparser),
  so "Jan. 1, 2020" and "1 de enero de 2020" share both and "July 2017" meets "2017";
- names: capitalised words, written in Latin letters (anyascii: "Мэттис" is "Mettis") and reduced to a consonant
  skeleton ("mts", as "Mattis" is), so a transliteration meets its original and a case ending ("Курцем",
  "Kurtsem") leaves the skeleton's start intact; in a language that capitalises every noun, its common nouns are
  not names (the entity rule's test);
- places: the countries the gazetteer knows them as (`features.places`), through Russian case endings
  ("Сирии", "Иорданией").

`agreement` says how two such sets meet: how many keys they share, and whether they contradict each other
(both hold numbers and share none), which no translation does.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from storymatch.features.dates import extract_dates
from storymatch.features.entities import NOUN_CAPITALISING, _common_noun
from storymatch.features.numbers import extract_numbers
from storymatch.features.places import country_named
from storymatch.text.normalize import strip_accents
from storymatch.text.rarity import zipf

# A clock time: "10 pm", "10 p.m.", "4am", "22 Uhr", "22:00", "22.00 horas", "22 heures", "22h30", "в 22:00".
_TIME = re.compile(r"(?<![\d.,:])(?P<h>\d{1,2})(?:(?P<sep>[:.h])(?P<m>\d{2}))?\s*"
                   r"(?P<unit>[ap]\.?\s?m\b\.?|uhr\b|horas?\b|heures?\b|h\b|час)?", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<![\w'\u2019-])([^\W\d_][\w'\u2019-]*)")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_WORD = re.compile(r"[^\W\d_]+")
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}")
# Case endings of Russian nouns, longest first: "Сирии" -> "Сири" + "я", "Иорданией" -> "Иордани" + "я".
_RU_ENDINGS = ("ией", "ами", "ями", "ого", "его", "ому", "ему", "ой", "ей", "ом", "ем", "ам", "ям",
               "ах", "ях", "ию", "ии", "ия", "ы", "и", "а", "я", "у", "ю", "е", "о")
_RU_NOMINATIVE = ("", "я", "а", "ия")
# Short forms the gazetteer's country table lacks in Russian (it has "Соединенные Штаты").
_RU_COUNTRIES = {"сша": "US", "рф": "RU", "оаэ": "AE", "кндр": "KP", "фрг": "DE", "великобритания": "GB"}
_VOWELS = set("aeiouy")
MIN_SKELETON = 3  # consonants a name's skeleton needs to count ("Kim" is "km": too short to tell anything)
COMMON_NAME_ZIPF = 3.5  # a sentence's first word is a name only when rarer than this in its language


@dataclass(frozen=True)
class Anchors:
    """A text's particulars in language-independent keys."""

    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]  # consonant skeletons
    places: frozenset[str]  # ISO country codes

    def __len__(self) -> int:
        return len(self.numbers) + len(self.dates) + len(self.names) + len(self.places)


@dataclass(frozen=True)
class Agreement:
    """How two texts' anchors meet: keys shared (names counted once per matched pair), kinds that contradict."""

    shared: int
    shared_numbers: int
    shared_dates: int
    shared_names: int
    shared_places: int
    conflict: bool
    unmatched: int  # keys of either side the other lacks (names counted by skeleton)

    @property
    def kinds(self) -> int:
        """Kinds of anchor the two share (numbers, dates, names, places)."""
        return sum(1 for n in (self.shared_numbers, self.shared_dates, self.shared_names, self.shared_places) if n)


def skeleton(word: str) -> str:
    """A name's consonant skeleton in Latin letters: "Mattis", "Мэттис" -> "mts"; "Washington", "Вашингтон" ->
    "vshngtn"; the first letter is kept even when a vowel ("Agarwal", "Агарвал" -> "agrvl")."""
    s = anyascii(word).lower()
    s = re.sub(r"[^a-z]", "", s)
    for a, b in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("tsch", "ch"), ("sch", "sh"), ("ts", "z"), ("tz", "z"),
                 ("ck", "k"), ("ph", "f"), ("th", "t"), ("gh", "g")):
        s = s.replace(a, b)
    s = s.translate(str.maketrans("cqwzx", "kkvsk"))
    if not s:
        return ""
    out = [s[0]]
    for ch in s[1:]:
        if ch in _VOWELS or ch == "h":
            continue
        if ch != out[-1]:
            out.append(ch)
    return "".join(out)


def names_match(a: str, b: str) -> bool:
    """Two skeletons name the same: equal, or one the other with a case ending ("krzm" / "krz")."""
    if a == b:
        return len(a) >= MIN_SKELETON
    short, long_ = sorted((a, b), key=len)
    return len(short) >= MIN_SKELETON and long_.startswith(short) and len(long_) - len(short) <= 2


def _country(words: list[str]) -> str | None:
    """The country a run of capitalised words names exactly, through Russian case endings on its last word."""
    phrase = " ".join(words)
    if code := country_named(phrase):
        return code
    last = words[-1].lower()
    if not _CYRILLIC.search(last):
        return None
    head = " ".join(words[:-1]).lower()
    for end in _RU_ENDINGS:
        if last.endswith(end) and len(last) - len(end) >= 2:
            for nom in _RU_NOMINATIVE:
                form = f"{head} {last[: -len(end)]}{nom}".strip()
                if code := (_RU_COUNTRIES.get(form) or country_named(form)):
                    return code
    return _RU_COUNTRIES.get(last) if len(words) == 1 else None


# Adjectives of countries: English capitalises them ("Russian forces"), German, French, Spanish and Russian do not
# ("russische Truppen", "les forces russes", "las fuerzas rusas", "российские военные"). Their endings, per language,
# longest first; what is left must begin one country's names and no other's ("russ": Russland, Russia, Russie).
_ADJECTIVE_ENDINGS = {
    "en": ("ians", "ian", "ans", "an", "ese", "ish", "i"),
    "de": ("ischen", "ischer", "isches", "ischem", "ische", "isch"),
    "fr": ("iennes", "ienne", "iens", "ien", "aises", "aise", "ais", "oises", "oise", "ois", "aines", "aine", "ains",
           "ain", "es", "e"),
    "es": ("anos", "anas", "ano", "ana", "eses", "esa", "és", "íes", "í", "os", "as", "o", "a"),
    "ru": ("ского", "скому", "скими", "ским", "ском", "ская", "ской", "скую", "ские", "ских", "ский"),
}
_MIN_STEM = 3
_MAX_REST = 4  # letters of the country's name after the adjective's stem: "russ|land", "jordan|ien", "сири|я"
# Adjectives that begin no one-word name of their country ("amerikanisch" would be American Samoa; Saudi Arabia
# and the United Kingdom have two-word names).
_STEMS = {"amerikan": "US", "american": "US", "americain": "US", "estadounidens": "US", "америка": "US",
          "saud": "SA", "саудов": "SA", "britis": "GB", "britann": "GB", "britan": "GB", "британ": "GB"}


@lru_cache(maxsize=8)
def _country_keys(lang: str) -> tuple[list[str], list[str]]:
    """The one-word country names of `lang` (CLDR's, through Babel; lower-cased, without accents), sorted, and
    their codes: an adjective is read against its own language's names ("meses" is not Italian "Messico")."""
    from babel import Locale  # CLDR data, read once per language

    table = {strip_accents(name).lower(): code for code, name in Locale(lang).territories.items()
             if len(code) == 2 and code.isalpha() and " " not in name.strip()}
    keys = sorted(table)
    return keys, [table[k] for k in keys]


@lru_cache(maxsize=20_000)
def _adjective_country(word: str, lang: str) -> str | None:
    """The country an adjective of nationality names ("russische", "rusas", "российские", "Russian"), or None."""
    low = strip_accents(word.lower())
    for stem, code in _STEMS.items():
        if low.startswith(stem):
            return code
    keys, codes = _country_keys(lang)
    for end in _ADJECTIVE_ENDINGS.get(lang, ()):
        end = strip_accents(end)
        if not low.endswith(end) or len(low) - len(end) < _MIN_STEM:
            continue
        stem = low[: -len(end)]
        if lang == "ru" and stem[-1:] in ("й", "и"):  # "российск-" -> "росси-" (Россия), "сирийск-" -> "сири-"
            stem = stem[:-1]
        found: set[str] = set()
        k = bisect.bisect_left(keys, stem)
        while k < len(keys) and keys[k].startswith(stem) and len(found) < 2:
            if len(keys[k]) - len(stem) <= _MAX_REST:
                found.add(codes[k])
            k += 1
        if len(found) == 1:
            return found.pop()
    return None


def _places(runs: list[list[str]]) -> set[str]:
    """Countries named in runs of capitalised words, the longest name first ("Estados Unidos", "Reino Unido")."""
    out = set()
    for run in runs:
        k = 0
        while k < len(run):
            for n in (3, 2, 1):
                if k + n <= len(run) and (code := _country(run[k:k + n])):
                    out.add(code)
                    k += n
                    break
            else:
                k += 1
    return out


def _is_name(word: str, lang: str | None, first: bool) -> bool:
    if len(word) < 2 or word.isdigit() or not word[0].isupper():
        return False
    code = (lang or "en")[:2]
    if first and zipf(word.lower(), code) >= COMMON_NAME_ZIPF and not word.isupper():
        return False  # any sentence's first word is capitalised: a common word there is no name
    if code in NOUN_CAPITALISING and not word.isupper() and _common_noun(word, code):
        return False
    return True


def _times(text: str) -> list[tuple[tuple[int, int], str]]:
    """Clock times: ((start, end), the hour of a 24-hour day); "10 pm" also counts as a number (10) elsewhere."""
    out = []
    for m in _TIME.finditer(text):
        unit = (m.group("unit") or "").lower().replace(".", "").replace(" ", "")
        if not unit and m.group("sep") != ":":
            continue
        hour = int(m.group("h"))
        if hour > 24:
            continue
        if unit == "pm" and hour < 12:
            hour += 12
        # a time written with minutes is one time, not two numbers; "10 pm" keeps its 10 among the numbers
        out.append(((m.start(), m.end()) if m.group("sep") else (m.start(), m.start()), str(hour)))
    return out


@lru_cache(maxsize=32_768)
def anchors(text: str, lang: str | None = None) -> Anchors:
    """The particulars of a sentence in `lang`, as keys two languages share (kept for the last 32,768 sentences:
    the translation level asks for each candidate pair's)."""
    return _anchors(text, lang)


@lru_cache(maxsize=128)
def article_anchors(text: str, lang: str | None = None) -> Anchors:
    """The particulars of a whole article (the scorer's cross-lingual features), kept for the last 128."""
    return _anchors(text, lang)


def _anchors(text: str, lang: str | None) -> Anchors:
    dates = extract_dates(text, lang)
    date_keys: set[str] = set()
    for d in dates:
        v = d.value
        if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v):
            date_keys.add(f"y{v[:4]}")
            if len(v) == 10:
                date_keys.add(f"md{v[5:]}")
        elif v.startswith("--"):
            date_keys.add(f"md{v[2:]}")
        elif v.startswith("weekday:"):
            date_keys.add(v)
    times = _times(text)
    # the numbers inside dates count too: "the 19 Sept. 11 hijackers" is read as the 19th of September, its
    # German translation "19 ... vom 11. September" as the 11th; both hold 19 and 11
    numbers = {n.value.rstrip("%").split("e")[0] for n in extract_numbers(text, skip=[s for s, _ in times])}
    numbers |= {hour for _, hour in times}
    names: set[str] = set()
    runs: list[list[str]] = []
    text = _ACRONYM.sub(lambda m: m.group().replace(".", ""), text)  # "U.S." is the name "US"
    last_end = -2
    for m in _CAPITALISED.finditer(text):
        word = re.sub(r"['\u2019]s$", "", m.group(1)).strip("'\u2019-")
        if not word or not word[0].isupper():
            last_end = -2
            continue
        if runs and text[last_end:m.start()] in (" ", "-"):
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = m.end()
        before = text[:m.start()].rstrip()
        first = not before or before[-1] in ".!?:\u00ab\u201c\"(\u2014-"
        if not _is_name(word, lang, first):
            continue
        for part in word.split("-"):
            if part and part[0].isupper() and len(sk := skeleton(part)) >= MIN_SKELETON:
                names.add(sk)
    places = _places([[w for part in run for w in part.split("-") if w] for run in runs])
    code = (lang or "en")[:2]
    if code in _ADJECTIVE_ENDINGS:
        for m in _WORD.finditer(text):
            w = m.group()
            if (w[0].isupper()) == (code == "en") and len(w) > _MIN_STEM + 1 and (c := _adjective_country(w, code)):
                places.add(c)
    return Anchors(frozenset(numbers), frozenset(date_keys), frozenset(names), frozenset(places))


def _matched_names(a: frozenset[str], b: frozenset[str]) -> int:
    used: set[str] = set()
    n = 0
    for x in sorted(a, key=len, reverse=True):
        for y in b:
            if y not in used and names_match(x, y):
                used.add(y)
                n += 1
                break
    return n


def agreement(a: Anchors, b: Anchors) -> Agreement:
    """What two texts' anchors share, and whether they contradict each other."""
    numbers = len(a.numbers & b.numbers)
    dates = len(a.dates & b.dates)
    names = _matched_names(a.names, b.names)
    places = len(a.places & b.places)
    # only numbers contradict: a translator keeps every figure, but may name a place by its capital, its adjective
    # or not at all ("Teherans Verbündeter" for "an Iranian proxy")
    conflict = bool(a.numbers and b.numbers and not numbers)
    shared = numbers + dates + names + places
    unmatched = (len(a.numbers ^ b.numbers) + len(a.dates ^ b.dates) + len(a.places ^ b.places)
                 + len(a.names) + len(b.names) - 2 * names)
    return Agreement(shared, numbers, dates, names, places, conflict, unmatched)
