"""Extension: growing seed chains into whole passages (PAN's second stage).

Chains of seeds become candidate passages; candidates that follow each other
in both texts are merged when the text between them is alike, and passage
edges are extended into neighbouring words that still match densely — the
heavily edited start or end of a reused stretch, where no n-gram survived.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from storymatch.alignment.edits import word_similarity
from storymatch.alignment.seeding import chain, seeds
from storymatch.alignment.tokens import Tokens
from storymatch.alignment.types import AlignParams


@dataclass
class CandidatePassage:
    """A passage in word positions: A words [i0, i1) against B words [j0, j1)."""

    i0: int
    i1: int
    j0: int
    j1: int
    matched: int  # A words covered by seeds
    distinctive: int  # of those, distinctive ones


def candidates(ta: Tokens, tb: Tokens, p: AlignParams) -> list[CandidatePassage]:
    """Seed chains that pass the length and distinctiveness filters, disjoint in A, merged and extended."""
    n = p.ngram
    ia, jb = seeds(ta, tb, n=n, max_repeat=p.max_repeat)
    if not len(ia):
        return []
    offs = np.arange(n)
    cands = []
    # counts are set in words; where units are character bigrams, a word is several units (tokens.per_word)
    min_units, min_distinctive = p.min_words * ta.per_word, p.min_distinctive * ta.per_word
    for c in chain(ia, jb, n=n, gap=p.gap):
        if len(c.seeds_a) + n - 1 < min_units:
            continue
        sa = np.asarray(c.seeds_a)
        covered = np.unique((sa[:, None] + offs).ravel())
        if len(covered) < min_units:
            continue
        distinct = int(ta.distinctive[covered].sum())
        if distinct < min_distinctive:
            continue
        cands.append(CandidatePassage(int(sa[0]), int(sa[-1]) + n, min(c.seeds_b), max(c.seeds_b) + n,
                               len(covered), distinct))
    cands.sort(key=lambda c: (-c.matched, c.i0))
    kept: list[CandidatePassage] = []
    taken = np.zeros(len(ta), dtype=bool)
    for cand in cands:
        if taken[cand.i0:cand.i1].any():
            continue
        taken[cand.i0:cand.i1] = True
        kept.append(cand)
    merged = merge(sorted(kept, key=lambda c: c.i0), ta, tb, p)
    return [extend(c, ta, tb, p, merged) for c in merged]


def merge(cands: list[CandidatePassage], ta: Tokens, tb: Tokens, p: AlignParams) -> list[CandidatePassage]:
    """Join neighbours that follow each other in both texts when what lies between them is alike.

    Seeds can be missing inside a reused stretch (n-grams too frequent to seed,
    a garbled word); the stretch is one passage if its gap text matches too.
    """
    out: list[CandidatePassage] = []
    for c in cands:
        if out:
            prev = out[-1]
            ga, gb = c.i0 - prev.i1, c.j0 - prev.j1
            if 0 <= ga <= p.merge_gap and 0 <= gb <= p.merge_gap and (
                    max(ga, gb) <= p.gap
                    or word_similarity(ta.words[prev.i1:c.i0], tb.words[prev.j1:c.j0]) >= p.merge_similarity):
                out[-1] = CandidatePassage(prev.i0, c.i1, prev.j0, c.j1, prev.matched + c.matched,
                                    prev.distinctive + c.distinctive)
                continue
        out.append(c)
    return out


def _grow(wa: list[str], wb: list[str], dist_a: np.ndarray, reverse: bool) -> tuple[int, int]:
    """How many words of the windows (read outwards from the passage) to take in: (in A, in B).

    The furthest matched word such that at least half the words taken in on
    each side match and the match includes a distinctive word.
    """
    if reverse:
        wa, wb, dist_a = wa[::-1], wb[::-1], dist_a[::-1]
    best = (0, 0)
    matched = 0
    has_distinctive = False
    for op in Indel.opcodes(wb, wa):
        if op.tag != "equal":
            continue
        for k in range(op.dest_end - op.dest_start):
            ia, jb = op.dest_start + k + 1, op.src_start + k + 1
            matched += 1
            has_distinctive = has_distinctive or bool(dist_a[ia - 1])
            if has_distinctive and matched >= 2 and matched >= 0.5 * max(ia, jb):
                best = (ia, jb)
    return best


def extend(c: CandidatePassage, ta: Tokens, tb: Tokens, p: AlignParams,
           others: list[CandidatePassage]) -> CandidatePassage:
    """Grow both edges of a passage into densely matching neighbouring words, never into another passage."""
    window = 2 * (p.gap + p.ngram)
    lo_a = max([o.i1 for o in others if o.i1 <= c.i0] + [0])
    hi_a = min([o.i0 for o in others if o.i0 >= c.i1] + [len(ta)])
    i0, i1, j0, j1 = c.i0, c.i1, c.j0, c.j1
    a_from, b_from = max(lo_a, i0 - window), max(0, j0 - window)
    da, db = _grow(ta.words[a_from:i0], tb.words[b_from:j0], ta.distinctive[a_from:i0], reverse=True)
    i0, j0 = i0 - da, j0 - db
    a_to, b_to = min(hi_a, i1 + window), min(len(tb), j1 + window)
    da, db = _grow(ta.words[i1:a_to], tb.words[j1:b_to], ta.distinctive[i1:a_to], reverse=False)
    i1, j1 = i1 + da, j1 + db
    return CandidatePassage(i0, i1, j0, j1, c.matched, c.distinctive)
