"""Sentence-level paraphrase reuse, an optional level above word-n-gram alignment.

Rewritten sentences share too few word n-grams to seed a passage. With an
embedding backend named in `AlignParams.paraphrase_model`, sentences not
already inside a passage are matched one-to-one by cosine similarity, and a
match must also share distinctive words (PAN practice pairs a cosine with a
word-overlap test): embeddings alone rate any two sentences on one topic as
alike. It is off by default: it costs a model load and ~ms per sentence, and two reports
of one event can say the same thing in different words without reuse.
"""

from __future__ import annotations

import numpy as np

from storymatch.alignment.edits import substitutions
from storymatch.alignment.types import AlignParams, Passage
from storymatch.embedding.registry import get_embedder
from storymatch.text.scripts import unit_list, units
from storymatch.text.spans import Span, sentences
from storymatch.text.stopwords import frequent_words


def _free(sents: list[Span], spans: list[tuple[int, int]], min_words: int) -> list[Span]:
    """Sentences long enough and less than half inside the given passage spans."""
    out = []
    for s in sents:
        inside = sum(max(0, min(s.end, e) - max(s.start, b)) for b, e in spans)
        if inside < 0.5 * (s.end - s.start) and len(unit_list(s.text)) >= min_words:
            out.append(s)
    return out


def _overlapping_pairs(sa: list[Span], sb: list[Span], stop: frozenset[str], least: int) -> list[tuple[int, int]]:
    """Sentence pairs sharing at least `least` non-stopwords (a sparse product, not a loop over pairs)."""
    from scipy import sparse  # scipy.sparse takes ~0.3 s to import: only when the paraphrase level runs

    vocab: dict[str, int] = {}

    def matrix(sents: list[Span]) -> "sparse.csr_matrix":
        rows, cols = [], []
        for r, s in enumerate(sents):
            for w in {w for w in unit_list(s.text) if w not in stop}:
                rows.append(r)
                cols.append(vocab.setdefault(w, len(vocab)))
        return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sents), 1 << 24))

    shared = (matrix(sa) @ matrix(sb).T).tocoo()
    keep = shared.data >= least
    return list(zip(shared.row[keep].tolist(), shared.col[keep].tolist()))


def paraphrase_passages(a_text: str, b_text: str, existing: list[Passage], p: AlignParams) -> list[Passage]:
    """Sentence pairs whose embeddings are at least `p.paraphrase_threshold` alike, best matches first."""
    sa = _free(sentences(a_text), [(x.a_start, x.a_end) for x in existing], p.min_words)
    sb = _free(sentences(b_text), [(x.b_start, x.b_end) for x in existing], p.min_words)
    if not sa or not sb:
        return []
    pairs = _overlapping_pairs(sa, sb, frequent_words(p.language or "en"), p.min_distinctive + 1)
    if not pairs:
        return []
    # Embed only sentences that share enough words with some sentence of the other text.
    ia = sorted({i for i, _ in pairs})
    jb = sorted({j for _, j in pairs})
    emb = get_embedder(p.paraphrase_model)
    ea = dict(zip(ia, emb.encode([sa[i].text for i in ia])))
    eb = dict(zip(jb, emb.encode([sb[j].text for j in jb])))
    scored = sorted(((float(ea[i] @ eb[j]), i, j) for i, j in pairs), reverse=True)
    out: list[Passage] = []
    used_a, used_b = set(), set()
    for cos, i, j in scored:
        if cos < p.paraphrase_threshold:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        a, b = sa[i], sb[j]
        ua, ub = units(a.text), units(b.text)
        subs = substitutions(ua.strings, ub.strings,
                             [(a.start + int(x), a.start + int(y)) for x, y in zip(ua.starts, ua.ends)],
                             [(b.start + int(x), b.start + int(y)) for x, y in zip(ub.starts, ub.ends)],
                             a_text, b_text, max_words=3)
        out.append(Passage(a.start, a.end, b.start, b.end, a.text, b.text, "paraphrase",
                           round(cos, 4), subs))
    return out
