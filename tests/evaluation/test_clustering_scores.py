"""Clustering metrics against small cases worked out by hand."""

import pytest

from storymatch.evaluation.clustering_scores import bcubed, pairwise, score_clustering

# gold stories a (3 items) and b (2 items); the system split a and merged a's third item into b.
GOLD = ["a", "a", "a", "b", "b"]
FOUND = [1, 1, 2, 2, 2]


def test_bcubed_by_hand():
    # item precisions: 2/2, 2/2, 1/3, 2/3, 2/3 -> 11/15; recalls: 2/3, 2/3, 1/3, 2/2, 2/2 -> 11/15
    p, r, f = bcubed(GOLD, FOUND)
    assert p == pytest.approx(11 / 15)
    assert r == pytest.approx(11 / 15)
    assert f == pytest.approx(11 / 15)


def test_bcubed_asymmetric_case():
    # everything in one found cluster: precision (3*3/5 + 2*2/5)/5 = 13/25, recall 1
    p, r, f = bcubed(GOLD, [0] * 5)
    assert p == pytest.approx(13 / 25)
    assert r == pytest.approx(1.0)
    assert f == pytest.approx(2 * (13 / 25) / (1 + 13 / 25))
    # all singletons: precision 1, recall (1/3*3 + 1/2*2)/5 = 2/5
    p, r, _ = bcubed(GOLD, list(range(5)))
    assert (p, r) == (pytest.approx(1.0), pytest.approx(2 / 5))


def test_pairwise_by_hand():
    # found pairs {0,1},{2,3},{2,4},{3,4}; gold pairs {0,1},{0,2},{1,2},{3,4}; shared {0,1},{3,4}
    p, r, f = pairwise(GOLD, FOUND)
    assert (p, r, f) == (pytest.approx(0.5), pytest.approx(0.5), pytest.approx(0.5))


def test_perfect_clustering_scores_one_whatever_the_label_names():
    s = score_clustering(GOLD, ["x", "x", "x", "y", "y"])
    assert s.bcubed_f1 == pytest.approx(1.0)
    assert s.pairwise_f1 == pytest.approx(1.0)
    assert s.ari == pytest.approx(1.0)
    assert s.nmi == pytest.approx(1.0)
    assert (s.articles, s.stories_gold, s.stories_found) == (5, 2, 2)


def test_wrong_clustering_scores_below_perfect():
    s = score_clustering(GOLD, FOUND)
    assert s.ari < 0.5 and s.nmi < 1.0
    assert s.stories_found == 2


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        bcubed(["a"], [1, 2])
