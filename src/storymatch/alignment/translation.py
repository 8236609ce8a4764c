"""Cross-lingual reuse: the sentences of one article that translate sentences of the other.

A German, Spanish or Arabic outlet that translates a wire report shares no word n-gram with it, so the word
aligner sees nothing. When the two articles are in different languages, their sentences go through the
multilingual sentence encoder (USE-multilingual: one space for 16 languages) and a sentence pair is a
translation when all of these hold:

- its cosine reaches `AlignParams.translation_threshold`, or `translation_run_threshold` when another pair
  follows or precedes it in both texts, next to it in one text and at most MAX_RUN_GAP sentences away in the
  other (a translated run, which may leave out a sentence or two of the original): reports written
  independently rarely tell two facts in the same order in neighbouring sentences, while a translation keeps
  the order of what it translates; one pair of the run must reach RUN_ANCHOR all the same, since two leads
  written apart may well open with the same two facts (what happened, then where);
- each is the other's best match (bitext mining's mutual-nearest-neighbour rule): two reports of one event
  written independently have several sentences on the same fact, and none of them is the other's translation
  (a ratio margin over the runner-up on top of this, after Artetxe & Schwenk, was measured at 1.1 and 1.2: it
  lost recall and removed no false claim, so there is none);
- the two sides are of comparable length (Latin-character equivalents, within a factor of 2.2) and, when both
  hold numbers, they share one (a translation keeps "18" and "2017").

Matched pairs that follow each other in both texts become one passage (a translated run of sentences), and a
sentence translated as two (or two as one) is taken in when the joined pair is closer than the single one.
Offsets are sentence offsets into the original texts, exact like every other passage; kind "translation",
similarity the cosine (the mean over a run), and `substitutions` the run's sentence pairs, [B's, A's], so each
translated sentence stays paired with its original.
"""

from __future__ import annotations

import collections
import itertools
import re

import numpy as np

from storymatch.alignment.types import AlignParams, Passage
from storymatch.embedding.registry import get_embedder
from storymatch.text.scripts import weighted_length
from storymatch.text.spans import Span, sentences

MAX_SENTENCES = 200  # per article: the encoder's cost is per sentence; news bodies rarely have more
MIN_CHARS = 25  # shortest sentence considered, in Latin-character equivalents ("He added." is no evidence)
RUN_ANCHOR = 0.6  # the best pair of a run must reach this: two low pairs in a row are two leads telling one event
MAX_RUN_GAP = 1  # sentences a translated run may leave out between two translated ones, on one side
MAX_LENGTH_RATIO = 2.2  # translations of news run from about 0.7x to 1.5x each other's length
JOIN_GAIN = 0.02  # a neighbour sentence joins a match when the joined text is at least this much closer
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _free(sents: list[Span], spans: list[tuple[int, int]]) -> list[Span]:
    """Sentences long enough and less than half inside passages already found (verbatim quotes and names)."""
    out = []
    for s in sents:
        inside = sum(max(0, min(s.end, e) - max(s.start, b)) for b, e in spans)
        if inside < 0.5 * (s.end - s.start) and weighted_length(s.text) >= MIN_CHARS:
            out.append(s)
    return out[:MAX_SENTENCES]


def _numbers_agree(a: str, b: str) -> bool:
    """False only when both sentences hold numbers and share none (a translation keeps its figures)."""
    na = {x.replace(",", ".") for x in _NUMBER.findall(a)}
    nb = {x.replace(",", ".") for x in _NUMBER.findall(b)}
    return not (na and nb) or bool(na & nb)


def _lengths_agree(a: str, b: str) -> bool:
    la, lb = weighted_length(a), weighted_length(b)
    return max(la, lb) <= MAX_LENGTH_RATIO * max(min(la, lb), 1.0)


def sentence_pairs(sa: list[Span], sb: list[Span], sim: np.ndarray, threshold: float,
                   run_threshold: float | None = None) -> list[tuple[int, int, float]]:
    """The (i, j, cosine) sentence pairs that pass every test of the module docstring, in A's order.

    A pair stands alone from `threshold`, and from `run_threshold` when another candidate follows or precedes
    it in both texts (next to it in one, within MAX_RUN_GAP sentences in the other).
    """
    if not sim.size:
        return []
    low = threshold if run_threshold is None else min(threshold, run_threshold)
    best_b = sim.argmax(axis=1)
    best_a = sim.argmax(axis=0)
    cands: dict[tuple[int, int], float] = {}
    for i, j in enumerate(best_b.tolist()):
        cos = float(sim[i, j])
        if cos < low or best_a[j] != i:
            continue
        if not (_lengths_agree(sa[i].text, sb[j].text) and _numbers_agree(sa[i].text, sb[j].text)):
            continue
        cands[(i, j)] = cos

    def neighbours(a: tuple[int, int], b: tuple[int, int]) -> bool:
        """Next to each other in one text, at most MAX_RUN_GAP sentences apart in the other, in the same order
        (a translation that left out a sentence or two of its original)."""
        di, dj = b[0] - a[0], b[1] - a[1]
        return di * dj > 0 and min(abs(di), abs(dj)) == 1 and max(abs(di), abs(dj)) <= MAX_RUN_GAP + 1

    # runs: groups of candidates linked by `neighbours`; a run counts when one of its pairs reaches RUN_ANCHOR
    keys = sorted(cands)
    group = {k: n for n, k in enumerate(keys)}
    for x, y in itertools.combinations(keys, 2):
        if neighbours(x, y) and group[x] != group[y]:
            old, new = group[y], group[x]
            group = {k: new if g == old else g for k, g in group.items()}
    size = collections.Counter(group.values())
    best = {g: max(cands[k] for k in keys if group[k] == g) for g in size}
    return [(i, j, cos) for (i, j), cos in sorted(cands.items())
            if cos >= threshold or (size[group[(i, j)]] > 1 and best[group[(i, j)]] >= RUN_ANCHOR)]


