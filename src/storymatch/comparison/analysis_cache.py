"""Analyses of the articles a process compared lately, kept by content: an article compared with several others
(one suspected copy against its candidate sources, in the Python API or the server) is analysed and embedded once.

An analysis is a pure function of the text, title, date and the language given with the article (the fields
`analyse` and `embed` read), so those are the key; vectors added for a backend stay with it. On 40 SemEval pairs
analysing and embedding an article is about 140 ms of a ~250 ms warm compare (benchmarks/compare.py). Stored
articles have their own, lasting, cache: the store's analyses table (corpus/analyses.py).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np

from storymatch.features.analysis import GIVEN, ArticleFeatures, analyse
from storymatch.inputs.article import Article

KEPT = 64  # articles; an embedded article holds up to 84 vectors of 384-512 floats, ~170 KB


@dataclass
class _Kept:
    analysis: ArticleFeatures  # without vectors: every compare gets a copy, and what one adds is not another's
    vectors: dict[str, np.ndarray] = field(default_factory=dict)  # backend -> ArticleFeatures.vector_rows()
    headline: np.ndarray | None = None  # the large English model's headline vector, once made


class AnalysisCache:
    """The last `size` articles' analyses and vectors, by the content they were made from (least recently used
    dropped first)."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self._kept: OrderedDict[bytes, _Kept] = OrderedDict()
        self._lock = threading.Lock()  # the server compares in several threads

    def analysis(self, article: Article) -> ArticleFeatures:
        """`analyse(article)`, or a copy of the analysis of an earlier article with the same content, without
        vectors (`restore_vectors` adds those kept). Like `analyse`, it sets the article's language when the
        article did not give one."""
        key = content_key(article)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
        if found is None:
            made = analyse(article)
            with self._lock:
                self._kept[key] = _Kept(replace(made))
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
            return made
        if not article.language:
            article.language = found.analysis.language
        return replace(found.analysis, article=article, timings={})

    def restore_vectors(self, feats: ArticleFeatures, backend: str, headline: bool) -> None:
        """Give `feats` (from `analysis`) the vectors kept for its content and `backend` (and the English headline
        vector when `headline`), so `embed_pair` has nothing left to do for it."""
        with self._lock:
            found = self._kept.get(_analysed_key(feats))
            rows = found.vectors.get(backend) if found else None
            head = found.headline if found and headline else None
        if rows is not None:
            feats.with_vector_rows(backend, rows)
        if head is not None:
            feats.headline_vector = head

    def keep_vectors(self, feats: ArticleFeatures) -> None:
        """Keep the vectors `feats` (from `analysis`) has now, for the next compare of this content."""
        if feats.backend is None:
            return
        with self._lock:
            found = self._kept.get(_analysed_key(feats))
            if found is not None:
                found.vectors[feats.backend] = feats.vector_rows()
                if feats.headline_vector is not None:
                    found.headline = feats.headline_vector

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def content_key(article: Article) -> bytes:
    """What an analysis depends on: the text, the title, the date and the language given with the article."""
    return _key(article, article.language)


def _analysed_key(feats: ArticleFeatures) -> bytes:
    """The `content_key` the article of `feats` had before `analyse` set the language it identified."""
    return _key(feats.article, feats.language if feats.language_method == GIVEN else None)


def _key(article: Article, given_language: str | None) -> bytes:
    h = hashlib.sha1()
    for part in (article.text, article.title or "", article.date.isoformat() if article.date else "",
                 given_language or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.digest()


recent = AnalysisCache()
