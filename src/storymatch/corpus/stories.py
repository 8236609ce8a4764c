"""Stories of a store: the clusterer (clusterer.py) run over the store's articles, and the one answer to "which
story is this article in?" that search, report, the server and the story browser all read.

Kept apart from clusterer.py, which knows nothing of stores, so the same clusterer serves a stream, a store, the
evaluation and Spark. Each article's particulars (features/story_signals.py) are made once, the first time the
store is clustered, and kept in its analyses table, so later clusterings and queries only read them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Sequence

import numpy as np

from storymatch.corpus.analyses import analysis_code
from storymatch.corpus.clusterer import ClusterParams, Story, link_path, run_stream
from storymatch.corpus.store import Store, Stored
from storymatch.embedding.base import MINILM, USE_MULTILINGUAL
from storymatch.embedding.registry import get_embedder
from storymatch.embedding.tiers import FAST, NO_VECTORS, get_tier
from storymatch.features.lsh import texts_keys
from storymatch.features.story_signals import StorySignals, story_signals
from storymatch.scoring.story_view import StoryView, headline_backends, is_mixed, story_views
from storymatch.scoring.verifier import HEADLINE_WORDS, headline_text
from storymatch.text.language import detect_language

STORY_KIND = "story"
LINK_KIND = "story-link"  # an article's joining links: [[earlier member, probability], ...], best first
SIGNALS = "signals"  # the analyses-table kind of an article's particulars
# ... and of its headline vector through a backend ("lead60:minilm"); the name says what text the vector read
# (scoring.verifier.headline_text), so a store made with another reading makes its vectors again
HEADLINE = f"lead{HEADLINE_WORDS}:"
log = logging.getLogger("storymatch")


def _store_vectors(store: Store) -> tuple[str, dict[int, np.ndarray]]:
    """(tier, a vector per article): the store's own, or the fast tier's computed now for a vector-less store."""
    tier = store.get_meta("tier")
    if tier and tier != NO_VECTORS and store.vector_count(tier) == store.count():
        seqs, mat = store.vector_rows(tier)
        return tier, dict(zip((int(s) for s in seqs), mat.astype(np.float32)))
    enc = get_tier(FAST)
    out: dict[int, np.ndarray] = {}
    articles = store.iter_articles()
    while batch := list(islice(articles, 512)):
        out.update(zip((b.seq for b in batch), enc.encode_articles([b.article for b in batch])))
    return enc.name, out


def store_items(store: Store, progress: Callable[[int], None] | None = None) -> tuple[str, list[StoryView]]:
    """(tier, the store's articles as the clusterer sees them), in ingest order; particulars made once and kept."""
    tier, vectors = _store_vectors(store)
    keys = store.lsh_keys()
    stored = list(store.iter_articles())
    mixed = is_mixed([st.article.language for st in stored])
    return tier, _views(store, stored, [vectors[st.seq] for st in stored],
                        [keys.get(st.seq, frozenset()) for st in stored], mixed, progress)


def views_of(store: Store, stored: Sequence[Stored]) -> list[StoryView]:
    """These stored articles as the clusterer sees them, the same views `store_items` gives (so search's verdict on
    a pair is cluster's), without reading the whole store: vectors one by one, LSH keys from the text."""
    tier = store.get_meta("tier")
    enc = get_tier(FAST)
    if tier and tier != NO_VECTORS and store.vector_count(tier) == store.count():
        vectors = [store.vector_of(tier, st.seq) for st in stored]
    else:
        vectors = [None] * len(stored)
    if any(v is None for v in vectors):
        vectors = list(enc.encode_articles([st.article for st in stored]))
    params = store.lsh_params()
    found = texts_keys([st.article.text for st in stored], params)
    keys = [frozenset(int(k) for k in ks.ravel() if k) for _, ks in found]
    return _views(store, list(stored), [np.asarray(v, dtype=np.float32) for v in vectors], keys,
                  is_mixed(list(store.languages())))


def query_views(store: Store, query: Stored, hits: Sequence[Stored]) -> tuple[StoryView, list[StoryView]]:
    """(the query's view, each hit's view) for the verifier: stored articles as `views_of` gives them (cluster's
    views); a query that is not stored is seen as the store would keep it, with the store's vector tier, LSH
    settings and mix of languages, so its verdicts are the ones it would get once ingested."""
    if store.holds(query):
        views = views_of(store, [query, *hits])
        return views[0], views[1:]
    views = views_of(store, hits)
    query.article.language = query.article.language or detect_language(query.article.text)
    tier = store.get_meta("tier")
    complete = bool(tier and tier != NO_VECTORS and store.vector_count(tier) == store.count())
    vector = get_tier(tier if complete and tier else FAST).encode_articles([query.article])[0]
    mixed = is_mixed([*store.languages(), query.article.language])
    return story_views([query.article], np.asarray([vector]), store.lsh_params(), mixed=mixed)[0], views


def _views(store: Store, stored: list[Stored], vectors: list[np.ndarray], keys: list[frozenset[int]], mixed: bool,
           progress: Callable[[int], None] | None = None) -> list[StoryView]:
    code = analysis_code()  # particulars are part of the analysis: made again when its code changes
    items: list[StoryView] = []
    made: list[tuple[int, str, bytes]] = []
    missing: list[tuple[int, str]] = []  # (item index, backend) of headline vectors not kept yet
    for st, vector, k in zip(stored, vectors, keys):
        assert st.article.id is not None  # Article.__post_init__ always sets an id
        raw = store.get_analysis(st.seq, SIGNALS, code)
        if raw is not None:
            signals = StorySignals.from_record(json.loads(raw))
        else:
            signals = story_signals(st.article)
            made.append((st.seq, SIGNALS, json.dumps(signals.to_record(), ensure_ascii=False).encode("utf-8")))
        heads: dict[str, np.ndarray] = {}
        for backend in headline_backends(st.article.language, mixed):
            kept = store.get_analysis(st.seq, HEADLINE + backend, code)
            if kept is not None:
                heads[backend] = np.frombuffer(kept, dtype=np.float32)
            else:
                missing.append((len(items), backend))
        items.append(StoryView(st.article.id, vector, signals, k, st.article.date, heads))
        if progress:
            progress(1)
    for backend in (MINILM, USE_MULTILINGUAL):
        todo = [i for i, b in missing if b == backend]
        for start in range(0, len(todo), 256):  # the heavy part of a first clustering: kept, never made twice
            chunk = todo[start:start + 256]
            vecs = get_embedder(backend).encode([headline_text(stored[i].article.title, stored[i].article.text)
                                                 for i in chunk])
            for i, v in zip(chunk, vecs):
                items[i].headlines[backend] = v
                made.append((stored[i].seq, HEADLINE + backend, v.astype(np.float32).tobytes()))
    if made:
        store.put_analyses(made, code)
    return items


def cluster(store: Store, params: ClusterParams | None = None,
            progress: Callable[[int], None] | None = None) -> list[Story]:
    """Stories of the whole store, recorded in its results (article id -> story id, and each article's joining
    links), both in one transaction.

    The stream is replayed from the start in date order (ingest order for undated articles); story ids come from
    first articles, so they are stable across runs.
    """
    _, items = store_items(store)
    clusterer = run_stream(items, params, progress=progress)
    stories = clusterer.stories()
    links = clusterer.joining_links()
    store.put_result_kinds({STORY_KIND: [(a, s.id) for s in stories for a in s.articles],
                            LINK_KIND: [(a, [[b, p] for b, p in out]) for a, out in links.items()]},
                           replace_all=True)
    _computed_links.clear()
    _computed_links.update(links)
    return stories


# The joining links of the last clustering in this process, for a store that keeps no results (read-only).
_computed_links: dict[str, list[tuple[str, float]]] = {}


@dataclass
class StoryLookup:
    """Which story an article is in, who else is, and how the story joins two of its members, read row by row from
    the store's recorded stories: search needs a dozen of them, and reading all 10,000 of a store took 40 ms a
    search. A store that keeps no results (read-only) answers from the stories computed in memory (`computed`)."""

    store: Store
    computed: dict[str, str] | None = None

    def story(self, article_id: str) -> str | None:
        if self.computed is not None:
            return self.computed.get(article_id)
        found = self.store.get_result(STORY_KIND, article_id)
        return str(found) if found is not None else None

    def members(self, story: str) -> list[str]:
        """The story's articles, in the order `story_assignments` lists them."""
        if self.computed is not None:
            return [a for a, s in self.computed.items() if s == story]
        return self.store.keys_with_result(STORY_KIND, story)

    def path(self, a: str, b: str) -> list[str] | None:
        """How the story joins two of its members: the shortest chain of joining links from `a` to `b` (both ends
        included; [a, b] when one joined on the other), None when they are not in one story."""
        story = self.story(a)
        if story is None or story != self.story(b):
            return None
        members = self.members(story)
        if self.computed is not None:
            links = {m: _computed_links.get(m, []) for m in members}
        else:
            links = {m: [(str(x), float(p)) for x, p in (self.store.get_result(LINK_KIND, m) or [])]
                     for m in members}
        return link_path(links, a, b, set(members))


def story_lookup(store: Store) -> StoryLookup:
    """`StoryLookup` over the store's stories, clustering it first when it was never clustered or has grown."""
    if store.result_count(STORY_KIND) == store.count():
        return StoryLookup(store)
    computed = story_assignments(store)
    return StoryLookup(store, None if store.result_count(STORY_KIND) == store.count() else computed)


def story_assignments(store: Store) -> dict[str, str]:
    """Article id -> story id, clustering the store first when it was never clustered or has grown since."""
    story_of = store.results(STORY_KIND)
    if len(story_of) != store.count():  # from the stories themselves: a read-only store keeps no results
        # minutes for a large store never clustered (its particulars are made once): say so on the spinner
        log.info("clustering the store's %s articles into stories first (once; `storymatch cluster` shows its "
                 "progress)", f"{store.count():,}")
        story_of = {a: s.id for s in cluster(store) for a in s.articles}
    return story_of


@dataclass
class Membership:
    """Which stories of a store two articles are in, and how the story joins them when it is one: what
    `compare A B --store` reports beside the pair's own verdict."""

    story_a: str | None
    story_b: str | None
    through: list[str]  # the chain of joining links between them, ends apart ([] when they are linked directly)

    @property
    def same(self) -> bool:
        return self.story_a is not None and self.story_a == self.story_b

    def to_dict(self) -> dict[str, object]:
        return {"a": self.story_a, "b": self.story_b, "same": self.same, "through": self.through}

    def describe(self, a: str, b: str, probability: float, threshold: float) -> str:
        """One line for a reader: whether the store puts the two in one story, and why when the pair alone says
        otherwise (or the other way round)."""
        if self.story_a is None or self.story_b is None:
            return "story: not known (the store was not clustered with both articles in it)"
        if not self.same:
            agree = "" if probability < threshold else (
                "; the pair alone is likely the same story, but each was judged against its story as a whole")
            return f"story: {a} is in {self.story_a}, {b} in {self.story_b}{agree}"
        reason = membership_reason([a, *self.through, b], probability, threshold)
        return f"story: both in {self.story_a}" + (f" ({reason})" if reason else "")


def membership(store: Store, a: str, b: str) -> Membership:
    """The store's stories of two stored articles, and the chain that joins them when they share one."""
    lookup = story_lookup(store)
    story_a, story_b = lookup.story(a), lookup.story(b)
    path = lookup.path(a, b) if story_a is not None and story_a == story_b else None
    return Membership(story_a, story_b, list(path[1:-1]) if path else [])


def membership_reason(path: Sequence[str], probability: float, threshold: float) -> str | None:
    """Why a hit is in the query's story though the pair alone falls short of the verdict, in words; None when the
    pair's own probability suffices or no chain is known.

    The pair's probability answers "do these two articles alone tell one story?"; the story answers "which story
    does each belong to?", judged against the story as a whole. Two reports of one strike that share few
    particulars (one about the convoy, one about Moscow's protest) can each belong to the story of a third.
    """
    if probability >= threshold or len(path) < 2:
        return None
    between = list(path[1:-1])
    if not between:
        return "same story: judged against the story as a whole when the store was clustered"
    names = between[0] if len(between) == 1 else ", ".join(between[:-1]) + " and " + between[-1]
    return f"same story, through {names}"
