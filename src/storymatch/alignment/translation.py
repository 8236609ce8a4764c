"""Cross-lingual reuse: the sentences of one article that translate sentences of the other.

A German, Spanish or Arabic outlet that translates a wire report shares no word n-gram with it, so the word
aligner sees nothing. When the two articles are in different languages, their sentences go through the
multilingual sentence encoder (USE-multilingual: one space for 16 languages) and a sentence pair is a
translation when all of these hold:

- its cosine reaches `AlignParams.translation_threshold`, or ANCHORED_COSINE when its particulars agree (see
  `sentence_pairs`), or it belongs to a chain or a run of such candidates: a translation keeps the order of what it
  translates. A chain (the same order in both texts, at any distance: a patchwork's translated sentences) needs
  CHAIN_MIN pairs, or a pair confirmed alone, since two matches fall in the same order by chance half the time. A
  run (next to each other in one text, at most MAX_RUN_GAP sentences away in the other: a translated run, which may
  leave out a sentence or two of the original) from `translation_run_threshold` needs a pair reaching RUN_ANCHOR and a
  second RUN_SECOND, since two leads written apart may well open with the same two facts; a run that touches no pair
  confirmed otherwise (alone or by a chain) must also keep one length ratio from sentence to sentence and be
  unambiguous (its best pair, and with only two pairs each, a clear best by RUN_MARGIN);
- each is the other's best match (bitext mining's mutual-nearest-neighbour rule): two reports of one event
  written independently have several sentences on the same fact, and none of them is the other's translation
  (a ratio margin over the runner-up on every pair, after Artetxe & Schwenk, was measured at 1.1 and 1.2: it
  lost recall and removed no false claim, so only a run standing alone needs a margin, above);
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
import math

import numpy as np

from storymatch.alignment.types import AlignParams, Passage
from storymatch.embedding.registry import get_embedder
from storymatch.features.anchors import Agreement, agreement, anchors
from storymatch.text.scripts import weighted_length
from storymatch.text.spans import Span, sentences

MAX_SENTENCES = 200  # per article: the encoder's cost is per sentence; news bodies rarely have more
MIN_CHARS = 25  # shortest sentence considered, in Latin-character equivalents ("He added." is no evidence)
# The best pair of a run must reach RUN_ANCHOR, its second best RUN_SECOND: reports written apart often tell two
# facts in neighbouring sentences in the same order (the run rule before, from 0.45 with a best pair of 0.6, claimed
# a translation on 9.1% of independently written same-event reports: benchmarks/translated_patchworks.py). Issue 24's
# first round asked 0.7 of the best pair, and lost a translated run of 0.60 and 0.59 for it; with the conditions on
# a run standing alone below, 0.6 finds that run again and claims no more.
RUN_ANCHOR = 0.6
RUN_SECOND = 0.55
# A run that touches no pair confirmed otherwise stands on its own, and independent reports make such runs: there
# each neighbour must keep the length ratio of the one before within RUN_LENGTH_DRIFT (|log|; a translator's
# language lengthens or shortens every sentence alike, as Gale & Church's length-based alignment assumes: in the
# contiguous translations of benchmarks/multilingual_sets.py 72 of 74 neighbours drift by 0.5 or less, median 0.15,
# the other two a sentence the translator split; neighbours in independent reports: 12 of 21, median 0.43: "The
# newborn and his mother are doing well, according to hospital authorities" after a sentence 1.35x its match is
# 0.69x its own),
# and its best pair (each pair, in a run of two) must beat the runner-up in its row and its column by RUN_MARGIN
# (translated sentences in the patchworks: 226 of 227 by 0.1 or more, 5th percentile 0.16; the best matches in
# the negative pairs: medians 0.10-0.14, as independent reports hold several sentences on one fact).
RUN_LENGTH_DRIFT = 0.5
RUN_MARGIN = 0.15
MAX_RUN_GAP = 1  # sentences a translated run may leave out between two translated ones, on one side
MAX_LENGTH_RATIO = 2.2  # translations of news run from about 0.7x to 1.5x each other's length
JOIN_GAIN = 0.02  # a neighbour sentence joins a match when the joined text is at least this much closer
# Scattered translated sentences (a patchwork), chosen with the run settings above on folds of
# benchmarks/translated_patchworks.py (held out: recall 0.95-1.00 per language, at most 1 of 55 independent reports
# claimed per language; contiguous translations as found before issue 24)
ANCHORED_COSINE = 0.76  # a candidate sharing ANCHORED_SHARED anchors and of close length counts from here
ANCHORED_SHARED = 2
ANCHORED_LENGTH = math.log(1.5)  # |log| of the length ratio a translation of news keeps
CHAIN_COSINE = 0.6  # members of an order-keeping chain of candidates, with an anchor shared
CHAIN_BARE_COSINE = 0.65  # ... and with none
# A chain counts from CHAIN_MIN pairs, or with a pair confirmed alone: two matches keep their order by chance half
# the time, three one time in six. Chains of two made 3 of issue 24's first round's 4 claims on the 220 negative pairs
# (French and Spanish reports telling two facts in the English article's order: the newborn of Montreal, the Detroit
# robberies).
CHAIN_MIN = 3


def _free(sents: list[Span], spans: list[tuple[int, int]]) -> list[Span]:
    """Sentences long enough and less than half inside passages already found (verbatim quotes and names)."""
    out = []
    for s in sents:
        inside = sum(max(0, min(s.end, e) - max(s.start, b)) for b, e in spans)
        if inside < 0.5 * (s.end - s.start) and weighted_length(s.text) >= MIN_CHARS:
            out.append(s)
    return out[:MAX_SENTENCES]


def _lengths_agree(a: str, b: str) -> bool:
    la, lb = weighted_length(a), weighted_length(b)
    return max(la, lb) <= MAX_LENGTH_RATIO * max(min(la, lb), 1.0)


def _close_lengths(a: str, b: str) -> bool:
    """Lengths a translation of news keeps (German, French, Spanish run 1.1-1.3x English, Russian 1.0-1.2x)."""
    la, lb = weighted_length(a), weighted_length(b)
    return abs(math.log(max(la, 1.0) / max(lb, 1.0))) <= ANCHORED_LENGTH


def _chain(cands: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The longest run of candidate pairs in the same order in both texts (any distance apart), when it has two
    pairs or more; the earliest such run when several are as long."""
    cands = sorted(cands)
    n = len(cands)
    length, prev = [1] * n, [-1] * n
    for k in range(n):
        for m in range(k):
            if cands[m][0] < cands[k][0] and cands[m][1] < cands[k][1] and length[m] + 1 > length[k]:
                length[k], prev[k] = length[m] + 1, m
    if n == 0 or max(length) < 2:
        return set()
    k = length.index(max(length))
    out = set()
    while k != -1:
        out.add(cands[k])
        k = prev[k]
    return out


