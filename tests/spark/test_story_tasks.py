"""What `spark stories` tasks do, without Spark: a stream cut into time blocks and connected components makes the
stories of the clusterer fed one article at a time (the design spark/stories.py rests on)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from storymatch.corpus.clusterer import ClusterParams, cluster_stream, stream_order
from storymatch.features.story_signals import StorySignals
from storymatch.scoring.story_view import StoryView
from storymatch.scoring.verifier import FEATURES
from storymatch.spark.story_tasks import Arriving, Member, Placed, block_candidates, decide_component, dump, load

COS = FEATURES.index("cos")
NOTHING = StorySignals(None, None, 100, frozenset(), frozenset(), frozenset(), frozenset(), frozenset(), frozenset())


class CosineVerifier:
    """A stand-in verifier whose probability is the pair's vector cosine: the rules under test, not a model."""

    threshold = 0.5

    def probabilities(self, rows):
        return np.array([0.0 if np.isnan(row[COS]) else row[COS] for row in rows])


def stream(n: int = 60, seed: int = 5) -> list[StoryView]:
    """Articles of a dozen events over three weeks, each event's reports near a centre of its own, some undated."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(12, 16))
    out = []
    for i in range(n):
        event = int(rng.integers(12))
        v = (centres[event] + 0.45 * rng.normal(size=16)).astype(np.float32)
        day = None if i % 9 == 4 else dt.date(2024, 3, 1) + dt.timedelta(days=int(event * 1.5 + rng.integers(3)))
        heads = {"use-multilingual": (v[:8] / np.linalg.norm(v[:8])).astype(np.float32)} if i % 3 == 0 else {}
        out.append(StoryView(f"a{i}", v / np.linalg.norm(v), NOTHING, frozenset(), day, heads))
    return out


def as_tasks(views: list[StoryView], params: ClusterParams, verifier) -> dict[str, str]:
    """The Spark job's steps in plain Python: stream order, a block per day with its window, components of the
    links at the threshold (union-find here), the decision per component."""
    order = stream_order(views)
    placed: list[tuple[int, StoryView, int | None]] = []
    last = None
    for sidx, i in enumerate(order):
        v = views[i]
        last = v.date.toordinal() if v.date else last
        placed.append((sidx, v, v.date.toordinal() if v.date else last))
    days = sorted({d for _, _, d in placed if d is not None})
    window = int(params.window_days or 0)
    pairs, best = [], {}
    for day in days:  # each day's block: its articles as targets, its window's as members
        members = [Member(s, load(dump(v)), d == day, []) for s, v, d in placed
                   if d is None or 0 <= day - d <= window]
        for kind, row in block_candidates(members, params, verifier):
            if kind == "pair":
                pairs.append(row)
            else:
                best[row[0]] = row[1]
    undated = [Member(s, v, True, []) for s, v, d in placed if d is None]  # before any date: their own block
    for kind, row in block_candidates(undated, params, verifier):
        (pairs.append(row) if kind == "pair" else best.__setitem__(row[0], row[1]))
    parent = list(range(len(placed)))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, xs, _, ys, p in pairs:
        if p >= verifier.threshold:
            parent[root(xs)] = root(ys)
    groups: dict[int, list[int]] = {}
    for sidx, _, _ in placed:
        groups.setdefault(root(sidx), []).append(sidx)
    story_of = {}
    for sidxs in groups.values():
        arriving = [Arriving(s, placed[s][1], {y: p for x, _, y, _, p in [(r[0], r[1], r[2], r[3], r[4])
                                                                           for r in pairs if r[1] == s]},
                             best.get(s, float("nan"))) for s in sidxs]
        for article, story, _, _ in decide_component([], arriving, params, verifier):
            story_of[article] = story
    return story_of


def test_time_blocks_and_components_make_the_streams_stories():
    views = stream()
    params = ClusterParams(window_days=7)
    expected = {a: s.id for s in cluster_stream(views, params, verifier=CosineVerifier()) for a in s.articles}
    assert len(set(expected.values())) > 3  # several stories, some of several articles
    assert as_tasks(views, params, CosineVerifier()) == expected


def test_a_component_decided_after_an_earlier_run_keeps_its_stories():
    # the first run's articles placed as they were, the next ones decided after them: the stories the clusterer
    # gets when it is fed the second batch after the first
    views = stream(40, seed=9)
    params = ClusterParams(window_days=None)
    from storymatch.corpus.clusterer import StoryClusterer

    whole = StoryClusterer(params, CosineVerifier())
    for v in views:
        whole.add(v)
    first = StoryClusterer(params, CosineVerifier())
    for v in views[:25]:
        first.add(v)
    means, links = first.joining_means(), first.joining_links()
    story_of = {a: s.id for s in first.stories() for a in s.articles}
    placed = [Placed(i, v, story_of[v.id], links.get(v.id, []), means[v.id]) for i, v in enumerate(views[:25])]
    arriving = []
    # the candidates and verdicts each later article meets, as a time block would give them
    replay = StoryClusterer(params, CosineVerifier())
    for v in views[:25]:
        replay.add(v)
    for i, v in enumerate(views[25:], 25):
        cands, sims = replay._candidates(v)
        ranks = {j: float(np.count_nonzero(sims > c)) for j, c in cands}
        best = float(sims.max()) if len(sims) else float("nan")
        known = dict(zip((replay.ids[j] for j, _ in cands),
                         replay._probabilities(v, [j for j, _ in cands], best, ranks)))
        arriving.append(Arriving(i, v, known, best))
        replay.add(v)
    decided = {a: s for a, s, _, _ in decide_component(placed, arriving, params, CosineVerifier())}
    assert decided == {a: s.id for s in whole.stories() for a in s.articles}
