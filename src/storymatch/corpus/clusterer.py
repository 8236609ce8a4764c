"""Online story clustering: each new article joins the story it matches best, or starts one.

This is the stream model of news (topic detection and tracking): articles arrive
in publication order, and a story is open to new articles only while it is
recent (a time window, when dates are known). A story is represented by the
normalised sum of its articles' vectors (its centroid), optionally blended with
the best link to one of its latest members; an article joins the story it is
most similar to when that similarity reaches the threshold. Nothing
here looks further ahead than the article being placed, so the result of
clustering a corpus equals the result of feeding it one article at a time, and
a story's id, taken from its first article, stays the same across runs and
across later additions.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np


@dataclass
class ClusterParams:
    """Settings of the clusterer; the defaults are the ones docs/EVALUATION.md reports."""

    threshold: float = 0.3
    """Cosine an article needs with a story to join it (the default suits the "fast" tier)."""
    window_days: float | None = 7.0
    """A story takes new articles only this many days after its latest one (None: no window)."""
    recent: int = 4
    """How many of a story's latest article vectors are kept for member links."""
    link_weight: float = 0.0
    """Share of the best member link in the score; the rest is the centroid cosine.
    Off by default: at 0.5 it moved B-cubed F1 by under 0.01 either way on the three
    labelled sets (docs/EVALUATION.md), and it costs recent*dim floats per story."""
    candidates: int = 16
    """Stories nearest by centroid that are scored with member links too."""
    short_words: int = 50
    """Texts with fewer words than this are "short" (headlines); 0 turns the rule off."""
    short_threshold: float | None = 0.2
    """Threshold for short texts, whose cosines run lower; None uses `threshold`."""


@dataclass
class ClusterItem:
    """One article as the clusterer sees it: an id, a unit vector, a date if known."""

    id: str
    vector: np.ndarray
    date: _dt.date | None = None
    words: int | None = None


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


# Join thresholds per tier: (full articles, short texts). Cosines of short texts run
# lower for the same story (a headline shares two or three content words with
# another headline of its story, an article shares hundreds), so texts under
# SHORT_WORDS words (headlines, title + snippet) get the second value, 0.1 lower
# for every tier. Chosen on the three labelled sets together, one setting for all
# (docs/EVALUATION.md has the grid).
TIER_THRESHOLDS: dict[str, tuple[float, float]] = {
    "fast": (0.3, 0.2),
    "quality": (0.5, 0.4),
    "lead": (0.5, 0.4),
    "hybrid": (0.4, 0.3),
}
SHORT_WORDS = 50


def params_for(tier: str | None, *, threshold: float | None = None, **overrides: Any) -> ClusterParams:
    """The clusterer settings for vectors of `tier` ("fast", "quality:minilm", ...).

    An explicit `threshold` applies to every text, short or not.
    """
    base = (tier or "fast").partition(":")[0]
    full, short = TIER_THRESHOLDS.get(base, TIER_THRESHOLDS["fast"])
    if threshold is not None:
        full = short = threshold
    return ClusterParams(threshold=full, short_threshold=short, short_words=SHORT_WORDS, **overrides)


def _ordinal(date: _dt.date | None) -> float:
    return float(date.toordinal()) if date is not None else np.nan


