"""Pair features: two analysed articles (and their alignment) to named numbers.

The one place where a pair becomes numbers; the rule scorer and the learned
scorer both read this dict, so a scorer can be swapped without touching
extraction. Every feature is a float, with 0.0 for "no evidence".
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from storymatch.alignment.aligner import coverage
from storymatch.alignment.types import Alignment
from storymatch.embedding.base import USE_MULTILINGUAL
from storymatch.features.analysis import MAX_SENTENCES, ArticleFeatures
from storymatch.features.anchors import agreement, article_anchors
from storymatch.features.dates import date_overlap
from storymatch.features.names import group_names, match_groups
from storymatch.features.quotes import shared_quotes
from storymatch.text.scripts import unit_list
from storymatch.text.stopwords import function_words

SENTENCE_MATCH = 0.75  # cosine above which two sentences are taken to say the same thing
# Languages of the SemEval training pairs. Their indicators let the learned scorer adjust to a
# language's own spread of feature values (inflection lowers word overlap in tr and pl, say);
# a pair in any other language has all of them at 0 and gets the cross-language average.
INDICATOR_LANGUAGES = ("en", "de", "es", "tr", "ar", "pl", "fr")
ENGLISH_HEADLINE = "english_headline_cos"
# Features read from sentence embeddings: absent for a pair no model reads (the scorer then uses its model
# fitted without them). The rest (names, places, dates, numbers, quotes, words, character n-grams, shared text,
# lengths, languages) work in any language.
EMBEDDING_FEATURES = frozenset({
    "doc_cos", "title_cos", "lead_cos", "article_cos", ENGLISH_HEADLINE, "sent_best_a", "sent_best_b",
    "sent_best_max", "sent_match_a", "sent_match_b", "sent_best_mean", "sent_best_min_side", "sent_best_median",
    "sent_best_top3", "sent_sim_mean", "sent_match_60", "sent_match_85", "first_sent_cos", "head_cos", "tail_cos",
    "title_lead_cross", "sent_best_shorter", "multilingual_backend"})


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
    """Cosine of every sentence of A with every sentence of B (rows: A's sentences)."""
    if fa.sentence_vectors is None or fb.sentence_vectors is None:
        raise ValueError("sentence_similarity needs embedded features (features.analysis.embed)")
    return fa.sentence_vectors @ fb.sentence_vectors.T


def lexical_similarity(fa: ArticleFeatures, fb: ArticleFeatures) -> np.ndarray:
    """Sentence similarity without a model: the cosine of their character 4-gram counts (rows: A's sentences, at
    most MAX_SENTENCES each), for the evidence of a pair no embedding model reads."""
    ga = [_char_grams(s.text, limit=2000) for s in fa.sentences[:MAX_SENTENCES]]
    gb = [_char_grams(s.text, limit=2000) for s in fb.sentences[:MAX_SENTENCES]]
    return np.array([[_count_cosine(x, y) for y in gb] for x in ga], dtype=np.float64).reshape(len(ga), len(gb))


def pair_features(fa: ArticleFeatures, fb: ArticleFeatures, reuse: Alignment | None = None,
                  sim: np.ndarray | None = None, headline: bool = True) -> dict[str, float]:
    """The named numbers of a pair of embedded articles; `sim` is their sentence_similarity when already made.

    `headline=False` leaves out the large English model's cosine even where headline vectors are at hand (a
    store keeps them once made), so a comparison uses that model only when asked for. A pair that was not
    embedded (a language no model here reads: features.analysis.unread_reason) gets every feature but those of
    EMBEDDING_FEATURES, which the learned scorer's model without embeddings reads.
    """
    f: dict[str, float] = {}
    if fa.sentence_vectors is not None and fb.sentence_vectors is not None:
        f.update(_embedding_features(fa, fb, sim, headline))
    else:
        f["sentences_min"] = float(min(_sentence_count(fa), _sentence_count(fb)))
        f["sentences_max"] = float(max(_sentence_count(fa), _sentence_count(fb)))

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
    f["main_country_match"] = float(fa.main_country is not None and fa.main_country == fb.main_country)

    da, db = fa.dates, fb.dates
    shared_dates = date_overlap(da, db)
    f["date_overlap"] = (len(shared_dates) / min(len({d.value for d in da}), len({d.value for d in db}))
                         if da and db else 0.0)
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
    if "doc_cos" in f:
        f["multilingual_backend"] = float(fa.backend == USE_MULTILINGUAL)
    for lang in INDICATOR_LANGUAGES:
        f[f"lang_{lang}"] = float(fa.language == lang) + float(fb.language == lang)

    f.update(_surface_features(fa, fb))
    f.update(_anchor_features(fa, fb))
    f.update(_reuse_features(reuse, la, lb))
    return f


def _anchor_features(fa: ArticleFeatures, fb: ArticleFeatures) -> dict[str, float]:
    """What two articles share that no language changes (features.anchors): names in any script (transliterated
    skeletons: "Mattis" / "Мэттис"), numbers and clock hours, dates, countries (by name or adjective). The
    multilingual cosine reads a cross-lingual pair's wording; these read its particulars, as they read a pair in
    one language."""
    a = article_anchors(fa.article.full_text, fa.language)
    b = article_anchors(fb.article.full_text, fb.language)
    ag = agreement(a, b)

    def share(n: int, x: frozenset, y: frozenset) -> float:
        return n / min(len(x), len(y)) if x and y else 0.0

    return {
        "anchor_names": share(ag.shared_names, a.names, b.names),
        "anchor_numbers": share(ag.shared_numbers, a.numbers, b.numbers),
        "anchor_dates": share(ag.shared_dates, a.dates, b.dates),
        "anchor_places": share(ag.shared_places, a.places, b.places),
        "anchor_shared": float(ag.shared),
        "anchor_jaccard": ag.shared / (ag.shared + ag.unmatched) if ag.shared + ag.unmatched else 0.0,
    }


def _sentence_count(feats: ArticleFeatures) -> int:
    """Sentences as embed() would embed them: at most MAX_SENTENCES, and one for a text without any."""
    return max(1, min(len(feats.sentences), MAX_SENTENCES))


def _embedding_features(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray | None,
                        headline: bool) -> dict[str, float]:
    f: dict[str, float] = {}
    f["doc_cos"] = _cos(fa.doc_vector, fb.doc_vector)
    f["title_cos"] = _cos(fa.title_vector, fb.title_vector)
    f["lead_cos"] = _cos(fa.lead_vector, fb.lead_vector)
    f["article_cos"] = _cos(fa.article_vector, fb.article_vector)
    if headline and fa.headline_vector is not None and fb.headline_vector is not None:
        # present only when the large English model ran; the learned scorer refines with it (learned.py)
        f[ENGLISH_HEADLINE] = _cos(fa.headline_vector, fb.headline_vector)
    if sim is None:
        sim = sentence_similarity(fa, fb)
    best_a, best_b = sim.max(axis=1), sim.max(axis=0)
    f["sent_best_a"] = float(best_a.mean())
    f["sent_best_b"] = float(best_b.mean())
    f["sent_best_max"] = float(sim.max())
    f["sent_match_a"] = float((best_a >= SENTENCE_MATCH).mean())
    f["sent_match_b"] = float((best_b >= SENTENCE_MATCH).mean())
    f.update(_sentence_stats(fa, fb, sim, best_a, best_b))
    return f


def _count_cosine(a, b) -> float:
    if not a or not b:
        return 0.0
    dot = sum(np.log1p(a[w]) * np.log1p(b[w]) for w in a.keys() & b.keys())
    na = np.sqrt(sum(np.log1p(v) ** 2 for v in a.values()))
    nb = np.sqrt(sum(np.log1p(v) ** 2 for v in b.values()))
    return float(dot / (na * nb))


HEAD_TAIL = 5  # sentences: the head carries the news, the tail often a different angle or boilerplate


def _mean_unit(vectors: np.ndarray) -> np.ndarray | None:
    if vectors is None or len(vectors) == 0:
        return None
    m = vectors.mean(axis=0)
    return m / max(float(np.linalg.norm(m)), 1e-12)


def _sentence_stats(fa: ArticleFeatures, fb: ArticleFeatures, sim: np.ndarray, best_a: np.ndarray,
                    best_b: np.ndarray) -> dict[str, float]:
    """Best-match statistics, head/tail and cross title-lead similarity (top SemEval systems used these views).

    Symmetric forms (min/max/mean over the two directions) let the model ignore
    which article came first, as the annotators did.
    """
    va, vb = fa.sentence_vectors, fb.sentence_vectors
    assert va is not None and vb is not None  # embedded articles (sim was made from these vectors)
    both = np.concatenate([best_a, best_b])
    f = {
        "sent_best_mean": float(both.mean()),
        "sent_best_min_side": float(min(best_a.mean(), best_b.mean())),
        "sent_best_median": float(np.median(both)),
        "sent_best_top3": float(np.sort(both)[-3:].mean()),
        "sent_sim_mean": float(sim.mean()),
        "sent_match_60": float((both >= 0.6).mean()),
        "sent_match_85": float((both >= 0.85).mean()),
        "first_sent_cos": float(sim[0, 0]),
        "head_cos": _cos(_mean_unit(va[:HEAD_TAIL]), _mean_unit(vb[:HEAD_TAIL])),
        "tail_cos": _cos(_mean_unit(va[-HEAD_TAIL:]), _mean_unit(vb[-HEAD_TAIL:])),
        "title_lead_cross": max(_cos(fa.title_vector, fb.lead_vector), _cos(fa.lead_vector, fb.title_vector)),
        "sentences_min": float(min(len(va), len(vb))),
        "sentences_max": float(max(len(va), len(vb))),
    }
    # how many sentences of the shorter article find a counterpart anywhere in the longer one
    short = best_a if len(va) <= len(vb) else best_b
    f["sent_best_shorter"] = float(short.mean())
    return f


def _char_grams(text: str, n: int = 4, limit: int = 6000) -> dict[str, int]:
    t = " ".join(text[:limit].lower().split())
    return Counter(t[i:i + n] for i in range(max(0, len(t) - n + 1)))


def _surface_features(fa: ArticleFeatures, fb: ArticleFeatures) -> dict[str, float]:
    """Script-independent lexical overlap: character 4-grams survive inflection (tr, pl, ar) where words do not."""
    a, b = fa.article, fb.article
    ta, tb = set(_title_words(fa)), set(_title_words(fb))
    f = {
        "char4_cos": _count_cosine(_char_grams(a.full_text), _char_grams(b.full_text)),
        "title_word_jaccard": _overlap(ta, tb)[0],
        "has_titles": float(bool(a.title) and bool(b.title)),
        "log_chars_min": float(np.log1p(min(len(a.text), len(b.text)))),
        "log_chars_max": float(np.log1p(max(len(a.text), len(b.text)))),
        "entity_shared": float(len({e.key for e in fa.entities} & {e.key for e in fb.entities})),
        "numbers_shared": float(len({n.value for n in fa.numbers} & {n.value for n in fb.numbers})),
        "places_min": float(min(len(fa.places), len(fb.places))),
        "quotes_min": float(min(len(fa.quotes), len(fb.quotes))),
    }
    return f


def _title_words(feats: ArticleFeatures) -> list[str]:
    art = feats.article
    title = art.title or (feats.sentences[0].text if feats.sentences else "")
    sw = function_words()
    return [w for w in unit_list(title) if w not in sw and len(w) > 1]  # bigrams in CJK and Thai, as the aligner


def _reuse_features(reuse: Alignment | None, len_a: int, len_b: int) -> dict[str, float]:
    """How much text is shared, and how: verbatim copying versus paraphrase, in how many passages.

    Coverage counts every passage, translated ones too: a translated copy shares its text as much as a verbatim
    one, and the scorer, refitted with translation passages (issue 24), reads it so. How the shared wording was
    altered (verbatim share, similarity, passages) is read from the passages in one language only, since a
    translation's "similarity" is an embedding cosine, not a character ratio; `translation_coverage_*` say how
    much of the shared text was translated.
    """
    passages = reuse.passages if reuse else []
    coverage_a, coverage_b = (reuse.coverage_a, reuse.coverage_b) if reuse else (0.0, 0.0)
    translated = [p for p in passages if p.kind == "translation"]
    same = [p for p in passages if p.kind != "translation"]
    t_a = coverage([(p.a_start, p.a_end) for p in translated], len_a)
    t_b = coverage([(p.b_start, p.b_end) for p in translated], len_b)
    verbatim = [p for p in same if p.kind == "verbatim"]
    return {
        "reuse_passages": float(len(same)),
        "reuse_verbatim_share": len(verbatim) / len(same) if same else 0.0,
        "reuse_similarity_mean": float(np.mean([p.similarity for p in same])) if same else 0.0,
        "reuse_coverage_a": coverage_a,
        "reuse_coverage_b": coverage_b,
        "reuse_coverage_max": max(coverage_a, coverage_b),
        "reuse_coverage_min": min(coverage_a, coverage_b),
        "translation_coverage_max": max(t_a, t_b),
        "translation_coverage_min": min(t_a, t_b),
    }
