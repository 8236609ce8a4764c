"""Per-article features: everything compare, the scorer and the corpus need from one article.

`analyse` does the language-level work (entities, places, dates, numbers,
quotes, words); `embed` adds vectors from a chosen backend. They are separate
because the backend for a pair depends on both articles' languages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storymatch.config import settings
from storymatch.embedding import mpnet
from storymatch.embedding.base import MINILM, MPNET, USE_LANGUAGES
from storymatch.embedding.registry import get_embedder
from storymatch.features.dates import DateMention, extract_dates
from storymatch.features.entities import PLACE_LABELS, Entity, entity_method, extract_entities
from storymatch.features.numbers import NumberMention, extract_numbers
from storymatch.features.places import Place, main_country, resolve_place, resolve_places
from storymatch.features.quotes import Quote, extract_quotes
from storymatch.inputs.article import Article
from storymatch.text.language import TOO_SHORT, identify_language, second_language
from storymatch.text.scripts import unit_list
from storymatch.text.spans import Span, sentences
from storymatch.text.stopwords import function_words

# The code that decides what an analysis holds: a cache of analyses (the SemEval feature cache, a store's
# analyses) is keyed by the hash of these packages, so a change to any file in them never reuses old ones.
ANALYSIS_CODE = ("storymatch.features", "storymatch.text", "storymatch.inputs")
MAX_SENTENCES = 80  # embedding cost is per sentence; news bodies rarely need more for matching
LEAD_SENTENCES = 3
GIVEN = "given with the article"  # language_method of an article whose record named its language
_LOCATIVE = re.compile(r"\b(in|near|at|from|toward|towards|outside|inside|into|across)\s+"
                       r"(the\s+)?(\w+(ern|ern-most)\s+)?$", re.I)

@dataclass
class ArticleFeatures:
    article: Article
    language: str | None
    sentences: list[Span]
    entities: list[Entity]
    places: list[Place]
    dates: list[DateMention]
    numbers: list[NumberMention]
    quotes: list[Quote]
    content_words: Counter
    main_country: str | None = None
    language_method: str | None = None  # how the language was told: "given", or text.language's BY_SCRIPT, LINGUA...
    mixed: str | None = None  # a second language the text is partly written in (text.language.second_language)
    entity_method: str | None = None  # the spaCy pipeline (with its version) or the rule that found the entities
    backend: str | None = None
    title_vector: np.ndarray | None = None
    lead_vector: np.ndarray | None = None
    article_vector: np.ndarray | None = None
    headline_vector: np.ndarray | None = None  # large English model, title + lead; None when not used
    doc_vector: np.ndarray | None = None
    sentence_vectors: np.ndarray | None = None
    timings: dict[str, float] = field(default_factory=dict)

    # -- storing an analysis: a store keeps it so a stored article is analysed once (corpus/analyses.py) --

    def to_record(self) -> dict[str, Any]:
        """The symbolic analysis as JSON-able values; texts of spans are re-read from the article on load."""
        return {
            "language": self.language, "main_country": self.main_country,
            "language_method": self.language_method, "entity_method": self.entity_method, "mixed": self.mixed,
            "sentences": [[s.start, s.end] for s in self.sentences],
            "entities": [[e.label, e.start, e.end] for e in self.entities],
            "places": [[p.name, p.country, p.inferred] for p in self.places],
            "dates": [[d.start, d.end, d.value] for d in self.dates],
            "numbers": [[n.text, n.start, n.end, n.value] for n in self.numbers],
            "quotes": [[q.start, q.end] for q in self.quotes],
            "content_words": dict(self.content_words),
        }

    @classmethod
    def from_record(cls, article: Article, rec: dict[str, Any]) -> "ArticleFeatures":
        text = article.text
        return cls(
            article=article, language=rec["language"], main_country=rec["main_country"],
            language_method=rec.get("language_method"), entity_method=rec.get("entity_method"),
            mixed=rec.get("mixed"),
            sentences=[Span(s, e, text[s:e]) for s, e in rec["sentences"]],
            entities=[Entity(text[s:e], label, s, e) for label, s, e in rec["entities"]],
            places=[Place(name, country, inferred) for name, country, inferred in rec["places"]],
            dates=[DateMention(text[s:e], s, e, value) for s, e, value in rec["dates"]],
            numbers=[NumberMention(t, s, e, value) for t, s, e, value in rec["numbers"]],
            quotes=[Quote(text[s:e], s, e) for s, e in rec["quotes"]],
            content_words=Counter(rec["content_words"]),
        )

    def vector_rows(self) -> np.ndarray:
        """This backend's vectors as one float32 matrix: title, lead, article, document, then every sentence."""
        parts = (self.title_vector, self.lead_vector, self.article_vector, self.doc_vector, self.sentence_vectors)
        if any(p is None for p in parts):
            raise ValueError("vector_rows needs embedded features (embed)")
        return np.vstack(parts).astype(np.float32)  # type: ignore[arg-type]

    def with_vector_rows(self, backend: str, rows: np.ndarray) -> "ArticleFeatures":
        """These features with the vectors `vector_rows` gave for `backend` (in place; returns self)."""
        self.title_vector, self.lead_vector, self.article_vector, self.doc_vector = rows[0], rows[1], rows[2], rows[3]
        self.sentence_vectors = rows[4:]
        self.backend = backend
        return self


