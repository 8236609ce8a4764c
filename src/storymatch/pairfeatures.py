"""Pair features: two analysed articles (and their alignment) to named numbers.

The one place where a pair becomes numbers; the rule scorer and the learned
scorer both read this dict, so a scorer can be swapped without touching
extraction. Every feature is a float, with 0.0 for "no evidence".
"""

from __future__ import annotations

import numpy as np

from .dates import date_overlap
from .embedding import USE_MULTILINGUAL
from .features import ArticleFeatures
from .matching import group_names, match_groups
from .quotes import shared_quotes

SENTENCE_MATCH = 0.75  # cosine above which two sentences are taken to say the same thing


def _cos(u: np.ndarray | None, v: np.ndarray | None) -> float:
    if u is None or v is None:
        return 0.0
    return float(np.clip(u @ v, -1.0, 1.0))


def _overlap(a: set, b: set) -> tuple[float, float]:
    """(Jaccard, overlap over the smaller set)."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / len(a | b), inter / min(len(a), len(b))


def sentence_similarity(fa: ArticleFeatures, fb: ArticleFeatures) -> np.ndarray:
    return fa.sentence_vectors @ fb.sentence_vectors.T


def pair_features(fa: ArticleFeatures, fb: ArticleFeatures, reuse: dict | None = None) -> dict[str, float]:
    f: dict[str, float] = {}
    f["doc_cos"] = _cos(fa.doc_vector, fb.doc_vector)
    f["title_cos"] = _cos(fa.title_vector, fb.title_vector)
    f["lead_cos"] = _cos(fa.lead_vector, fb.lead_vector)

    sim = sentence_similarity(fa, fb)
    best_a, best_b = sim.max(axis=1), sim.max(axis=0)
    f["sent_best_a"] = float(best_a.mean())
    f["sent_best_b"] = float(best_b.mean())
    f["sent_best_max"] = float(sim.max())
    f["sent_match_a"] = float((best_a >= SENTENCE_MATCH).mean())
    f["sent_match_b"] = float((best_b >= SENTENCE_MATCH).mean())

    ga, gb = group_names(fa.entities), group_names(fb.entities)
    matched = match_groups(ga, gb)
    union = len(ga) + len(gb) - len(matched)
    f["entity_jaccard"] = len(matched) / union if union else 0.0
    f["entity_overlap"] = len(matched) / min(len(ga), len(gb)) if ga and gb else 0.0
    f["entities_a"], f["entities_b"] = float(len(ga)), float(len(gb))

    ca = {p.country for p in fa.places if p.country}
    cb = {p.country for p in fb.places if p.country}
    f["country_jaccard"], f["country_overlap"] = _overlap(ca, cb)
    f["has_places"] = float(bool(ca) and bool(cb))

    da, db = fa.dates, fb.dates
    shared_dates = date_overlap(da, db)
    f["date_overlap"] = len(shared_dates) / min(len({d.value for d in da}), len({d.value for d in db})) if da and db else 0.0
    f["has_dates"] = float(bool(da) and bool(db))
    pa, pb = fa.article.date, fb.article.date
    f["has_pubdates"] = float(pa is not None and pb is not None)
    f["pubdate_gap_days"] = float(abs((pa - pb).days)) if pa and pb else 0.0

    na, nb = {n.value for n in fa.numbers}, {n.value for n in fb.numbers}
    f["number_jaccard"], f["number_overlap"] = _overlap(na, nb)

    sq = shared_quotes(fa.quotes, fb.quotes)
    f["quotes_shared"] = float(len(sq))
    f["quote_overlap"] = len(sq) / min(len(fa.quotes), len(fb.quotes)) if fa.quotes and fb.quotes else 0.0

    wa, wb = fa.content_words, fb.content_words
    f["word_jaccard"], f["word_overlap"] = _overlap(set(wa), set(wb))
    f["word_cos"] = _count_cosine(wa, wb)

    la, lb = len(fa.article.text), len(fb.article.text)
    f["len_ratio"] = min(la, lb) / max(la, lb) if max(la, lb) else 0.0
    f["same_language"] = float(fa.language == fb.language)
    f["multilingual_backend"] = float(fa.backend == USE_MULTILINGUAL)

    if reuse:
        f["reuse_coverage_a"] = float(reuse.get("coverage_a", 0.0))
        f["reuse_coverage_b"] = float(reuse.get("coverage_b", 0.0))
    else:
        f["reuse_coverage_a"] = f["reuse_coverage_b"] = 0.0
    f["reuse_coverage_max"] = max(f["reuse_coverage_a"], f["reuse_coverage_b"])
    return f


def _count_cosine(a, b) -> float:
    if not a or not b:
        return 0.0
    dot = sum(np.log1p(a[w]) * np.log1p(b[w]) for w in a.keys() & b.keys())
    na = np.sqrt(sum(np.log1p(v) ** 2 for v in a.values()))
    nb = np.sqrt(sum(np.log1p(v) ** 2 for v in b.values()))
    return float(dot / (na * nb))