def _groups(keys: list[tuple[int, int]], linked) -> list[list[tuple[int, int]]]:
    """`keys` split into groups connected by `linked` (each group in `keys`' order)."""
    group = {k: n for n, k in enumerate(keys)}
    for x, y in itertools.combinations(keys, 2):
        if linked(x, y) and group[x] != group[y]:
            old, new = group[y], group[x]
            group = {k: new if g == old else g for k, g in group.items()}
    out: dict[int, list[tuple[int, int]]] = collections.defaultdict(list)
    for k in keys:
        out[group[k]].append(k)
    return list(out.values())


def sentence_pairs(sa: list[Span], sb: list[Span], sim: np.ndarray, threshold: float,
                   run_threshold: float | None = None, lang_a: str | None = None,
                   lang_b: str | None = None) -> list[tuple[int, int, float]]:
    """The (i, j, cosine) sentence pairs that pass the tests of the module docstring, in A's order.

    Candidates are each other's best match, of comparable length, and their anchors (`features.anchors`: numbers,
    clock hours, dates, names, countries) do not contradict. A candidate is a translation
    - alone from `threshold`;
    - from ANCHORED_COSINE when it shares ANCHORED_SHARED anchors and its lengths are close;
    - from CHAIN_COSINE (with an anchor shared, else from CHAIN_BARE_COSINE) when it belongs to the longest set of
      such candidates that keep their order in both texts, at any distance (a patchwork's translated sentences),
      of CHAIN_MIN pairs or holding one confirmed alone;
    - from `run_threshold` when another candidate follows or precedes it in both texts (next to it in one text, at
      most MAX_RUN_GAP sentences away in the other) and the run's best pair reaches RUN_ANCHOR, its second best
      RUN_SECOND. A run holding a pair confirmed by the rules above extends a translation already found; one that
      does not must keep one length ratio (neighbours within RUN_LENGTH_DRIFT) and its best pair (each pair, in a
      run of two) must beat its runner-ups by RUN_MARGIN.
    """
    if not sim.size:
        return []
    low = min(threshold, run_threshold if run_threshold is not None else threshold, CHAIN_COSINE)
    best_b = sim.argmax(axis=1)
    best_a = sim.argmax(axis=0)
    cands: dict[tuple[int, int], float] = {}
    agree: dict[tuple[int, int], Agreement] = {}
    for i, j in enumerate(best_b.tolist()):
        cos = float(sim[i, j])
        if cos < low or best_a[j] != i or not _lengths_agree(sa[i].text, sb[j].text):
            continue
        ag = agreement(anchors(sa[i].text, lang_a), anchors(sb[j].text, lang_b))
        if ag.conflict:  # a translation keeps its figures: "18 dead" is not "25 Tote"
            continue
        cands[(i, j)] = cos
        agree[(i, j)] = ag

    def margin(k: tuple[int, int]) -> float:
        """How far the pair stands above the runner-up in its row and in its column (it is the best of both)."""
        row, col = np.sort(sim[k[0]]), np.sort(sim[:, k[1]])
        return cands[k] - max(row[-2] if row.size > 1 else 0.0, col[-2] if col.size > 1 else 0.0)

    def log_ratio(k: tuple[int, int]) -> float:
        return math.log(max(weighted_length(sa[k[0]].text), 1.0) / max(weighted_length(sb[k[1]].text), 1.0))

    def neighbours(a: tuple[int, int], b: tuple[int, int]) -> bool:
        """Next to each other in one text, at most MAX_RUN_GAP sentences apart in the other, in the same order
        (a translation that left out a sentence or two of its original)."""
        di, dj = b[0] - a[0], b[1] - a[1]
        return di * dj > 0 and min(abs(di), abs(dj)) == 1 and max(abs(di), abs(dj)) <= MAX_RUN_GAP + 1

    def steady(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return neighbours(a, b) and abs(log_ratio(a) - log_ratio(b)) <= RUN_LENGTH_DRIFT

    def counts(run: list[tuple[int, int]]) -> bool:
        ranked = sorted((cands[k] for k in run), reverse=True)
        return len(run) > 1 and ranked[0] >= RUN_ANCHOR and ranked[1] >= RUN_SECOND

    confirmed = {k for k, cos in cands.items() if cos >= threshold or (
        cos >= ANCHORED_COSINE and agree[k].shared >= ANCHORED_SHARED and _close_lengths(sa[k[0]].text, sb[k[1]].text))}
    chained = _chain([k for k, c in cands.items()
                      if c >= CHAIN_BARE_COSINE or (c >= CHAIN_COSINE and agree[k].shared >= 1)])
    if len(chained) >= CHAIN_MIN or chained & confirmed:
        confirmed |= chained
    rt = threshold if run_threshold is None else run_threshold
    in_run: set[tuple[int, int]] = set()
    for run in _groups(sorted(k for k, c in cands.items() if c >= rt), neighbours):
        if not counts(run):
            continue
        if confirmed & set(run):
            in_run.update(run)
            continue
        for part in _groups(run, steady):
            clear = [max(part, key=cands.__getitem__)] if len(part) > 2 else part
            if counts(part) and min(margin(k) for k in clear) >= RUN_MARGIN:
                in_run.update(part)
    return [(i, j, cos) for (i, j), cos in sorted(cands.items()) if (i, j) in confirmed or (i, j) in in_run]


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


def translation_passages(a_text: str, b_text: str, existing: list[Passage], p: AlignParams,
                         lang_a: str | None = None, lang_b: str | None = None) -> list[Passage]:
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
    pairs = sentence_pairs(sa, sb, ea @ eb.T, p.translation_threshold, p.translation_run_threshold, lang_a, lang_b)
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