@dataclass
class StoryClusterer:
    """The incremental clusterer: `add` one article at a time; `state`/`from_state` persist it.

    Arrays grow by doubling; per story it keeps the centroid sum, the latest date
    (and, when member links are on, a ring of the `recent` latest vectors), so memory
    is O(stories * dim) however many articles a story gathers.
    """

    dim: int
    params: ClusterParams = field(default_factory=ClusterParams)

    def __post_init__(self) -> None:
        self.ids: list[str] = []
        self.members: list[list[str]] = []
        self._sums = np.zeros((16, self.dim), dtype=np.float32)
        self._centroids = np.zeros((16, self.dim), dtype=np.float32)
        kept = self.params.recent if self.params.link_weight > 0 else 0
        self._recent = np.zeros((16, kept, self.dim), dtype=np.float32)
        self._last = np.full(16, np.nan)
        self._by_id: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    # -- placing ------------------------------------------------------------------------

    def scores(self, vector: np.ndarray, date: _dt.date | None = None) -> np.ndarray:
        """How well `vector` fits each story (-inf for stories outside the time window)."""
        n = len(self.ids)
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        p = self.params
        score = self._centroids[:n] @ vector
        if p.window_days is not None and date is not None:
            age = date.toordinal() - self._last[:n]
            score[np.abs(age) > p.window_days] = -np.inf  # nan age (undated) stays open
        if p.link_weight > 0:
            # member links only for the stories nearest by centroid: a story whose centroid
            # is far cannot win on one member, and this keeps an article O(stories * dim).
            top = np.argpartition(-score, min(p.candidates, n) - 1)[: p.candidates]
            top = top[np.isfinite(score[top])]
            link = (self._recent[top] @ vector).max(axis=1)
            score[top] = (1 - p.link_weight) * score[top] + p.link_weight * link
            rest = np.ones(n, dtype=bool)
            rest[top] = False
            score[rest] = -np.inf
        return score

    def threshold_for(self, words: int | None) -> float:
        p = self.params
        if p.short_threshold is not None and words is not None and words < p.short_words:
            return p.short_threshold
        return p.threshold

    def add(self, item: ClusterItem) -> str:
        """Place one article; returns the id of the story it joined or started."""
        if item.id in self._by_id:  # idempotent: an article already placed stays where it is
            return self.ids[self._by_id[item.id]]
        v = np.asarray(item.vector, dtype=np.float32).ravel()
        s = self.scores(v, item.date)
        best = int(np.argmax(s)) if len(s) else -1
        if best >= 0 and s[best] >= self.threshold_for(item.words):
            self._join(best, item, v)
        else:
            best = self._start(item, v)
        self._by_id[item.id] = best
        return self.ids[best]

    def _start(self, item: ClusterItem, v: np.ndarray) -> int:
        k = len(self.ids)
        if k == len(self._last):
            self._grow()
        self.ids.append(story_id(item.id))
        self.members.append([])
        self._sums[k] = 0
        self._recent[k] = 0
        self._last[k] = np.nan
        self._join(k, item, v)
        return k

    def _join(self, k: int, item: ClusterItem, v: np.ndarray) -> None:
        self.members[k].append(item.id)
        self._sums[k] += v
        self._centroids[k] = self._sums[k] / max(float(np.linalg.norm(self._sums[k])), 1e-12)
        if self._recent.shape[1]:
            self._recent[k, (len(self.members[k]) - 1) % self._recent.shape[1]] = v
        d = _ordinal(item.date)
        if not np.isnan(d):
            self._last[k] = d if np.isnan(self._last[k]) else max(self._last[k], d)

    def _grow(self) -> None:
        cap = 2 * len(self._last)
        self._sums = _resized(self._sums, cap)
        self._centroids = _resized(self._centroids, cap)
        self._recent = _resized(self._recent, cap)
        last = np.full(cap, np.nan)
        last[: len(self._last)] = self._last
        self._last = last

    # -- results and persistence ---------------------------------------------------------

    def stories(self) -> list[Story]:
        return [Story(id=sid, articles=list(m), first=m[0], size=len(m)) for sid, m in zip(self.ids, self.members)]

    def state(self) -> dict[str, Any]:
        """Everything needed to resume: plain lists and numpy arrays (for np.savez / JSON + blobs)."""
        n = len(self.ids)
        return {
            "dim": self.dim,
            "params": asdict(self.params),
            "ids": list(self.ids),
            "members": [list(m) for m in self.members],
            "sums": self._sums[:n].copy(),
            "recent": self._recent[:n].copy(),
            "last": self._last[:n].copy(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "StoryClusterer":
        c = cls(int(state["dim"]), ClusterParams(**state["params"]))
        n = len(state["ids"])
        while len(c._last) < n:
            c._grow()
        c.ids = list(state["ids"])
        c.members = [list(m) for m in state["members"]]
        c._sums[:n] = state["sums"]
        norms = np.maximum(np.linalg.norm(c._sums[:n], axis=1, keepdims=True), 1e-12)
        c._centroids[:n] = c._sums[:n] / norms
        c._recent[:n] = state["recent"]
        c._last[:n] = state["last"]
        c._by_id = {a: k for k, m in enumerate(c.members) for a in m}
        return c


    def save(self, path: str | Path) -> None:
        """Write the state to one .npz file (written beside, then renamed: a crash leaves the old one)."""
        st = self.state()
        meta = json.dumps({k: st[k] for k in ("dim", "params", "ids", "members")})
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, meta=np.array(meta), sums=st["sums"], recent=st["recent"], last=st["last"])
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | Path) -> "StoryClusterer":
        with np.load(Path(path), allow_pickle=False) as z:
            state = json.loads(str(z["meta"]))
            state.update(sums=z["sums"], recent=z["recent"], last=z["last"])
        return cls.from_state(state)


def _resized(a: np.ndarray, cap: int) -> np.ndarray:
    out = np.zeros((cap,) + a.shape[1:], dtype=a.dtype)
    out[: len(a)] = a
    return out


def stream_order(items: Sequence[ClusterItem]) -> list[int]:
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


def cluster_stream(items: Iterable[ClusterItem], params: ClusterParams | None = None,
                   progress=None) -> list[Story]:
    """Cluster a whole corpus as one stream, in date order; `progress(n)` is called after each article."""
    items = list(items)
    if not items:
        return []
    from threadpoolctl import threadpool_limits  # inspects the loaded BLAS libraries: only when clustering

    clusterer = StoryClusterer(dim=len(np.asarray(items[0].vector).ravel()), params=params or ClusterParams())
    # One article at a time is a matrix-vector product: too small to gain from BLAS
    # threads, which only contend (3x slower measured on 2 shared cores).
    with threadpool_limits(limits=1, user_api="blas"):
        for i in stream_order(items):
            clusterer.add(items[i])
            if progress is not None:
                progress(1)
    return clusterer.stories()


def labels_of(stories: Sequence[Story], ids: Sequence[str]) -> list[str]:
    """The story id of each article id, in the order of `ids` (for scoring against gold labels)."""
    where = {a: s.id for s in stories for a in s.articles}
    return [where[i] for i in ids]
