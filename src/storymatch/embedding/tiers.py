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

import importlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np
import rensa

from storymatch.disk_cache import cache_folder, write_atomically
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
_SHIFT, _ONE = np.uint64(1), np.uint64(1)


def _terms(text: str) -> list[str]:
    """The fast tier's terms of a text: its words; a text with none (only emoji, invisible characters, letters
    buried under combining marks) is embedded by its space-separated chunks instead. Its vector was all zeros,
    which `check` rightly takes for a vector file filled with zeros: a valid ingest left a store check called
    damaged (issue 28). Every text ingest accepts has a non-space character, so no vector is zero."""
    low = text.lower()
    return _TOKEN.findall(low) or low.split()


_PAIR_MIX = np.uint64(0x9E3779B97F4A7C15)
_EMPTY_HASHES = np.zeros(0, dtype=np.uint64)


def _hashed_terms(texts: Sequence[str], titles: Sequence[str | None] | None = None,
                  body_words: Sequence[tuple[list[str], np.ndarray] | None] | None = None,
                  ) -> tuple[np.ndarray, np.ndarray]:
    r"""The hashes of every text's `_terms`, flat, and which text each is in (texts in order).

    Where a text's body is given already split into words and hashed (`body_words[i]`: the words of its normalised
    body, `text.spans.WORD`, as its LSH shingles were made of them), its terms are read off them: a word of letters
    and digits of two or more characters is a term as it is, hash and all; a word joined by hyphens or apostrophes
    ("al-assad", "trump's"), a single character and a sentence's end mark give the terms `_terms` finds in them
    (each \w run of two or more characters, or one digit). Every \w run of the text lies in exactly one such
    word, so the terms are the same, and the vector too: the order of a text's terms changes no sum (each bucket
    adds the text's distinct terms in their sorted order). `titles[i]` is then the title the text starts with, or
    None. Measured on the 3,581 benchmark articles: splitting each body again was 0.36 s of regex and 0.04 s of
    lower-casing, a third of the CPU a one-process ingest spent on the fast tier and the LSH keys together.
    """
    known: list[np.ndarray] = []  # per text: the hashes taken from its given words
    to_hash: list[list[str]] = []  # per text: the terms still to hash
    for i, text in enumerate(texts):
        words = body_words[i] if body_words is not None else None
        if words is None or not _words_give_terms(text):
            known.append(_EMPTY_HASHES)
            to_hash.append(_terms(text))
            continue
        units, hashes = words
        n = len(units)
        plain = np.fromiter(map(str.isalnum, units), dtype=bool, count=n)
        plain &= np.fromiter(map(len, units), dtype=np.int64, count=n) > 1
        rest = [term for j in np.flatnonzero(~plain).tolist() for term in _TOKEN.findall(units[j])]
        title = titles[i] if titles is not None else None
        if title:
            rest += _TOKEN.findall(title.lower())
        if not rest and not plain.any():  # no word at all: `_terms` falls back on space-separated chunks
            known.append(_EMPTY_HASHES)
            to_hash.append(_terms(text))
            continue
        known.append(hashes[plain])
        to_hash.append(rest)
    hashed = rensa.RMinHash.hash_token_sets(to_hash)
    per_text = [np.concatenate([k, np.asarray(extra, dtype=np.uint64)]) if len(extra) else k
                for k, extra in zip(known, hashed)]
    lengths = np.fromiter((len(p) for p in per_text), dtype=np.int64, count=len(per_text))
    flat = np.concatenate(per_text) if per_text else _EMPTY_HASHES
    return flat.astype(np.uint64, copy=False), np.repeat(np.arange(len(texts)), lengths)


def _words_give_terms(text: str) -> bool:
    """Whether a text's normalised words hold exactly the \\w runs of its lower case, as `_hashed_terms` needs.

    Two characters are lower-cased differently inside `text.normalize` than in the whole text: "İ", which
    `normalize` keeps (its lower case is two characters, "i" and a combining dot that is no word character), and a
    capital sigma, whose lower case depends on the characters around it, some of which `normalize` folds."""
    return "\u0130" not in text and "\u03a3" not in text


