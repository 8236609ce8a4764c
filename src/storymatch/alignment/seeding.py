"""Seeds for text alignment: shared word n-grams between two texts, chained into passages.

This is the first two stages of the PAN text-alignment pipeline (seeding, then
extension across small gaps), done passim-style on word n-grams. Words are
hashed to integer ids and n-grams hashed with numpy, so the only Python loop
is over the (few) matching seeds, never over characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from storymatch.text.spans import _WORD, normalize  # the one word rule, so spans here match text.words

# Phrases journalists attach to any story. Words matched inside them are not
# evidence of reuse, so a passage made only of them is never reported.
STOCK_PHRASES = (
    "according to", "on condition of anonymity", "condition of anonymity", "spoke on condition",
    "who spoke on condition", "told reporters", "told journalists", "told afp", "told reuters", "told ap",
    "told the associated press", "news agency", "said in a statement", "in a statement", "a spokesman said",
    "a spokeswoman said", "a spokesperson said", "declined to comment", "could not be reached for comment",
    "did not respond to a request for comment", "did not immediately respond", "requests for comment",
    "officials said", "official said", "officials say", "sources said", "according to officials",
    "according to reports", "according to a statement", "local media reported", "local media",
    "state media", "state-run", "not authorized to discuss", "not authorised to discuss",
    "to discuss the matter publicly", "speaking on condition", "asked not to be named", "the matter publicly",
    "on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "on saturday", "on sunday",
    "last week", "last month", "last year", "this week", "this month", "this year", "earlier this",
    "all rights reserved", "copyright",
)


@lru_cache(maxsize=1)
def _stock_hashes() -> dict[int, np.ndarray]:
    """Stock phrases as word n-gram hashes by length, to find them with the same hashing as seeds."""
    by_len: dict[int, list[int]] = {}
    for phrase in STOCK_PHRASES:
        ids = np.fromiter(map(hash, _WORD.findall(normalize(phrase))), dtype=np.int64)
        by_len.setdefault(len(ids), []).append(int(ngram_hashes(ids, len(ids))[0]))
    return {n: np.array(sorted(h), dtype=np.uint64) for n, h in by_len.items()}


def _mark_stock(ids: np.ndarray, distinctive: np.ndarray) -> None:
    """Words inside stock phrases are not distinctive (in place)."""
    for n, table in _stock_hashes().items():
        h = ngram_hashes(ids, n)
        if not len(h):
            continue
        pos = np.minimum(np.searchsorted(table, h), len(table) - 1)
        hits = np.nonzero(table[pos] == h)[0]
        if len(hits):
            distinctive[(hits[:, None] + np.arange(n)).ravel()] = False


@lru_cache(maxsize=16)
def stopwords(language: str = "en", n: int = 150) -> frozenset[str]:
    """The language's most frequent words (wordfreq), which carry no evidence of copying.

    A frequency list rather than a hand-written stopword list: wordfreq covers
    40+ languages with one consistent definition.
    """
    import wordfreq

    lang = (language or "en").split("-")[0].lower()
    try:
        words = wordfreq.top_n_list(lang, n)
    except (LookupError, ValueError):
        words = wordfreq.top_n_list("en", n)
    return frozenset(words)


@dataclass
class Tokens:
    """A text's words as arrays: offsets into the original text, interned ids, distinctiveness."""

    text: str
    norm: str
    words: list[str]
    starts: np.ndarray
    ends: np.ndarray
    ids: np.ndarray
    distinctive: np.ndarray  # bool: not a stopword, not inside a stock phrase

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, language: str | None = None) -> Tokens:
    """Words of `text` (on its length-preserving normalisation) with offsets and integer ids.

    Ids are the words' string hashes: equal within one process, which is all
    seeding needs, and computed in C (map) rather than in a Python loop.
    """
    norm = normalize(text)
    matches = list(_WORD.finditer(norm))
    words = list(map(re.Match.group, matches))
    n = len(words)
    starts = np.fromiter(map(re.Match.start, matches), dtype=np.int64, count=n)
    ends = np.fromiter(map(re.Match.end, matches), dtype=np.int64, count=n)
    ids = np.fromiter(map(hash, words), dtype=np.int64, count=n)
    stop = stopwords(language or "en")
    distinctive = ~np.fromiter(map(stop.__contains__, words), dtype=bool, count=n)
    for k in np.nonzero(distinctive & (ends - starts < 3))[0].tolist():
        distinctive[k] = not words[k].isalpha()  # short words count only as numbers ("18", "G7")
    _mark_stock(ids, distinctive)
    return Tokens(text, norm, words, starts, ends, ids, distinctive)


def ngram_hashes(ids: np.ndarray, n: int) -> np.ndarray:
    """Rolling polynomial hash of every word n-gram (uint64, wrap-around is intended)."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.uint64)
    x = ids.view(np.uint64)
    h = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        for k in range(n):
            h = h * base + x[k:len(ids) - n + 1 + k]
    return h


def seeds(a: Tokens, b: Tokens, n: int = 3, max_repeat: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) where A's n-gram at word i equals B's at word j.

    N-grams repeated more than `max_repeat` times in B are no seeds (they match
    everywhere). N-grams of stopwords are kept so that passages extend through
    them; the filters downstream require distinctive words.
    """
    ha, hb = ngram_hashes(a.ids, n), ngram_hashes(b.ids, n)
    if not len(ha) or not len(hb):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(hb, kind="stable")
    sb = hb[order]
    lo = np.searchsorted(sb, ha, "left")
    hi = np.searchsorted(sb, ha, "right")
    cnt = hi - lo
    keep = (cnt > 0) & (cnt <= max_repeat)
    idx = np.nonzero(keep)[0]
    if not len(idx):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    c = cnt[idx]
    ia = np.repeat(idx, c)
    first = np.repeat(lo[idx], c)
    within = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
    jb = order[first + within].astype(np.int64)
    return ia.astype(np.int64), jb


@dataclass
class Chain:
    """Seeds that follow one another in both texts, allowing small gaps."""

    seeds_a: list[int] = field(default_factory=list)
    seeds_b: list[int] = field(default_factory=list)

    @property
    def last(self) -> tuple[int, int]:
        return self.seeds_a[-1], self.seeds_b[-1]


def chain(ia: np.ndarray, jb: np.ndarray, n: int, gap: int) -> list[Chain]:
    """Greedy chaining of seeds (sorted by A position) into monotone runs.

    A seed joins the open chain it continues with the least drift off the
    diagonal, if at most `gap` unmatched words separate it from the chain's
    last seed in both texts; word swaps and small insertions stay inside one
    chain, a reordered sentence starts its own.
    """
    order = np.lexsort((jb, ia))
    done: list[Chain] = []
    open_: list[Chain] = []
    reach = n + gap
    for i, j in zip(ia[order].tolist(), jb[order].tolist()):
        best, best_cost = None, None
        still = []
        for c in open_:
            li, lj = c.last
            if i - li > reach:
                done.append(c)
                continue
            still.append(c)
            if li < i and lj < j <= lj + reach:
                cost = abs((i - li) - (j - lj)) * 2 + (i - li)
                if best_cost is None or cost < best_cost:
                    best, best_cost = c, cost
        open_ = still
        if best is None:
            open_.append(Chain([i], [j]))
        else:
            best.seeds_a.append(i)
            best.seeds_b.append(j)
    done.extend(open_)
    return done
