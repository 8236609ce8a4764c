"""Online story clustering over verified links: each new article joins the story it is verified to belong to as a
whole, or starts one.

The stream model of news (topic detection and tracking): articles arrive in publication order, and a story takes
new articles only while it is recent (a time window, when dates are known). For a new article:

1. Candidates: the earlier articles of open stories nearest to it by the article vector's cosine, nearest by the
   headline vectors' cosine in each sentence model it has (the multilingual one finds reports in other languages,
   whose words the article vector cannot compare), and the ones that share sentence LSH keys with it (shared text).
2. Verification: the same-story verifier (scoring/verifier.py) gives each candidate pair a probability.
3. The story decision, average link: a story the article is linked to (a candidate at the threshold or above) is
   judged on up to `story_sample` of its members (all of them in a small story; in a large one, those among the
   candidates and then its latest), each pair verified, and the article joins the story with the highest mean
   probability when that mean reaches the threshold; else it starts a story. Two events of one kind (two
   earthquakes, two Oscar hosts) share vocabulary, so an article of the second event has near neighbours in the
   first: a rule that looks at the best few members lets one such pair decide, the mean over the story does not.
   Nor may the mean fall far below the story's cohesion, the mean its own members joined with (`cohesion_margin`):
   a second event of the kind is alike enough to pass the threshold, but much less alike than the first's reports
   are to each other.
4. Late evidence: when the article also reaches the threshold with another story, the two merge only if they
   belong together as wholes, by the same mean taken over pairs of their members (average linkage): one bridging
   article cannot fuse two events.

Nothing here looks further ahead than the article being placed, so clustering a corpus equals feeding it one
article at a time, and a story's id, taken from its first article, stays the same across runs and later additions.
Every article's joining links (the members it was verified against, with their probabilities) are kept, so a
story can say how two of its members that are unlike each other came to be in it (`path`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from storymatch.features.lsh import MAX_BUCKET
from storymatch.features.story_signals import StorySignals
from storymatch.scoring.story_view import StoryView, view_features
from storymatch.scoring.verifier import Verifier, shipped_verifier

FAST_SPACE = ""  # the article vectors' space; headline spaces are named by their sentence model


@dataclass
class ClusterParams:
    """Settings of the clusterer; the defaults are the ones docs/EVALUATION.md reports."""

    threshold: float | None = None
    """Least mean same-story probability to join a story (None: the verifier's own threshold)."""
    window_days: float | None = 7.0
    """A story takes new articles only this many days after its latest one (None: no window)."""
    candidates: int = 30
    """Nearest articles of open stories (by the article vector's cosine) verified for each new article."""
    headline_candidates: int = 10
    """Nearest by headline cosine, in each sentence model the article's headline went through."""
    text_candidates: int = 12
    """Articles sharing the most sentence LSH keys with it, verified as well."""
    story_sample: int = 16
    """Members of a story an article is judged against: all of a story this small; of a larger one, the members
    among its candidates and then the latest."""
    merge: bool = True
    """Merge two stories an article belongs to when their members belong together on average (late evidence)."""
    cohesion_margin: float | None = 0.3
    """An article joins a story only if its mean is at most this far below the story's cohesion, the mean its
    members had when they joined (None: no such rule). Two events of one kind are alike, and a report of the
    second meets the first's story at a mean over the threshold (0.76 for two Indian Navy actions against pirates
    in the Gulf of Aden) while the first's own members met it at 0.97. Chosen on the first of three folds of each
    set (B-cubed F1 full articles of one kind / Singapore stream / excerpts / headlines, the verifier fitted without
    the fold): none 0.891 / 0.966 / 0.986 / 0.842 (mean 0.921); 0.1: 0.899 / 0.981 / 1.000 / 0.784 (0.916);
    0.2: 0.884 / 0.972 / 1.000 / 0.830 (0.921); 0.3: 0.904 / 0.963 / 1.000 / 0.843 (0.927)."""


@dataclass
class Story:
    """A story found in the stream: its articles in arrival order, the first one giving its id."""

    id: str
    articles: list[str]
    first: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def story_id(first_article_id: str) -> str:
    """A story's id, from its first article's id: stable across runs and across additions."""
    return "s-" + hashlib.sha1(str(first_article_id).encode("utf-8")).hexdigest()[:12]


def params_for(tier: str | None = None, *, threshold: float | None = None, **overrides: Any) -> ClusterParams:
    """The clusterer's settings (the same for every tier: the verifier reads the particulars, not only the vector).

    An explicit `threshold` replaces the verifier's own cut.
    """
    return ClusterParams(threshold=threshold, **overrides)


class _Rows:
    """One vector space's rows: every item's (zeros where an item has none), and those of the active scan in a
    buffer of their own that grows by doubling, so the scan is one matrix-vector product (copying the active rows
    on every article made clustering quadratic in the window's size)."""

    def __init__(self, dim: int) -> None:
        self.all = np.zeros((64, dim), dtype=np.float32)
        self.has = np.zeros(64, dtype=bool)
        self.active = np.zeros((64, dim), dtype=np.float32)
        self.active_has = np.zeros(64, dtype=bool)

    def put(self, index: int, row: np.ndarray | None) -> None:
        while index >= len(self.all):
            self.all = np.vstack([self.all, np.zeros_like(self.all)])
            self.has = np.concatenate([self.has, np.zeros_like(self.has)])
        if row is not None:
            self.all[index] = row
            self.has[index] = True

    def fill(self, start: int, items: np.ndarray) -> None:
        end = start + len(items)
        while end > len(self.active):
            self.active = np.vstack([self.active, np.zeros_like(self.active)])
            self.active_has = np.concatenate([self.active_has, np.zeros_like(self.active_has)])
        self.active[start:end] = self.all[items]
        self.active_has[start:end] = self.has[items]


@dataclass
class StoryClusterer:
    """The incremental clusterer: `add` one article at a time; `save`/`load` persist it to resume a stream."""

    params: ClusterParams = field(default_factory=ClusterParams)
    verifier: Verifier | None = None

    def __post_init__(self) -> None:
        self.verifier = self.verifier or shipped_verifier()
        self.ids: list[str] = []
        self.items: list[StoryView] = []
        self.story_of: list[int] = []  # story index of each item
        self.story_ids: list[str] = []
        self.members: list[list[int]] = []
        self.last: list[float] = []  # latest date (ordinal) of each story; nan when none is dated
        self.links: list[list[tuple[int, float]]] = []  # each item's verified links to earlier members, best first
        self.join_mean: list[float] = []  # each item's mean probability with the story it joined (nan: it began one)
        self._spaces: dict[str, _Rows] = {}
        self._by_id: dict[str, int] = {}
        self._by_key: dict[int, list[int]] = {}
        # The items within the window of the latest date seen: a stream arrives in date order, so an article the
        # window has passed is never a candidate again and leaves the scan for good (a corpus of months is scanned
        # a week at a time). Rebuilt only when the date moves on.
        self._active = np.zeros(64, dtype=np.int64)  # item indices of the active scan, first _n_active of them
        self._n_active = 0
        self._in_scan = np.zeros(64, dtype=bool)  # by item index: in the active scan now
        self._seen = 0  # items placed before this many are in the scan or were pruned from it
        self._date = np.full(64, np.nan)  # each item's date (ordinal), nan when undated
        self._latest: int | None = None

    def __len__(self) -> int:
        return len(self.story_ids)

    @property
    def threshold(self) -> float:
        assert self.verifier is not None
        return self.params.threshold if self.params.threshold is not None else self.verifier.threshold

    # -- candidates ------------------------------------------------------------------------

    def _open(self, date: _dt.date | None, items: np.ndarray) -> np.ndarray:
        """Which of these items lie within the window of `date` (all of them when undated or windowless).

        The window is the articles', not the stories': a candidate is an article of the last `window_days`, so
        which articles are candidates never depends on how earlier ones were clustered. That is what lets Spark
        find every article's candidates at once (spark/stories.py) and still make the stories of one machine. A
        story takes an article only through a link to one of its members, so a story is open exactly while it
        has a member within the window, as before.
        """
        if self.params.window_days is None or date is None or not len(items):
            return np.ones(len(items), dtype=bool)
        return ~(np.abs(date.toordinal() - self._date[items]) > self.params.window_days)  # nan (undated) stays

    def _vector_sims(self, item: StoryView, date: _dt.date | None) -> np.ndarray:
        """The item's cosine with every active item by the article vector (-inf outside the window)."""
        active = self._active[: self._n_active]
        rows = self._spaces[FAST_SPACE]
        sims = rows.active[: self._n_active] @ np.asarray(item.vector, dtype=np.float32).ravel()
        sims[~self._open(date, active)] = -np.inf
        return sims

    def stream_date(self, item: StoryView) -> _dt.date | None:
        """The date the stream places an article at: its own, or for an undated one the latest date seen before it
        (in date order, the date of the article it follows). So an undated report in a dated stream is compared
        with the week it arrived in, and a wholly undated corpus has no window at all."""
        if item.date is not None or self._latest is None:
            return item.date
        return _dt.date.fromordinal(self._latest)

    def candidates(self, item: StoryView) -> list[tuple[int, float]]:
        """(item index, vector cosine) of the earlier articles worth verifying against `item`."""
        return self._candidates(item)[0]

    def _candidates(self, item: StoryView) -> tuple[list[tuple[int, float]], np.ndarray]:
        if not self.items:
            return [], np.zeros(0, dtype=np.float32)
        date = self.stream_date(item)
        self._prune(date)
        n = self._n_active
        active = self._active[:n]
        is_open = self._open(date, active)
        heads = {name: (rows.active[:n], rows.active_has[:n] & is_open) for name, rows in self._spaces.items()
                 if name != FAST_SPACE}
        shared: dict[int, int] = {}
        for key in item.keys:
            bucket = self._by_key.get(key, ())
            if len(bucket) <= MAX_BUCKET:
                for j in bucket:
                    shared[j] = shared.get(j, 0) + 1
        within = [(j, c) for j, c in shared.items() if self._in_scan[j] and self._open(date, np.array([j]))[0]]
        text = [j for j, _ in sorted(within, key=lambda kv: (-kv[1], kv[0]))[: self.params.text_candidates]]
        position = {int(j): i for i, j in enumerate(active)}
        chosen, sims = window_candidates(item, self._spaces[FAST_SPACE].active[:n], is_open, heads,
                                         [position[j] for j in text], self.params)
        return [(int(active[i]), cos) for i, cos in chosen], sims

    def _prune(self, date: _dt.date | None) -> None:
        """Bring the active scan up to the items placed so far, dropping stories closed before `date`."""
        n = len(self.items)
        later = date is not None and (self._latest is None or date.toordinal() > self._latest)
        if later:
            assert date is not None
            self._latest = date.toordinal()
        newer = np.arange(self._seen, n)
        if later and self.params.window_days is not None:
            keep = np.concatenate([self._active[: self._n_active], newer])
            assert self._latest is not None
            keep = keep[~(self._latest - self._date[keep] > self.params.window_days)]  # nan (undated) stays
            self._in_scan[self._active[: self._n_active]] = False
            self._n_active = 0
            newer = keep
        if len(newer):
            end = self._n_active + len(newer)
            while end > len(self._active):
                self._active = np.concatenate([self._active, np.zeros_like(self._active)])
            self._active[self._n_active:end] = newer
            for rows in self._spaces.values():
                rows.fill(self._n_active, newer)
            self._in_scan[newer] = True
            self._n_active = end
        self._seen = n

    # -- the story decision ------------------------------------------------------------------

    def _probabilities(self, item: StoryView, others: Sequence[int], best: float,
                       ranks: dict[int, float]) -> list[float]:
        """P(same story) of `item` with earlier items: each pair with its vector cosine, its rank among the cosines
        of the window's articles (`ranks`; a member verified beyond the candidates is ranked past them all) and the
        best of those cosines (how a candidate search met it)."""
        assert self.verifier is not None
        if not others:
            return []
        rows = candidate_rows(item, [self.items[j] for j in others],
                              [ranks.get(j, float(self.params.candidates)) for j in others], best)
        return [float(p) for p in self.verifier.probabilities(rows)]

    def _sample(self, story: int, known: dict[int, float]) -> list[int]:
        """The members a story is judged on: all of a small one; else those already verified, then the latest."""
        members = self.members[story]
        limit = self.params.story_sample
        if len(members) <= limit:
            return list(members)
        chosen = [m for m in members if m in known][-limit:]
        for m in reversed(members):
            if len(chosen) >= limit:
                break
            if m not in known:
                chosen.append(m)
        return sorted(chosen)

    def add(self, item: StoryView) -> str:
        """Place one article; returns the id of the story it joined or started."""
        if item.id in self._by_id:  # idempotent: an article already placed stays where it is
            return self.story_ids[self.story_of[self._by_id[item.id]]]
        cands, sims = self._candidates(item)
        ranks = {j: float(np.count_nonzero(sims > cos)) for j, cos in cands}
        best = float(sims.max()) if len(sims) else float("nan")
        known = dict(zip((j for j, _ in cands), self._probabilities(item, [j for j, _ in cands], best, ranks)))
        return self._decide(item, known, best, ranks)

    def add_verified(self, item: StoryView, known: dict[str, float], best: float) -> str:
        """Place an article whose candidates were found and verified elsewhere (spark/stories.py): `known` gives
        P(same story) with each earlier candidate by id (those not placed here are of no story it can join), `best`
        the best vector cosine in its window. The story decision is `add`'s, to the last digit."""
        if item.id in self._by_id:
            return self.story_ids[self.story_of[self._by_id[item.id]]]
        if item.date is not None:
            self._latest = max(self._latest or item.date.toordinal(), item.date.toordinal())
        given = {self._by_id[i]: p for i, p in known.items() if i in self._by_id}
        return self._decide(item, given, best, {})

    def _decide(self, item: StoryView, known: dict[int, float], best_cos: float, ranks: dict[int, float]) -> str:
        """The story decision for an article with its candidates' probabilities (see the module's docstring)."""
        linked = sorted({self.story_of[j] for j, p in known.items() if p >= self.threshold})
        means: dict[int, float] = {}
        for s in linked:
            sample = self._sample(s, known)
            missing = [m for m in sample if m not in known]
            known.update(zip(missing, self._probabilities(item, missing, best_cos, ranks)))
            means[s] = float(np.mean([known[m] for m in sample]))
        margin = self.params.cohesion_margin
        accepted = sorted((s for s, mean in means.items() if mean >= self.threshold and (
            margin is None or not (mean < self._cohesion(s) - margin))),
                          key=lambda s: (-means[s], self.members[s][0]))
        best = accepted[0] if accepted else self._start(item)
        index = self._place(item, best)
        self.join_mean[index] = means.get(best, float("nan"))
        # its best two links (at the threshold or above) into each story it joined or merged: a story's mean
        # reaches the threshold only when one of its links does, so every member reaches the story's first article
        self.links[index] = [jp for s in accepted for jp in sorted(
            ((j, round(p, 4)) for j, p in known.items() if self.story_of[j] == s and p >= self.threshold),
            key=lambda jp: (-jp[1], jp[0]))[:2]]
        if self.params.merge and len(accepted) > 1:
            together = [best] + [s for s in accepted[1:] if self._belong_together(best, s)]
            if len(together) > 1:
                best = self._merge(together)
        return self.story_ids[best]

    def _cohesion(self, s: int) -> float:
        """How alike a story's members are: the mean of their probabilities with it when they joined (nan for a
        story of one article)."""
        vals = [self.join_mean[m] for m in self.members[s] if not np.isnan(self.join_mean[m])]
        return float(np.mean(vals)) if vals else float("nan")

    def _belong_together(self, a: int, b: int) -> bool:
        """Average linkage between two stories: the mean probability over pairs of their sampled members."""
        sample_a = self.members[a][-self.params.story_sample:]
        sample_b = self.members[b][-self.params.story_sample:]
        rows = [view_features(self.items[max(i, j)], self.items[min(i, j)]) for i in sample_a for j in sample_b]
        assert self.verifier is not None
        return bool(rows) and float(np.mean(self.verifier.probabilities(rows))) >= self.threshold

    def _merge(self, stories: list[int]) -> int:
        """The story that began first takes the others in, so the merged story keeps its first article's id."""
        keep = min(stories, key=lambda s: self.members[s][0])
        for s in stories:
            if s == keep:
                continue
            for i in self.members[s]:
                self.story_of[i] = keep
            self.members[keep] = sorted(self.members[keep] + self.members[s])
            self.members[s] = []
            if not np.isnan(self.last[s]):
                self.last[keep] = self.last[s] if np.isnan(self.last[keep]) else max(self.last[keep], self.last[s])
        return keep

    def _start(self, item: StoryView) -> int:
        self.story_ids.append(story_id(item.id))
        self.members.append([])
        self.last.append(np.nan)
        return len(self.story_ids) - 1

    def _place(self, item: StoryView, story: int) -> int:
        index = len(self.items)
        vector = np.asarray(item.vector, dtype=np.float32).ravel()
        spaces = {FAST_SPACE: vector, **{k: np.asarray(v, dtype=np.float32) for k, v in item.headlines.items()}}
        for name, row in spaces.items():
            if name not in self._spaces:
                self._spaces[name] = _Rows(len(row))
                self._spaces[name].fill(0, self._active[: self._n_active])
        for name, rows in self._spaces.items():
            rows.put(index, spaces.get(name))
        self.items.append(item)
        self.ids.append(item.id)
        self.story_of.append(story)
        self.links.append([])
        self.join_mean.append(float("nan"))
        if index >= len(self._date):
            self._date = np.concatenate([self._date, np.full(len(self._date), np.nan)])
            self._in_scan = np.concatenate([self._in_scan, np.zeros(len(self._in_scan), dtype=bool)])
        when = self.stream_date(item)
        self._date[index] = float(when.toordinal()) if when is not None else np.nan
        self.members[story].append(index)
        self._by_id[item.id] = index
        for key in item.keys:
            self._by_key.setdefault(key, []).append(index)
        if item.date is not None:
            d = float(item.date.toordinal())
            self.last[story] = d if np.isnan(self.last[story]) else max(self.last[story], d)
        return index

    # -- results and persistence ---------------------------------------------------------

    def stories(self) -> list[Story]:
        return [Story(id=sid, articles=[self.ids[i] for i in m], first=self.ids[m[0]], size=len(m))
                for sid, m in zip(self.story_ids, self.members) if m]

    def joining_means(self) -> dict[str, float]:
        """Each article's mean probability with the story it joined (nan for the article that began a story)."""
        return dict(zip(self.ids, self.join_mean))

    def joining_links(self) -> dict[str, list[tuple[str, float]]]:
        """Each article's verified links to the earlier members it joined on (its best two at the threshold or above
        in each story it joined or merged)."""
        return {self.ids[i]: [(self.ids[j], p) for j, p in links] for i, links in enumerate(self.links) if links}

    def save(self, path: str | Path) -> None:
        """Write the state to one .npz file (written beside, then renamed: a crash leaves the old one)."""
        path = Path(path)
        meta = {"params": asdict(self.params), "story_ids": self.story_ids, "story_of": self.story_of,
                "links": self.links, "join_mean": [None if np.isnan(m) else m for m in self.join_mean],
                "items": [{"id": it.id, "date": it.date.isoformat() if it.date else None,
                           "signals": it.signals.to_record(), "keys": sorted(it.keys),
                           "headlines": {k: v.tolist() for k, v in it.headlines.items()}} for it in self.items]}
        fast = self._spaces.get(FAST_SPACE)
        vectors = fast.all[: len(self.items)] if fast is not None else np.zeros((0, 0), np.float32)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, meta=np.array(json.dumps(meta)), vectors=vectors)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path, verifier: Verifier | None = None) -> "StoryClusterer":
        with np.load(Path(path), allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            vectors = z["vectors"]
        c = cls(ClusterParams(**meta["params"]), verifier)
        c.story_ids = list(meta["story_ids"])
        c.members = [[] for _ in c.story_ids]
        c.last = [np.nan] * len(c.story_ids)
        for rec, story, vector in zip(meta["items"], meta["story_of"], vectors):
            date = _dt.date.fromisoformat(rec["date"]) if rec["date"] else None
            headlines = {k: np.asarray(v, dtype=np.float32) for k, v in rec.get("headlines", {}).items()}
            c._place(StoryView(rec["id"], vector, StorySignals.from_record(rec["signals"]), frozenset(rec["keys"]),
                               date, headlines), int(story))
        c.links = [[(int(j), float(p)) for j, p in links] for links in meta.get("links", [[]] * len(c.items))]
        c.join_mean = [float("nan") if m is None else float(m) for m in meta.get("join_mean", [None] * len(c.items))]
        return c


def window_candidates(item: StoryView, fast: np.ndarray, is_open: np.ndarray,
                      heads: dict[str, tuple[np.ndarray, np.ndarray]], text: Sequence[int],
                      params: ClusterParams) -> tuple[list[tuple[int, float]], np.ndarray]:
    """The candidates of an article among the earlier articles of its window, by position in those rows:
    (position, vector cosine) of the `candidates` nearest by the article vector, the `headline_candidates` nearest by
    headline cosine in each sentence model (`heads`: rows and which of them take part), and the `text` positions
    (those sharing the most sentence keys); and the vector cosines of all rows (-inf outside the window).

    One function for the clusterer's scan and for Spark's time blocks, so both choose the same candidates.
    """
    sims = fast @ np.asarray(item.vector, dtype=np.float32).ravel()
    sims[~is_open] = -np.inf
    chosen: dict[int, float] = {}
    for j in top_k(sims, params.candidates):
        chosen.setdefault(int(j), float(sims[j]))
    for space, vector in sorted(item.headlines.items()):
        if space not in heads or not params.headline_candidates:
            continue
        rows, take = heads[space]
        scores = rows @ np.asarray(vector, dtype=np.float32)
        scores[~take] = -np.inf
        for j in top_k(scores, params.headline_candidates):
            chosen.setdefault(int(j), float(sims[j]))
    for j in text:
        chosen.setdefault(int(j), float(sims[j]))
    return sorted(chosen.items()), sims


def candidate_rows(item: StoryView, others: Sequence[StoryView], ranks: Sequence[float],
                   best: float) -> list[list[float]]:
    """The verifier's rows of an article with earlier ones, each with its vector cosine, its rank among its window's
    cosines and the best of them."""
    vector = np.asarray(item.vector, dtype=np.float32).ravel()
    return [view_features(item, other, float(np.asarray(other.vector, dtype=np.float32).ravel() @ vector), rank, best)
            for other, rank in zip(others, ranks)]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` largest finite scores, ties broken by position (the earlier article first): the same
    choice wherever it is made, here or in a Spark task (argpartition leaves ties to chance)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if k <= 0 or not len(finite):
        return finite[:0]
    if k >= len(finite):
        return finite
    kth = np.partition(scores[finite], len(finite) - k)[len(finite) - k]  # the k-th largest
    above = finite[scores[finite] > kth]
    ties = finite[scores[finite] == kth][: k - len(above)]
    return np.sort(np.concatenate([above, ties]))


def stream_order(items: Sequence[StoryView]) -> list[int]:
    """Indices in publication order; undated items keep their input position relative to each other.

    Dated items are sorted by date (stable); an undated item is placed right after
    the item that preceded it in the input, so an undated corpus keeps its order.
    """
    keys: list[tuple[float, int]] = []
    last = -np.inf
    for i, it in enumerate(items):
        if it.date is not None:
            last = float(it.date.toordinal())
        keys.append((last, i))
    return sorted(range(len(items)), key=lambda i: keys[i])


def cluster_stream(items: Iterable[StoryView], params: ClusterParams | None = None,
                   progress: Callable[[int], None] | None = None, verifier: Verifier | None = None) -> list[Story]:
    """Cluster a whole corpus as one stream, in date order; `progress(n)` is called after each article."""
    return run_stream(items, params, progress, verifier).stories()


def run_stream(items: Iterable[StoryView], params: ClusterParams | None = None,
               progress: Callable[[int], None] | None = None, verifier: Verifier | None = None) -> StoryClusterer:
    """The clusterer after a whole corpus was fed to it as one stream, in date order."""
    items = list(items)
    clusterer = StoryClusterer(params or ClusterParams(), verifier)
    if not items:
        return clusterer
    from threadpoolctl import threadpool_limits  # inspects the loaded BLAS libraries: only when clustering

    # One article at a time is a matrix-vector product: too small to gain from BLAS
    # threads, which only contend (3x slower measured on 2 shared cores).
    with threadpool_limits(limits=1, user_api="blas"):
        for i in stream_order(items):
            clusterer.add(items[i])
            if progress is not None:
                progress(1)
    return clusterer


def link_path(links: dict[str, list[tuple[str, float]]], start: str, goal: str,
              within: set[str] | None = None) -> list[str] | None:
    """The shortest chain of joining links from `start` to `goal` (both ends included), through articles of
    `within` when given; None when the links do not connect them."""
    graph: dict[str, set[str]] = {}
    for a, out in links.items():
        for b, _ in out:
            if within is None or (a in within and b in within):
                graph.setdefault(a, set()).add(b)
                graph.setdefault(b, set()).add(a)
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while (back := previous[path[-1]]) is not None:
                path.append(back)
            return path[::-1]
        for nxt in sorted(graph.get(node, ())):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def labels_of(stories: Sequence[Story], ids: Sequence[str]) -> list[str]:
    """The story id of each article id, in the order of `ids` (for scoring against gold labels)."""
    where = {a: s.id for s in stories for a in s.articles}
    return [where[i] for i in ids]