@lru_cache(maxsize=32)
def _weights(lang: str) -> tuple[np.ndarray, np.ndarray]:
    """(sorted word hashes, their weights) for the words of `lang` common enough to weigh less than an unknown word.

    The weight is the word's self-information above that of the commonest words, log10 p(the) - log10 p(word), from
    general-language word frequencies (text/rarity.py) instead of the corpus's own IDF: it needs no fitting, so a
    vector never changes when more articles arrive, and it scores "the" 0, "said" about 2 and "Steele" about 5.
    Looked up by hash (numpy searchsorted), so no word of an article is looked up in Python.

    The two arrays are kept in the model cache (`disk_cache`), keyed by wordfreq's and rensa's versions and this
    code: reading the word table back and hashing and sorting it took 34-109 ms a language, 0.46 s of a 2.7 s
    ingest of the 3,581 benchmark articles (seven languages, every `storymatch ingest` a new process); the two
    .npy files are read in about 1 ms.
    """
    rarity_code = importlib.import_module(zipf_table.__module__).__file__ or ""
    folder = cache_folder("fast-tier", ("wordfreq", "rensa"), [__file__, rarity_code])
    hashes_file, weights_file = folder / f"{lang}.hashes.npy", folder / f"{lang}.weights.npy"
    try:
        hashes, weights = np.load(hashes_file), np.load(weights_file)
        if hashes.dtype == np.uint64 and weights.dtype == np.float64 and hashes.shape == weights.shape:
            return hashes, weights
    except (OSError, ValueError):
        pass
    hashes, weights = _build_weights(lang)
    try:
        write_atomically(hashes_file, lambda tmp: _save(tmp, hashes))
        write_atomically(weights_file, lambda tmp: _save(tmp, weights))
    except OSError:
        pass  # a read-only cache: the arrays stay in memory for this process
    return hashes, weights


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:  # a file, not a name: np.save would add ".npy" to the temporary name
        np.save(fh, array)


def _build_weights(lang: str) -> tuple[np.ndarray, np.ndarray]:
    table = zipf_table(lang)
    words = list(table)
    if not words:
        return np.zeros(0, dtype=np.uint64), np.zeros(0)
    hashes = np.asarray(rensa.RMinHash.hash_token_sets([words])[0], dtype=np.uint64)
    weights = np.maximum(COMMON_ZIPF - np.maximum(np.fromiter(table.values(), dtype=np.float64), UNKNOWN_ZIPF), 0.0)
    order = np.argsort(hashes)
    return hashes[order], weights[order]


_UNKNOWN_WEIGHT = COMMON_ZIPF - UNKNOWN_ZIPF  # a word the frequency list does not hold: a name, a rare term


