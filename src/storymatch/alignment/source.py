"""Which of two texts is the likely source of the text they share, and why.

Publication dates decide when both are known and differ (the earlier text is
the source). Otherwise the side that holds the more complete version of the
shared passages is taken as the source: a copier cuts sentences down to
fragments ("but we will defend our troops") far more often than a writer pads
someone else's fragment out into a longer sentence.
"""

from __future__ import annotations

import datetime as _dt
from typing import Sequence

import numpy as np

from storymatch.text.spans import sentences


def _context_lengths(text: str, spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """For each span, the length of the sentence(s) it lies in (at least the span itself)."""
    sents = sentences(text)
    if not sents:
        return np.array([e - s for s, e in spans], dtype=np.int64)
    starts = np.array([s.start for s in sents], dtype=np.int64)
    ends = np.array([s.end for s in sents], dtype=np.int64)
    out = []
    for s, e in spans:
        first = max(int(np.searchsorted(ends, s, "right")), 0)
        last = max(int(np.searchsorted(starts, e, "left")) - 1, first)
        first, last = min(first, len(sents) - 1), min(last, len(sents) - 1)
        lo, hi = min(int(starts[first]), s), max(int(ends[last]), e)
        out.append(hi - lo)
    return np.array(out, dtype=np.int64)


def likely_source(a_text: str, b_text: str, a_spans: Sequence[tuple[int, int]],
                  b_spans: Sequence[tuple[int, int]], a_date: _dt.date | None = None,
                  b_date: _dt.date | None = None, min_margin: int = 20,
                  translated: Sequence[bool] | None = None) -> tuple[str | None, str]:
    """("a" | "b" | None, a sentence saying why) for the passages given as character spans.

    `translated` marks passages that are translations: they count for the dates, but not for the "more
    complete version" rule, since sentence lengths in two languages say nothing about who cut whom.
    """
    if not a_spans:
        return None, "The texts share no passage, so neither is a source of the other."
    if a_date and b_date and a_date != b_date:
        side, early, late = ("a", a_date, b_date) if a_date < b_date else ("b", b_date, a_date)
        other = "b" if side == "a" else "a"
        return side, (f"{side.upper()} was published first ({early.isoformat()}), "
                      f"before {other.upper()} ({late.isoformat()}).")
    if translated is not None and any(translated):
        a_spans = [s for s, t in zip(a_spans, translated) if not t]
        b_spans = [s for s, t in zip(b_spans, translated) if not t]
        if not a_spans:
            return None, ("The shared passages are translations, and without two different publication dates "
                          "nothing tells which text was translated from the other.")
    ctx_a = _context_lengths(a_text, a_spans)
    ctx_b = _context_lengths(b_text, b_spans)
    diff = ctx_b - ctx_a
    margin = int(diff.sum())
    b_fuller = int((diff > 0).sum())
    a_fuller = int((diff < 0).sum())
    threshold = max(min_margin, int(0.05 * min(ctx_a.sum(), ctx_b.sum())))
    dated = "" if not (a_date and b_date) else " Both carry the same date, so the dates cannot tell."
    if margin >= threshold:
        return "b", (f"B holds the more complete version of the shared text: {b_fuller} of {len(diff)} passages "
                     f"sit in longer sentences in B ({margin} more characters of context), "
                     f"as if A cut them down.{dated}")
    if -margin >= threshold:
        return "a", (f"A holds the more complete version of the shared text: {a_fuller} of {len(diff)} passages "
                     f"sit in longer sentences in A ({-margin} more characters of context), "
                     f"as if B cut them down.{dated}")
    return None, ("Both texts hold equally complete versions of the shared passages and no publication dates "
                  "tell them apart." if not dated else "The shared passages are equally complete on both sides."
                  + dated)
