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

from storymatch.features.analysis import ArticleFeatures, analyse
from storymatch.inputs.article import Article

KEPT = 64  # articles; an embedded article holds up to 84 vectors of 384-512 floats, ~170 KB


class AnalysisCache:
    """The last `size` analyses, by the content they were made from (least recently used dropped first)."""

    def __init__(self, size: int = KEPT):
        self.size = size
        self._kept: OrderedDict[bytes, ArticleFeatures] = OrderedDict()
        self._lock = threading.Lock()  # the server compares in several threads

    def analysis(self, article: Article) -> ArticleFeatures:
        """`analyse(article)`, or the analysis of an earlier article with the same content. Like `analyse`, it
        sets the article's language when the article did not give one."""
        key = content_key(article)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
        if found is None:
            found = analyse(article)
            with self._lock:
                self._kept[key] = found
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        elif not article.language:
            article.language = found.language
        return found

    def pop(self, article: Article) -> None:
        """Forget this article's analysis (the next compare analyses it afresh)."""
        with self._lock:
            self._kept.pop(content_key(article), None)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def content_key(article: Article) -> bytes:
    """What an analysis depends on: the text, the title, the date and the language given with the article."""
    h = hashlib.sha1()
    for part in (article.text, article.title or "", article.date.isoformat() if article.date else "",
                 article.language or ""):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.digest()


recent = AnalysisCache()
