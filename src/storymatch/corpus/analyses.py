"""A stored article's analysis, made once and kept in the store: what `search` and the server compare with.

Analysing an article (entities with spaCy, places, dates, sentence vectors through a model) is the slow part of a
comparison; a stored article gets it once, the first time a question needs it, and every later comparison reads
it back from the store's `analyses` table: the symbolic part as JSON, each backend's vectors as float32 rows (float32
so a comparison from the store equals `compare` on the same texts to the last digit). The table is derived data:
it is keyed by the hash of the analysis code (features.analysis.ANALYSIS_CODE), and emptied when that changes.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache

import numpy as np

from storymatch.corpus.store import Store, Stored
from storymatch.disk_cache import code_fingerprint
from storymatch.embedding.base import MPNET
from storymatch.errors import StoreDamaged
from storymatch.features.analysis import ANALYSIS_CODE, MAX_SENTENCES, ArticleFeatures, analyse, embed

FEATURES = "features"


@lru_cache(maxsize=1)
def analysis_code() -> str:
    return code_fingerprint(ANALYSIS_CODE)


def _vectors_kind(backend: str) -> str:
    return f"vectors:{backend}"


def analysis_for(store: Store, stored: Stored) -> ArticleFeatures:
    """The article's symbolic analysis (no vectors): read from the store, or made and kept there.

    An article that is not the store's own copy (a query file) is analysed, and nothing is kept.
    """
    if not store.holds(stored):
        return analyse(stored.article)
    raw = store.get_analysis(stored.seq, FEATURES, analysis_code())
    if raw is not None:
        try:
            feats = ArticleFeatures.from_record(stored.article, json.loads(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as e:  # a JSON object of another shape
            raise StoreDamaged(str(store.folder), f"article seq {stored.seq}: cached analysis {FEATURES!r} is not "
                                                  f"what storymatch writes ({type(e).__name__}; repair drops it)"
                               ) from None
        stored.article.language = stored.article.language or feats.language
        return feats
    feats = analyse(stored.article)
    store.put_analysis(stored.seq, {FEATURES: json.dumps(feats.to_record(), ensure_ascii=False).encode("utf-8")},
                       analysis_code())
    return feats


def embedded_for(store: Store, stored: Stored, analysis: ArticleFeatures, backend: str) -> ArticleFeatures:
    """A copy of `analysis` with its vectors through `backend` (and any kept headline vector): read from the store,
    or computed and kept there. The analysis itself is not changed, so one serves pairs with different backends."""
    feats = copy.copy(analysis)
    if not store.holds(stored):
        return embed(feats, backend)
    code = analysis_code()
    kind = _vectors_kind(backend)
    raw = store.get_analysis(stored.seq, kind, code)
    if raw is not None:
        rows = 4 + max(1, min(len(feats.sentences), MAX_SENTENCES))  # title, lead, article, document, sentences
        try:
            feats.with_vector_rows(backend, np.frombuffer(raw, dtype=np.float32).reshape(rows, -1))
        except ValueError:  # another number of rows than the article's sentences call for
            raise StoreDamaged(str(store.folder), f"article seq {stored.seq}: cached analysis {kind!r} has "
                                                  "another shape than its article's (repair drops it)") from None
    else:
        embed(feats, backend)
        store.put_analysis(stored.seq, {kind: feats.vector_rows().tobytes()}, code)
    headline = store.get_analysis(stored.seq, _vectors_kind(MPNET), code)
    if headline is not None:
        feats.headline_vector = np.frombuffer(headline, dtype=np.float32)
    return feats


def remember_headline(store: Store, stored: Stored, feats: ArticleFeatures) -> None:
    """Keep the large English model's headline vector a comparison computed for a stored article."""
    if feats.headline_vector is not None and store.holds(stored):
        code = analysis_code()
        if store.get_analysis(stored.seq, _vectors_kind(MPNET), code) is None:
            store.put_analysis(stored.seq, {_vectors_kind(MPNET): feats.headline_vector.astype(np.float32).tobytes()},
                               code)
