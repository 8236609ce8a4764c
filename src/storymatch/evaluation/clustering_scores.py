"""How well a grouping of articles into stories matches a gold grouping.

B-cubed (Bagga & Baldwin 1998) is the headline figure of the news-clustering
literature because it scores every article, so a few huge stories cannot hide
many wrong small ones; pairwise F1, ARI and NMI are given for comparison with
papers that report those. ARI and NMI come from scikit-learn, pairwise counts
from its `pair_confusion_matrix`; scikit-learn has no B-cubed, so that one is
written here, from the contingency table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Hashable, Sequence


@dataclass(frozen=True)
class ClusteringScores:
    articles: int
    stories_gold: int
    stories_found: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    ari: float
    nmi: float

    def to_dict(self) -> dict:
        return asdict(self)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(gold: Sequence[Hashable], found: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of `found` labels against `gold` labels (same order).

    For an item, precision is the share of its found cluster that shares its gold
    story, recall the share of its gold story that landed in its found cluster;
    both are averaged over items. Items sharing a (found, gold) cell all get the
    same values, so the sums run over the n_ij cells: sum n_ij^2 / |found_i| / N.
    """
    _check(gold, found)
    n = len(gold)
    if n == 0:
        return 0.0, 0.0, 0.0
    cells = Counter(zip(found, gold))
    found_size = Counter(found)
    gold_size = Counter(gold)
    precision = sum(c * c / found_size[f] for (f, _), c in cells.items()) / n
    recall = sum(c * c / gold_size[g] for (_, g), c in cells.items()) / n
    return precision, recall, _f1(precision, recall)


def pairwise(gold: Sequence[Hashable], found: Sequence[Hashable]) -> tuple[float, float, float]:
    """Precision, recall and F1 over the pairs of items put in one story."""
    from sklearn.metrics.cluster import pair_confusion_matrix  # scikit-learn takes a second to import

    _check(gold, found)
    if len(gold) < 2:
        return 0.0, 0.0, 0.0
    (_, fp), (fn, tp) = pair_confusion_matrix(_codes(gold), _codes(found))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return float(precision), float(recall), _f1(float(precision), float(recall))


def score_clustering(gold: Sequence[Hashable], found: Sequence[Hashable]) -> ClusteringScores:
    """Every figure `storymatch eval cluster` reports, for one labelling."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # a second to import

    bp, br, bf = bcubed(gold, found)
    pp, pr, pf = pairwise(gold, found)
    g, f = _codes(gold), _codes(found)
    return ClusteringScores(
        articles=len(gold),
        stories_gold=len(set(gold)),
        stories_found=len(set(found)),
        bcubed_precision=bp,
        bcubed_recall=br,
        bcubed_f1=bf,
        pairwise_precision=pp,
        pairwise_recall=pr,
        pairwise_f1=pf,
        ari=float(adjusted_rand_score(g, f)) if g else 0.0,
        nmi=float(normalized_mutual_info_score(g, f)) if g else 0.0,
    )


def _codes(labels: Sequence[Hashable]) -> list[int]:
    """Labels of any hashable type as small ints (scikit-learn wants sortable labels)."""
    index: dict[Hashable, int] = {}
    return [index.setdefault(x, len(index)) for x in labels]


def _check(gold: Sequence[Hashable], found: Sequence[Hashable]) -> None:
    if len(gold) != len(found):
        raise ValueError(f"gold has {len(gold)} labels but found has {len(found)}")
