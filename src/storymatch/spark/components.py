"""Connected components of a graph held as a Spark RDD of edges, without collecting it on the driver.

The alternating large-star / small-star rounds of Kiveris et al. (2014, "Connected Components in MapReduce and
Beyond"): each round links every vertex to the smallest vertex it knows of, and the graph contracts to stars whose
centres are the components' smallest vertices in O(log² n) rounds, each a pair of shuffles. Vertices are integers;
the result maps each vertex of an edge to its component's smallest vertex.
"""

from __future__ import annotations


def _canonical(e):
    return (e[0], e[1]) if e[0] > e[1] else (e[1], e[0])


def _large_star(edges):
    """Every vertex's larger neighbours link to the smallest vertex of its neighbourhood (itself included)."""
    def emit(kv):
        u, neighbours = kv
        m = min(min(neighbours), u)
        return [(v, m) for v in neighbours if v > u]
    both = edges.flatMap(lambda e: [(e[0], e[1]), (e[1], e[0])])
    return both.groupByKey().flatMap(emit).map(_canonical).filter(lambda e: e[0] != e[1]).distinct()


def _small_star(edges):
    """Every vertex and its smaller neighbours link to the smallest of them."""
    def emit(kv):
        u, smaller = kv
        m = min(smaller)
        return [(v, m) for v in smaller if v != m] + [(u, m)]
    return edges.groupByKey().flatMap(emit).map(_canonical).filter(lambda e: e[0] != e[1]).distinct()


def connected_components(edges, max_rounds: int = 64):
    """RDD (vertex, component) from an RDD of (u, v) integer edges: the component is its smallest vertex.

    Vertices that appear in no edge (or only in loops) are not in the result: a caller gives them components of
    their own.
    """
    current = edges.map(_canonical).filter(lambda e: e[0] != e[1]).distinct().cache()
    for _ in range(max_rounds):
        nxt = _small_star(_large_star(current)).cache()
        changed = nxt.subtract(current).isEmpty() is False or current.subtract(nxt).isEmpty() is False
        current.unpersist()
        current = nxt
        if not changed:
            break
    # converged: stars, each edge (leaf, centre) with the centre its component's smallest vertex
    labels = current.reduceByKey(min)
    roots = labels.values().distinct().map(lambda r: (r, r))
    return labels.union(roots).reduceByKey(min)