def _join(text: str, sents: list[Span], lo: int, hi: int) -> str:
    return text[sents[lo].start:sents[hi].end]


def _widen(a_text: str, b_text: str, sa: list[Span], sb: list[Span], pairs: list[tuple[int, int, float]],
           embedder) -> list[list]:
    """Each match as [i0, i1, j0, j1, cosine], widened by an unmatched neighbour sentence that the
    translation split off or merged in (the joined text must be closer by JOIN_GAIN)."""
    used_a = {i for i, _, _ in pairs}
    used_b = {j for _, j, _ in pairs}
    tries: list[tuple[int, str, str, list[int]]] = []  # (match, a text, b text, new bounds)
    for k, (i, j, _) in enumerate(pairs):
        for di in (-1, 1):
            n = i + di
            if 0 <= n < len(sa) and n not in used_a:
                lo, hi = min(i, n), max(i, n)
                tries.append((k, _join(a_text, sa, lo, hi), sb[j].text, [lo, hi, j, j]))
        for dj in (-1, 1):
            n = j + dj
            if 0 <= n < len(sb) and n not in used_b:
                lo, hi = min(j, n), max(j, n)
                tries.append((k, sa[i].text, _join(b_text, sb, lo, hi), [i, i, lo, hi]))
    out = [[i, i, j, j, cos] for i, j, cos in pairs]
    if not tries:
        return out
    va = embedder.encode([t[1] for t in tries])
    vb = embedder.encode([t[2] for t in tries])
    gains = (va * vb).sum(axis=1)
    taken_a, taken_b = set(used_a), set(used_b)
    for (k, _, _, bounds), cos in sorted(zip(tries, gains.tolist()), key=lambda x: -x[1]):
        if cos < out[k][4] + JOIN_GAIN or out[k][:4] != [pairs[k][0], pairs[k][0], pairs[k][1], pairs[k][1]]:
            continue
        new_a = set(range(bounds[0], bounds[1] + 1)) - {pairs[k][0]}
        new_b = set(range(bounds[2], bounds[3] + 1)) - {pairs[k][1]}
        if new_a & taken_a or new_b & taken_b:
            continue
        taken_a |= new_a
        taken_b |= new_b
        out[k] = [*bounds, cos]
    return out


def _runs(matches: list[list]) -> list[list]:
    """Matches that follow each other in both texts, merged: [i0, i1, j0, j1, cosines, matches]."""
    runs: list[list] = []
    for m in sorted(matches):
        i0, i1, j0, j1, cos = m
        if runs and i0 == runs[-1][1] + 1 and j0 == runs[-1][3] + 1:
            runs[-1][1], runs[-1][3] = i1, j1
            runs[-1][4].append(cos)
            runs[-1][5].append(m)
        else:
            runs.append([i0, i1, j0, j1, [cos], [m]])
    return runs


def translation_passages(a_text: str, b_text: str, existing: list[Passage], p: AlignParams) -> list[Passage]:
    """Passages of A that translate passages of B (or the reverse), as `kind="translation"` passages."""
    if not p.translation_model:
        return []
    sa = _free(sentences(a_text), [(x.a_start, x.a_end) for x in existing])
    sb = _free(sentences(b_text), [(x.b_start, x.b_end) for x in existing])
    if not sa or not sb:
        return []
    embedder = get_embedder(p.translation_model)
    ea = embedder.encode([s.text for s in sa])
    eb = embedder.encode([s.text for s in sb])
    pairs = sentence_pairs(sa, sb, ea @ eb.T, p.translation_threshold, p.translation_run_threshold)
    if not pairs:
        return []
    out = []
    for i0, i1, j0, j1, cosines, parts in _runs(_widen(a_text, b_text, sa, sb, pairs, embedder)):
        a0, a1, b0, b1 = sa[i0].start, sa[i1].end, sb[j0].start, sb[j1].end
        # each translated sentence with its original, as [B's sentence, A's sentence] like any substitution
        sentence_pairs_ = [[_join(b_text, sb, m[2], m[3]), _join(a_text, sa, m[0], m[1])] for m in parts]
        out.append(Passage(a0, a1, b0, b1, a_text[a0:a1], b_text[b0:b1], "translation",
                           round(float(np.mean(cosines)), 4), sentence_pairs_))
    return out