def analyse(article: Article) -> ArticleFeatures:
    """Language and symbolic features of one article (no embeddings)."""
    text = article.text
    lang: str | None
    mixed = None
    if article.language:
        lang, told = article.language, GIVEN
    else:
        lang, told = identify_language(article.full_text)
        article.language = lang
        mixed = second_language(article.full_text, lang)
    ents = extract_entities(text, lang)
    place_ents = [e for e in ents if e.label in PLACE_LABELS or _locative(text, e) or resolve_place(e.text)]
    where = [_locative(text, e, any_label=True) for e in place_ents]
    mentions = [Place(e.text, resolve_place(e.text)) for e in place_ents]
    main = main_country(mentions, where)
    dates = extract_dates(text, lang, article.date)
    numbers = extract_numbers(text, skip=[(d.start, d.end) for d in dates])
    words = content_words(article.full_text)
    return ArticleFeatures(
        article=article,
        language=lang,
        language_method=told,
        mixed=mixed,
        entity_method=entity_method(lang),
        sentences=sentences(text),
        entities=ents,
        places=resolve_places(mentions, main),
        main_country=main,
        dates=dates,
        numbers=numbers,
        quotes=extract_quotes(text),
        content_words=words,
    )


def content_words(text: str) -> Counter:
    """The text's words for bag-of-words features, function words left out; in Chinese, Japanese, Korean and Thai
    the aligner's units (character bigrams, `text.scripts`), since a space-split "word" there is a whole clause
    that no other text repeats (every CJK pair had a word overlap of 0)."""
    sw = function_words()
    return Counter(w for w in unit_list(text) if w not in sw and len(w) > 1 and not w.isdigit())


def unread_reason(feats: ArticleFeatures) -> str | None:
    """Why no embedding model here reads this article (None when one does): a language outside every model's
    (Malay, Indonesian, Vietnamese, Hindi, ...; MiniLM reads English, USE-multilingual its 16), a script none reads,
    or a long text whose language lingua cannot name. Such an article is compared on what works without a model
    (names, numbers, dates, places, shared text), not by a cosine from a model that never saw its language. A text
    too short to name its language is still compared as English (text.language)."""
    lang = feats.language
    if lang is None:
        told = feats.language_method or ""
        return None if told in (TOO_SHORT, GIVEN, "") else told
    for code in (lang, feats.mixed):
        if code and code.split("-")[0].lower() not in USE_LANGUAGES:
            return f"{code}, a language no embedding model here was trained on"
    return None


def _locative(text: str, e: Entity, any_label: bool = False) -> bool:
    """Is the entity named as a location ('near X', 'in southern X')?

    spaCy's small models often tag an obscure place as a person; the preposition says place.
    """
    if not any_label and e.label not in ("PERSON", "ORG", "MISC"):
        return False
    return bool(_LOCATIVE.search(text[max(0, e.start - 25):e.start]))


def embed(feats: ArticleFeatures, backend: str) -> ArticleFeatures:
    """Title, lead, whole-article, sentence and document vectors through the chosen backend.

    The whole-article vector is the text as the model reads it (title and body, cut
    at the model's input length); it complements the sentence mean, which weighs a
    long tail as much as the lead (+0.007 Overall Pearson over all SemEval pairs in CV).
    """
    if feats.backend == backend:
        return feats
    art = feats.article
    sents = [s.text for s in feats.sentences[:MAX_SENTENCES]] or [art.text[:1000]]
    lead = " ".join(sents[:LEAD_SENTENCES])
    title = art.title or sents[0]
    embedder = get_embedder(backend)
    vecs = embedder.encode([title, lead, *sents])
    feats.title_vector, feats.lead_vector, feats.sentence_vectors = vecs[0], vecs[1], vecs[2:]
    # a call of its own: in the sentences' batch the long text would pad a whole batch to the
    # model's input length (measured: 660 instead of 190 ms an article with MiniLM)
    feats.article_vector = embedder.encode([art.full_text])[0]
    doc = feats.sentence_vectors.mean(axis=0)
    feats.doc_vector = doc / max(float(np.linalg.norm(doc)), 1e-12)
    feats.backend = backend
    return feats


def headline(feats: ArticleFeatures) -> str:
    """Title and lead as one text: what a reader takes in first, and what annotators weighed most."""
    lead = " ".join(s.text for s in feats.sentences[:LEAD_SENTENCES])
    title = feats.article.title
    return f"{title}. {lead}" if title else lead


def embed_english_headlines(fa: ArticleFeatures, fb: ArticleFeatures) -> None:
    """Headline vectors from the large English model, for a pair of English articles.

    Only for English pairs (the model is English-only) and only one short text per
    article (it is ~8× slower than MiniLM); scorers use the cosine when it is there.
    """
    if fa.language != "en" or fb.language != "en":
        return
    todo = [f for f in (fa, fb) if f.headline_vector is None]
    if todo:
        vecs = get_embedder(MPNET).encode([headline(f) for f in todo])
        for f, v in zip(todo, vecs):
            f.headline_vector = v


def embed_pair(fa: ArticleFeatures, fb: ArticleFeatures, backend: str, english_large: bool | None = None) -> None:
    """Everything a pair needs embedded: both articles through `backend`, and, when the large English model is
    asked for (`english_large`, default: the STORYMATCH_ENGLISH_LARGE setting, off), English headlines through it
    when the pair is English on the default backend (a user-chosen model means "this model only")."""
    embed(fa, backend)
    embed(fb, backend)
    if english_large is None:
        english_large = settings().english_large
    if english_large:
        mpnet.require()
        if backend == MINILM:
            embed_english_headlines(fa, fb)
