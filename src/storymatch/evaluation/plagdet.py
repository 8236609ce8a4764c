"""PAN's character-level measures of text alignment: precision, recall, granularity and plagdet.

They follow Potthast et al. (2010), "An Evaluation Framework for Plagiarism Detection", as computed by
PAN's own evaluator: macro-averaged precision and recall over characters of both documents, granularity,
and plagdet = F1 / log2(1 + gran).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from storymatch.alignment.aligner import union_length
from storymatch.evaluation.pan import NO_REUSE, Case, PanPair


def _overlap(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int] | None:
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if lo < hi else None


def _detects(r: Case, s: Case) -> bool:
    """PAN: r detects s when they share characters in both the suspicious and the source text."""
    return (_overlap(r.this_offset, r.this_end, s.this_offset, s.this_end) is not None
            and _overlap(r.source_offset, r.source_end, s.source_offset, s.source_end) is not None)


def _covered_share(x: Case, others: list[Case]) -> float:
    """Share of x's characters (both documents) inside the others that overlap it in both."""
    this, src = [], []
    for o in others:
        if _detects(o, x):
            this_part = _overlap(x.this_offset, x.this_end, o.this_offset, o.this_end)
            src_part = _overlap(x.source_offset, x.source_end, o.source_offset, o.source_end)
            assert this_part is not None and src_part is not None  # what _detects checked
            this.append(this_part)
            src.append(src_part)
    size = x.this_length + x.source_length
    return (union_length(this) + union_length(src)) / size if size else 0.0


@dataclass
class PlagdetScores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    pairs: int
    cases: int
    detections: int

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def plagdet(truth: list[list[Case]], detections: list[list[Case]]) -> PlagdetScores:
    """PAN measures over a corpus given as per-pair lists of true cases and of detections."""
    n_cases = sum(len(t) for t in truth)
    n_det = sum(len(d) for d in detections)
    rec_sum = prec_sum = 0.0
    detected_cases = gran_sum = 0
    for cases, dets in zip(truth, detections):
        for s in cases:
            rec_sum += _covered_share(s, dets)
            hits = sum(1 for r in dets if _detects(r, s))
            if hits:
                detected_cases += 1
                gran_sum += hits
        for r in dets:
            prec_sum += _covered_share(r, cases)
    if n_cases == 0 and n_det == 0:
        precision = recall = 1.0
    else:
        # PAN's evaluator scores an empty side as 0.
        precision = prec_sum / n_det if n_det else 0.0
        recall = rec_sum / n_cases if n_cases else 0.0
    gran = gran_sum / detected_cases if detected_cases else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PlagdetScores(precision, recall, gran, f1 / math.log2(1 + gran), len(truth), n_cases, n_det)


def report(pairs: list[PanPair], detections: list[list[Case]]) -> dict:
    """Overall and per-obfuscation PAN measures.

    Pairs with character truth are scored by plagdet; pairs without reuse report
    the share where something was wrongly claimed; pairs with only pair-level
    truth (`cases` None) report the share where reuse was found.
    """
    scored = [(p.cases, d) for p, d in zip(pairs, detections) if p.cases is not None]
    overall = plagdet([c for c, _ in scored], [d for _, d in scored])
    groups: dict[str, list[tuple[PanPair, list[Case]]]] = defaultdict(list)
    for p, d in zip(pairs, detections):
        if p.cases is None:
            groups[p.obfuscation].append((p, d))
            continue
        if not p.cases:
            groups[p.obfuscation if p.obfuscation != "unknown" else NO_REUSE].append((p, d))
            continue
        for k in {c.obfuscation or "none" for c in p.cases}:
            groups[k].append((p, d))
    by: dict[str, dict] = {}
    for k, items in sorted(groups.items()):
        n = len(items)
        hit = sum(1 for _, d in items if d)
        if items[0][0].cases is None:
            by[k] = {"pairs": n, "found": round(hit / n, 4), "pairs_found": hit}
        elif not items[0][0].cases:
            by[k] = {"pairs": n, "wrongly_claimed": round(hit / n, 4), "pairs_with_detections": hit,
                     "detections": sum(len(d) for _, d in items)}
        else:
            # In pairs mixing kinds, detections of the other kinds' cases are not this kind's errors.
            truth, dets = [], []
            for p, d in items:
                assert p.cases is not None  # the group's first pair has character truth, so all have
                truth.append([c for c in p.cases if (c.obfuscation or "none") == k])
                dets.append([r for r in d
                             if not any(_detects(r, c) for c in p.cases if (c.obfuscation or "none") != k)])
            by[k] = plagdet(truth, dets).to_dict()
    out = overall.to_dict()
    if not scored:  # no character-level truth at all: nothing to score
        out.update(precision=None, recall=None, granularity=None, plagdet=None)
    out["pairs"] = len(pairs)
    out["detections"] = sum(len(d) for d in detections)
    out["pairs_scored"] = len(scored)
    out["by_obfuscation"] = by
    return out
