"""Embedding tiers: one article vector per article, at a chosen cost.

A tier turns Articles into unit-length float32 rows (a dot product is a cosine)
for the story clustering and the same-story vector index. The store records the
tier's `name` with its vectors, so every vector in one index comes from one space:
- "fast": frequency-weighted bag of words hashed into a dense vector (see
  `LexicalTier`), two orders of magnitude faster than a model, no model at all;
- "quality": the sentence embedder of `embedding.py` on title + text, MiniLM for
  English and USE-multilingual otherwise (chosen once, from the languages it is
  given, and then fixed in the name, e.g. "quality:minilm");
- "lead": the same embedder on the title and the first 60 words only;
- "hybrid": "lead" and "fast" side by side in one vector.
benchmarks/tiers.py measures them all on the same-story task; docs/EVALUATION.md
has the figures and why "fast" is what it is.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from storymatch.embedding.base import MINILM, USE_MULTILINGUAL, unit_rows
from storymatch.embedding.registry import choose_backend, get_embedder
from storymatch.errors import InputError
from storymatch.inputs.article import Article
from storymatch.text.rarity import COMMON_ZIPF, UNKNOWN_ZIPF, zipf_table

FAST, QUALITY, LEAD, HYBRID = "fast", "quality", "lead", "hybrid"
TIER_NAMES = (FAST, QUALITY, LEAD, HYBRID)
NO_VECTORS = "none"  # the tier name of a store that keeps no article vectors


class Tier(Protocol):
    name: str
    dim: int

    def encode_articles(self, articles: Sequence[Article]) -> np.ndarray: ...


# --- fast: hashed, frequency-weighted bag of words -------------------------------------

# Words of two or more characters, and single digits: the fast tier's terms. One regex instead of a filter per
# word (`\w+` then "len > 1 or isdigit"), so splitting an article is one C call.
_TOKEN = re.compile(r"\w{2,}|\d", re.UNICODE)
_MAX_TERMS = 1 << 20  # a table is emptied past this many terms, bounding memory over a corpus of millions


class _Terms(dict):
    """term -> (bucket, sign, weight) for one language and dimension, computed on a term's first sight.

    A dict rather than a cached function: the same words recur in every article, and a dict hit costs a
    fraction of a function call, which is what ingest spends per word. The weight is the word's self-information
    above that of the commonest words, log10 p(the) - log10 p(word), from general-language word frequencies
    (text/rarity.py) instead of the corpus's own IDF: it needs no fitting, so a vector never changes when more
    articles arrive, and it scores "the" 0, "said" about 2 and "Steele" about 5. A word pair (when used) gets the
    sum of its words' weights.
    """

    def __init__(self, lang: str, dim: int):
        super().__init__()
        self.lang, self.dim = lang, dim
        self.zipf = zipf_table(lang)

    def __missing__(self, term: str) -> tuple[int, float, float]:
        if len(self) >= _MAX_TERMS:
            self.clear()
        zipf = self.zipf  # rarity() of the lower-cased words, inlined: this runs once per new word of a corpus
        weight = sum(max(COMMON_ZIPF - max(zipf.get(word, 0.0), UNKNOWN_ZIPF), 0.0) for word in term.split(" "))
        h = zlib.crc32(term.encode("utf-8"))
        entry = ((h >> 1) % self.dim, (1.0 if h & 1 else -1.0), weight)
        self[term] = entry
        return entry


_TABLES: dict[tuple[str, int], _Terms] = {}


def _terms(lang: str, dim: int) -> _Terms:
    table = _TABLES.get((lang, dim))
    if table is None:
        table = _TABLES[(lang, dim)] = _Terms(lang, dim)
    return table


@dataclass
class LexicalTier:
    """Words weighted by (1 + ln tf) * rarity(word), signed-hashed into `dim` buckets.

    Signed feature hashing is a random projection of the sparse vector, so cosines
    are kept up to noise of about 1/sqrt(dim); kept dense because the vector index
    wants dense rows. The weighting is BM25/TF-IDF in spirit with a fixed IDF from
    wordfreq (many languages); for a language wordfreq lacks every word counts as
    rare, which degrades to sublinear TF, still a fair same-story signal.
    Adjacent word pairs are optional and off: measured, they cost 0.15 Pearson on
    SemEval en-en (benchmarks/tiers.py), as they make the cosine too literal.
    """

    dim: int = 1024
    pairs: bool = False
    name: str = FAST

    def encode_articles(self, articles: Sequence[Article]) -> np.ndarray:
        return self.encode_texts([article_text(a) for a in articles], [a.language for a in articles])

    def encode_texts(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        log = math.log
        for i, text in enumerate(texts):
            lang = ((languages[i] if languages else None) or "en")[:2]
            words = _TOKEN.findall(text.lower())
            terms = Counter(words)
            if self.pairs:
                terms.update(f"{a} {b}" for a, b in zip(words, words[1:]))
            if not terms:
                continue
            table = _terms(lang, self.dim)
            entries = [table[t] for t in terms]
            values = [sign * (1.0 + log(tf)) * weight for (_, sign, weight), tf in zip(entries, terms.values())]
            out[i] = np.bincount([e[0] for e in entries], weights=values, minlength=self.dim)
        return unit_rows(out)


# --- model tiers -----------------------------------------------------------------------


def article_text(article: Article) -> str:
    """Title and body, the title once: headline-only records often repeat it as their text."""
    if article.title and not article.text.lstrip().startswith(article.title.strip()):
        return article.full_text
    return article.text


LEAD_WORDS = 60


def lead_text(article: Article, words: int = LEAD_WORDS) -> str:
    """Title and the first `words` words: where a news story says what happened."""
    return " ".join(article_text(article).split()[:words])


@dataclass
class EmbedderTier:
    """A sentence embedder from embedding.py over the whole article or its lead."""

    backend: str
    lead_words: int | None = None
    name: str = QUALITY

    def __post_init__(self) -> None:
        self._embedder = get_embedder(self.backend)
        self.dim = self._embedder.dim

    def encode_articles(self, articles: Sequence[Article]) -> np.ndarray:
        if self.lead_words:
            texts = [lead_text(a, self.lead_words) for a in articles]
        else:
            texts = [article_text(a) for a in articles]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return unit_rows(self._embedder.encode(texts))


@dataclass
class HybridTier:
    """Two tiers side by side, each scaled by sqrt(weight): the cosine is their weighted mean."""

    parts: tuple[Tier, ...]
    weights: tuple[float, ...]
    name: str = HYBRID

    def __post_init__(self) -> None:
        self.dim = sum(p.dim for p in self.parts)

    def encode_articles(self, articles: Sequence[Article]) -> np.ndarray:
        total = sum(self.weights)
        blocks = [p.encode_articles(articles) * math.sqrt(w / total) for p, w in zip(self.parts, self.weights)]
        return unit_rows(np.hstack(blocks))


def get_tier(name: str | None = None, languages: Sequence[str | None] = ()) -> Tier:
    """The tier called `name` (default "fast").

    The model tiers pick their embedder from `languages` through
    embedding.choose_backend (MiniLM for English, else USE-multilingual); the
    resolved name ("quality:minilm", "hybrid:use-multilingual", ...) is accepted
    back, so a store can ask for exactly the space its vectors are in. Join
    thresholds (cluster.params_for) were measured with MiniLM.
    """
    name = name or FAST
    base, _, backend = name.partition(":")
    if base == FAST:
        return LexicalTier()
    if base in (MINILM, USE_MULTILINGUAL):
        base, backend = QUALITY, base
    if base not in (QUALITY, LEAD, HYBRID):
        raise InputError("tier", f"unknown tier {name!r} (choose from: {', '.join(TIER_NAMES)})")
    backend = backend or choose_backend(list(languages))
    resolved = f"{base}:{backend}"
    if base == QUALITY:
        return EmbedderTier(backend, name=resolved)
    lead = EmbedderTier(backend, lead_words=LEAD_WORDS, name=resolved)
    if base == LEAD:
        return lead
    return HybridTier((lead, LexicalTier()), (0.5, 0.5), name=resolved)