def _term_weights(hashes: np.ndarray, lang: str) -> np.ndarray:
    known, weights = _weights(lang)
    if not len(known):
        return np.full(len(hashes), _UNKNOWN_WEIGHT)
    pos = np.minimum(np.searchsorted(known, hashes), len(known) - 1)
    return np.where(known[pos] == hashes, weights[pos], _UNKNOWN_WEIGHT)


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

    Every step after splitting is done for all words at once: rensa hashes the words of all texts in one call,
    numpy counts them (np.unique), weighs them (a sorted table of the language's word hashes) and sums them
    into buckets (np.bincount). Store schema 2 (benchmarks/ingest.py): per word, a Python dictionary and a
    CRC-32 before.
    """

    dim: int = 1024
    pairs: bool = False
    name: str = FAST

    def encode_articles(self, articles: Sequence[Article],
                        body_words: Sequence[tuple[list[str], np.ndarray] | None] | None = None) -> np.ndarray:
        """`body_words[i]`, when given, are article i's body already split into words and hashed, as the LSH
        shingles split it (`features.minhash.ShingledSentences.words`): its terms are read off them instead of
        splitting the text again (the same terms, so the same vector to the last bit)."""
        texts = [article_text(a) for a in articles]
        languages = [a.language for a in articles]
        if body_words is None:
            return self.encode_texts(texts, languages)
        if self.pairs:  # word pairs need each text's words in order: split the texts again
            return self.encode_texts(texts, languages)
        titles = [a.title if title_kept(a) else None for a in articles]
        return self._vectors(*_hashed_terms(texts, titles, body_words), languages)

    def encode_texts(self, texts: Sequence[str], languages: Sequence[str | None] | None = None) -> np.ndarray:
        return self._vectors(*_hashed_terms(texts), languages or [None] * len(texts))

    def _vectors(self, h: np.ndarray, text_of: np.ndarray, languages: Sequence[str | None]) -> np.ndarray:
        """Each text's vector from its terms' hashes `h` (`text_of`: which text each is in, ascending)."""
        n = len(languages)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if not n:
            return out
        words = _SegmentCounts(h, text_of)  # each text's distinct words (sorted, so a weight look-up is a merge)
        weight = np.empty(len(words.values))
        langs = [(lang or "en")[:2] for lang in languages]
        lang_of = np.array(langs, dtype=object)[words.segment] if len(set(langs)) > 1 else None
        for lang in set(langs):
            mine = slice(None) if lang_of is None else lang_of == lang
            weight[mine] = _term_weights(words.values[mine], lang)
        terms, tf, text_of_term = words.values, words.counts, words.segment
        if self.pairs and len(h) > 1:  # a word pair weighs its two words' weights together
            word_weight = weight[words.inverse]
            inside = text_of[:-1] == text_of[1:]  # pairs within one text
            with np.errstate(over="ignore"):
                pair_hashes = ((h[:-1] * _PAIR_MIX) ^ h[1:])[inside]
            pairs = _SegmentCounts(pair_hashes, text_of[:-1][inside])
            pair_weight = (word_weight[:-1] + word_weight[1:])[inside][pairs.first]
            # each text's words, then its pairs: the order their values are summed in below
            order = np.argsort(np.concatenate([words.segment, pairs.segment]), kind="stable")
            terms = np.concatenate([terms, pairs.values])[order]
            tf = np.concatenate([tf, pairs.counts])[order]
            weight = np.concatenate([weight, pair_weight])[order]
            text_of_term = np.concatenate([words.segment, pairs.segment])[order]
        sign = np.where(terms & _ONE, 1.0, -1.0)
        values = sign * (1.0 + np.log(tf)) * weight
        buckets = text_of_term * self.dim + ((terms >> _SHIFT) % np.uint64(self.dim)).astype(np.int64)
        out[:] = np.bincount(buckets, weights=values, minlength=n * self.dim).reshape(n, self.dim)
        return unit_rows(out)


class _SegmentCounts:
    """The distinct values of each run of equal `segment` (a text's word hashes), sorted within the run: what
    np.unique(..., return_index, return_inverse, return_counts) gives one segment, for all segments in one sort.

    The fast tier weighed each article's words with its own np.unique, searchsorted and bincount (~10 numpy calls,
    0.28 s of the 0.56 s its vectors took for the 3,581 benchmark articles); one sort of the whole batch by
    (segment, value) does them all at once, and each bucket sums the same values in the same order as before, so
    vectors are equal to the last bit.
    """

    def __init__(self, values: np.ndarray, segment: np.ndarray):
        # each segment sorted on its own (stable: equal values keep their order, so `first` is the first): for a
        # batch of 256 articles 3.7 ms, np.lexsort((values, segment)) 9.3 ms
        ends = np.flatnonzero(np.append(segment[1:] != segment[:-1], True)) + 1 if len(segment) else np.zeros(0)
        bounds = zip([0, *ends[:-1].tolist()], ends.tolist())
        order = (np.concatenate([np.argsort(values[s:e], kind="stable") + s for s, e in bounds]) if len(segment)
                 else np.zeros(0, dtype=np.int64))
        v, seg = values[order], segment[order]
        new = np.ones(len(v), dtype=bool)
        new[1:] = (v[1:] != v[:-1]) | (seg[1:] != seg[:-1])
        starts = np.flatnonzero(new)
        self.values, self.segment = v[starts], seg[starts]
        self.counts = np.diff(np.append(starts, len(v)))
        self.first = order[starts]  # where each distinct value first occurs in `values`
        self.inverse = np.empty(len(v), dtype=np.int64)  # which distinct value each element of `values` is
        self.inverse[order] = np.cumsum(new) - 1


# --- model tiers -----------------------------------------------------------------------


def article_text(article: Article) -> str:
    """Title and body, the title once: headline-only records often repeat it as their text."""
    return article.full_text if title_kept(article) else article.text


def title_kept(article: Article) -> bool:
    """Whether `article_text` puts the title before the body (not when the body starts with it)."""
    return article.title is not None and article.title != "" and not article.text.lstrip().startswith(
        article.title.strip())


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


# The shipped backends' dimensions, known without loading them: a store's `dim:<tier>` is checked against these
# whenever it is opened, and loading a model for that would make every read command pay for it.
BACKEND_DIMS = {MINILM: 384, USE_MULTILINGUAL: 512}


def known_tier(name: str) -> bool:
    """Whether `name` is a tier name a store can hold: "none", "fast", or a model tier with its backend
    ("quality:minilm", "hybrid:/path/to/model")."""
    base, sep, backend = name.partition(":")
    if name in (NO_VECTORS, FAST):
        return True
    return base in (QUALITY, LEAD, HYBRID) and bool(sep) and bool(backend.strip())


def tier_dim(name: str) -> int | None:
    """The dimension of a stored tier's vectors, or None when only loading its model would tell (a local model)."""
    base, _, backend = name.partition(":")
    if base == FAST:
        return LexicalTier.dim
    model = BACKEND_DIMS.get(backend)
    if model is None or base not in (QUALITY, LEAD, HYBRID):
        return None
    return model + LexicalTier.dim if base == HYBRID else model


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
