"""What a Spark task of `spark stories` does with its rows, in plain Python: views of a partition's articles, the
candidates and verdicts of one time block, the story decision of one connected component.

Kept apart from the Spark glue (spark/stories.py) so that each step is the single-machine code itself
(`scoring.story_view.story_views`, `corpus.clusterer.window_candidates`, `StoryClusterer.add_verified`) run on the
rows a task holds, and can be tested without a JVM.
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Sequence

import numpy as np

from storymatch.corpus.clusterer import ClusterParams, StoryClusterer, candidate_rows, story_id, window_candidates
from storymatch.corpus.store import VECTOR_DTYPE
from storymatch.embedding.tiers import FAST, get_tier
from storymatch.features.lsh import LSHParams
from storymatch.inputs.article import Article
from storymatch.scoring.story_view import StoryView, story_views
from storymatch.scoring.verifier import Verifier


def make_views(articles: Sequence[Article], mixed: bool, lsh: LSHParams) -> list[StoryView]:
    """The articles as the clusterer sees them, exactly as a store keeps them: the fast tier's vectors as a store
    holds them (float16), the store's LSH settings, headline vectors by the corpus's mix of languages."""
    vectors = np.asarray(get_tier(FAST).encode_articles(list(articles)), dtype=np.float32)
    vectors = vectors.astype(VECTOR_DTYPE).astype(np.float32)
    return story_views(list(articles), vectors, lsh, mixed=mixed)


def dump(view: StoryView) -> bytes:
    return pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL)


def load(payload: bytes) -> StoryView:
    return pickle.loads(payload)


@dataclass
class Member:
    """One article of a time block: its place in the stream, its view, whether the block decides its candidates
    (a target) and, for a target, the stream indices of its text candidates (found by the LSH join)."""

    sidx: int
    view: StoryView
    target: bool
    text: list[int]


def block_candidates(members: Iterable[Member], params: ClusterParams, verifier: Verifier,
                     timings: dict[str, float] | None = None) -> Iterator[tuple[str, Any]]:
    """The candidates of each target of one time block, verified: ("pair", (x, x_sidx, y, y_sidx, p)) for every
    candidate and ("best", (x_sidx, best cosine)) for every target. A block holds the articles of its target day's
    window, so each target meets exactly the earlier articles the clusterer's scan would hold for it."""
    rows = sorted(members, key=lambda m: m.sidx)
    if not rows:
        return
    fast = np.vstack([np.asarray(m.view.vector, dtype=np.float32).ravel() for m in rows])
    spaces = sorted({b for m in rows for b in m.view.headlines})
    heads = {}
    for b in spaces:
        dim = len(next(m.view.headlines[b] for m in rows if b in m.view.headlines))
        mat = np.zeros((len(rows), dim), dtype=np.float32)
        has = np.zeros(len(rows), dtype=bool)
        for i, m in enumerate(rows):
            if b in m.view.headlines:
                mat[i], has[i] = m.view.headlines[b], True
        heads[b] = (mat, has)
    position = {m.sidx: i for i, m in enumerate(rows)}
    spent = {"candidates": 0.0, "verification": 0.0}
    for i, m in enumerate(rows):
        if not m.target:
            continue
        t0 = time.perf_counter()
        chosen, sims = window_candidates(m.view, fast[:i], np.ones(i, dtype=bool),
                                         {b: (mat[:i], has[:i]) for b, (mat, has) in heads.items()},
                                         [position[s] for s in m.text if s in position and position[s] < i], params)
        best = float(sims.max()) if len(sims) else float("nan")
        t1 = time.perf_counter()
        if chosen:
            ranks = [float(np.count_nonzero(sims > cos)) for _, cos in chosen]
            probs = verifier.probabilities(candidate_rows(m.view, [rows[j].view for j, _ in chosen], ranks, best))
            for (j, _), p in zip(chosen, probs.tolist()):
                yield "pair", (m.view.id, m.sidx, rows[j].view.id, rows[j].sidx, float(p))
        yield "best", (m.sidx, best)
        spent["candidates"] += t1 - t0
        spent["verification"] += time.perf_counter() - t1
    if timings is not None:
        for k, v in spent.items():
            timings[k] = timings.get(k, 0.0) + v


@dataclass
class Placed:
    """An article of a component that an earlier run already placed: its story and joining links stay."""

    sidx: int
    view: StoryView
    story: str
    links: list[tuple[str, float]]
    joined: float  # its mean probability with the story it joined (nan: it began the story)


@dataclass
class Arriving:
    """An article of a component to place now: its candidates' probabilities by id, its window's best cosine."""

    sidx: int
    view: StoryView
    known: dict[str, float]
    best: float


def decide_component(placed: Sequence[Placed], arriving: Sequence[Arriving], params: ClusterParams,
                     verifier: Verifier) -> Iterator[tuple[str, str, list[tuple[str, float]], float]]:
    """(article id, story id, joining links, joining mean) of every article of one connected component of the
    verified links.

    An article can join only a story it links to at the threshold or above, and a story is made of articles so
    linked, so the stories of a component are those the whole stream makes: the component's earlier stories are
    placed as they were, then its new articles are decided in stream order by the clusterer itself.
    """
    if not placed and len(arriving) == 1 and not any(p >= _threshold(params, verifier)
                                                     for p in arriving[0].known.values()):
        only = arriving[0].view.id
        yield only, story_id(only), [], float("nan")  # alone, the common case: no clusterer to build
        return
    clusterer = StoryClusterer(params, verifier)
    index: dict[str, int] = {}
    for p in sorted(placed, key=lambda p: p.sidx):
        if p.story not in index:
            index[p.story] = len(clusterer.story_ids)
            clusterer.story_ids.append(p.story)
            clusterer.members.append([])
            clusterer.last.append(np.nan)
        at = clusterer._place(p.view, index[p.story])
        clusterer.links[at] = [(clusterer._by_id[b], q) for b, q in p.links if b in clusterer._by_id]
        clusterer.join_mean[at] = p.joined
    for a in sorted(arriving, key=lambda a: a.sidx):
        clusterer.add_verified(a.view, a.known, a.best)
    links = clusterer.joining_links()
    for i, article in enumerate(clusterer.ids):
        yield article, clusterer.story_ids[clusterer.story_of[i]], links.get(article, []), clusterer.join_mean[i]


def _threshold(params: ClusterParams, verifier: Verifier) -> float:
    return params.threshold if params.threshold is not None else verifier.threshold
