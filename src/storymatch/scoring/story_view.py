"""An article as the same-story verifier sees it (StoryView), and the verifier's judgement of two of them.

compare makes the views of its two articles; the clusterer and search read them from the store (corpus/stories.py
keeps them); Spark makes them per partition: every one of them then asks `same_story_probability` or the
verifier directly, so "same story" means one thing everywhere.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.embedding.registry import get_embedder
from storymatch.embedding.tiers import FAST, get_tier
from storymatch.features.lsh import LSHParams, texts_keys
from storymatch.features.story_signals import StorySignals, story_signals
from storymatch.inputs.article import Article
from storymatch.scoring.verifier import (
    FEATURES,
    Verifier,
    headline_cosine,
    headline_text,
    key_overlap,
    pair_features,
    shipped_verifier,
)
from storymatch.text.language import detect_language


@dataclass
class StoryView:
    """One article as the same-story verifier sees it: an id, a unit vector, its particulars, its sentence LSH keys,
    its date and its headline vectors. What a store keeps of every article; what compare makes of two."""

    id: str
    vector: np.ndarray
    signals: StorySignals
    keys: frozenset[int] = frozenset()
    date: _dt.date | None = None
    headlines: dict[str, np.ndarray] = field(default_factory=dict)  # backend -> unit headline vector


def headline_backends(language: str | None, mixed: bool) -> tuple[str, ...]:
    """The sentence models an article's headline is embedded with: MiniLM for English, USE-multilingual for any
    other language, and both for English in a corpus that mixes languages (so its headlines meet the others')."""
    if (language or "en")[:2] != "en":
        return (USE_MULTILINGUAL,)
    return (MINILM, USE_MULTILINGUAL) if mixed else (MINILM,)


def headline_vectors(articles: Sequence[Article], mixed: bool) -> list[dict[str, np.ndarray]]:
    """Each article's headline vectors (scoring.verifier.headline_text), by backend, encoded in one call each."""
    out: list[dict[str, np.ndarray]] = [{} for _ in articles]
    for backend in (MINILM, USE_MULTILINGUAL):
        todo = [i for i, a in enumerate(articles) if backend in headline_backends(a.language, mixed)]
        if todo:
            vecs = get_embedder(backend).encode([headline_text(articles[i].title, articles[i].text) for i in todo])
            for i, v in zip(todo, vecs):
                out[i][backend] = v
    return out


def is_mixed(languages: Sequence[str | None]) -> bool:
    return len({(lang or "en")[:2] for lang in languages}) > 1


def story_views(articles: Sequence[Article], vectors: np.ndarray | None = None,
                lsh: LSHParams = LSHParams(), mixed: bool | None = None) -> list[StoryView]:
    """Articles as the verifier sees them, everything computed now (the fast tier's vectors unless given; `mixed`:
    whether they meet articles in other languages, by default whether these articles mix languages)."""
    for a in articles:
        a.language = a.language or detect_language(a.text)
    if vectors is None:
        vectors = get_tier(FAST).encode_articles(articles)
    keys = texts_keys([a.text for a in articles], lsh)
    heads = headline_vectors(articles, is_mixed([a.language for a in articles]) if mixed is None else mixed)
    items = []
    for a, v, (_, k), h in zip(articles, vectors, keys, heads):
        assert a.id is not None  # Article.__post_init__ always sets an id
        items.append(StoryView(a.id, v, story_signals(a), frozenset(int(x) for x in k.ravel() if x), a.date, h))
    return items




def view_features(a: StoryView, b: StoryView, cos: float | None = None, rank: float = math.nan,
                  best_cos: float = math.nan) -> list[float]:
    """The verifier's input for two views (`cos` when the caller has it, else from their vectors).

    Across languages the fast tier's cosine of two words-in-buckets vectors says nothing (a German and an English
    report of one strike: 0.13); the headlines' cosine in the multilingual model's shared space stands in for it,
    in training as at run time, so the verifier reads a translated report as it reads a reworded one.
    """
    headline = headline_cosine(a.headlines, b.headlines)
    if cos is None:
        cos = float(np.asarray(a.vector, dtype=np.float32) @ np.asarray(b.vector, dtype=np.float32))
    la, lb = (a.signals.language or "")[:2], (b.signals.language or "")[:2]
    across = bool(la and lb and la != lb)
    if across:
        # the fast tier's cosine of words-in-buckets vectors says nothing across languages: unknown, not low
        cos, best_cos = math.nan, math.nan
    row = pair_features(a.signals, b.signals, cos, key_overlap(a.keys, b.keys), rank, best_cos, headline)
    if across:
        # Title words are compared as words: across languages they are unknown, not absent. As 0 they told the
        # trees that a German and an English report of one strike had nothing in common at the top (p=0.14).
        row[FEATURES.index("title_overlap")] = row[FEATURES.index("title_jaccard")] = math.nan
    return row


def same_story_probability(a: Article, b: Article, verifier: Verifier | None = None) -> float:
    """P(same story) of two articles, from their views as a store would keep them."""
    x, y = story_views([a, b])
    return float((verifier or shipped_verifier()).probabilities([view_features(x, y)])[0])
