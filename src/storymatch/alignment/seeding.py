"""Seeds for text alignment: shared word n-grams between two texts, chained into passages.

This is the first two stages of the PAN text-alignment pipeline (seeding, then
extension across small gaps), done passim-style on word n-grams. Words are
hashed to integer ids and n-grams hashed with numpy, so the only Python loop
is over the (few) matching seeds, never over characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from storymatch.alignment.tokens import Tokens, ngram_hashes


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
